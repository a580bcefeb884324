"""Render the vote-result record, the minutes and the resolution as A4 PDFs in the Decree
30/2020/NĐ-CP layout.

Each document is first described as a :class:`~signing.render.layout.Document` (headings, body
paragraphs, the signature block; see :mod:`signing.render.documents`); one layout engine
(:mod:`signing.render.layout` on :mod:`signing.render.engine`) draws all three with reportlab.
The form fields the signers need (signature fields in :data:`SIGNING_ORDER`, and a text field
``SoKyHieu`` for a number given after the leader signs) are then added with pyHanko
(:mod:`signing.render.fields`), because reportlab cannot create signature fields.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from signing.fonts import register_fonts
from signing.records import MinutesRecord, ResolutionRecord, VoteRecord
from signing.render.constants import (
    DOCUMENT_CODES,
    NUMBER_FIELD,
    SEAL_FIELD,
    SIGNATURE_FIELDS,
    SIGNING_ORDER,
)
from signing.render.constants import NUMBER_CODE as NUMBER_CODE
from signing.render.documents import (
    minutes_document,
    resolution_document,
    vote_record_document,
)
from signing.render.engine import MARGINS, Box, Layout
from signing.render.fields import add_fields
from signing.render.layout import Document, draw_document

__all__ = [
    "DOCUMENT_CODES",
    "MARGINS",
    "NUMBER_FIELD",
    "SEAL_FIELD",
    "SIGNATURE_FIELDS",
    "SIGNING_ORDER",
    "Record",
    "RenderedRecord",
    "document_kind",
    "render_document",
    "render_minutes",
    "render_resolution",
    "render_vote_record",
    "render_vote_record_with_fields",
]

logger = logging.getLogger(__name__)

Record = VoteRecord | MinutesRecord | ResolutionRecord
"""Any of the three documents the hall signs."""


@dataclass(frozen=True)
class RenderedRecord:
    """A rendered document and where its fields are."""

    pdf: bytes
    """The PDF, with its form fields."""
    page_count: int
    """The number of pages."""
    field_page: int
    """The 0-based page index holding the signature fields: the page of the signature block,
    which is always the last page."""
    field_boxes: dict[str, Box]
    """Field name → (x1, y1, x2, y2) in PDF points on ``field_page``; the number field, when
    present, is on page 0."""
    kind: str = "vote_record"
    """``"vote_record"``, ``"minutes"`` or ``"resolution"``."""

    @property
    def signing_order(self) -> tuple[str, ...]:
        """The signature fields of this document, in the order they are signed."""
        return SIGNING_ORDER[self.kind]


def document_kind(record: Record) -> str:
    """``"vote_record"``, ``"minutes"`` or ``"resolution"``: the key into :data:`SIGNING_ORDER`."""
    if isinstance(record, VoteRecord):
        return "vote_record"
    if isinstance(record, MinutesRecord):
        return "minutes"
    if isinstance(record, ResolutionRecord):
        return "resolution"
    raise TypeError(f"Cannot render a {type(record).__name__}: not a record of the hall.")


def render_document(record: Record) -> RenderedRecord:
    """Render any of the three documents, with its fields."""
    if isinstance(record, VoteRecord):
        return render_vote_record_with_fields(record)
    if isinstance(record, MinutesRecord):
        return render_minutes(record)
    if isinstance(record, ResolutionRecord):
        return render_resolution(record)
    raise TypeError(f"Cannot render a {type(record).__name__}: not a record of the hall.")


def render_vote_record(record: VoteRecord) -> bytes:
    """The record as a PDF with its signature fields (and number field when unnumbered)."""
    return render_vote_record_with_fields(record).pdf


def render_vote_record_with_fields(record: VoteRecord) -> RenderedRecord:
    """The vote-result record as a PDF, with the pages and boxes of its form fields."""
    return _render(vote_record_document(record))


def render_minutes(record: MinutesRecord) -> RenderedRecord:
    """The minutes of a meeting as a PDF, with the pages and boxes of its form fields."""
    return _render(minutes_document(record))


def render_resolution(record: ResolutionRecord) -> RenderedRecord:
    """A resolution as a PDF, with the pages and boxes of its form fields."""
    return _render(resolution_document(record))


def _render(document: Document) -> RenderedRecord:
    buffer = io.BytesIO()
    layout = Layout(Canvas(buffer, pagesize=A4, pageCompression=1), register_fonts())
    layout.canvas.setTitle(document.pdf_title)
    layout.canvas.setAuthor(document.council_name)
    signature_boxes, number_box = draw_document(layout, document)
    field_page = layout.page - 1
    layout.canvas.save()
    pdf = add_fields(buffer.getvalue(), document.kind, field_page, signature_boxes, number_box)
    boxes = dict(signature_boxes)
    if number_box is not None:
        boxes[NUMBER_FIELD] = number_box
    return RenderedRecord(pdf, layout.page, field_page, boxes, document.kind)
