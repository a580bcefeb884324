"""Signed documents: vote-result records, minutes and resolutions, and their versions.

A document's files are versions that are never changed: rendering, each signature and the
number each add one. The steps come from the document's signature fields, in order: the chair
certifies, the secretary approves, the clerk gives the number and applies the office seal.
Drafting lives in :mod:`.drafts`, signing in :mod:`.document_signing`.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from server.db.engine import as_utc, utcnow
from server.db.models import Council, Document, DocumentVersion, Meeting, StaffUser
from server.domain.enums import Role
from server.domain.errors import NotFound
from server.domain.text import N_, fold
from server.services.common import Principal, iso, require_staff_scope
from server.services.records import HALL_TZ
from signing.render import SIGNING_ORDER


KIND_CODES = {"vote_record": "BB-HĐND", "minutes": "BB-HĐND", "resolution": "NQ-HĐND"}


KIND_LABELS = {
    "vote_record": N_("Biên bản kết quả biểu quyết"),
    "minutes": N_("Biên bản kỳ họp"),
    "resolution": N_("Nghị quyết"),
}


STATE_LABELS = {
    "draft": N_("Dự thảo"),
    "signing": N_("Đang ký"),
    "signed": N_("Đã ký đủ"),
    "published": N_("Đã công bố"),
}


@dataclass(frozen=True)
class Step:
    """One step of a document's signing flow."""

    key: str
    """``sign:<field>`` or ``number``."""
    field: str | None
    """The signature field, for a signing step."""
    role: Role
    label: str
    """What the step is, as shown to users."""
    reason: str = ""
    """The reason written into the signature."""
    certify: bool = False

    @property
    def is_signature(self) -> bool:
        return self.field is not None


_FIELD_STEPS: dict[str, tuple[Role, str, str]] = {
    "ChuToa": (Role.CHAIR, N_("Chủ tọa ký"), "Chủ tọa kỳ họp ký xác nhận"),
    "ChuTich": (Role.CHAIR, N_("Chủ tịch HĐND ký"), "TM. Hội đồng nhân dân, Chủ tịch ký ban hành"),
    "ThuKy": (Role.SECRETARY, N_("Thư ký ký"), "Thư ký kỳ họp ký xác nhận"),
    "DauCoQuan": (Role.CLERK, N_("Đóng dấu cơ quan"), "Văn thư đóng dấu cơ quan"),
}


def steps_for(kind: str) -> tuple[Step, ...]:
    """The steps of a document kind, in order (the number comes just before the seal)."""
    steps: list[Step] = []
    for index, name in enumerate(SIGNING_ORDER[kind]):
        role, label, reason = _FIELD_STEPS[name]
        if name == "DauCoQuan":
            steps.append(Step("number", None, Role.CLERK, N_("Cấp số văn bản")))
        steps.append(Step(f"sign:{name}", name, role, label, reason, certify=index == 0))
    return tuple(steps)


@dataclass(frozen=True)
class Settings:
    """What signing needs from the server's configuration (no Flask here)."""

    instance_path: Path
    public_base_url: str
    """Where citizens reach the public archive, e.g. ``http://10.0.0.2:5000``."""
    timestamp_url: str | None = None
    trust_roots: tuple[Path, ...] = ()

    def verify_url(self, public_id: str) -> str:
        return f"{self.public_base_url.rstrip('/')}/cong-khai/kiem-tra/{public_id}"


def get_document(session: Session, document_id: int, *, lock: bool = False) -> Document:
    query = select(Document).where(Document.id == document_id)
    if lock:
        query = query.with_for_update()
    doc = session.scalar(query)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found")
    return doc


def _versions(session: Session, doc: Document) -> list[DocumentVersion]:
    return list(
        session.scalars(
            select(DocumentVersion)
            .where(DocumentVersion.document_id == doc.id)
            .order_by(DocumentVersion.version)
        )
    )


def latest_version(session: Session, doc: Document) -> DocumentVersion:
    version = session.scalar(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == doc.id)
        .order_by(DocumentVersion.version.desc())
        .limit(1)
    )
    if version is None:
        raise NotFound("Văn bản chưa có tệp nào.", code="document_not_found")
    return version


def get_version(session: Session, doc: Document, number: int) -> DocumentVersion:
    version = session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == doc.id, DocumentVersion.version == number
        )
    )
    if version is None:
        raise NotFound("Không tìm thấy phiên bản này của văn bản.", code="version_not_found")
    return version


def done_steps(session: Session, doc: Document) -> set[str]:
    return {
        step
        for step in session.scalars(
            select(DocumentVersion.step).where(DocumentVersion.document_id == doc.id)
        )
        if step != "render"
    }


def next_step(session: Session, doc: Document) -> Step | None:
    return _first_missing(doc.kind, done_steps(session, doc))


def _first_missing(kind: str, done: set[str] | dict[str, Any]) -> Step | None:
    """The first step of ``kind`` not in ``done``; None once every step is done."""
    return next((step for step in steps_for(kind) if step.key not in done), None)


def version_view(version: DocumentVersion) -> dict[str, Any]:
    return {
        "version": version.version,
        "step": version.step,
        "field": version.field,
        "sha256": version.sha256,
        "size": version.size,
        "created_at": iso(version.created_at),
        "actor_name": version.actor_name,
        "signer_name": version.signer_name,
        "note": version.note,
    }


def document_view(
    session: Session, doc: Document, principal: Principal | None = None
) -> dict[str, Any]:
    """A document, its versions and its steps, with what ``principal`` may do next."""
    versions = _versions(session, doc)
    done = {v.step: v for v in versions if v.step != "render"}
    upcoming = _first_missing(doc.kind, done)
    steps = []
    for step in steps_for(doc.kind):
        finished = done.get(step.key)
        steps.append(
            {
                "key": step.key,
                "field": step.field,
                "role": step.role.value,
                "label": step.label,
                "done": finished is not None,
                "by": finished.actor_name if finished else None,
                "signer": finished.signer_name if finished else None,
                "at": iso(finished.created_at) if finished else None,
                "current": upcoming is not None and upcoming.key == step.key,
                "mine": (
                    upcoming is not None
                    and upcoming.key == step.key
                    and principal is not None
                    and principal.has_role(step.role)
                ),
            }
        )
    return {
        **summary(doc),
        "meeting_id": doc.meeting_id,
        "poll_id": doc.poll_id,
        "published_at": iso(doc.published_at),
        "editable": doc.kind != "vote_record" and not done,
        "draft": doc.draft,
        "steps": steps,
        "versions": [version_view(v) for v in versions],
    }


def meeting_documents(session: Session, meeting_id: int) -> list[dict[str, Any]]:
    docs = session.scalars(
        select(Document).where(Document.meeting_id == meeting_id).order_by(Document.id)
    )
    return [summary(d) for d in docs]


def summary(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "kind": doc.kind,
        "kind_label": KIND_LABELS[doc.kind],
        "title": doc.title,
        "state": doc.state,
        "state_label": STATE_LABELS[doc.state],
        "number": doc.number,
        "issued_on": doc.issued_on.isoformat(),
        "public_id": doc.public_id,
    }


def public_summary(doc: Document) -> dict[str, Any]:
    """What citizens see of a document: no internal ids."""
    view = summary(doc)
    del view["id"]
    return view


def authorize_document(session: Session, principal: Principal, document_id: int) -> Document:
    """The document, if ``principal`` is staff of its council."""
    doc = get_document(session, document_id)
    require_staff_scope(principal, doc.council_id)
    return doc


def add_version(
    session: Session,
    doc: Document,
    content: bytes,
    *,
    step: str,
    field_name: str | None = None,
    actor: StaffUser | None = None,
    signer_name: str = "",
    note: str = "",
) -> DocumentVersion:
    number = (
        session.scalar(
            select(func.max(DocumentVersion.version)).where(DocumentVersion.document_id == doc.id)
        )
        or 0
    ) + 1
    version = DocumentVersion(
        document_id=doc.id,
        version=number,
        step=step,
        field=field_name,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
        created_at=utcnow(),
        actor_id=actor.id if actor else None,
        actor_name=actor.display_name if actor else "",
        signer_name=signer_name,
        note=note,
    )
    session.add(version)
    session.flush()
    return version


def new_document(
    session: Session,
    meeting: Meeting,
    *,
    kind: str,
    title: str,
    issued_on: date,
    poll_id: int | None = None,
    draft: dict[str, Any] | None = None,
    actor_id: int | None = None,
) -> Document:
    doc = Document(
        council_id=meeting.council_id,
        meeting_id=meeting.id,
        poll_id=poll_id,
        kind=kind,
        code=KIND_CODES[kind],
        title=title,
        state="draft",
        draft=draft or {},
        issued_on=issued_on,
        year=issued_on.year,
        public_id=secrets.token_urlsafe(12),
        created_at=utcnow(),
        created_by=actor_id,
    )
    index_document(doc, meeting.council)
    session.add(doc)
    session.flush()
    return doc


def index_document(doc: Document, council: Council) -> None:
    doc.search_text = fold(
        " ".join(
            part
            for part in (KIND_LABELS[doc.kind], doc.title, doc.number or "", council.name)
            if part
        )
    )


def stamp_time(moment: datetime | None) -> str:
    """A time as people in the hall read it: 14:05 ngày 28/11/2026."""
    value = as_utc(moment)
    if value is None:
        return ""
    return value.astimezone(HALL_TZ).strftime("%H:%M ngày %d/%m/%Y")
