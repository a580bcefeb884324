"""The vote-result record of a closed poll, as plain data for `signing.render`."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.engine import as_utc
from server.db.models import AgendaItem, Council, Meeting, Poll, StaffUser
from server.domain.enums import PollState, Role, ThresholdRule
from server.domain.errors import InvalidState, NotFound
from server.domain.rules import RULE_LABELS
from signing.records import VoteRecord

HALL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def locality_of(council: Council) -> str:
    """"xã Tân Phú" → "Tân Phú", for the date line ("Tân Phú, ngày …")."""
    return re.sub(r"^(xã|phường|thị trấn|đặc khu|tỉnh|thành phố)\s+", "", council.locality,
                  flags=re.IGNORECASE) or council.locality


def staff_name(session: Session, council_id: int, role: Role) -> str:
    for user in session.scalars(
        select(StaffUser).where(StaffUser.council_id == council_id).order_by(StaffUser.id)
    ):
        if role.value in user.roles:
            return user.display_name
    return ""


def vote_record(session: Session, poll_id: int, *, verify_url: str | None = None) -> VoteRecord:
    """The record of a closed poll, from the result stored when it closed."""
    poll = session.get(Poll, poll_id)
    if poll is None:
        raise NotFound("Không tìm thấy biểu quyết.", code="poll_not_found")
    if poll.state != PollState.CLOSED.value or poll.result is None:
        raise InvalidState("Chỉ lập biên bản cho biểu quyết đã kết thúc.", code="poll_not_closed")
    meeting = session.get(Meeting, poll.meeting_id)
    item = session.get(AgendaItem, poll.agenda_item_id)
    assert meeting is not None and item is not None and poll.opened_at and poll.closed_at
    council = meeting.council
    result = poll.result
    closed = as_utc(poll.closed_at)
    assert closed is not None
    return VoteRecord(
        council_name=council.name.upper(),
        locality=locality_of(council),
        number=None,
        place=meeting.location or council.locality,
        date=closed.astimezone(HALL_TZ).date(),
        meeting_title=meeting.title,
        agenda_item=item.title,
        question=poll.question,
        rule_label=RULE_LABELS[ThresholdRule(poll.rule)],
        total=poll.total,
        counts=dict(result["counts"]),
        lines=list(result["lines"]),
        passed=bool(result["passed"]),
        verdict=str(result["verdict"]),
        present_not_voted=[d["name"] for d in result.get("present_not_voted", [])],
        opened_at=as_utc(poll.opened_at) or closed,
        closed_at=closed,
        chair_name=staff_name(session, council.id, Role.CHAIR),
        secretary_name=staff_name(session, council.id, Role.SECRETARY),
        verify_url=verify_url,
        secret=poll.secret,
    )

