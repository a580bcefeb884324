"""The delegate tablet: its page and the card + PIN sign-in."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request, session
from werkzeug.wrappers import Response

from server.domain.errors import Invalid
from server.extensions import csrf, limiter
from server.schemas import SignInIn, parse
from server.services.common import PrincipalKind
from server.services.identity import (
    normalize_card_code,
    sign_in_delegate,
    sign_out_delegate,
)

from .security import database, require_principal

bp = Blueprint("tablet", __name__)


def json_body() -> Any:
    """The request's JSON object, or `invalid_json`."""
    data = request.get_json(silent=True)
    if data is None:
        raise Invalid("Nội dung gửi lên không phải JSON hợp lệ.", code="invalid_json")
    return data


def emit_events(events: Any) -> None:
    current_app.extensions["hall_realtime"].publish(events)


@bp.get("/tablet")
def page() -> str:
    """The tablet app (sign-in form until a delegate signs in)."""
    return render_template("tablet.html", page_config={"meeting_id": None})


def _card_key() -> str:
    data = request.get_json(silent=True)
    code = data.get("card_code") if isinstance(data, dict) else None
    return f"card:{normalize_card_code(code) if isinstance(code, str) else request.remote_addr}"


@bp.post("/api/tablet/sign-in")
@csrf.exempt
@limiter.limit(lambda: str(current_app.config["TABLET_SIGNIN_RATE_LIMIT"]), key_func=_card_key)
def sign_in() -> Response:
    """Card code + PIN → this device is bound to the delegate's seat for the meeting."""
    if not request.is_json:
        raise Invalid("Hãy gửi dữ liệu dạng JSON (Content-Type: application/json).", code="invalid_json")
    body = parse(SignInIn, json_body())
    config = current_app.config
    with database().session() as s:
        result = sign_in_delegate(
            s,
            card_code=body.card_code,
            pin=body.pin,
            device_id=body.device_id,
            device_label=body.device_label,
            address=request.remote_addr or "",
            max_failures=config["PIN_MAX_FAILURES"],
            lock_seconds=config["PIN_LOCK_SECONDS"],
        )
    session.clear()
    session.permanent = True
    p = result.principal
    session["delegate"] = {
        "delegate_id": p.delegate_id,
        "meeting_id": p.meeting_id,
        "binding_id": p.binding_id,
        "council_id": p.council_id,
    }
    emit_events(result.events)
    return jsonify({"ok": True, "delegate": result.delegate, "meeting": result.meeting})


@bp.post("/api/tablet/sign-out")
@csrf.exempt
def sign_out() -> Response:
    """Release this device's binding and forget the session."""
    principal = require_principal()
    if principal.kind is not PrincipalKind.DELEGATE:
        session.pop("delegate", None)
        return jsonify({"ok": True})
    with database().session() as s:
        events = sign_out_delegate(s, principal)
    session.pop("delegate", None)
    emit_events(events)
    return jsonify({"ok": True})
