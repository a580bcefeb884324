"""Pages: start page, chair console, projector."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request, session
from flask_login import current_user
from sqlalchemy import select

from server.db.models import Council, Meeting
from server.domain.enums import Role
from server.domain.errors import Forbidden
from server.services.common import PrincipalKind, get_meeting, require_staff_scope

from .security import current_principal, database, staff_required

bp = Blueprint("pages", __name__)


@bp.get("/")
def index() -> str:
    """Start page: links to every page of every meeting."""
    with database().session() as s:
        rows = s.execute(
            select(Meeting.id, Meeting.title, Meeting.state, Council.name)
            .join(Council, Council.id == Meeting.council_id)
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        ).all()
    meetings = [
        {"id": i, "title": t, "state": st, "council_name": c} for i, t, st, c in rows
    ]
    return render_template("index.html", meetings=meetings)


@bp.get("/chair/meetings/<int:meeting_id>")
@staff_required()
def chair(meeting_id: int) -> str:
    """The chair console; only the chair may act, other staff of the council watch."""
    principal = current_principal()
    assert principal is not None
    with database().session() as s:
        meeting = get_meeting(s, meeting_id)
        require_staff_scope(principal, meeting.council_id)
        title = meeting.title
    config: dict[str, Any] = {
        "meeting_id": meeting_id,
        "can_act": principal.has_role(Role.CHAIR),
        "username": current_user.username,
        "title": title,
    }
    return render_template("chair.html", page_config=config, meeting_title=title)


@bp.get("/projector/meetings/<int:meeting_id>")
def projector(meeting_id: int) -> str:
    """The projector page: open with the meeting's display key, or as staff of the council."""
    key = request.args.get("key")
    principal = current_principal()
    with database().session() as s:
        meeting = get_meeting(s, meeting_id)
        if key is not None:
            if key != meeting.display_key:
                raise Forbidden("Khóa hiển thị không đúng.", code="forbidden")
            if principal is None or principal.kind is PrincipalKind.DISPLAY:
                session["display_meeting"] = meeting_id
        elif principal is None:
            abort(403)
        elif principal.kind is PrincipalKind.STAFF:
            require_staff_scope(principal, meeting.council_id)
        elif principal.meeting_id != meeting_id:
            raise Forbidden("Bạn không tham dự kỳ họp này.", code="wrong_meeting")
        title = meeting.title
    return render_template("projector.html", page_config={"meeting_id": meeting_id}, meeting_title=title)
