"""No acknowledged ballot is lost when the server is killed, and tablets recover by themselves."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
import pytest

from server.db.engine import Database
from server.services.ballots import ballots_of

from .hall import Sock, chair_sock, delegate_http, new_op, open_poll

pytestmark = pytest.mark.e2e


def test_a_kill_9_between_ack_and_close_loses_no_acknowledged_ballot(hall_server):
    server, seeded = hall_server(delegates=20)
    url = server.database_url
    base = server.url
    chair = chair_sock(base, seeded)
    poll_id = open_poll(chair)
    https = [delegate_http(base, c) for c in seeded.delegates]
    tablets = [Sock(base, h).connect() for h in https]
    ops = [new_op() for _ in tablets]
    with ThreadPoolExecutor(10) as pool:
        acks = list(pool.map(
            lambda i: tablets[i].call("ballot.cast", {"op_id": ops[i], "poll_id": poll_id,
                                                       "choice": "yes" if i % 3 else "no"}),
            range(len(tablets)),
        ))
    assert all(a["ok"] for a in acks)

    server.kill()  # SIGKILL: no shutdown, no flush
    for client in tablets + [chair]:
        client.close()
    server.start()

    db = Database(url)
    with db.session() as s:
        stored = ballots_of(s, poll_id)
    db.dispose()
    assert stored == {c.id: ("yes" if i % 3 else "no") for i, c in enumerate(seeded.delegates)}

    # The sessions survive the restart: a tablet reconnects, resyncs, and its retry is a replay.
    again = Sock(base, https[4]).connect()
    snap = again.call("state.snapshot")["snapshot"]
    assert snap["me"]["ballot"] == {"poll_id": poll_id, "choice": "yes"}
    retry = again.call("ballot.cast", {"op_id": ops[4], "poll_id": poll_id, "choice": "yes"})
    assert retry == acks[4]
    chair = chair_sock(base, seeded)
    closed = chair.call("poll.close", {"op_id": new_op(), "poll_id": poll_id})
    assert closed["result"]["counts"] == {"yes": 13, "no": 7, "abstain": 0}
    again.close()
    chair.close()


def test_a_tablet_that_loses_its_connection_resyncs_and_sees_what_it_missed(hall_server):
    server, seeded = hall_server(delegates=3)
    base = server.url
    chair = chair_sock(base, seeded)
    http = delegate_http(base, seeded.delegates[0])
    tablet = Sock(base, http).connect()
    seq_before = tablet.call("state.snapshot")["snapshot"]["seq"]
    tablet.close()  # Wi-Fi drops
    poll_id = open_poll(chair)
    tablet = Sock(base, http).connect()  # Wi-Fi is back
    snap = tablet.call("state.snapshot")["snapshot"]
    assert snap["seq"] == seq_before + 2
    assert snap["poll"]["id"] == poll_id and snap["poll"]["state"] == "open"
    assert snap["me"]["ballot"] is None
    tablet.close()
    chair.close()


def test_presence_changes_reach_the_chair_and_the_tablet_concerned(hall_server):
    server, seeded = hall_server(delegates=3)
    base = server.url
    chair = chair_sock(base, seeded)
    me = seeded.delegates[1]
    tablet = Sock(base, delegate_http(base, me, device_id="tablet-presence")).connect()
    row = chair.wait_for("delegate.updated", lambda d: d["delegate"]["id"] == me.id)["delegate"]
    assert row["present"] is True and row["device"]["label"] == f"Máy {me.seat}"
    summary = chair.wait_for("attendance.summary", lambda d: d["attendance"]["present"] == 1)
    assert summary["attendance"] == {"present": 1, "total": 3, "quorum_required": 2, "has_quorum": False}

    assert chair.call("attendance.set", {"op_id": new_op(), "delegate_id": me.id, "present": False})["ok"]
    mine = tablet.wait_for("delegate.updated", lambda d: d["delegate"]["present"] is False)
    assert mine["delegate"]["id"] == me.id
    tablet.wait_for("attendance.summary", lambda d: d["attendance"]["present"] == 0)
    poll_id = open_poll(chair)
    refused = tablet.call("ballot.cast", {"op_id": new_op(), "poll_id": poll_id, "choice": "yes"})
    assert refused["error"]["code"] == "not_present"
    others = [name for name, data in tablet.events if name == "delegate.updated" and data["delegate"]["id"] != me.id]
    assert others == []  # a tablet hears only about itself
    tablet.close()
    chair.close()
