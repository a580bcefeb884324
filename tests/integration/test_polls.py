"""Poll life cycle and results counted from the database."""
from __future__ import annotations

import pytest

from server.domain.enums import ThresholdRule
from server.domain.errors import HallError
from server.services import meetings, polls
from server.services.ballots import BallotRequest, cast_batch

from .builders import chair_do, make_hall, op, open_poll


def vote(hall, choices):  # type: ignore[no-untyped-def]
    poll_id = open_poll(hall)
    with hall.db.session() as s:
        cast_batch(s, [BallotRequest(d, op(), poll_id, c) for d, c in zip(hall.delegates, choices, strict=False)])
    return poll_id


def test_closing_counts_from_the_database_against_the_total_seats(db):
    hall = make_hall(db, seats=7)
    poll_id = vote(hall, ["yes", "yes", "yes", "yes", "no", "abstain"])
    result = chair_do(hall, polls.close_poll, poll_id=poll_id).data["result"]
    assert result["counts"] == {"yes": 4, "no": 1, "abstain": 1}
    assert result["passed"] is True and result["required"] == 4
    assert result["lines"][0] == "Tán thành: 4/7 đại biểu (57,14%)"
    assert result["verdict"] == "THÔNG QUA"


def test_a_majority_of_those_voting_but_not_of_the_total_does_not_pass(db):
    hall = make_hall(db, seats=10, signed_in=6)
    poll_id = vote(hall, ["yes"] * 5 + ["no"])
    result = chair_do(hall, polls.close_poll, poll_id=poll_id).data["result"]
    assert result["passed"] is False and result["verdict"] == "KHÔNG THÔNG QUA"


def test_two_thirds_rule_needs_two_thirds_of_the_total(db):
    hall = make_hall(db, seats=6)
    created = chair_do(hall, polls.create_poll, agenda_item_id=hall.item_ids[1], question="Bãi nhiệm",
                       rule=ThresholdRule.TWO_THIRDS_OF_TOTAL)
    poll_id = created.data["poll"]["id"]
    chair_do(hall, polls.open_poll, poll_id=poll_id)
    with db.session() as s:
        cast_batch(s, [BallotRequest(d, op(), poll_id, "yes") for d in hall.delegates[:4]])
    result = chair_do(hall, polls.close_poll, poll_id=poll_id).data["result"]
    assert result["required"] == 4 and result["passed"] is True


def test_the_result_names_present_delegates_who_did_not_vote(db):
    hall = make_hall(db, seats=4)
    poll_id = vote(hall, ["yes", "yes"])
    result = chair_do(hall, polls.close_poll, poll_id=poll_id).data["result"]
    assert [d["id"] for d in result["present_not_voted"]] == [d.delegate_id for d in hall.delegates[2:]]


def test_only_one_poll_of_a_meeting_can_be_open_at_a_time(db):
    hall = make_hall(db)
    open_poll(hall)
    created = chair_do(hall, polls.create_poll, agenda_item_id=hall.item_ids[1], question="Lần hai",
                       rule=ThresholdRule.MAJORITY_OF_TOTAL)
    with pytest.raises(HallError, match="khác chưa kết thúc") as caught:
        chair_do(hall, polls.open_poll, poll_id=created.data["poll"]["id"])
    assert caught.value.code == "poll_already_open"


def test_closing_twice_is_an_invalid_transition_and_keeps_the_first_result(db):
    hall = make_hall(db)
    poll_id = vote(hall, ["yes"])
    first = chair_do(hall, polls.close_poll, poll_id=poll_id).data["result"]
    with pytest.raises(HallError) as caught:
        chair_do(hall, polls.close_poll, poll_id=poll_id)
    assert caught.value.code == "invalid_transition"
    with db.session() as s:
        snap = meetings.snapshot(s, hall.chair, hall.meeting_id)
    assert snap["result"] == first


def test_annulling_needs_a_reason_and_keeps_the_poll_in_the_record(db):
    hall = make_hall(db)
    poll_id = vote(hall, ["yes"])
    with pytest.raises(HallError) as caught:
        chair_do(hall, polls.annul_poll, poll_id=poll_id, reason=" ")
    assert caught.value.code == "reason_required"
    annulled = chair_do(hall, polls.annul_poll, poll_id=poll_id, reason="Sai sót kỹ thuật")
    assert annulled.data["poll"]["state"] == "annulled"
    assert annulled.data["poll"]["annul_reason"] == "Sai sót kỹ thuật"


def test_a_chair_of_another_council_cannot_touch_this_meeting(db):
    hall = make_hall(db, name="A")
    other = make_hall(db, name="B")
    poll_id = open_poll(hall)
    with pytest.raises(HallError) as caught:
        with db.session() as s:
            polls.close_poll(s, other.chair, meeting_id=hall.meeting_id, poll_id=poll_id)
    assert caught.value.code == "wrong_meeting"


def test_each_state_change_takes_the_next_sequence_number(db):
    hall = make_hall(db, seats=2)
    with db.session() as s:
        before = meetings.snapshot(s, hall.chair, hall.meeting_id)["seq"]
    created = chair_do(hall, polls.create_poll, agenda_item_id=hall.item_ids[1], question="Câu hỏi",
                       rule=ThresholdRule.MAJORITY_OF_TOTAL)
    opened = chair_do(hall, polls.open_poll, poll_id=created.data["poll"]["id"])
    seqs = [e.payload["seq"] for e in created.events + opened.events]
    assert seqs == [before + 1, before + 2]


def test_a_delegate_snapshot_shows_its_own_ballot_but_no_live_tally(db):
    hall = make_hall(db, seats=3)
    poll_id = vote(hall, ["no"])
    with db.session() as s:
        mine = meetings.snapshot(s, hall.delegates[0], hall.meeting_id)
        chair = meetings.snapshot(s, hall.chair, hall.meeting_id)
    assert mine["me"]["ballot"] == {"poll_id": poll_id, "choice": "no"}
    assert mine["tally"] is None and mine["delegates"] is None
    assert chair["tally"]["counts"] == {"yes": 0, "no": 1, "abstain": 0}
