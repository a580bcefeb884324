"""The clerk's pages: meetings, delegates, sign-in cards."""
from __future__ import annotations

from flask import Blueprint, Response, render_template, request, url_for
from sqlalchemy import func, select

from server.db.models import Council, Delegate, Meeting
from server.domain.enums import Role
from server.services.cards import CardPrint, render_cards_pdf
from server.services.common import get_meeting, require_staff_scope
from server.services.identity import reissue_cards

from .security import current_principal, database, staff_required

bp = Blueprint("clerk", __name__, url_prefix="/clerk")


@bp.get("/")
@staff_required(Role.CLERK, Role.ADMIN)
def index() -> str:
    """Meetings of the clerk's council (every council for an admin)."""
    principal = current_principal()
    assert principal is not None
    with database().session() as s:
        query = (
            select(Meeting, Council.name)
            .join(Council, Council.id == Meeting.council_id)
            .order_by(Meeting.starts_at.desc(), Meeting.id.desc())
        )
        if principal.council_id is not None:
            query = query.where(Meeting.council_id == principal.council_id)
        counts = dict(
            s.execute(select(Delegate.council_id, func.count()).group_by(Delegate.council_id)).all()
        )
        meetings = [
            {
                "id": m.id,
                "title": m.title,
                "council_name": name,
                "state": m.state,
                "starts_at": m.starts_at,
                "delegate_count": counts.get(m.council_id, 0),
            }
            for m, name in s.execute(query).all()
        ]
    return render_template("clerk/index.html", meetings=meetings)


@bp.get("/meetings/<int:meeting_id>")
@staff_required(Role.CLERK, Role.ADMIN)
def meeting(meeting_id: int) -> str:
    """A meeting's delegates and links to its console and projector."""
    principal = current_principal()
    assert principal is not None
    with database().session() as s:
        m = get_meeting(s, meeting_id)
        require_staff_scope(principal, m.council_id)
        delegates = [
            {
                "id": d.id,
                "name": d.name,
                "title": d.title,
                "seat": d.seat,
                "unit": d.unit,
                "has_card": d.card_token_hash is not None,
            }
            for d in s.scalars(
                select(Delegate).where(Delegate.council_id == m.council_id).order_by(Delegate.seat)
            )
        ]
        view = {"id": m.id, "title": m.title, "council_name": m.council.name, "state": m.state}
        display_url = url_for("pages.projector", meeting_id=m.id, key=m.display_key, _external=True)
    return render_template("clerk/meeting.html", meeting=view, delegates=delegates, display_url=display_url)


@bp.post("/meetings/<int:meeting_id>/cards")
@staff_required(Role.CLERK, Role.ADMIN)
def cards(meeting_id: int) -> Response:
    """Issue new cards for every delegate of the council and return them as one PDF."""
    principal = current_principal()
    assert principal is not None
    with database().session() as s:
        m = get_meeting(s, meeting_id)
        require_staff_scope(principal, m.council_id)
        council_name, title = m.council.name, m.title
        issued = reissue_cards(s, m.council_id)
        prints = [CardPrint(d.name, d.title, d.seat, d.unit, code) for d, code in issued]
    pdf = render_cards_pdf(
        prints,
        council_name=council_name,
        meeting_title=title,
        signin_url=request.host_url.rstrip("/") + url_for("tablet.page"),
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="the-dai-bieu-ky-hop-{meeting_id}.pdf"'},
    )
