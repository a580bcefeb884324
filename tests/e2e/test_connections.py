"""More connections than eventlet's default server takes (1,024) are accepted and all hear a
broadcast, in both async modes (the 10,000-connection figure is `hoitruong bench connections`)."""
from __future__ import annotations

import argparse
import json

import pytest

from server.bench import connections

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_more_than_1024_sockets_connect_and_all_receive_a_broadcast(mode, capsys):
    status = connections.main(argparse.Namespace(count=1100, async_mode=mode, processes=1))
    figures = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert status == 0
    assert figures["connected"] == 1100 and figures["connect_errors"] == 0
    assert figures["broadcast_received"] == 1100
