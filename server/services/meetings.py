"""Reading a meeting (snapshots), attendance and the agenda."""
from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.engine import utcnow
from server.db.models import (
    AgendaItem,
    Attendance,
    Ballot,
    Delegate,
    DeviceBinding,
    Meeting,
    Poll,
)
from server.domain.enums import AgendaItemState, PollState, Role
from server.domain.errors import Forbidden, NotFound

from .common import (
    Event,
    Outcome,
    Principal,
    PrincipalKind,
    council_delegate,
    current_seq,
    get_meeting,
    iso,
    next_seq,
    require_staff_scope,
    ruleset_of,
)
from .polls import poll_view, present_count, result_view, tally_view


def authorize_read(session: Session, principal: Principal, meeting_id: int) -> Meeting:
    """Anyone of this meeting may read it: its delegates, its display, its council's staff."""
    meeting = get_meeting(session, meeting_id)
    if principal.kind is PrincipalKind.STAFF:
        require_staff_scope(principal, meeting.council_id)
    elif principal.meeting_id != meeting_id:
        raise Forbidden("Bạn không tham dự kỳ họp này.", code="wrong_meeting")
    return meeting


def attendance_view(session: Session, meeting: Meeting) -> dict[str, Any]:
    present = present_count(session, meeting.id)
    total = meeting.council.total_seats
    ruleset = ruleset_of(meeting)
    return {
        "present": present,
        "total": total,
        "quorum_required": ruleset.quorum_required(total),
        "has_quorum": ruleset.has_quorum(present, total),
    }


def agenda_view(meeting: Meeting) -> list[dict[str, Any]]:
    return [
        {
            "id": item.id,
            "order": item.position,
            "title": item.title,
            "presenter": item.presenter,
            "state": item.state,
        }
        for item in meeting.agenda
    ]


def delegate_rows(
    session: Session, meeting_id: int, only: int | None = None
) -> list[dict[str, Any]]:
    """The chair's table of delegates: presence and device; `only` one delegate's row."""
    meeting = get_meeting(session, meeting_id)
    query = select(Delegate).where(
        Delegate.council_id == meeting.council_id, Delegate.active.is_(True)
    )
    attendance = select(Attendance).where(Attendance.meeting_id == meeting_id)
    bound = select(DeviceBinding).where(
        DeviceBinding.meeting_id == meeting_id, DeviceBinding.released_at.is_(None)
    )
    if only is not None:
        query = query.where(Delegate.id == only)
        attendance = attendance.where(Attendance.delegate_id == only)
        bound = bound.where(DeviceBinding.delegate_id == only)
    delegates = session.scalars(query.order_by(Delegate.seat, Delegate.id)).all()
    presence = {a.delegate_id: a for a in session.scalars(attendance)}
    bindings = {b.delegate_id: b for b in session.scalars(bound)}
    rows = []
    for d in delegates:
        att, binding = presence.get(d.id), bindings.get(d.id)
        rows.append(
            {
                "id": d.id,
                "name": d.name,
                "seat": d.seat,
                "unit": d.unit,
                "present": bool(att and att.present),
                "present_since": iso(att.present_since) if att and att.present else None,
                "device": (
                    {"label": binding.label, "bound_at": iso(binding.bound_at), "address": binding.address}
                    if binding
                    else None
                ),
            }
        )
    return rows


def _headline_poll(session: Session, meeting_id: int) -> Poll | None:
    open_poll = session.scalar(
        select(Poll).where(Poll.meeting_id == meeting_id, Poll.state == PollState.OPEN.value)
    )
    if open_poll is not None:
        return open_poll
    return session.scalar(
        select(Poll)
        .where(
            Poll.meeting_id == meeting_id,
            Poll.state.in_([PollState.CLOSED.value, PollState.ANNULLED.value]),
        )
        .order_by(func.coalesce(Poll.annulled_at, Poll.closed_at).desc(), Poll.id.desc())
        .limit(1)
    )


def snapshot(session: Session, principal: Principal, meeting_id: int) -> dict[str, Any]:
    """Everything a client needs to draw the meeting, as of one sequence number."""
    meeting = authorize_read(session, principal, meeting_id)
    ruleset = ruleset_of(meeting)
    poll = _headline_poll(session, meeting_id)
    is_staff = principal.kind is PrincipalKind.STAFF
    sees_tally = principal.kind in (PrincipalKind.STAFF, PrincipalKind.DISPLAY)
    data: dict[str, Any] = {
        "seq": meeting.seq,
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "kind": meeting.kind,
            "state": meeting.state,
            "location": meeting.location,
            "council": {
                "id": meeting.council.id,
                "name": meeting.council.name,
                "level": meeting.council.level,
                "total_seats": meeting.council.total_seats,
            },
            "starts_at": iso(meeting.starts_at),
            "ends_at": iso(meeting.ends_at),
        },
        "agenda": agenda_view(meeting),
        "current_item_id": meeting.current_item_id,
        "attendance": attendance_view(session, meeting),
        "poll": poll_view(poll, ruleset) if poll else None,
        "tally": tally_view(session, poll) if poll and sees_tally and poll.state == "open" else None,
        "result": result_view(session, poll, ruleset) if poll and poll.state == "closed" else None,
        "me": _me(session, principal, poll) if principal.kind is PrincipalKind.DELEGATE else None,
        "polls": None,
        "delegates": None,
    }
    if is_staff:
        polls = session.scalars(
            select(Poll).where(Poll.meeting_id == meeting_id).order_by(Poll.id)
        ).all()
        data["polls"] = [poll_view(p, ruleset) for p in polls]
        data["delegates"] = delegate_rows(session, meeting_id)
    return data


def _me(session: Session, principal: Principal, poll: Poll | None) -> dict[str, Any]:
    from .identity import delegate_view  # noqa: PLC0415

    delegate = session.get(Delegate, principal.delegate_id)
    assert delegate is not None
    present = session.scalar(
        select(Attendance.present).where(
            Attendance.meeting_id == principal.meeting_id,
            Attendance.delegate_id == principal.delegate_id,
        )
    )
    ballot = None
    if poll is not None and not poll.secret:
        choice = session.scalar(
            select(Ballot.choice).where(
                Ballot.poll_id == poll.id, Ballot.delegate_id == principal.delegate_id
            )
        )
        if choice is not None:
            ballot = {"poll_id": poll.id, "choice": choice}
    return {"delegate": delegate_view(delegate), "present": bool(present), "ballot": ballot}


def set_presence(
    session: Session, meeting_id: int, delegate_id: int, *, present: bool, marked_by: int | None
) -> bool:
    """Record presence (no commit); whether anything changed."""
    row = session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.delegate_id == delegate_id
        )
    )
    if row is not None and row.present == present:
        return False
    if row is None:
        row = Attendance(meeting_id=meeting_id, delegate_id=delegate_id)
        session.add(row)
    row.present = present
    row.present_since = utcnow() if present else None
    row.marked_by = marked_by
    session.flush()
    return True


def delegate_updated(session: Session, meeting_id: int, delegate_id: int) -> tuple[Event, ...]:
    """One delegate's row (presence, device) for the staff and for that delegate's tablet.

    A full picture of one row, so it takes no sequence number; the attendance summary that
    follows a change is coalesced by the realtime layer.
    """
    rows = delegate_rows(session, meeting_id, only=delegate_id)
    if not rows:
        return ()
    payload = {"seq": current_seq(session, meeting_id), "delegate": rows[0]}
    return (
        Event("delegate.updated", meeting_id, payload, audience="staff"),
        Event("delegate.updated", meeting_id, payload, audience=f"delegate:{delegate_id}"),
    )


def set_attendance(
    session: Session, principal: Principal, *, meeting_id: int, delegate_id: int, present: bool
) -> Outcome:
    """The chair marks a delegate present or absent by hand."""
    meeting = get_meeting(session, meeting_id)
    require_staff_scope(principal, meeting.council_id, Role.CHAIR)
    council_delegate(session, meeting, delegate_id)
    set_presence(session, meeting_id, delegate_id, present=present, marked_by=principal.user_id)
    events = delegate_updated(session, meeting_id, delegate_id)
    return Outcome({"attendance": attendance_view(session, meeting)}, events)


def select_agenda_item(
    session: Session, principal: Principal, *, meeting_id: int, item_id: int
) -> Outcome:
    """Make an agenda item current; the one before it is done."""
    meeting = get_meeting(session, meeting_id)
    require_staff_scope(principal, meeting.council_id, Role.CHAIR)
    item = session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != meeting_id:
        raise NotFound("Không tìm thấy nội dung này trong chương trình kỳ họp.", code="agenda_item_not_found")
    for other in meeting.agenda:
        if other.id != item.id and other.state == AgendaItemState.CURRENT.value:
            other.state = AgendaItemState.DONE.value
    item.state = AgendaItemState.CURRENT.value
    meeting.current_item_id = item.id
    if meeting.state == "scheduled":
        meeting.state = "in_progress"
    session.flush()
    seq = next_seq(session, meeting_id)
    event = Event(
        "agenda.current",
        meeting_id,
        {"seq": seq, "item_id": item.id, "agenda": agenda_view(meeting), "meeting_state": meeting.state},
    )
    return Outcome({"item_id": item.id}, (event,))
