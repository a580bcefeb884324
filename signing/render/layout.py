"""The Decree 30/2020/NĐ-CP page layout shared by the three documents: the issuing body and
number, the national title and date, the title, the body, the signatures with the office seal,
"Nơi nhận" and the QR code for verification.

A document reaches this module as a :class:`Document`; :func:`draw_document` draws it on a
:class:`~signing.render.engine.Layout` and says where the form fields go.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth

from signing.render.constants import DOCUMENT_CODES, NOUNS, SEAL_FIELD
from signing.render.engine import LEFT, RIGHT, WIDTH, Box, Layout, mm
from signing.render.words import long_date, tidy

__all__ = ["Document", "Para", "Signer", "draw_document"]

_COLUMN: float = WIDTH / 2
_HEADER_LEFT_WIDTH = 68 * mm
_FIELD_WIDTH, _FIELD_HEIGHT = 70 * mm, 28 * mm
# Two signers side by side leave no room beside a 70 mm leader's box for the seal, so the
# columns narrow: the secretary's on the left, the leader's flush right, the seal between.
_NARROW_COLUMN, _NARROW_FIELD = 64 * mm, 60 * mm
_SEAL_WIDTH = 38 * mm
_COUNCIL_PREFIX = "HỘI ĐỒNG NHÂN DÂN"
_QR_SIZE = 20 * mm


@dataclass(frozen=True)
class Para:
    """One body paragraph: reportlab markup, a style name of :attr:`Layout.styles`, and whether
    it must start on the same page as the next one (a heading)."""

    markup: str
    style: str = "body"
    keep_with_next: bool = False


@dataclass(frozen=True)
class Signer:
    heading: str
    """Markup of the heading over the signature, e.g. ``"CHỦ TỌA"``."""
    field: str
    name: str


@dataclass(frozen=True)
class Document:
    """A document as the layout engine sees it."""

    kind: str
    council_name: str
    locality: str
    number: str | None
    date: datetime.date
    pdf_title: str
    title: tuple[str, ...]
    """Markup lines of the bold centred title; a short rule is drawn under the last one."""
    body: tuple[Para, ...]
    """The body; the last paragraph stays on the page of the signatures."""
    left: Signer | None
    """The left signature column; ``None`` puts "Nơi nhận:" there instead."""
    right: Signer
    """The right signature column: the leader, whose signature the office seal covers."""
    recipients: tuple[str, ...]
    verify_url: str | None


def draw_document(layout: Layout, document: Document) -> tuple[dict[str, Box], Box | None]:
    """Draw ``document`` from the top of the first page.

    Returns the boxes of the signature fields (on the last page) and, when the document is
    unnumbered, the box of the number's blank (on the first page).
    """
    number_box = _draw_header(layout, document)
    _draw_title(layout, document)
    _draw_body(layout, document)
    return _draw_closing(layout, document), number_box


def _draw_header(layout: Layout, document: Document) -> Box | None:
    """Issuing body and number on the left, national title and date on the right.

    Returns the box of the number's blank when the document is unnumbered.
    """
    top = layout.y
    left_bottom, number_box = _draw_issuer(layout, document, top)
    right_bottom = _draw_national_title(layout, document, top)
    layout.y = min(left_bottom, right_bottom) - 8 * mm
    return number_box


def _draw_issuer(
    layout: Layout, document: Document, top: float
) -> tuple[float, Box | None]:
    fonts, canvas = layout.fonts, layout.canvas
    centre = LEFT + _HEADER_LEFT_WIDTH / 2
    name = tidy(document.council_name)
    if name.upper().startswith(_COUNCIL_PREFIX + " "):
        rest = escape(name[len(_COUNCIL_PREFIX) + 1 :])
        name = f"{name[: len(_COUNCIL_PREFIX)]}<br/>{rest}"
    else:
        name = escape(name)
    style = layout.style(13, bold=True, align=TA_CENTER, after=0)
    bottom = layout.paragraph(name, style, x=LEFT, width=_HEADER_LEFT_WIDTH, y=top)
    layout.rule(centre, bottom - 4, 22 * mm)
    baseline = bottom - 4 - 6 * mm
    canvas.setFont(fonts.regular, 13)
    if document.number is not None:
        canvas.drawCentredString(centre, baseline, f"Số: {document.number}")
        return baseline - 4, None
    code = DOCUMENT_CODES[document.kind]
    prefix, blank = "Số: ", 16 * mm
    width = stringWidth(prefix, fonts.regular, 13) + blank + stringWidth(code, fonts.regular, 13)
    start = centre - width / 2
    canvas.drawString(start, baseline, prefix)
    blank_x = start + stringWidth(prefix, fonts.regular, 13)
    canvas.drawString(blank_x + blank, baseline, code)
    return baseline - 4, (blank_x, baseline - 3, blank_x + blank, baseline + 11)


def _draw_national_title(layout: Layout, document: Document, top: float) -> float:
    fonts, canvas = layout.fonts, layout.canvas
    x = LEFT + _HEADER_LEFT_WIDTH
    centre = (x + RIGHT) / 2
    canvas.setFont(fonts.bold, 12.5)
    canvas.drawCentredString(centre, top - 12.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    motto = "Độc lập - Tự do - Hạnh phúc"
    canvas.setFont(fonts.bold, 13.5)
    baseline = top - 12.5 - 17
    canvas.drawCentredString(centre, baseline, motto)
    layout.rule(centre, baseline - 5, stringWidth(motto, fonts.bold, 13.5))
    date_line = f"{document.locality}, {long_date(document.date)}"
    style = layout.style(13.5, italic=True, align=TA_CENTER, after=0)
    return layout.paragraph(
        escape(date_line), style, x=x, width=RIGHT - x, y=baseline - 4 - 6 * mm
    )


def _draw_title(layout: Layout, document: Document) -> None:
    style = layout.style(14, bold=True, align=TA_CENTER, after=2)
    for markup in document.title:
        layout.flow(markup, style)
    # Decree 30: a short rule under the subject (trích yếu), centred on the text width.
    bottom = layout.y + style.spaceAfter
    layout.rule(LEFT + WIDTH / 2, bottom - 6, 30 * mm)
    layout.y = bottom - 6 - 6 * mm


def _draw_body(layout: Layout, document: Document) -> None:
    """Every paragraph but the last; headings move to the next page with what follows."""
    paras = document.body[:-1]
    for index, para in enumerate(paras):
        style = layout.styles[para.style]
        if para.keep_with_next and index + 1 < len(paras):
            following = paras[index + 1]
            next_style = layout.styles[following.style]
            # Keep the heading with the first two lines of what follows.
            needed = layout.height(para.markup, style) + style.spaceAfter
            needed += min(
                layout.height(following.markup, next_style), 2 * next_style.leading
            )
            layout.ensure(needed)
        layout.flow(para.markup, style)


def _draw_closing(layout: Layout, document: Document) -> dict[str, Box]:
    """The last paragraph, the signatures, "Nơi nhận" and the QR code, on one page.

    The signature page carries some of the text, never the signatures alone.
    """
    last = document.body[-1]
    style = layout.styles[last.style]
    layout.ensure(
        layout.height(last.markup, style)
        + style.spaceAfter
        + _signatures_height(layout, document)
        + _footer_height(document)
    )
    layout.flow(last.markup, style)
    layout.ensure(_signatures_height(layout, document) + _footer_height(document))
    boxes = _draw_signatures(layout, document)
    _draw_footer(layout, document)
    return boxes


@dataclass(frozen=True)
class _Column:
    x: float
    width: float
    field_width: float
    signer: Signer

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def _signer_columns(document: Document) -> list[_Column]:
    """Where each signer goes: the leader on the right, the secretary (if any) on the left."""
    if document.left is None:
        return [_Column(LEFT + _COLUMN, _COLUMN, _FIELD_WIDTH, document.right)]
    return [
        _Column(LEFT, _NARROW_COLUMN, _NARROW_FIELD, document.left),
        _Column(RIGHT - _NARROW_COLUMN, _NARROW_COLUMN, _NARROW_FIELD, document.right),
    ]


def _draw_signatures(layout: Layout, document: Document) -> dict[str, Box]:
    """Each signer's heading, field box and name; the seal's box left of the leader's."""
    heading = layout.style(14, bold=True, align=TA_CENTER, after=0)
    layout.y -= 2 * mm
    top = layout.y
    boxes: dict[str, Box] = {}
    columns = _signer_columns(document)
    box_top = top - max(layout.height(c.signer.heading, heading, c.width) for c in columns)
    box_top -= 2 * mm
    bottoms = []
    for column in columns:
        signer, half = column.signer, column.field_width / 2
        layout.paragraph(signer.heading, heading, x=column.x, width=column.width, y=top)
        boxes[signer.field] = (
            column.centre - half,
            box_top - _FIELD_HEIGHT,
            column.centre + half,
            box_top,
        )
        bottoms.append(
            layout.paragraph(
                escape(tidy(signer.name)),
                heading,
                x=column.x + 2 * mm,
                width=column.width - 4 * mm,
                y=box_top - _FIELD_HEIGHT - 4 * mm,
            )
        )
    boxes[SEAL_FIELD] = _seal_box(boxes[document.right.field])
    if document.left is None:
        bottoms.append(_draw_recipients(layout, document, top))
    layout.y = min(bottoms) - 6 * mm
    return boxes


def _seal_box(leader: Box) -> Box:
    """The office seal's box, touching the left edge of the leader's box.

    Decree 30 puts the seal over the left third of the leader's signature; pyHanko's stamps
    are opaque text, and two overlapping stamps are unreadable, so the seal sits beside it.
    """
    x1, y1, _x2, y2 = leader
    return (x1 - _SEAL_WIDTH, y1, x1, y2)


def _signatures_height(layout: Layout, document: Document) -> float:
    heading = layout.style(14, bold=True, align=TA_CENTER, after=0)
    columns = _signer_columns(document)
    heading_height = max(layout.height(c.signer.heading, heading, c.width) for c in columns)
    name_height = max(
        layout.height(escape(tidy(c.signer.name)), heading, c.width - 4 * mm) for c in columns
    )
    height = 2 * mm + heading_height + 2 * mm + _FIELD_HEIGHT + 4 * mm + name_height + 6 * mm
    if document.left is None:
        height = max(height, _recipients_height(layout, document) + 2 * mm + 6 * mm)
    return height


def _footer_height(document: Document) -> float:
    qr = _QR_SIZE if document.verify_url else 0.0
    if document.left is None:
        return qr
    return max(12 + len(document.recipients) * 13, qr)


def _recipients_style(layout: Layout) -> ParagraphStyle:
    return layout.style(11, align=TA_LEFT, after=0)


def _recipients_height(layout: Layout, document: Document) -> float:
    style = _recipients_style(layout)
    width = _recipients_width(document)
    return 12 + sum(layout.height(escape(line), style, width) + 1 for line in document.recipients)


def _recipients_width(document: Document) -> float:
    # Beside the signatures the list must end before the seal's box.
    if document.left is None:
        return _COLUMN + (_COLUMN - _FIELD_WIDTH) / 2 - _SEAL_WIDTH - 3 * mm
    return _COLUMN


def _draw_recipients(layout: Layout, document: Document, top: float) -> float:
    """"Nơi nhận:" and its lines from ``top`` down, on the left; returns the bottom."""
    canvas = layout.canvas
    canvas.setFont(layout.face(bold=True, italic=True), 12)
    canvas.drawString(LEFT, top - 12, "Nơi nhận:")
    y = top - 14
    style, width = _recipients_style(layout), _recipients_width(document)
    for line in document.recipients:
        y = layout.paragraph(escape(line), style, x=LEFT, width=width, y=y) - 1
    return y


def _draw_footer(layout: Layout, document: Document) -> None:
    """"Nơi nhận:" bottom left (unless beside the signatures); the QR code bottom right."""
    top = layout.y
    if document.left is not None:
        _draw_recipients(layout, document, top)
    if document.verify_url:
        _draw_qr(layout, document, top)


def _draw_qr(layout: Layout, document: Document, top: float) -> None:
    assert document.verify_url is not None
    widget = QrCodeWidget(document.verify_url)
    x1, y1, x2, y2 = widget.getBounds()
    size = _QR_SIZE
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, layout.canvas, RIGHT - size, top - size)
    style = layout.style(8, align=TA_RIGHT, after=0)
    text = (
        f"Tra cứu tính toàn vẹn của {NOUNS[document.kind]}:<br/>"
        f"{escape(document.verify_url)}"
    )
    layout.paragraph(text, style, x=RIGHT - size - 62 * mm, width=60 * mm, y=top - 4)
