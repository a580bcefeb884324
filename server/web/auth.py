"""Staff sign-in and sign-out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_user, logout_user
from werkzeug.wrappers import Response

from server.domain.enums import Role
from server.domain.errors import Unauthenticated
from server.extensions import limiter
from server.services.identity import authenticate_staff

from .security import StaffLogin, database

bp = Blueprint("auth", __name__, url_prefix="/auth")


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _username_key() -> str:
    return f"{request.remote_addr}|{(request.form.get('username') or '').strip().lower()}"


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_username_key)
@limiter.limit(lambda: "30 per minute", methods=["POST"])
def login() -> str | Response:
    """Show the form; on POST check the password and start a staff session."""
    next_url = _safe_next(request.values.get("next"))
    error = None
    if request.method == "POST":
        try:
            with database().session() as s:
                view = authenticate_staff(
                    s,
                    username=request.form.get("username", ""),
                    password=request.form.get("password", ""),
                )
        except Unauthenticated as failure:
            error = gettext(failure.message)
        else:
            login_user(StaffLogin(view))
            return redirect(next_url or _home(view.roles))
    return render_template("auth/login.html", error=error, next=next_url or "")


def _home(roles: tuple[str, ...]) -> str:
    if Role.CLERK.value in roles or Role.ADMIN.value in roles:
        return url_for("clerk.index")
    return url_for("pages.index")


@bp.post("/logout")
def logout() -> Response:
    """End the staff session."""
    logout_user()
    return redirect(url_for("pages.index"))
