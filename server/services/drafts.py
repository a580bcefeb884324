"""Drafting documents: the record of a closed poll, the minutes of a sitting, a resolution.

Each is rendered from the session's data (and, for minutes and resolutions, the text the
secretary or clerk wrote) into a new version, until the first signature locks the text.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.engine import as_utc, utcnow
from server.db.models import Attendance, Delegate, Document, Meeting, Poll, StaffUser
from server.domain.enums import PollState, Role
from server.domain.errors import InvalidState, NotFound
from server.domain.result import format_percent
from server.schemas import MinutesDraftIn, ResolutionDraftIn
from server.services.common import Principal, get_meeting, require_staff_scope, ruleset_of
from server.services.documents import (
    Settings,
    add_version,
    index_document,
    new_document,
    done_steps,
    get_document,
)
from server.services.records import HALL_TZ, locality_of, staff_name, vote_record
from signing.records import (
    MinutesCorrection,
    MinutesItem,
    MinutesPoll,
    MinutesRecord,
    ResolutionRecord,
)
from signing.render import render_document


def render(session: Session, doc: Document, settings: Settings) -> bytes:
    """The document's PDF as it stands now (unsigned, unnumbered)."""
    verify_url = settings.verify_url(doc.public_id)
    if doc.kind == "vote_record":
        assert doc.poll_id is not None
        record: Any = vote_record(session, doc.poll_id, verify_url=verify_url)
    elif doc.kind == "minutes":
        record = _minutes_record(session, doc, verify_url)
    else:
        record = _resolution_record(session, doc, verify_url)
    return render_document(record).pdf


def ensure_vote_record(
    session: Session, poll_id: int, settings: Settings, *, actor_id: int | None = None
) -> Document:
    """The vote-result record of a closed poll, rendered now if it does not exist yet."""
    existing = session.scalar(select(Document).where(Document.poll_id == poll_id))
    if existing is not None:
        return existing
    poll = session.get(Poll, poll_id)
    if poll is None:
        raise NotFound("Không tìm thấy biểu quyết.", code="poll_not_found")
    meeting = get_meeting(session, poll.meeting_id)
    closed = as_utc(poll.closed_at)
    day = closed.astimezone(HALL_TZ).date() if closed else utcnow().astimezone(HALL_TZ).date()
    try:
        with session.begin_nested():
            doc = new_document(
                session,
                meeting,
                kind="vote_record",
                title=f"Kết quả biểu quyết: {poll.question}"[:500],
                issued_on=day,
                poll_id=poll_id,
                actor_id=actor_id,
            )
            add_version(session, doc, render(session, doc, settings), step="render")
    except IntegrityError:
        # Another worker made it first: one record per poll.
        found = session.scalar(select(Document).where(Document.poll_id == poll_id))
        if found is None:
            raise
        return found
    return doc


def ensure_vote_records(session: Session, meeting_id: int, settings: Settings) -> int:
    """Records for every closed poll of the meeting that has none yet; how many were made."""
    missing = session.scalars(
        select(Poll.id)
        .outerjoin(Document, Document.poll_id == Poll.id)
        .where(
            Poll.meeting_id == meeting_id,
            Poll.state == PollState.CLOSED.value,
            Document.id.is_(None),
        )
        .order_by(Poll.id)
    ).all()
    for poll_id in missing:
        ensure_vote_record(session, poll_id, settings)
    return len(missing)


def _require_editor(principal: Principal, doc_or_council: int, kind: str) -> None:
    roles = (Role.SECRETARY, Role.CLERK, Role.ADMIN) if kind == "minutes" else (Role.CLERK, Role.ADMIN)
    require_staff_scope(principal, doc_or_council, *roles)


def draft_minutes(
    session: Session, principal: Principal, meeting_id: int, settings: Settings
) -> Document:
    """The minutes of a sitting, drafted from the session data (one per meeting)."""
    meeting = get_meeting(session, meeting_id)
    _require_editor(principal, meeting.council_id, "minutes")
    existing = session.scalar(
        select(Document).where(Document.meeting_id == meeting_id, Document.kind == "minutes")
    )
    if existing is not None:
        return existing
    items = [
        {
            "agenda_item_id": item.id,
            "title": item.title,
            "presenter": item.presenter,
            "summary": "",
            "speakers": [],
        }
        for item in meeting.agenda
    ]
    return _drafted(
        session, principal, meeting, settings,
        kind="minutes",
        title=f"Biên bản {meeting.title}"[:500],
        issued_on=_meeting_day(meeting),
        draft={"items": items, "corrections": [], "notes": ""},
    )


def draft_resolution(
    session: Session,
    principal: Principal,
    meeting_id: int,
    draft: ResolutionDraftIn,
    settings: Settings,
) -> Document:
    """A resolution from its dự thảo text and the poll that adopted it."""
    meeting = get_meeting(session, meeting_id)
    _require_editor(principal, meeting.council_id, "resolution")
    poll = _adopting_poll(session, meeting, draft.poll_id)
    closed = as_utc(poll.closed_at)
    assert closed is not None
    return _drafted(
        session, principal, meeting, settings,
        kind="resolution",
        title=draft.title,
        issued_on=closed.astimezone(HALL_TZ).date(),
        draft=draft.model_dump(),
    )


def _drafted(
    session: Session,
    principal: Principal,
    meeting: Meeting,
    settings: Settings,
    *,
    kind: str,
    title: str,
    issued_on: date,
    draft: dict[str, Any],
) -> Document:
    """A new document from a draft, rendered as its first version by the user who drafted it."""
    doc = new_document(session, meeting, kind=kind, title=title, issued_on=issued_on, draft=draft,
                       actor_id=principal.user_id)
    actor = session.get(StaffUser, principal.user_id) if principal.user_id else None
    add_version(session, doc, render(session, doc, settings), step="render", actor=actor)
    return doc


def update_draft(
    session: Session,
    principal: Principal,
    document_id: int,
    data: dict[str, Any],
    settings: Settings,
) -> Document:
    """Edit a draft before its first signature; the new text is rendered as a new version."""
    doc = get_document(session, document_id, lock=True)
    _require_editor(principal, doc.council_id, doc.kind)
    if doc.kind == "vote_record":
        raise InvalidState(
            "Biên bản kết quả biểu quyết lập từ số liệu của hệ thống, không sửa tay.",
            code="not_editable",
        )
    if done_steps(session, doc):
        raise InvalidState(
            "Văn bản đã có chữ ký; muốn sửa phải lập văn bản mới.", code="already_signed"
        )
    if doc.kind == "minutes":
        doc.draft = MinutesDraftIn.model_validate(data).model_dump()
    else:
        parsed = ResolutionDraftIn.model_validate(data)
        meeting = get_meeting(session, doc.meeting_id)
        poll = _adopting_poll(session, meeting, parsed.poll_id)
        closed = as_utc(poll.closed_at)
        assert closed is not None
        doc.draft = parsed.model_dump()
        doc.title = parsed.title
        doc.issued_on = closed.astimezone(HALL_TZ).date()
        doc.year = doc.issued_on.year
        index_document(doc, doc.council)
    actor = session.get(StaffUser, principal.user_id) if principal.user_id else None
    add_version(session, doc, render(session, doc, settings), step="render", actor=actor,
                 note="Sửa dự thảo")
    return doc


def _adopting_poll(session: Session, meeting: Meeting, poll_id: int) -> Poll:
    poll = session.get(Poll, poll_id)
    if poll is None or poll.meeting_id != meeting.id:
        raise NotFound("Không tìm thấy biểu quyết này trong kỳ họp.", code="poll_not_found")
    if poll.state != PollState.CLOSED.value or poll.result is None:
        raise InvalidState("Biểu quyết chưa kết thúc.", code="poll_not_closed")
    if not poll.result.get("passed"):
        raise InvalidState(
            "Biểu quyết này không được thông qua; không thể ban hành nghị quyết.",
            code="poll_not_passed",
        )
    return poll


def _meeting_day(meeting: Meeting) -> date:
    moment = as_utc(meeting.starts_at) or utcnow()
    return moment.astimezone(HALL_TZ).date()


def _minutes_record(session: Session, doc: Document, verify_url: str) -> MinutesRecord:
    meeting = get_meeting(session, doc.meeting_id)
    council = meeting.council
    draft = MinutesDraftIn.model_validate(doc.draft)
    present_ids = set(
        session.scalars(
            select(Attendance.delegate_id).where(
                Attendance.meeting_id == meeting.id, Attendance.present.is_(True)
            )
        )
    )
    delegates = session.scalars(
        select(Delegate)
        .where(Delegate.council_id == council.id, Delegate.active.is_(True))
        .order_by(Delegate.seat, Delegate.id)
    ).all()
    absent = [d.name for d in delegates if d.id not in present_ids]
    total = council.total_seats
    present = len(present_ids)
    quorum = ruleset_of(meeting).has_quorum(present, total)
    quorum_line = (
        f"Có mặt {present}/{total} đại biểu ({format_percent(present, total)}), "
        + ("đủ số lượng để tiến hành kỳ họp." if quorum else "không đủ số lượng để tiến hành kỳ họp.")
    )
    polls_by_item: dict[int, list[Poll]] = {}
    for poll in session.scalars(
        select(Poll)
        .where(
            Poll.meeting_id == meeting.id,
            Poll.state.in_([PollState.CLOSED.value, PollState.ANNULLED.value]),
        )
        .order_by(Poll.id)
    ):
        polls_by_item.setdefault(poll.agenda_item_id, []).append(poll)
    items = []
    for entry in draft.items:
        polls = polls_by_item.get(entry.agenda_item_id or 0, [])
        items.append(
            MinutesItem(
                title=entry.title,
                presenter=entry.presenter,
                summary=entry.summary,
                speakers=list(entry.speakers),
                polls=[_minutes_poll(p) for p in polls],
            )
        )
    closed_at = as_utc(meeting.ends_at) or utcnow()
    return MinutesRecord(
        council_name=council.name.upper(),
        locality=locality_of(council),
        number=None,
        place=meeting.location or council.locality,
        date=doc.issued_on,
        meeting_title=meeting.title,
        opened_at=as_utc(meeting.starts_at) or closed_at,
        closed_at=closed_at,
        total=total,
        present=present,
        absent=absent,
        quorum_line=quorum_line,
        items=items,
        corrections=[MinutesCorrection(what=c.what, reason=c.reason, at=None)
                     for c in draft.corrections],
        notes=draft.notes,
        chair_name=staff_name(session, council.id, Role.CHAIR),
        secretary_name=staff_name(session, council.id, Role.SECRETARY),
        verify_url=verify_url,
    )


def _minutes_poll(poll: Poll) -> MinutesPoll:
    result = poll.result or {}
    annulled = poll.state == PollState.ANNULLED.value
    return MinutesPoll(
        question=poll.question,
        lines=list(result.get("lines", [])),
        verdict=str(result.get("verdict", "")),
        passed=bool(result.get("passed", False)),
        secret=poll.secret,
        annulled=annulled,
        annul_reason=poll.annul_reason or "",
    )


def _resolution_record(session: Session, doc: Document, verify_url: str) -> ResolutionRecord:
    meeting = get_meeting(session, doc.meeting_id)
    council = meeting.council
    draft = ResolutionDraftIn.model_validate(doc.draft)
    poll = _adopting_poll(session, meeting, draft.poll_id)
    assert poll.result is not None
    yes = int(poll.result["counts"].get("yes", 0))
    day = doc.issued_on
    session_line = draft.session_line or meeting.title
    adoption = (
        f"Nghị quyết này đã được {council.name} {session_line} thông qua "
        f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}, với {yes}/{poll.total} "
        f"đại biểu tán thành ({format_percent(yes, poll.total)}) và có hiệu lực từ ngày ký."
    )
    recipients = list(draft.recipients) or ["- Thường trực HĐND;", "- UBND xã;", "- Lưu: VT."]
    return ResolutionRecord(
        council_name=council.name.upper(),
        locality=locality_of(council),
        number=None,
        date=day,
        title=draft.title,
        meeting_title=session_line.upper(),
        bases=list(draft.bases),
        considering=draft.considering,
        articles=list(draft.articles),
        adoption=adoption,
        recipients=recipients,
        chair_name=staff_name(session, council.id, Role.CHAIR),
        verify_url=verify_url,
    )
