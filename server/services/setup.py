"""Creating councils, delegates, meetings and the demo session."""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.engine import utcnow
from server.db.models import AgendaItem, Council, Delegate, Meeting, StaffUser
from server.domain.errors import NotFound
from server.domain.enums import CouncilLevel, MeetingKind, MeetingState, Role

from .identity import card_hash, create_staff, hash_pin, new_card_code

_SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng",
             "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Ngọc", "Quốc", "Thanh", "Thu", "Xuân", "Hoài"]
_GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hòa", "Hùng", "Hương", "Khánh",
          "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phúc", "Phương", "Quân", "Sơn", "Tâm",
          "Thảo", "Thắng", "Trang", "Tuấn", "Uyên", "Việt", "Yến", "Ánh", "Đạt", "Ửng"]

DEMO_AGENDA = [
    ("Khai mạc kỳ họp", "Chủ tịch HĐND xã"),
    ("Báo cáo kết quả thực hiện nhiệm vụ phát triển kinh tế - xã hội năm 2026", "Chủ tịch UBND xã"),
    ("Nghị quyết về dự toán ngân sách xã năm 2027", "Trưởng Ban Kinh tế - Xã hội"),
    ("Nghị quyết về kế hoạch đầu tư công năm 2027", "Phó Chủ tịch UBND xã"),
    ("Bế mạc kỳ họp", "Chủ tịch HĐND xã"),
]


@dataclass(frozen=True)
class DelegateCredential:
    id: int
    name: str
    seat: str
    card_code: str
    pin: str


@dataclass(frozen=True)
class SeededMeeting:
    council_id: int
    meeting_id: int
    display_key: str
    delegates: list[DelegateCredential]
    staff_passwords: dict[str, str] = field(default_factory=dict)


def delegate_name(index: int) -> str:
    return (
        f"{_SURNAMES[index % len(_SURNAMES)]} {_MIDDLE[(index // 3) % len(_MIDDLE)]} "
        f"{_GIVEN[(index * 7) % len(_GIVEN)]}"
    )


def create_council(
    session: Session, *, name: str, level: CouncilLevel, locality: str, total_seats: int
) -> Council:
    council = Council(name=name, level=level.value, locality=locality, total_seats=total_seats, ruleset={})
    session.add(council)
    session.flush()
    return council


def add_delegates(
    session: Session, council: Council, count: int, *, pin: str | None = None
) -> list[DelegateCredential]:
    """`count` delegates with fresh cards; a fixed `pin` hashes once (fast for benchmarks)."""
    fixed_hash = hash_pin(pin) if pin else None
    credentials = []
    rows = []
    for i in range(count):
        code = new_card_code()
        this_pin = pin or f"{secrets.randbelow(10**4):04d}"
        rows.append(
            (
                Delegate(
                    council_id=council.id,
                    name=delegate_name(i),
                    title="Đại biểu HĐND",
                    seat=f"{chr(65 + i // 25 % 26)}{i % 25 + 1:02d}" if count <= 650 else f"S{i + 1:05d}",
                    unit=f"Tổ đại biểu số {i // 5 + 1}",
                    card_token_hash=card_hash(code),
                    card_issued_at=utcnow(),
                    pin_hash=fixed_hash or hash_pin(this_pin),
                ),
                code,
                this_pin,
            )
        )
    session.add_all(row[0] for row in rows)
    session.flush()
    for delegate, code, this_pin in rows:
        credentials.append(DelegateCredential(delegate.id, delegate.name, delegate.seat, code, this_pin))
    return credentials


def create_meeting(
    session: Session,
    council: Council,
    *,
    title: str,
    agenda: list[tuple[str, str]],
    starts_at: datetime | None = None,
    kind: MeetingKind = MeetingKind.REGULAR,
) -> Meeting:
    meeting = Meeting(
        council_id=council.id,
        title=title,
        kind=kind.value,
        state=MeetingState.SCHEDULED.value,
        starts_at=starts_at or utcnow(),
        display_key=secrets.token_urlsafe(12),
        location="Hội trường UBND",
        seq=0,
    )
    session.add(meeting)
    session.flush()
    for position, (item_title, presenter) in enumerate(agenda, start=1):
        session.add(AgendaItem(meeting_id=meeting.id, position=position, title=item_title, presenter=presenter))
    session.flush()
    return meeting


def has_any_meeting(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(Meeting)))


DEMO_SIGNERS: dict[str, tuple[Role, str]] = {
    "chutoa": (Role.CHAIR, "Nguyễn Văn An"),
    "thuky": (Role.SECRETARY, "Trần Thị Bình"),
    "vanphong": (Role.CLERK, "Lê Thu Hà"),
}
"""The demo's staff who sign: username → (role, full name)."""


def set_signing_key(session: Session, username: str, key: dict[str, str] | None) -> None:
    """Give a staff user a server-held key (or take it away with ``None``)."""
    user = session.scalar(select(StaffUser).where(StaffUser.username == username))
    if user is None:
        raise NotFound(f"Không có tài khoản {username}.", code="user_not_found")
    user.signing_key = key


def seed_demo(session: Session, *, delegates: int = 30, pin: str | None = None) -> SeededMeeting:
    """A commune council, its delegates, staff accounts and one meeting with an agenda."""
    council = create_council(
        session,
        name="Hội đồng nhân dân xã Tân Phú",
        level=CouncilLevel.COMMUNE,
        locality="xã Tân Phú",
        total_seats=delegates,
    )
    credentials = add_delegates(session, council, delegates, pin=pin)
    meeting = create_meeting(
        session,
        council,
        title="Kỳ họp thứ Năm, Hội đồng nhân dân xã Tân Phú khóa I, nhiệm kỳ 2026 - 2031",
        agenda=DEMO_AGENDA,
        starts_at=utcnow() + timedelta(minutes=5),
    )
    session.commit()
    passwords = {}
    for username, roles, display in [
        ("admin", [Role.ADMIN], "Quản trị hệ thống"),
        *((username, [role], name) for username, (role, name) in DEMO_SIGNERS.items()),
    ]:
        if session.scalar(select(StaffUser.id).where(StaffUser.username == username)):
            continue
        password = secrets.token_urlsafe(9)
        create_staff(
            session,
            username=username,
            password=password,
            roles=roles,
            council_id=None if Role.ADMIN in roles else council.id,
            display_name=display,
        )
        passwords[username] = password
    return SeededMeeting(council.id, meeting.id, meeting.display_key, credentials, passwords)
