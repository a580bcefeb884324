"""Read-only JSON API for third-party clients."""
from __future__ import annotations

from flask import Blueprint, jsonify
from werkzeug.wrappers import Response

from server.domain.errors import Unauthenticated
from server.services.identity import check_binding
from server.services.meetings import snapshot

from .security import current_principal, database, require_principal

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/session")
def who() -> Response:
    """The principal this session belongs to (or null)."""
    principal = current_principal()
    return jsonify({"ok": True, "principal": principal.to_dict() if principal else None})


@bp.get("/meetings/<int:meeting_id>/snapshot")
def meeting_snapshot(meeting_id: int) -> Response:
    """The same snapshot as the Socket.IO `state.snapshot` event."""
    principal = require_principal()
    with database().session() as s:
        if not check_binding(s, principal):
            raise Unauthenticated("Thiết bị này đã bị giải phóng; vui lòng đăng nhập lại.")
        data = snapshot(s, principal, meeting_id)
    return jsonify({"ok": True, "snapshot": data})
