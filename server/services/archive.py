"""The public archive's read side: a published document, its file and its signing history.

Listing with diacritics-insensitive search, matching an uploaded file to a stored version, and
frozen views of what a citizen may see, so no ORM object leaves this module.
"""
from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sqlalchemy import func

from server.db.models import Council, Document, DocumentVersion, Meeting
from server.domain.errors import NotFound
from server.domain.text import fold
from server.services.common import iso
from server.domain.text import search_terms
from server.services.documents import (
    KIND_LABELS,
    public_summary,
    latest_version,
    stamp_time,
    steps_for,
)

logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class HistoryEntry:
    """One step of a published document's signing flow, as the archive shows it."""

    step: str
    """``sign:<field>`` or ``number``."""
    label: str
    """What the step was, e.g. "Chủ tọa ký"."""
    actor_name: str
    """The staff member who did it (their account's display name)."""
    signer_name: str
    """The name in the signing certificate, for a signature."""
    at: str
    """When, in hall time: ``14:05 ngày 28/11/2026``."""
    at_iso: str | None
    note: str


@dataclass(frozen=True)
class PublicDocument:
    """What the archive tells anyone about a published document."""

    public_id: str
    kind: str
    kind_label: str
    title: str
    number: str | None
    council_name: str
    meeting_title: str
    issued_on: date
    published_at: str
    """In hall time, as people read it."""
    published_at_iso: str | None
    version: int
    """The latest version: the file the archive serves and verifies."""
    sha256: str
    size: int
    history: tuple[HistoryEntry, ...]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["issued_on"] = self.issued_on.isoformat()
        data["history"] = [asdict(entry) for entry in self.history]
        return data


@dataclass(frozen=True)
class PublicFile:
    """The latest version's bytes, with an ASCII file name and its digest (the ETag)."""

    content: bytes
    sha256: str
    filename: str


@dataclass(frozen=True)
class CheckTarget:
    """What the QR verify page may say about a document id: published or not yet."""

    public_id: str
    published: bool
    document: PublicDocument | None
    """Only for a published document; an unpublished one reveals nothing."""
    content: bytes | None
    """The latest version to verify, only for a published document."""


def _require_published(session: Session, public_id: str) -> Document:
    doc = public_document(session, public_id)
    if doc.state != "published":
        raise NotFound("Văn bản này chưa được công bố.", code="document_not_published")
    return doc


def _history(session: Session, doc: Document) -> tuple[HistoryEntry, ...]:
    labels = {step.key: step.label for kind in KIND_LABELS for step in steps_for(kind)}
    labels.update({step.key: step.label for step in steps_for(doc.kind)})
    versions = session.scalars(
        select(DocumentVersion)
        .where(DocumentVersion.document_id == doc.id, DocumentVersion.step != "render")
        .order_by(DocumentVersion.version)
    )
    return tuple(
        HistoryEntry(
            step=v.step,
            label=labels.get(v.step, v.step),
            actor_name=v.actor_name,
            signer_name=v.signer_name,
            at=stamp_time(v.created_at),
            at_iso=iso(v.created_at),
            note=v.note,
        )
        for v in versions
    )


def _view(session: Session, doc: Document) -> PublicDocument:
    latest = latest_version(session, doc)
    meeting = session.get(Meeting, doc.meeting_id)
    return PublicDocument(
        public_id=doc.public_id,
        kind=doc.kind,
        kind_label=KIND_LABELS[doc.kind],
        title=doc.title,
        number=doc.number,
        council_name=doc.council.name,
        meeting_title=meeting.title if meeting else "",
        issued_on=doc.issued_on,
        published_at=stamp_time(doc.published_at),
        published_at_iso=iso(doc.published_at),
        version=latest.version,
        sha256=latest.sha256,
        size=latest.size,
        history=_history(session, doc),
    )


def published_document(session: Session, public_id: str) -> PublicDocument:
    """A published document with its signing history; NotFound if unknown or unpublished."""
    return _view(session, _require_published(session, public_id))


def published_file(session: Session, public_id: str) -> PublicFile:
    """The latest version of a published document; NotFound if unknown or unpublished."""
    doc = _require_published(session, public_id)
    latest = latest_version(session, doc)
    return PublicFile(latest.content, latest.sha256, pdf_filename(doc.kind, doc.number, doc.year))


def check_target(session: Session, public_id: str) -> CheckTarget:
    """What the verify page shows for an id; NotFound only when no document has it."""
    doc = public_document(session, public_id)
    if doc.state != "published":
        return CheckTarget(public_id=doc.public_id, published=False, document=None, content=None)
    latest = latest_version(session, doc)
    return CheckTarget(
        public_id=doc.public_id, published=True, document=_view(session, doc), content=latest.content
    )


def pdf_filename(kind: str, number: str | None, year: int) -> str:
    """An ASCII name for the download: ``nghi-quyet-12-nq-hdnd-2026.pdf``."""
    words = fold(" ".join(part for part in (KIND_LABELS.get(kind, kind), number or "", str(year))))
    stem = _UNSAFE.sub("-", words).strip("-")[:80] or "van-ban"
    return f"{stem}.pdf"


def version_of(session: Session, public_id: str, sha256: str) -> int | None:
    """The version of this document whose bytes have this digest, if one has."""
    doc = public_document(session, public_id)
    found = session.scalar(
        select(DocumentVersion.version).where(
            DocumentVersion.document_id == doc.id, DocumentVersion.sha256 == sha256
        )
    )
    return int(found) if found is not None else None


def match_version(session: Session, data: bytes) -> dict[str, Any] | None:
    """The published document whose version has exactly these bytes, if any."""
    digest = hashlib.sha256(data).hexdigest()
    row = session.execute(
        select(DocumentVersion, Document)
        .join(Document, Document.id == DocumentVersion.document_id)
        .where(DocumentVersion.sha256 == digest)
        .limit(1)
    ).first()
    if row is None:
        return None
    version, doc = row
    latest = latest_version(session, doc)
    return {
        "published": doc.state == "published",
        "document": public_summary(doc) if doc.state == "published" else None,
        "version": version.version,
        "latest": version.version == latest.version,
    }


def public_documents(
    session: Session,
    *,
    council_id: int | None = None,
    year: int | None = None,
    kind: str | None = None,
    query: str = "",
    page: int = 1,
    per_page: int = 30,
) -> dict[str, Any]:
    """Published documents, newest first; ``query`` matches without diacritics."""
    stmt = select(Document, Council.name).join(Council, Council.id == Document.council_id).where(
        Document.state == "published"
    )
    if council_id is not None:
        stmt = stmt.where(Document.council_id == council_id)
    if year is not None:
        stmt = stmt.where(Document.year == year)
    if kind in KIND_LABELS:
        stmt = stmt.where(Document.kind == kind)
    for term in search_terms(query)[:8]:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(Document.search_text.like(f"%{escaped}%", escape="\\"))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    page = max(1, page)
    rows = session.execute(
        stmt.order_by(Document.year.desc(), Document.number_seq.desc(), Document.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return {
        "total": int(total),
        "page": page,
        "per_page": per_page,
        "documents": [
            {**public_summary(doc), "council_name": name, "published_at": iso(doc.published_at)}
            for doc, name in rows
        ],
    }


def public_facets(session: Session) -> dict[str, Any]:
    """The councils and years that have published documents, for the archive's filters."""
    councils = session.execute(
        select(Council.id, Council.name)
        .join(Document, Document.council_id == Council.id)
        .where(Document.state == "published")
        .distinct()
        .order_by(Council.name)
    ).all()
    years = session.scalars(
        select(Document.year).where(Document.state == "published").distinct()
        .order_by(Document.year.desc())
    ).all()
    return {"councils": [{"id": i, "name": n} for i, n in councils], "years": list(years)}


def public_document(session: Session, public_id: str) -> Document:
    doc = session.scalar(select(Document).where(Document.public_id == public_id))
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.", code="document_not_found")
    return doc
