"""`hoitruong bench votes` runs end to end and prints its JSON (figures are not checked here)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from ..conftest import _PG, POSTGRES_URL, require

pytestmark = pytest.mark.e2e

KEYS = {"delegates", "connected", "connect_s", "votes_acked", "votes_lost", "votes_duplicated",
        "storm_s", "ack_p50_ms", "ack_p99_ms", "tally_final_lag_ms", "server_rss_mb", "async_mode"}


def _bench(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "server.cli", "bench", "votes", *args],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_bench_votes_prints_every_figure_and_loses_nothing():
    figures = _bench("--delegates", "12", "--baseline")
    assert KEYS | {"baseline_storm_s", "ratio_to_baseline"} <= figures.keys()
    assert figures["connected"] == figures["votes_acked"] == 12
    assert figures["votes_lost"] == figures["votes_duplicated"] == 0


def test_bench_votes_spreads_clients_over_two_workers_on_postgresql():
    require(_PG, f"PostgreSQL is not reachable at {POSTGRES_URL}")
    figures = _bench("--delegates", "12", "--database", "postgresql", "--postgresql-url", POSTGRES_URL,
                     "--workers", "2", "--processes", "2")
    assert figures["workers"] == 2
    assert figures["votes_acked"] == 12 and figures["votes_lost"] == figures["votes_duplicated"] == 0


def test_bench_sign_prints_its_figures_and_every_record_verifies():
    done = subprocess.run([sys.executable, "-m", "server.cli", "bench", "sign", "--count", "2"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"render_ms_p50", "sign_bb_ms_p50", "sign_bt_ms_p50", "verify_ms_p50",
            "close_to_signed_record_ms"} <= figures.keys()
    assert figures["verified_ok"] == 2
