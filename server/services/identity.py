"""Staff accounts, delegate cards and PINs, device bindings."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.db.engine import as_utc, utcnow
from server.db.models import Delegate, DeviceBinding, Meeting, StaffUser
from server.domain.enums import MeetingState, Role
from server.domain.errors import (
    Conflict,
    Invalid,
    NotFound,
    RateLimited,
    Unauthenticated,
)

from .common import (
    Event,
    Outcome,
    Principal,
    PrincipalKind,
    council_delegate,
    current_seq,
    get_meeting,
    require_staff_scope,
)
from .meetings import delegate_updated, set_presence

# Staff passwords: argon2id with the library's defaults (RFC 9106 low-memory profile).
_password_hasher = PasswordHasher()
# PINs have at most ~27 bits, so a slow hash cannot protect them on its own; the 60-bit card code
# and the lock-out do. A light argon2 keeps thousands of tablet sign-ins fast.
_pin_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)

# Crockford base32 without I, L, O, U: nothing to misread on a printed card.
CARD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CARD_LENGTH = 12
_PIN = re.compile(r"^[0-9]{4,8}$")


@dataclass(frozen=True)
class StaffView:
    id: int
    username: str
    display_name: str
    roles: tuple[str, ...]
    council_id: int | None


@dataclass(frozen=True)
class SignIn:
    principal: Principal
    delegate: dict[str, object]
    meeting: dict[str, object]
    events: tuple[Event, ...]


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def hash_pin(pin: str) -> str:
    if not _PIN.match(pin):
        raise Invalid("Mã PIN phải gồm 4 đến 8 chữ số.", field="pin")
    return _pin_hasher.hash(pin)


def new_card_code() -> str:
    raw = "".join(secrets.choice(CARD_ALPHABET) for _ in range(CARD_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CARD_LENGTH, 4))


def normalize_card_code(code: str) -> str:
    """Upper case, no spaces or dashes, and the usual misreadings (O→0, I/L→1) mended."""
    cleaned = re.sub(r"[\s\-]", "", code).upper()
    return cleaned.translate(str.maketrans("OIL", "011"))


def card_hash(code: str) -> str:
    return hashlib.sha256(normalize_card_code(code).encode()).hexdigest()


def create_staff(
    session: Session,
    *,
    username: str,
    password: str,
    roles: list[Role],
    council_id: int | None,
    display_name: str = "",
) -> StaffView:
    user = StaffUser(
        username=username.strip().lower(),
        display_name=display_name or username,
        password_hash=hash_password(password),
        roles=[r.value for r in roles],
        council_id=council_id,
    )
    session.add(user)
    session.commit()
    return staff_view(user)


def staff_view(user: StaffUser) -> StaffView:
    return StaffView(user.id, user.username, user.display_name, tuple(user.roles), user.council_id)


def authenticate_staff(session: Session, *, username: str, password: str) -> StaffView:
    user = session.scalar(select(StaffUser).where(StaffUser.username == username.strip().lower()))
    # Verify against a dummy hash when the user is unknown, so timing tells nothing.
    stored = user.password_hash if user is not None and user.active else _DUMMY_HASH
    try:
        _password_hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        raise Unauthenticated(
            "Tên đăng nhập hoặc mật khẩu không đúng.", code="invalid_credentials"
        ) from None
    if user is None or not user.active:
        raise Unauthenticated("Tên đăng nhập hoặc mật khẩu không đúng.", code="invalid_credentials")
    if _password_hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        session.commit()
    return staff_view(user)


_DUMMY_HASH = _password_hasher.hash(secrets.token_hex(8))


def load_staff(session: Session, user_id: int) -> StaffView | None:
    user = session.get(StaffUser, user_id)
    return staff_view(user) if user is not None and user.active else None


def staff_principal(view: StaffView) -> Principal:
    return Principal(
        kind=PrincipalKind.STAFF,
        user_id=view.id,
        roles=frozenset(view.roles),
        council_id=view.council_id,
    )


def active_meeting(session: Session, council_id: int) -> Meeting | None:
    """The meeting a tablet signs in to: the running one, else the next scheduled one."""
    meetings = session.scalars(
        select(Meeting)
        .where(
            Meeting.council_id == council_id,
            Meeting.state.in_([MeetingState.IN_PROGRESS.value, MeetingState.SCHEDULED.value]),
        )
        .order_by(Meeting.state.desc(), Meeting.starts_at, Meeting.id)
    ).all()
    running = [m for m in meetings if m.state == MeetingState.IN_PROGRESS.value]
    candidates = running or list(meetings)
    return candidates[0] if candidates else None


def delegate_view(delegate: Delegate) -> dict[str, object]:
    return {
        "id": delegate.id,
        "name": delegate.name,
        "title": delegate.title,
        "seat": delegate.seat,
        "unit": delegate.unit,
    }


def sign_in_delegate(
    session: Session,
    *,
    card_code: str,
    pin: str,
    device_id: str,
    device_label: str,
    address: str,
    max_failures: int,
    lock_seconds: int,
) -> SignIn:
    """Check card and PIN, bind this device to the delegate's seat, mark the delegate present."""
    delegate = session.scalar(
        select(Delegate).where(Delegate.card_token_hash == card_hash(card_code))
    )
    if delegate is None or not delegate.active:
        raise Unauthenticated(
            "Thẻ không hợp lệ hoặc đã được thay bằng thẻ mới.", code="invalid_card"
        )
    now = utcnow()
    locked_until = as_utc(delegate.locked_until)
    if locked_until is not None and locked_until > now:
        wait = int((locked_until - now).total_seconds()) + 1
        raise RateLimited(
            f"Nhập sai mã PIN quá nhiều lần. Vui lòng thử lại sau {wait} giây hoặc liên hệ thư ký.",
            code="card_locked",
            retry_after=wait,
        )
    if not _pin_ok(delegate.pin_hash, pin):
        left = _count_failure(delegate, max_failures, lock_seconds)
        session.commit()
        if left == 0:
            raise RateLimited(
                f"Nhập sai mã PIN quá nhiều lần. Thẻ bị khóa trong {lock_seconds // 60} phút.",
                code="card_locked",
                retry_after=lock_seconds,
            )
        raise Unauthenticated(
            f"Mã PIN không đúng. Còn {left} lần thử.", code="wrong_pin", attempts_left=left
        )
    delegate.pin_failures = 0
    delegate.locked_until = None
    meeting = active_meeting(session, delegate.council_id)
    if meeting is None:
        session.commit()
        raise NotFound(
            "Hội đồng của bạn hiện không có kỳ họp nào để đăng nhập.", code="no_active_meeting"
        )
    binding = _bind_device(session, meeting.id, delegate.id, device_id, device_label, address)
    set_presence(session, meeting.id, delegate.id, present=True, marked_by=None)
    events = delegate_updated(session, meeting.id, delegate.id)
    session.commit()
    principal = Principal(
        kind=PrincipalKind.DELEGATE,
        meeting_id=meeting.id,
        delegate_id=delegate.id,
        binding_id=binding.id,
        council_id=delegate.council_id,
    )
    return SignIn(
        principal,
        delegate_view(delegate),
        {"id": meeting.id, "title": meeting.title},
        events,
    )


def _pin_ok(pin_hash: str, pin: str) -> bool:
    if not _PIN.match(pin):
        return False
    try:
        return _pin_hasher.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False


def _count_failure(delegate: Delegate, max_failures: int, lock_seconds: int) -> int:
    """Count a wrong PIN; lock the card at the limit. Returns the attempts left."""
    delegate.pin_failures += 1
    left = max(max_failures - delegate.pin_failures, 0)
    if left == 0:
        delegate.locked_until = utcnow() + timedelta(seconds=lock_seconds)
        delegate.pin_failures = 0
    return left


def _bind_device(
    session: Session,
    meeting_id: int,
    delegate_id: int,
    device_id: str,
    label: str,
    address: str,
) -> DeviceBinding:
    binding = session.scalar(
        select(DeviceBinding).where(
            DeviceBinding.meeting_id == meeting_id,
            DeviceBinding.delegate_id == delegate_id,
            DeviceBinding.released_at.is_(None),
        )
    )
    if binding is not None and binding.device_id != device_id:
        raise Conflict(
            "Đại biểu này đang đăng nhập trên một thiết bị khác. "
            "Đề nghị chủ tọa hoặc thư ký giải phóng thiết bị cũ trước.",
            code="seat_taken",
        )
    if binding is None:
        binding = DeviceBinding(
            meeting_id=meeting_id,
            delegate_id=delegate_id,
            device_id=device_id,
            label=label,
            address=address,
            bound_at=utcnow(),
        )
        session.add(binding)
    else:
        binding.label, binding.address = label or binding.label, address
    session.flush()
    return binding


def check_binding(session: Session, principal: Principal) -> bool:
    """Whether a delegate principal's device binding is still active."""
    if principal.kind is not PrincipalKind.DELEGATE:
        return True
    binding = session.get(DeviceBinding, principal.binding_id)
    return binding is not None and binding.released_at is None


def sign_out_delegate(session: Session, principal: Principal) -> tuple[Event, ...]:
    binding = session.get(DeviceBinding, principal.binding_id)
    if binding is None or binding.released_at is not None:
        return ()
    binding.released_at = utcnow()
    session.commit()
    return delegate_updated(session, binding.meeting_id, binding.delegate_id)


def release_device(
    session: Session, *, meeting_id: int, delegate_id: int, released_by: int | None
) -> tuple[Event, ...]:
    """End a delegate's binding so that another device may sign in; tell the old device."""
    binding = session.scalar(
        select(DeviceBinding).where(
            DeviceBinding.meeting_id == meeting_id,
            DeviceBinding.delegate_id == delegate_id,
            DeviceBinding.released_at.is_(None),
        )
    )
    if binding is None:
        return delegate_updated(session, meeting_id, delegate_id)
    binding.released_at = utcnow()
    binding.released_by = released_by
    session.flush()
    revoked = Event(
        "session.revoked",
        meeting_id,
        {
            "seq": current_seq(session, meeting_id),
            "code": "device_released",
            "message": "Chủ tọa đã giải phóng thiết bị này. Vui lòng đăng nhập lại.",
        },
        audience=f"delegate:{delegate_id}",
    )
    return (revoked, *delegate_updated(session, meeting_id, delegate_id))


def release(session: Session, principal: Principal, *, meeting_id: int, delegate_id: int) -> Outcome:
    """The chair frees a delegate's seat so that another device may sign in."""
    meeting = get_meeting(session, meeting_id)
    require_staff_scope(principal, meeting.council_id, Role.CHAIR)
    council_delegate(session, meeting, delegate_id)
    events = release_device(
        session, meeting_id=meeting_id, delegate_id=delegate_id, released_by=principal.user_id
    )
    return Outcome({}, events)


def reissue_cards(session: Session, council_id: int) -> list[tuple[Delegate, str]]:
    """New card codes for every active delegate of the council; old cards stop working."""
    delegates = session.scalars(
        select(Delegate)
        .where(Delegate.council_id == council_id, Delegate.active.is_(True))
        .order_by(Delegate.seat, Delegate.id)
    ).all()
    issued = []
    now = utcnow()
    for delegate in delegates:
        code = new_card_code()
        delegate.card_token_hash = card_hash(code)
        delegate.card_issued_at = now
        issued.append((delegate, code))
    session.commit()
    return issued

