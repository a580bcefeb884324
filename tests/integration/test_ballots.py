"""Casting ballots through the group-commit service, on SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from server.domain.errors import HallError
from server.services import polls
from server.services.ballots import BallotRequest, ballots_of, cast_batch
from server.services.common import Principal, PrincipalKind

from .builders import chair_do, make_hall, op, open_poll


def cast(hall, principal, poll_id, choice, op_id=None):  # type: ignore[no-untyped-def]
    with hall.db.session() as s:
        return cast_batch(s, [BallotRequest(principal, op_id or op(), poll_id, choice)])[0]


def stored(hall, poll_id):  # type: ignore[no-untyped-def]
    with hall.db.session() as s:
        return ballots_of(s, poll_id)


def test_a_ballot_is_acknowledged_with_what_was_stored(db):
    hall = make_hall(db)
    poll_id = open_poll(hall)
    answer = cast(hall, hall.delegates[0], poll_id, "yes", op_id="first-op-1")
    assert answer == {"ballot": {"poll_id": poll_id, "choice": "yes", "op_id": "first-op-1"}}
    assert stored(hall, poll_id) == {hall.delegates[0].delegate_id: "yes"}


def test_the_last_committed_choice_counts_while_the_poll_is_open(db):
    hall = make_hall(db)
    poll_id = open_poll(hall)
    cast(hall, hall.delegates[0], poll_id, "yes")
    cast(hall, hall.delegates[0], poll_id, "no")
    assert stored(hall, poll_id) == {hall.delegates[0].delegate_id: "no"}


def test_a_retry_with_the_same_op_id_returns_the_same_ack_and_counts_once(db):
    hall = make_hall(db)
    poll_id = open_poll(hall)
    first = cast(hall, hall.delegates[0], poll_id, "yes", op_id="retry-op-1")
    cast(hall, hall.delegates[0], poll_id, "no", op_id="retry-op-2")
    late_retry = cast(hall, hall.delegates[0], poll_id, "yes", op_id="retry-op-1")
    assert late_retry == first
    assert stored(hall, poll_id) == {hall.delegates[0].delegate_id: "no"}


def test_an_op_id_replayed_with_another_choice_is_refused(db):
    hall = make_hall(db)
    poll_id = open_poll(hall)
    cast(hall, hall.delegates[0], poll_id, "yes", op_id="replay-op-1")
    answer = cast(hall, hall.delegates[0], poll_id, "no", op_id="replay-op-1")
    assert isinstance(answer, HallError) and answer.code == "op_id_conflict"
    assert stored(hall, poll_id) == {hall.delegates[0].delegate_id: "yes"}


def test_a_duplicate_op_inside_one_batch_is_applied_once(db):
    hall = make_hall(db)
    poll_id = open_poll(hall)
    d = hall.delegates[0]
    with db.session() as s:
        answers = cast_batch(
            s, [BallotRequest(d, "same-op-1", poll_id, "yes"), BallotRequest(d, "same-op-1", poll_id, "yes")]
        )
    assert answers[0] == answers[1]
    assert stored(hall, poll_id) == {d.delegate_id: "yes"}


@pytest.mark.parametrize(
    ("poll_id_of", "choice", "code"),
    [
        (lambda p: p + 999, "yes", "poll_not_found"),
        (lambda p: p, "maybe", "invalid_choice"),
        (lambda p: p, "", "invalid_choice"),
    ],
)
def test_bad_ballots_are_refused_and_change_nothing(db, poll_id_of, choice, code):
    hall = make_hall(db)
    poll_id = open_poll(hall)
    answer = cast(hall, hall.delegates[0], poll_id_of(poll_id), choice)
    assert isinstance(answer, HallError) and answer.code == code
    assert stored(hall, poll_id) == {}


def test_a_ballot_after_the_close_is_refused_with_poll_closed(db):
    hall = make_hall(db)
    poll_id = open_poll(hall)
    cast(hall, hall.delegates[0], poll_id, "yes")
    chair_do(hall, polls.close_poll, poll_id=poll_id)
    answer = cast(hall, hall.delegates[1], poll_id, "yes")
    assert isinstance(answer, HallError) and answer.code == "poll_closed"
    assert stored(hall, poll_id) == {hall.delegates[0].delegate_id: "yes"}


def test_a_ballot_before_the_poll_opens_is_refused(db):
    hall = make_hall(db)
    created = chair_do(hall, polls.create_poll, agenda_item_id=hall.item_ids[0], question="Câu hỏi",
                       rule=polls.ThresholdRule.MAJORITY_OF_TOTAL)
    answer = cast(hall, hall.delegates[0], created.data["poll"]["id"], "yes")
    assert isinstance(answer, HallError) and answer.code == "poll_not_open"


def test_a_delegate_of_another_meeting_cannot_vote_in_this_one(db):
    hall = make_hall(db, name="A")
    other = make_hall(db, name="B")
    poll_id = open_poll(hall)
    answer = cast(hall, other.delegates[0], poll_id, "yes")
    assert isinstance(answer, HallError) and answer.code == "wrong_meeting"
    assert stored(hall, poll_id) == {}


def test_a_staff_principal_cannot_cast_a_ballot(db):
    hall = make_hall(db)
    poll_id = open_poll(hall)
    answer = cast(hall, hall.chair, poll_id, "yes")
    assert isinstance(answer, HallError) and answer.code == "forbidden"


def test_a_forged_principal_without_a_binding_cannot_vote(db):
    hall = make_hall(db, seats=3, signed_in=1)
    poll_id = open_poll(hall)
    forged = Principal(
        kind=PrincipalKind.DELEGATE, meeting_id=hall.meeting_id,
        delegate_id=hall.credentials[2].id, binding_id=hall.delegates[0].binding_id,
    )
    answer = cast(hall, forged, poll_id, "yes")
    # This delegate never signed in, so was never marked present.
    assert isinstance(answer, HallError) and answer.code == "not_present"
    assert stored(hall, poll_id) == {}


def test_a_batch_mixing_good_and_bad_ballots_commits_only_the_good(db):
    hall = make_hall(db)
    poll_id = open_poll(hall)
    with db.session() as s:
        answers = cast_batch(s, [
            BallotRequest(hall.delegates[0], op(), poll_id, "yes"),
            BallotRequest(hall.delegates[1], op(), poll_id, "nonsense"),
            BallotRequest(hall.delegates[2], op(), poll_id, "abstain"),
        ])
    assert [isinstance(a, HallError) for a in answers] == [False, True, False]
    assert stored(hall, poll_id) == {hall.delegates[0].delegate_id: "yes", hall.delegates[2].delegate_id: "abstain"}
