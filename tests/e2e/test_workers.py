"""The central deployment: two workers on PostgreSQL with Redis as the Socket.IO message queue."""
from __future__ import annotations

import secrets
from pathlib import Path

import pytest
import redis

from server.bench.process import ServerProcess

from ..conftest import _PG, POSTGRES_URL, REDIS_URL, PostgresSchema, require
from .hall import Sock, chair_sock, delegate_http, new_op, open_poll, seed

pytestmark = pytest.mark.e2e


def _redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def test_events_and_ballots_cross_workers_through_redis(tmp_path: Path):
    require(_PG, f"PostgreSQL is not reachable at {POSTGRES_URL}")
    require(_redis_up(), f"Redis is not reachable at {REDIS_URL}")
    schema = PostgresSchema()
    channel = f"hall-test-{secrets.token_hex(4)}"
    env = {"HOITRUONG_SECRET_KEY": secrets.token_hex(16), "HOITRUONG_SOCKETIO_CHANNEL": channel}
    seeded = seed(schema.url, delegates=4)
    workers = [
        ServerProcess(instance=tmp_path / f"w{i}", database_url=schema.url,
                      redis_url=REDIS_URL, extra_env=env).start()
        for i in range(2)
    ]
    try:
        a, b = (w.url for w in workers)
        chair = chair_sock(b, seeded)
        tablet_http = delegate_http(a, seeded.delegates[0])
        tablet = Sock(a, tablet_http).connect()
        poll_id = open_poll(chair)
        opened = tablet.wait_for("poll.opened")  # emitted on worker B, delivered by worker A
        assert opened["poll"]["id"] == poll_id
        assert tablet.call("ballot.cast", {"op_id": new_op(), "poll_id": poll_id, "choice": "no"})["ok"]
        tally = chair.wait_for("poll.tally", lambda d: d["tally"]["voted"] == 1)  # A's tally, on B
        assert tally["tally"]["counts"]["no"] == 1
        # The session cookie from worker A is good on worker B too.
        moved = Sock(b, tablet_http).connect()
        assert moved.call("state.snapshot")["snapshot"]["me"]["ballot"]["choice"] == "no"
        closed = chair.call("poll.close", {"op_id": new_op(), "poll_id": poll_id})
        assert tablet.wait_for("poll.closed")["result"] == closed["result"]
        for sock in (chair, tablet, moved):
            sock.close()
    finally:
        for w in workers:
            w.stop()
        schema.drop()
