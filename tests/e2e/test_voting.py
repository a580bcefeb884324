"""A whole vote against a real server process with real Socket.IO clients."""
from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from server.db.engine import Database
from server.services.ballots import ballots_of

from ..conftest import POSTGRES_URL, PostgresSchema, _PG, require
from .hall import Sock, chair_sock, delegate_http, display_http, new_op, open_poll, start_hall

pytestmark = pytest.mark.e2e

CHOICES = ["yes"] * 20 + ["no"] * 5 + ["abstain"] * 3 + [None] * 2  # two stay silent


@pytest.fixture(params=["sqlite-gevent", "sqlite-eventlet", "postgresql-gevent"])
def hall(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    database, mode = request.param.split("-")
    schema = None
    if database == "sqlite":
        url = f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    else:
        require(_PG, f"PostgreSQL is not reachable at {POSTGRES_URL}")
        schema = PostgresSchema()
        url = schema.url
    server, seeded = start_hall(tmp_path / "instance", url, delegates=30, async_mode=mode)
    yield server, seeded, url
    server.stop()
    if schema is not None:
        schema.drop()


def test_thirty_delegates_vote_and_every_client_and_the_database_agree(hall):
    server, seeded, url = hall
    base = server.url
    with ThreadPoolExecutor(10) as pool:
        https = list(pool.map(lambda c: delegate_http(base, c), seeded.delegates))
        tablets = list(pool.map(lambda h: Sock(base, h).connect(), https))
    chair = chair_sock(base, seeded)
    projector = Sock(base, display_http(base, seeded.meeting_id, seeded.display_key)).connect()
    item = chair.call("state.snapshot")["snapshot"]["agenda"][2]["id"]
    assert chair.call("agenda.select", {"op_id": new_op(), "item_id": item})["ok"]
    poll_id = open_poll(chair, 2, "Thông qua Nghị quyết về dự toán ngân sách")
    for tablet in tablets:
        tablet.wait_for("poll.opened", lambda d: d["poll"]["id"] == poll_id)

    def cast(index: int) -> dict:
        choice = CHOICES[index]
        if choice is None:
            return {"ok": True, "skipped": True}
        first = "no" if index < 4 else choice  # the first four change their mind
        answer = tablets[index].call("ballot.cast", {"op_id": new_op(), "poll_id": poll_id, "choice": first})
        if first != choice:
            answer = tablets[index].call("ballot.cast", {"op_id": new_op(), "poll_id": poll_id, "choice": choice})
        return answer

    with ThreadPoolExecutor(15) as pool:
        answers = list(pool.map(cast, range(30)))
    assert all(a["ok"] for a in answers), answers

    # Tablet 7 drops its connection mid-poll, reconnects and resyncs from the server.
    tablets[7].close()
    tablets[7] = Sock(base, https[7]).connect()
    resync = tablets[7].call("state.snapshot", {})["snapshot"]
    assert resync["poll"]["id"] == poll_id and resync["poll"]["state"] == "open"
    assert resync["me"]["ballot"] == {"poll_id": poll_id, "choice": CHOICES[7]}

    live = projector.wait_for("poll.tally", lambda d: d["tally"]["voted"] == 28)
    assert live["tally"]["counts"] == {"yes": 20, "no": 5, "abstain": 3}

    closed = chair.call("poll.close", {"op_id": new_op(), "poll_id": poll_id})
    assert closed["ok"], closed
    result = closed["result"]
    assert result["counts"] == {"yes": 20, "no": 5, "abstain": 3}
    assert result["lines"][0] == "Tán thành: 20/30 đại biểu (66,67%)"
    assert result["verdict"] == "THÔNG QUA"
    assert {d["id"] for d in result["present_not_voted"]} == {seeded.delegates[i].id for i in (28, 29)}

    for client in tablets + [projector]:
        event = client.wait_for("poll.closed", lambda d: d["poll"]["id"] == poll_id)
        assert event["result"] == result
    late = tablets[29].call("ballot.cast", {"op_id": new_op(), "poll_id": poll_id, "choice": "yes"})
    assert late["ok"] is False and late["error"]["code"] == "poll_closed"

    db = Database(url)
    with db.session() as s:
        stored = ballots_of(s, poll_id)
    db.dispose()
    expected = {seeded.delegates[i].id: c for i, c in enumerate(CHOICES) if c is not None}
    assert stored == expected
    assert Counter(stored.values()) == Counter(result["counts"])
    for client in tablets + [projector, chair]:
        client.close()
