"""Staff pages for signed documents, and the JSON endpoints of remote (token) signing."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import get_locale
from pydantic import ValidationError
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from server.db.models import Poll, StaffUser
from server.domain.enums import PollState, Role
from server.domain.errors import HallError
from server.domain.text import N_
from server.schemas import (
    DocumentSignIn,
    ResolutionDraftIn,
    parse,
)
from server.services import document_signing as signing_flow
from server.services import documents as docs
from server.services import drafts, verification
from server.services.common import Principal, get_meeting, require_staff_scope
from server.services.records import HALL_TZ

from . import pdf_response, translate
from .docsettings import document_settings
from .security import current_principal, database, staff_required

bp = Blueprint("documents", __name__)

_STAFF = (Role.CLERK, Role.CHAIR, Role.SECRETARY, Role.ADMIN)


_STEP_LABELS = {
    "render": N_("Lập văn bản"),
    "number": N_("Cấp số văn bản"),
    **{step.key: step.label for kind in docs.KIND_CODES for step in docs.steps_for(kind)},
}


@bp.app_template_filter("local_time")
def local_time(value: str | None) -> str:
    """An ISO time as read in the hall: 14:05 ngày 28/11/2026."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value)
    if str(get_locale() or "vi") != "vi":
        return moment.astimezone(HALL_TZ).strftime("%H:%M, %d/%m/%Y")
    return docs.stamp_time(moment)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"step_label": lambda key: translate(_STEP_LABELS.get(key) or str(key))}


def _principal() -> Principal:
    principal = current_principal()
    assert principal is not None
    return principal


@bp.get("/meetings/<int:meeting_id>/documents")
@staff_required(*_STAFF)
def meeting_documents(meeting_id: int) -> str:
    """A meeting's records and resolutions; records of closed polls are made here if missing."""
    principal = _principal()
    with database().session() as s:
        meeting = get_meeting(s, meeting_id)
        require_staff_scope(principal, meeting.council_id)
        if drafts.ensure_vote_records(s, meeting_id, document_settings()):
            s.commit()
        listing = docs.meeting_documents(s, meeting_id)
        view = {"id": meeting.id, "title": meeting.title, "council_name": meeting.council.name}
        passed = _passed_polls(s, meeting_id)
    return render_template(
        "documents/meeting.html",
        meeting=view,
        documents=listing,
        passed_polls=passed,
        can_edit=principal.has_role(Role.CLERK, Role.ADMIN),
        can_minutes=principal.has_role(Role.CLERK, Role.SECRETARY, Role.ADMIN),
    )


def _passed_polls(session: Any, meeting_id: int) -> list[dict[str, Any]]:
    polls = session.scalars(
        select(Poll).where(Poll.meeting_id == meeting_id, Poll.state == PollState.CLOSED.value)
        .order_by(Poll.id)
    )
    return [
        {"id": p.id, "question": p.question}
        for p in polls
        if p.result is not None and p.result.get("passed")
    ]


@bp.post("/meetings/<int:meeting_id>/documents/minutes")
@staff_required(Role.CLERK, Role.SECRETARY, Role.ADMIN)
def new_minutes(meeting_id: int) -> BaseResponse:
    with database().session() as s:
        doc = drafts.draft_minutes(s, _principal(), meeting_id, document_settings())
        s.commit()
        target = doc.id
    return redirect(url_for("documents.edit", document_id=target))


@bp.route("/meetings/<int:meeting_id>/documents/resolution", methods=["GET", "POST"])
@staff_required(Role.CLERK, Role.ADMIN)
def new_resolution(meeting_id: int) -> Any:
    """The resolution form: the dự thảo's text and the poll that adopted it."""
    principal = _principal()
    with database().session() as s:
        meeting = get_meeting(s, meeting_id)
        require_staff_scope(principal, meeting.council_id, Role.CLERK, Role.ADMIN)
        polls = _passed_polls(s, meeting_id)
        view = {"id": meeting.id, "title": meeting.title, "council_name": meeting.council.name}
        form = _resolution_form_defaults(meeting.title) if request.method == "GET" else request.form
        error = None
        if request.method == "POST":
            try:
                data = _resolution_from_form(request.form)
                draft = ResolutionDraftIn.model_validate(data)
                doc = drafts.draft_resolution(s, principal, meeting_id, draft, document_settings())
                s.commit()
                return redirect(url_for("documents.detail", document_id=doc.id))
            except ValidationError as exc:
                error = _validation_message(exc)
            except HallError as exc:
                error = translate(exc.message)
    return (
        render_template(
            "documents/resolution_form.html", meeting=view, polls=polls, form=form, error=error,
            action=url_for("documents.new_resolution", meeting_id=meeting_id),
        ),
        400 if error else 200,
    )


def _resolution_form_defaults(meeting_title: str) -> dict[str, str]:
    return {
        "session_line": meeting_title,
        "bases": "\n".join(
            [
                "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025",
                "Căn cứ Luật Ban hành văn bản quy phạm pháp luật ngày 19 tháng 02 năm 2025",
            ]
        ),
        "recipients": "- Thường trực HĐND;\n- UBND xã;\n- Lưu: VT.",
    }


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _paragraphs(value: str) -> list[str]:
    return [" ".join(_lines(block)) for block in re.split(r"\n\s*\n", value) if block.strip()]


def _resolution_from_form(form: Any) -> dict[str, Any]:
    poll = form.get("poll_id", "")
    return {
        "poll_id": int(poll) if poll.isdigit() else 0,
        "title": form.get("title", ""),
        "session_line": form.get("session_line", ""),
        "bases": _lines(form.get("bases", "")),
        "considering": form.get("considering", "").strip(),
        "articles": _paragraphs(form.get("articles", "")),
        "recipients": _lines(form.get("recipients", "")),
    }


def _minutes_from_form(form: Any, count: int) -> dict[str, Any]:
    items = []
    for i in range(count):
        agenda_id = form.get(f"item-{i}-agenda_item_id", "")
        items.append(
            {
                "agenda_item_id": int(agenda_id) if agenda_id.isdigit() else None,
                "title": form.get(f"item-{i}-title", ""),
                "presenter": form.get(f"item-{i}-presenter", ""),
                "summary": form.get(f"item-{i}-summary", "").strip(),
                "speakers": _lines(form.get(f"item-{i}-speakers", "")),
            }
        )
    corrections = []
    for line in _lines(form.get("corrections", "")):
        what, _, reason = line.partition("|")
        corrections.append({"what": what.strip(), "reason": reason.strip()})
    return {"items": items, "corrections": corrections, "notes": form.get("notes", "").strip()}


_FIELD_NAMES = {
    "title": "Trích yếu",
    "bases": "Căn cứ",
    "articles": "Các điều",
    "poll_id": "Biểu quyết thông qua",
    "what": "Nội dung đính chính",
    "reason": "Lý do đính chính",
}


def _validation_message(exc: ValidationError) -> str:
    first = exc.errors()[0]
    names = [str(part) for part in first["loc"] if not isinstance(part, int)]
    label = _FIELD_NAMES.get(names[-1], names[-1]) if names else ""
    return translate("Mục “%(field)s” thiếu hoặc không hợp lệ.") % {"field": translate(label)}


@bp.route("/documents/<int:document_id>/edit", methods=["GET", "POST"])
@staff_required(Role.CLERK, Role.SECRETARY, Role.ADMIN)
def edit(document_id: int) -> Any:
    """Edit a draft (minutes: the secretary; resolution: the clerk) before its first signature."""
    principal = _principal()
    settings = document_settings()
    error = None
    with database().session() as s:
        doc = docs.authorize_document(s, principal, document_id)
        if request.method == "POST":
            try:
                if doc.kind == "minutes":
                    count = min(int(request.form.get("item_count", "0") or 0), 200)
                    data = _minutes_from_form(request.form, count)
                else:
                    data = _resolution_from_form(request.form)
                drafts.update_draft(s, principal, document_id, data, settings)
                s.commit()
                return redirect(url_for("documents.detail", document_id=document_id))
            except ValidationError as exc:
                error = _validation_message(exc)
            except (HallError, ValueError) as exc:
                error = translate(exc.message) if isinstance(exc, HallError) else str(exc)
            s.rollback()
            doc = docs.authorize_document(s, principal, document_id)
        view = docs.document_view(s, doc, principal)
        polls = _passed_polls(s, doc.meeting_id)
        meeting = get_meeting(s, doc.meeting_id)
        meeting_view = {"id": meeting.id, "title": meeting.title}
    if not view["editable"]:
        return redirect(url_for("documents.detail", document_id=document_id))
    if doc.kind == "resolution":
        draft = view["draft"]
        form = {
            "poll_id": str(draft.get("poll_id", "")),
            "title": draft.get("title", ""),
            "session_line": draft.get("session_line", ""),
            "bases": "\n".join(draft.get("bases", [])),
            "considering": draft.get("considering", ""),
            "articles": "\n\n".join(draft.get("articles", [])),
            "recipients": "\n".join(draft.get("recipients", [])),
        }
        return (
            render_template(
                "documents/resolution_form.html", meeting=meeting_view, polls=polls, form=form,
                error=error, action=url_for("documents.edit", document_id=document_id),
                document=view,
            ),
            400 if error else 200,
        )
    return (
        render_template("documents/minutes_form.html", document=view, meeting=meeting_view,
                        error=error),
        400 if error else 200,
    )


@bp.get("/documents/<int:document_id>")
@staff_required(*_STAFF)
def detail(document_id: int, *, error: str | None = None, status: int = 200,
           remote: dict[str, Any] | None = None) -> Any:
    """A document: the current file, the signing steps, the history of versions."""
    principal = _principal()
    with database().session() as s:
        doc = docs.authorize_document(s, principal, document_id)
        view = docs.document_view(s, doc, principal)
        meeting = get_meeting(s, doc.meeting_id)
        meeting_view = {"id": meeting.id, "title": meeting.title}
        latest = docs.latest_version(s, doc)
        report = verification.verify_bytes(latest.content, document_settings()) if view["steps"][0]["done"] else None
        user = s.get(StaffUser, principal.user_id)
        key_kind = (user.signing_key or {}).get("type") if user else None
    return (
        render_template(
            "documents/detail.html", document=view, meeting=meeting_view, error=error,
            report=report, remote=remote, key_kind=key_kind,
            server_url=request.host_url.rstrip("/"),
        ),
        status,
    )


def _act(document_id: int, action: Any) -> Any:
    """Run a staff action; on a refused one, show the page again with the reason."""
    with database().session() as s:
        try:
            action(s)
            s.commit()
        except HallError as exc:
            s.rollback()
            return detail.__wrapped__(  # type: ignore[attr-defined]
                document_id, error=translate(exc.message), status=exc.http_status
            )
    return redirect(url_for("documents.detail", document_id=document_id))


@bp.post("/documents/<int:document_id>/sign")
@staff_required(Role.CHAIR, Role.SECRETARY, Role.CLERK)
def sign(document_id: int) -> Any:
    """Sign the next field with the user's server-held key (passphrase or PIN from the form)."""
    principal = _principal()
    with database().session() as s:
        docs.authorize_document(s, principal, document_id)  # the council first, then the form
    payload = parse(DocumentSignIn, {"field": request.form.get("field", ""),
                                     "secret": request.form.get("secret", "")})
    settings = document_settings()
    return _act(
        document_id,
        lambda s: signing_flow.sign(s, principal, document_id, field_name=payload.field,
                                    secret=payload.secret, settings=settings),
    )


@bp.post("/documents/<int:document_id>/number")
@staff_required(Role.CLERK)
def number(document_id: int) -> Any:
    principal = _principal()
    settings = document_settings()
    return _act(document_id, lambda s: signing_flow.assign_number(s, principal, document_id, settings))


@bp.post("/documents/<int:document_id>/publish")
@staff_required(Role.CLERK, Role.ADMIN)
def publish(document_id: int) -> Any:
    principal = _principal()
    return _act(document_id, lambda s: signing_flow.publish(s, principal, document_id))


@bp.post("/documents/<int:document_id>/remote")
@staff_required(Role.CHAIR, Role.SECRETARY, Role.CLERK)
def remote(document_id: int) -> Any:
    """A one-time code for signing with a USB token on the signer's own PC."""
    principal = _principal()
    field_name = request.form.get("field", "")
    with database().session() as s:
        try:
            code, signing_request = signing_flow.new_signing_request(
                s, principal, document_id, field_name
            )
            s.commit()
        except HallError as exc:
            s.rollback()
            return detail.__wrapped__(  # type: ignore[attr-defined]
                document_id, error=translate(exc.message), status=exc.http_status
            )
        expires = docs.stamp_time(signing_request.expires_at)
    return detail.__wrapped__(  # type: ignore[attr-defined]
        document_id, remote={"code": code, "expires": expires, "field": field_name}
    )


@bp.get("/documents/<int:document_id>/v/<int:version>.pdf")
@staff_required(*_STAFF)
def version_pdf(document_id: int, version: int) -> Response:
    principal = _principal()
    with database().session() as s:
        doc = docs.authorize_document(s, principal, document_id)
        found = docs.get_version(s, doc, version)
        content, digest = found.content, found.sha256
    return pdf_response(content, digest, f"van-ban-{document_id}-v{version}.pdf")
