"""What every use case shares: principals, events to broadcast, sequence numbers, idempotency."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.db.engine import as_utc, utcnow
from server.db.models import Delegate, Meeting, Operation
from server.domain.enums import Role
from server.domain.errors import Conflict, Forbidden, NotFound
from server.domain.rules import DEFAULT_RULESET, RuleSet


class PrincipalKind(str, Enum):
    DELEGATE = "delegate"
    STAFF = "staff"
    DISPLAY = "display"


@dataclass(frozen=True)
class Principal:
    """Who is acting: a delegate bound to a device, a staff user, or a hall display."""

    kind: PrincipalKind
    meeting_id: int | None = None
    delegate_id: int | None = None
    binding_id: int | None = None
    user_id: int | None = None
    roles: frozenset[str] = frozenset()
    council_id: int | None = None

    @property
    def actor(self) -> str:
        """The key operations are stored under (`d:7`, `u:2`)."""
        if self.kind is PrincipalKind.DELEGATE:
            return f"d:{self.delegate_id}"
        if self.kind is PrincipalKind.STAFF:
            return f"u:{self.user_id}"
        return f"x:{self.meeting_id}"

    def has_role(self, *roles: Role) -> bool:
        return self.kind is PrincipalKind.STAFF and any(r.value in self.roles for r in roles)

    def to_dict(self) -> dict[str, Any]:
        if self.kind is PrincipalKind.DELEGATE:
            return {"kind": "delegate", "delegate_id": self.delegate_id, "meeting_id": self.meeting_id}
        if self.kind is PrincipalKind.DISPLAY:
            return {"kind": "display", "meeting_id": self.meeting_id}
        return {
            "kind": "staff",
            "user_id": self.user_id,
            "roles": sorted(self.roles),
            "council_id": self.council_id,
        }


@dataclass(frozen=True)
class Event:
    """A Socket.IO event to emit after the commit: name, room suffix, payload."""

    name: str
    meeting_id: int
    payload: dict[str, Any]
    audience: str = ""  # "" = whole meeting, "staff", "projector", "delegates", "delegate:7"

    @property
    def room(self) -> str:
        if self.audience.startswith("delegate:"):
            return self.audience
        suffix = f":{self.audience}" if self.audience else ""
        return f"meeting:{self.meeting_id}{suffix}"


@dataclass(frozen=True)
class Outcome:
    """What a use case returns: the ack data for the caller and the events for everyone else."""

    data: dict[str, Any]
    events: tuple[Event, ...] = field(default=())


def get_meeting(session: Session, meeting_id: int) -> Meeting:
    meeting = session.get(Meeting, meeting_id)
    if meeting is None:
        raise NotFound("Không tìm thấy kỳ họp.", code="meeting_not_found")
    return meeting


def ruleset_of(meeting: Meeting) -> RuleSet:
    """The council's working rules (versioned data), or the model rules."""
    return RuleSet.from_dict(meeting.council.ruleset) if meeting.council.ruleset else DEFAULT_RULESET


def council_delegate(session: Session, meeting: Meeting, delegate_id: int) -> Delegate:
    """A delegate of the meeting's council, or `delegate_not_found`."""
    delegate = session.get(Delegate, delegate_id)
    if delegate is None or delegate.council_id != meeting.council_id:
        raise NotFound("Không tìm thấy đại biểu trong Hội đồng này.", code="delegate_not_found")
    return delegate


def iso(value: datetime | None) -> str | None:
    value = as_utc(value)
    return value.isoformat() if value is not None else None


def next_seq(session: Session, meeting_id: int) -> int:
    """Take the meeting's next sequence number inside the caller's transaction."""
    result = session.execute(
        update(Meeting)
        .where(Meeting.id == meeting_id)
        .values(seq=Meeting.seq + 1)
        .returning(Meeting.seq)
    ).scalar_one_or_none()
    if result is None:
        raise NotFound("Không tìm thấy kỳ họp.", code="meeting_not_found")
    return int(result)


def current_seq(session: Session, meeting_id: int) -> int:
    return int(session.scalar(select(Meeting.seq).where(Meeting.id == meeting_id)) or 0)


def request_hash(kind: str, payload: dict[str, Any]) -> str:
    body = {k: v for k, v in payload.items() if k != "op_id"}
    raw = json.dumps([kind, body], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def replay(
    session: Session, principal: Principal, op_id: str, kind: str, payload: dict[str, Any]
) -> dict[str, Any] | None:
    """The stored answer of an operation already applied, or None if it is new."""
    row = session.scalar(
        select(Operation).where(Operation.actor == principal.actor, Operation.op_id == op_id)
    )
    if row is None:
        return None
    if row.kind != kind or row.request_hash != request_hash(kind, payload):
        raise Conflict(
            "Mã thao tác (op_id) này đã được dùng cho một thao tác khác.", code="op_id_conflict"
        )
    return dict(row.response)


def remember(
    session: Session,
    principal: Principal,
    op_id: str,
    kind: str,
    payload: dict[str, Any],
    response: dict[str, Any],
) -> None:
    session.add(
        Operation(
            actor=principal.actor,
            op_id=op_id,
            kind=kind,
            request_hash=request_hash(kind, payload),
            response=response,
            created_at=utcnow(),
        )
    )


def require_staff_scope(principal: Principal, council_id: int, *roles: Role) -> None:
    """Staff of this council (or an admin of every council) with one of `roles`."""
    if principal.kind is not PrincipalKind.STAFF:
        raise Forbidden("Chỉ cán bộ được phân quyền mới được thực hiện thao tác này.")
    if roles and not principal.has_role(*roles):
        raise Forbidden("Tài khoản của bạn không có quyền thực hiện thao tác này.")
    if principal.council_id is not None and principal.council_id != council_id:
        raise Forbidden("Kỳ họp này thuộc Hội đồng nhân dân khác.", code="wrong_meeting")
    if principal.council_id is None and not principal.has_role(Role.ADMIN):
        raise Forbidden("Tài khoản chưa được gán cho Hội đồng nhân dân nào.")
