"""Who is asking: staff (Flask-Login), a delegate's tablet, or a hall display."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, session
from flask_login import UserMixin, current_user

from server.db.engine import Database
from server.domain.enums import Role
from server.domain.errors import Forbidden, Unauthenticated
from server.services.common import Principal, PrincipalKind
from server.services.identity import StaffView, staff_principal

F = TypeVar("F", bound=Callable[..., Any])


class StaffLogin(UserMixin):  # type: ignore[misc]
    """The Flask-Login user: a thin wrapper over the service's StaffView."""

    def __init__(self, view: StaffView) -> None:
        self.view = view
        self.id = view.id
        self.username = view.username
        self.display_name = view.display_name
        self.roles = list(view.roles)

    def get_id(self) -> str:
        return str(self.view.id)


def database() -> Database:
    db: Database = current_app.extensions["hall_db"]
    return db


def current_principal() -> Principal | None:
    """The principal of this request's session, if any (staff first)."""
    if current_user.is_authenticated:
        return staff_principal(current_user.view)
    delegate = session.get("delegate")
    if isinstance(delegate, dict):
        return Principal(
            kind=PrincipalKind.DELEGATE,
            meeting_id=delegate.get("meeting_id"),
            delegate_id=delegate.get("delegate_id"),
            binding_id=delegate.get("binding_id"),
            council_id=delegate.get("council_id"),
        )
    display = session.get("display_meeting")
    if isinstance(display, int):
        return Principal(kind=PrincipalKind.DISPLAY, meeting_id=display)
    return None


def require_principal() -> Principal:
    principal = current_principal()
    if principal is None:
        raise Unauthenticated("Bạn cần đăng nhập trước.")
    return principal


def staff_required(*roles: Role) -> Callable[[F], F]:
    """A page for signed-in staff with one of `roles` (any staff role when empty)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal()
            if principal is None or principal.kind is not PrincipalKind.STAFF:
                raise Unauthenticated("Bạn cần đăng nhập bằng tài khoản cán bộ.")
            if roles and not principal.has_role(*roles):
                raise Forbidden("Tài khoản của bạn không có quyền mở trang này.")
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
