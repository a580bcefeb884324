"""Polls: create, open, close, annul; live tallies and final results counted from the database."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.engine import utcnow
from server.db.models import AgendaItem, Attendance, Ballot, Delegate, Poll
from server.domain import poll as poll_rules
from server.domain.enums import Choice, PollKind, PollState, Role, ThresholdRule
from server.domain.errors import InvalidState, NotFound
from server.domain.result import decide
from server.domain.rules import DEFAULT_RULESET, RULE_LABELS, RuleSet
from server.domain.tally import Tally

from .common import (
    Event,
    Outcome,
    Principal,
    get_meeting,
    iso,
    next_seq,
    require_staff_scope,
    ruleset_of,
)

DEFAULT_OPTIONS = [Choice.YES.value, Choice.NO.value, Choice.ABSTAIN.value]


def _ruleset(poll: Poll) -> RuleSet:
    return RuleSet.from_dict(poll.ruleset) if poll.ruleset else DEFAULT_RULESET


def poll_view(poll: Poll, ruleset: RuleSet | None = None) -> dict[str, Any]:
    ruleset = ruleset or _ruleset(poll)
    rule = ThresholdRule(poll.rule)
    return {
        "id": poll.id,
        "agenda_item_id": poll.agenda_item_id,
        "question": poll.question,
        "kind": poll.kind,
        "rule": poll.rule,
        "rule_label": RULE_LABELS[rule],
        "total": poll.total,
        "options": [{"value": o, "label": ruleset.label(Choice(o))} for o in poll.options],
        "state": poll.state,
        "opened_at": iso(poll.opened_at),
        "closed_at": iso(poll.closed_at),
        "annul_reason": poll.annul_reason,
    }


def count_ballots(session: Session, poll_id: int) -> Tally:
    rows = session.execute(
        select(Ballot.choice, func.count()).where(Ballot.poll_id == poll_id).group_by(Ballot.choice)
    ).all()
    return Tally.from_counts({choice: int(n) for choice, n in rows})


def present_count(session: Session, meeting_id: int) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Attendance)
            .where(Attendance.meeting_id == meeting_id, Attendance.present.is_(True))
        )
        or 0
    )


def tally_view(session: Session, poll: Poll) -> dict[str, Any]:
    tally = count_ballots(session, poll.id)
    return {
        "poll_id": poll.id,
        "voted": tally.voted,
        "present": present_count(session, poll.meeting_id),
        "total": poll.total,
        "counts": tally.as_dict(),
    }


def result_view(session: Session, poll: Poll, ruleset: RuleSet | None = None) -> dict[str, Any]:
    """The result stored at close (counted then, from the database)."""
    if poll.result is not None:
        return dict(poll.result)
    return _count_result(session, poll, ruleset or _ruleset(poll))


def _count_result(session: Session, poll: Poll, ruleset: RuleSet) -> dict[str, Any]:
    tally = count_ballots(session, poll.id)
    result = decide(tally, poll.total, ThresholdRule(poll.rule)).as_dict(ruleset)
    voted = select(Ballot.delegate_id).where(Ballot.poll_id == poll.id)
    silent = session.execute(
        select(Delegate.id, Delegate.name, Delegate.seat)
        .join(Attendance, Attendance.delegate_id == Delegate.id)
        .where(
            Attendance.meeting_id == poll.meeting_id,
            Attendance.present.is_(True),
            Delegate.id.not_in(voted),
        )
        .order_by(Delegate.seat, Delegate.id)
    ).all()
    result["poll_id"] = poll.id
    result["present_not_voted"] = [{"id": i, "name": n, "seat": s} for i, n, s in silent]
    return result


def _lock(session: Session, principal: Principal, meeting_id: int, poll_id: int) -> Poll:
    """The chair's poll of this meeting, row-locked for a state change."""
    poll = session.scalar(select(Poll).where(Poll.id == poll_id).with_for_update())
    if poll is None:
        raise NotFound("Không tìm thấy biểu quyết.", code="poll_not_found")
    if poll.meeting_id != meeting_id:
        raise NotFound("Biểu quyết này không thuộc kỳ họp đang điều hành.", code="poll_not_found")
    require_staff_scope(principal, get_meeting(session, meeting_id).council_id, Role.CHAIR)
    return poll


def create_poll(
    session: Session,
    principal: Principal,
    *,
    meeting_id: int,
    agenda_item_id: int,
    question: str,
    rule: ThresholdRule,
) -> Outcome:
    """A draft poll on an agenda item, measured against the council's total seats."""
    meeting = get_meeting(session, meeting_id)
    require_staff_scope(principal, meeting.council_id, Role.CHAIR)
    item = session.get(AgendaItem, agenda_item_id)
    if item is None or item.meeting_id != meeting_id:
        raise NotFound(
            "Không tìm thấy nội dung này trong chương trình kỳ họp.", code="agenda_item_not_found"
        )
    ruleset = ruleset_of(meeting)
    poll = Poll(
        meeting_id=meeting_id,
        agenda_item_id=item.id,
        question=question.strip(),
        kind=PollKind.OPEN.value,
        secret=False,
        options=list(DEFAULT_OPTIONS),
        rule=rule.value,
        total=meeting.council.total_seats,
        ruleset=ruleset.to_dict(),
        state=PollState.DRAFT.value,
        created_at=utcnow(),
        created_by=principal.user_id,
    )
    session.add(poll)
    session.flush()
    view = poll_view(poll, ruleset)
    seq = next_seq(session, meeting_id)
    return Outcome({"poll": view}, (Event("poll.created", meeting_id, {"seq": seq, "poll": view}),))


def open_poll(session: Session, principal: Principal, *, meeting_id: int, poll_id: int) -> Outcome:
    poll = _lock(session, principal, meeting_id, poll_id)
    target = poll_rules.open_poll(PollState(poll.state))
    already = session.scalar(
        select(Poll.id).where(
            Poll.meeting_id == meeting_id, Poll.state == PollState.OPEN.value, Poll.id != poll.id
        )
    )
    if already is not None:
        raise InvalidState(
            "Đang có một biểu quyết khác chưa kết thúc; hãy kết thúc biểu quyết đó trước.",
            code="poll_already_open",
        )
    poll.state = target.value
    poll.opened_at = utcnow()
    session.flush()
    view = poll_view(poll)
    seq = next_seq(session, meeting_id)
    return Outcome({"poll": view}, (Event("poll.opened", meeting_id, {"seq": seq, "poll": view}),))


def close_poll(session: Session, principal: Principal, *, meeting_id: int, poll_id: int) -> Outcome:
    """Close and count. The row lock orders this after any ballot batch already writing."""
    poll = _lock(session, principal, meeting_id, poll_id)
    poll.state = poll_rules.close_poll(PollState(poll.state)).value
    poll.closed_at = utcnow()
    session.flush()
    result = _count_result(session, poll, _ruleset(poll))
    poll.result = result
    view = poll_view(poll)
    seq = next_seq(session, meeting_id)
    event = Event("poll.closed", meeting_id, {"seq": seq, "poll": view, "result": result})
    return Outcome({"poll": view, "result": result}, (event,))


def annul_poll(
    session: Session, principal: Principal, *, meeting_id: int, poll_id: int, reason: str
) -> Outcome:
    poll = _lock(session, principal, meeting_id, poll_id)
    poll.state = poll_rules.annul_poll(PollState(poll.state), reason).value
    poll.annulled_at = utcnow()
    poll.annul_reason = reason.strip()
    session.flush()
    view = poll_view(poll)
    seq = next_seq(session, meeting_id)
    return Outcome({"poll": view}, (Event("poll.annulled", meeting_id, {"seq": seq, "poll": view}),))
