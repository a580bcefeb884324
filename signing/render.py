"""Render the vote-result record, the minutes and the resolution as A4 PDFs in the Decree
30/2020/NĐ-CP layout.

Each document is first described as a :class:`_Document` (headings, body paragraphs, the
signature block); one layout engine draws all three with reportlab. The form fields the signers
need (signature fields in :data:`SIGNING_ORDER`, and a text field ``SoKyHieu`` for a number given
after the leader signs) are then added with pyHanko, because reportlab cannot create signature
fields.
"""

from __future__ import annotations

import datetime
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigFieldSpec, append_signature_field
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import units
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from signing.fonts import FontSet, register_fonts
from signing.records import (
    MinutesItem,
    MinutesPoll,
    MinutesRecord,
    ResolutionRecord,
    VoteRecord,
)

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

SIGNING_ORDER: dict[str, tuple[str, ...]] = {
    "vote_record": ("ChuToa", "ThuKy", "DauCoQuan"),
    "minutes": ("ChuToa", "ThuKy", "DauCoQuan"),
    "resolution": ("ChuTich", "DauCoQuan"),
}
"""Signature fields per document kind, in signing order: the first certifies, the office seal
(``DauCoQuan``, the clerk with the organisation's certificate, after numbering) comes last."""
SIGNATURE_FIELDS: tuple[str, ...] = SIGNING_ORDER["vote_record"]
"""The signature fields of a vote-result record, in signing order (the chair certifies)."""
SEAL_FIELD = "DauCoQuan"
"""The office seal's signature field, over the left part of the leader's signature."""
NUMBER_FIELD = "SoKyHieu"
"""The text field over the blank of the number, present only when the document is unnumbered."""
DOCUMENT_CODES: dict[str, str] = {
    "vote_record": "/BB-HĐND",
    "minutes": "/BB-HĐND",
    "resolution": "/NQ-HĐND",
}
"""The code printed after the number (or its blank), per document kind."""
NUMBER_CODE = DOCUMENT_CODES["vote_record"]
"""The code printed after the blank of an unnumbered vote-result record."""

mm: float = units.mm
PAGE_WIDTH: float = A4[0]
PAGE_HEIGHT: float = A4[1]
MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 15 * mm}
"""Page margins in points (Decree 30: top and bottom 20–25 mm, left 30–35, right 15–20)."""
_LEFT = MARGINS["left"]
_RIGHT = PAGE_WIDTH - MARGINS["right"]
_WIDTH = _RIGHT - _LEFT
_COLUMN: float = _WIDTH / 2
_HEADER_LEFT_WIDTH = 68 * mm
_FIELD_WIDTH, _FIELD_HEIGHT = 70 * mm, 28 * mm
# Two signers side by side leave no room beside a 70 mm leader's box for the seal, so the
# columns narrow: the secretary's on the left, the leader's flush right, the seal between.
_NARROW_COLUMN, _NARROW_FIELD = 64 * mm, 60 * mm
_SEAL_WIDTH = 38 * mm
_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_BODY_SIZE = 13.0
_INDENT = 10 * mm
_COUNCIL_PREFIX = "HỘI ĐỒNG NHÂN DÂN"
_RECORD_RECIPIENTS = ("- Thường trực HĐND;", "- Lưu: VT.")
_QR_SIZE = 20 * mm
_NOUNS = {"vote_record": "biên bản", "minutes": "biên bản", "resolution": "nghị quyết"}

Box = tuple[float, float, float, float]

# pyHanko's PDF object constructors are unannotated; these typed names keep mypy strict here.
_dict_object: Callable[..., generic.DictionaryObject] = generic.DictionaryObject
_float_object: Callable[[float], generic.FloatObject] = generic.FloatObject
_number_object: Callable[[int], generic.NumberObject] = generic.NumberObject


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


@dataclass(frozen=True)
class _Para:
    """One body paragraph: reportlab markup, a style name of :meth:`_Layout.styles`, and
    whether it must start on the same page as the next one (a heading)."""

    markup: str
    style: str = "body"
    keep_with_next: bool = False


@dataclass(frozen=True)
class _Signer:
    heading: str
    """Markup of the heading over the signature, e.g. ``"CHỦ TỌA"``."""
    field: str
    name: str


@dataclass(frozen=True)
class _Document:
    """A document as the layout engine sees it."""

    kind: str
    council_name: str
    locality: str
    number: str | None
    date: datetime.date
    pdf_title: str
    title: tuple[str, ...]
    """Markup lines of the bold centred title; a short rule is drawn under the last one."""
    body: tuple[_Para, ...]
    """The body; the last paragraph stays on the page of the signatures."""
    left: _Signer | None
    """The left signature column; ``None`` puts "Nơi nhận:" there instead."""
    right: _Signer
    """The right signature column: the leader, whose signature the office seal covers."""
    recipients: tuple[str, ...]
    verify_url: str | None


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
    return _render(_vote_record_document(record))


def render_minutes(record: MinutesRecord) -> RenderedRecord:
    """The minutes of a meeting as a PDF, with the pages and boxes of its form fields."""
    return _render(_minutes_document(record))


def render_resolution(record: ResolutionRecord) -> RenderedRecord:
    """A resolution as a PDF, with the pages and boxes of its form fields."""
    return _render(_resolution_document(record))


# --- The three documents -------------------------------------------------------------------


def _vote_record_document(record: VoteRecord) -> _Document:
    body = [_Para(text) for text in _vote_body_lines(record)]
    verdict = record.verdict.strip() or (
        "THÔNG QUA" if record.passed else "KHÔNG THÔNG QUA"
    )
    body.append(_Para(escape(f"Kết quả: {verdict}."), "bold"))
    if not record.secret:
        names = _names(record.present_not_voted) or "Không có"
        body.append(_Para(f"Đại biểu có mặt không biểu quyết: {escape(names)}."))
    body.append(
        _Para(
            f"Biên bản được lập hồi {_time(record.closed_at)}, ngày {_day(record.closed_at)}, "
            "ngay sau khi kết thúc biểu quyết."
        )
    )
    return _Document(
        kind="vote_record",
        council_name=record.council_name,
        locality=record.locality,
        number=record.number,
        date=record.date,
        pdf_title=f"Biên bản kết quả biểu quyết - {record.agenda_item}",
        title=("BIÊN BẢN<br/>KẾT QUẢ BIỂU QUYẾT", escape(_about(record.agenda_item))),
        body=tuple(body),
        left=_Signer("THƯ KÝ", "ThuKy", record.secretary_name),
        right=_Signer("CHỦ TỌA", "ChuToa", record.chair_name),
        recipients=_RECORD_RECIPIENTS,
        verify_url=record.verify_url,
    )


def _vote_body_lines(record: VoteRecord) -> list[str]:
    lines = [
        f"Kỳ họp: {escape(record.meeting_title)}.",
        f"Địa điểm: {escape(record.place)}.",
        f"Thời gian biểu quyết: {_span(record.opened_at, record.closed_at)}.",
        f"Nội dung biểu quyết: {escape(record.question)}",
        (
            f"Hình thức: {'bỏ phiếu kín' if record.secret else 'biểu quyết công khai'}; "
            f"điều kiện thông qua: {escape(_lower_first(record.rule_label))}."
        ),
        f"Tổng số đại biểu Hội đồng nhân dân: {record.total} đại biểu.",
    ]
    lines.extend(f"- {escape(line)}" for line in record.lines)
    return lines


def _minutes_document(record: MinutesRecord) -> _Document:
    absent = _names(record.absent) or "Không có"
    body = [
        _Para(f"Kỳ họp: {escape(record.meeting_title)}."),
        _Para(f"Địa điểm: {escape(record.place)}."),
        _Para(f"Thời gian: {_span(record.opened_at, record.closed_at)}."),
        _Para(
            f"Tổng số đại biểu Hội đồng nhân dân: {record.total} đại biểu; có mặt: "
            f"{record.present} đại biểu; vắng mặt: {record.total - record.present} đại biểu."
        ),
        _Para(f"Đại biểu vắng mặt: {escape(absent)}."),
        _Para(escape(record.quorum_line)),
        _Para(
            f"Chủ tọa: {escape(_name(record.chair_name))}. "
            f"Thư ký: {escape(_name(record.secretary_name))}."
        ),
        _Para("NỘI DUNG VÀ DIỄN BIẾN KỲ HỌP", "heading", keep_with_next=True),
    ]
    for number, item in enumerate(record.items, start=1):
        body.extend(_minutes_item(number, item))
    if record.corrections:
        body.append(_Para("Đính chính trong kỳ họp:", "bold", keep_with_next=True))
        for correction in record.corrections:
            when = (
                ""
                if correction.at is None
                else f"; lúc {_time(correction.at)}, ngày {_day(correction.at)}"
            )
            body.append(
                _Para(
                    f"- {escape(correction.what)} (lý do: "
                    f"{escape(_lower_first(correction.reason))}{when})."
                )
            )
    if record.notes.strip():
        body.append(_Para("Ghi chú của thư ký:", "bold", keep_with_next=True))
        body.extend(_Para(escape(part)) for part in _paragraphs(record.notes))
    body.append(
        _Para(
            f"Kỳ họp bế mạc hồi {_time(record.closed_at)}, ngày {_day(record.closed_at)}."
        )
    )
    return _Document(
        kind="minutes",
        council_name=record.council_name,
        locality=record.locality,
        number=record.number,
        date=record.date,
        pdf_title=f"Biên bản kỳ họp - {record.meeting_title}",
        title=("BIÊN BẢN KỲ HỌP", escape(_name(record.meeting_title))),
        body=tuple(body),
        left=_Signer("THƯ KÝ", "ThuKy", record.secretary_name),
        right=_Signer("CHỦ TỌA", "ChuToa", record.chair_name),
        recipients=_RECORD_RECIPIENTS,
        verify_url=record.verify_url,
    )


def _minutes_item(number: int, item: MinutesItem) -> list[_Para]:
    paras = [_Para(f"{number}. {escape(_name(item.title))}", "item", keep_with_next=True)]
    if item.presenter.strip():
        paras.append(_Para(f"Trình bày: {escape(_name(item.presenter))}."))
    paras.extend(_Para(escape(part)) for part in _paragraphs(item.summary))
    if item.speakers:
        paras.append(_Para("Ý kiến phát biểu:", keep_with_next=True))
        paras.extend(_Para(f"- {escape(_name(speaker))}") for speaker in item.speakers)
    for poll in item.polls:
        paras.extend(_minutes_poll(poll))
    return paras


def _minutes_poll(poll: MinutesPoll) -> list[_Para]:
    form = "bỏ phiếu kín" if poll.secret else "biểu quyết công khai"
    paras = [
        _Para(f"Biểu quyết ({form}): {escape(_name(poll.question))}", keep_with_next=True)
    ]
    paras.extend(_Para(f"- {escape(line)}") for line in poll.lines)
    if poll.annulled:
        reason = poll.annul_reason.strip()
        why = f" (lý do: {escape(_lower_first(reason))})" if reason else ""
        paras.append(_Para(f"Kết quả: Đã hủy{why}.", "bold"))
    else:
        verdict = poll.verdict.strip() or (
            "THÔNG QUA" if poll.passed else "KHÔNG THÔNG QUA"
        )
        paras.append(_Para(escape(f"Kết quả: {verdict}."), "bold"))
    return paras


def _resolution_document(record: ResolutionRecord) -> _Document:
    body = [
        _Para(escape(_name(record.council_name).upper()), "centre"),
        _Para(escape(_name(record.meeting_title).upper()), "centre_last"),
    ]
    for basis in record.bases:
        text = _name(basis).rstrip(";.")
        if not text.casefold().startswith("căn cứ"):
            text = f"Căn cứ {text}"  # what follows is a law's proper name: keep its case
        body.append(_Para(f"{escape(text)};", "italic"))
    if record.considering.strip():
        text = _name(record.considering).rstrip(";.")
        body.append(_Para(f"{escape(text)}.", "italic"))
    body.append(_Para("QUYẾT NGHỊ:", "centre_spaced", keep_with_next=True))
    for number, article in enumerate(record.articles, start=1):
        first, *rest = _paragraphs(article) or [""]
        body.append(_Para(f"<b>Điều {number}.</b> {escape(first)}"))
        body.extend(_Para(escape(part)) for part in rest)
    body.append(_Para(escape(_name(record.adoption))))
    return _Document(
        kind="resolution",
        council_name=record.council_name,
        locality=record.locality,
        number=record.number,
        date=record.date,
        pdf_title=f"Nghị quyết - {record.title}",
        title=("NGHỊ QUYẾT", escape(_name(record.title))),
        body=tuple(body),
        left=None,
        right=_Signer("TM. HỘI ĐỒNG NHÂN DÂN<br/>CHỦ TỊCH", "ChuTich", record.chair_name),
        recipients=tuple(record.recipients),
        verify_url=record.verify_url,
    )


# --- The layout engine ---------------------------------------------------------------------


def _render(document: _Document) -> RenderedRecord:
    buffer = io.BytesIO()
    layout = _Layout(Canvas(buffer, pagesize=A4, pageCompression=1), register_fonts())
    layout.canvas.setTitle(document.pdf_title)
    layout.canvas.setAuthor(document.council_name)
    number_box = _draw_header(layout, document)
    _draw_title(layout, document)
    _draw_body(layout, document)
    signature_boxes = _draw_closing(layout, document)
    field_page = layout.page - 1
    layout.canvas.save()
    pdf = _add_fields(buffer.getvalue(), document.kind, field_page, signature_boxes, number_box)
    boxes = dict(signature_boxes)
    if number_box is not None:
        boxes[NUMBER_FIELD] = number_box
    return RenderedRecord(pdf, layout.page, field_page, boxes, document.kind)


class _Layout:
    """A canvas with a cursor running down the page, turning the page when text would not fit."""

    def __init__(self, canvas: Canvas, fonts: FontSet) -> None:
        self.canvas = canvas
        self.fonts = fonts
        self.page = 1
        self.y: float = PAGE_HEIGHT - MARGINS["top"]
        self.styles = {
            "body": self.style(_BODY_SIZE, indent=_INDENT),
            "bold": self.style(_BODY_SIZE, bold=True, indent=_INDENT),
            "italic": self.style(_BODY_SIZE, italic=True, indent=_INDENT),
            "item": self.style(_BODY_SIZE, bold=True, indent=_INDENT, before=4),
            "heading": self.style(_BODY_SIZE, bold=True, align=TA_LEFT, before=4, after=6),
            "centre": self.style(14, bold=True, align=TA_CENTER, after=0),
            "centre_last": self.style(14, bold=True, align=TA_CENTER, after=12),
            "centre_spaced": self.style(14, bold=True, align=TA_CENTER, before=6, after=8),
        }

    def style(
        self,
        size: float,
        *,
        bold: bool = False,
        italic: bool = False,
        align: int = TA_JUSTIFY,
        indent: float = 0.0,
        after: float = 6.0,
        before: float = 0.0,
    ) -> ParagraphStyle:
        return ParagraphStyle(
            "record",
            fontName=self.face(bold=bold, italic=italic),
            fontSize=size,
            leading=size * 1.2,
            alignment=align,
            firstLineIndent=indent,
            spaceAfter=after,
            splitLongWords=True,
            spaceBefore=before,
        )

    def face(self, *, bold: bool = False, italic: bool = False) -> str:
        if bold and italic:
            return self.fonts.bold_italic or self.fonts.bold
        if italic:
            return self.fonts.italic or self.fonts.regular
        return self.fonts.bold if bold else self.fonts.regular

    def paragraph(
        self, markup: str, style: ParagraphStyle, *, x: float, width: float, y: float
    ) -> float:
        """Draw ``markup`` at a fixed place with its top at ``y``; return its bottom."""
        para = Paragraph(markup, style)
        bottom = y - float(para.wrap(width, PAGE_HEIGHT)[1])
        para.drawOn(self.canvas, x, bottom)
        return bottom

    def flow(self, markup: str, style: ParagraphStyle) -> None:
        """Draw ``markup`` at the cursor across the text width, splitting it over pages."""
        para = Paragraph(markup, style)
        if not self.at_top():
            self.y -= style.spaceBefore
        while True:
            room = self.y - MARGINS["bottom"]
            height = float(para.wrap(_WIDTH, room)[1])
            if height <= room:
                para.drawOn(self.canvas, _LEFT, self.y - height)
                self.y -= height + style.spaceAfter
                return
            parts = para.split(_WIDTH, room)
            if len(parts) < 2:
                if self.at_top():  # taller than a page and unsplittable: let it overflow
                    para.drawOn(self.canvas, _LEFT, self.y - height)
                    self.y -= height + style.spaceAfter
                    return
                self.new_page()
                continue
            first, para = parts[0], parts[1]
            first_height = float(first.wrap(_WIDTH, room)[1])
            first.drawOn(self.canvas, _LEFT, self.y - first_height)
            self.new_page()

    def height(self, markup: str, style: ParagraphStyle, width: float = _WIDTH) -> float:
        return float(Paragraph(markup, style).wrap(width, PAGE_HEIGHT)[1])

    def at_top(self) -> bool:
        return self.y >= PAGE_HEIGHT - MARGINS["top"] - 1

    def ensure(self, height: float) -> None:
        if self.y - height < MARGINS["bottom"] and not self.at_top():
            self.new_page()

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        # Decree 30: pages from the second on are numbered at the top centre.
        self.canvas.setFont(self.fonts.regular, 13)
        self.canvas.drawCentredString(PAGE_WIDTH / 2, PAGE_HEIGHT - 12 * mm, str(self.page))
        self.y = PAGE_HEIGHT - MARGINS["top"]

    def rule(self, centre: float, y: float, length: float) -> None:
        self.canvas.setLineWidth(0.6)
        self.canvas.line(centre - length / 2, y, centre + length / 2, y)


def _draw_header(layout: _Layout, document: _Document) -> Box | None:
    """Issuing body and number on the left, national title and date on the right.

    Returns the box of the number's blank when the document is unnumbered.
    """
    top = layout.y
    left_bottom, number_box = _draw_issuer(layout, document, top)
    right_bottom = _draw_national_title(layout, document, top)
    layout.y = min(left_bottom, right_bottom) - 8 * mm
    return number_box


def _draw_issuer(
    layout: _Layout, document: _Document, top: float
) -> tuple[float, Box | None]:
    fonts, canvas = layout.fonts, layout.canvas
    centre = _LEFT + _HEADER_LEFT_WIDTH / 2
    name = _name(document.council_name)
    if name.upper().startswith(_COUNCIL_PREFIX + " "):
        rest = escape(name[len(_COUNCIL_PREFIX) + 1 :])
        name = f"{name[: len(_COUNCIL_PREFIX)]}<br/>{rest}"
    else:
        name = escape(name)
    style = layout.style(13, bold=True, align=TA_CENTER, after=0)
    bottom = layout.paragraph(name, style, x=_LEFT, width=_HEADER_LEFT_WIDTH, y=top)
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


def _draw_national_title(layout: _Layout, document: _Document, top: float) -> float:
    fonts, canvas = layout.fonts, layout.canvas
    x = _LEFT + _HEADER_LEFT_WIDTH
    centre = (x + _RIGHT) / 2
    canvas.setFont(fonts.bold, 12.5)
    canvas.drawCentredString(centre, top - 12.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    motto = "Độc lập - Tự do - Hạnh phúc"
    canvas.setFont(fonts.bold, 13.5)
    baseline = top - 12.5 - 17
    canvas.drawCentredString(centre, baseline, motto)
    layout.rule(centre, baseline - 5, stringWidth(motto, fonts.bold, 13.5))
    date_line = f"{document.locality}, {_long_date(document.date)}"
    style = layout.style(13.5, italic=True, align=TA_CENTER, after=0)
    return layout.paragraph(
        escape(date_line), style, x=x, width=_RIGHT - x, y=baseline - 4 - 6 * mm
    )


def _draw_title(layout: _Layout, document: _Document) -> None:
    style = layout.style(14, bold=True, align=TA_CENTER, after=2)
    for markup in document.title:
        layout.flow(markup, style)
    # Decree 30: a short rule under the subject (trích yếu), centred on the text width.
    bottom = layout.y + style.spaceAfter
    layout.rule(_LEFT + _WIDTH / 2, bottom - 6, 30 * mm)
    layout.y = bottom - 6 - 6 * mm


def _draw_body(layout: _Layout, document: _Document) -> None:
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


def _draw_closing(layout: _Layout, document: _Document) -> dict[str, Box]:
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
    signer: _Signer

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def _signer_columns(document: _Document) -> list[_Column]:
    """Where each signer goes: the leader on the right, the secretary (if any) on the left."""
    if document.left is None:
        return [_Column(_LEFT + _COLUMN, _COLUMN, _FIELD_WIDTH, document.right)]
    return [
        _Column(_LEFT, _NARROW_COLUMN, _NARROW_FIELD, document.left),
        _Column(_RIGHT - _NARROW_COLUMN, _NARROW_COLUMN, _NARROW_FIELD, document.right),
    ]


def _draw_signatures(layout: _Layout, document: _Document) -> dict[str, Box]:
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
                escape(_name(signer.name)),
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


def _signatures_height(layout: _Layout, document: _Document) -> float:
    heading = layout.style(14, bold=True, align=TA_CENTER, after=0)
    columns = _signer_columns(document)
    heading_height = max(layout.height(c.signer.heading, heading, c.width) for c in columns)
    name_height = max(
        layout.height(escape(_name(c.signer.name)), heading, c.width - 4 * mm) for c in columns
    )
    height = 2 * mm + heading_height + 2 * mm + _FIELD_HEIGHT + 4 * mm + name_height + 6 * mm
    if document.left is None:
        height = max(height, _recipients_height(layout, document) + 2 * mm + 6 * mm)
    return height


def _footer_height(document: _Document) -> float:
    qr = _QR_SIZE if document.verify_url else 0.0
    if document.left is None:
        return qr
    return max(12 + len(document.recipients) * 13, qr)


def _recipients_style(layout: _Layout) -> ParagraphStyle:
    return layout.style(11, align=TA_LEFT, after=0)


def _recipients_height(layout: _Layout, document: _Document) -> float:
    style = _recipients_style(layout)
    width = _recipients_width(document)
    return 12 + sum(layout.height(escape(line), style, width) + 1 for line in document.recipients)


def _recipients_width(document: _Document) -> float:
    # Beside the signatures the list must end before the seal's box.
    if document.left is None:
        return _COLUMN + (_COLUMN - _FIELD_WIDTH) / 2 - _SEAL_WIDTH - 3 * mm
    return _COLUMN


def _draw_recipients(layout: _Layout, document: _Document, top: float) -> float:
    """"Nơi nhận:" and its lines from ``top`` down, on the left; returns the bottom."""
    canvas = layout.canvas
    canvas.setFont(layout.face(bold=True, italic=True), 12)
    canvas.drawString(_LEFT, top - 12, "Nơi nhận:")
    y = top - 14
    style, width = _recipients_style(layout), _recipients_width(document)
    for line in document.recipients:
        y = layout.paragraph(escape(line), style, x=_LEFT, width=width, y=y) - 1
    return y


def _draw_footer(layout: _Layout, document: _Document) -> None:
    """"Nơi nhận:" bottom left (unless beside the signatures); the QR code bottom right."""
    top = layout.y
    if document.left is not None:
        _draw_recipients(layout, document, top)
    if document.verify_url:
        _draw_qr(layout, document, top)


def _draw_qr(layout: _Layout, document: _Document, top: float) -> None:
    assert document.verify_url is not None
    widget = QrCodeWidget(document.verify_url)
    x1, y1, x2, y2 = widget.getBounds()
    size = _QR_SIZE
    drawing = Drawing(size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, layout.canvas, _RIGHT - size, top - size)
    style = layout.style(8, align=TA_RIGHT, after=0)
    text = (
        f"Tra cứu tính toàn vẹn của {_NOUNS[document.kind]}:<br/>"
        f"{escape(document.verify_url)}"
    )
    layout.paragraph(text, style, x=_RIGHT - size - 62 * mm, width=60 * mm, y=top - 4)


# --- Form fields ---------------------------------------------------------------------------


def _add_fields(
    pdf: bytes, kind: str, field_page: int, signatures: dict[str, Box], number: Box | None
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for name in SIGNING_ORDER[kind]:
        spec = SigFieldSpec(sig_field_name=name, on_page=field_page, box=_int_box(signatures[name]))
        append_signature_field(writer, spec)
    if number is not None:
        _add_text_field(writer, NUMBER_FIELD, f"Số của {_NOUNS[kind]}", 0, number)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def _int_box(box: Box) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    return round(x1), round(y1), round(x2), round(y2)


def _add_text_field(
    writer: IncrementalPdfFileWriter, name: str, tooltip: str, page_index: int, box: Box
) -> None:
    """A text field (merged with its widget) for the number, appended to /AcroForm /Fields."""
    page_ref = writer.find_page_for_modification(page_index)[0]  # type: ignore[no-untyped-call]
    page = page_ref.get_object()
    font = writer.add_object(
        _dict_object(
            {
                generic.NameObject("/Type"): generic.NameObject("/Font"),
                generic.NameObject("/Subtype"): generic.NameObject("/Type1"),
                generic.NameObject("/BaseFont"): generic.NameObject("/Times-Roman"),
                generic.NameObject("/Encoding"): generic.NameObject("/WinAnsiEncoding"),
            }
        )
    )
    field = _dict_object(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Widget"),
            generic.NameObject("/FT"): generic.NameObject("/Tx"),
            generic.NameObject("/T"): generic.pdf_string(name),
            generic.NameObject("/TU"): generic.pdf_string(tooltip),
            generic.NameObject("/Rect"): generic.ArrayObject([_float_object(v) for v in box]),
            generic.NameObject("/F"): _number_object(4),
            generic.NameObject("/P"): page_ref,
            generic.NameObject("/Q"): _number_object(1),
            generic.NameObject("/DA"): generic.pdf_string("/TiRo 13 Tf 0 g"),
            generic.NameObject("/V"): generic.pdf_string(""),
            generic.NameObject("/AP"): _dict_object(
                {generic.NameObject("/N"): writer.add_object(_empty_appearance(box))}
            ),
        }
    )
    field_ref = writer.add_object(field)
    annots = page.get("/Annots")
    if annots is None:
        page[generic.NameObject("/Annots")] = generic.ArrayObject([field_ref])
    else:
        annots.get_object().append(field_ref)
        if isinstance(annots, generic.IndirectObject):
            writer.mark_update(annots)
    writer.update_container(page)
    form = writer.root["/AcroForm"]
    form["/Fields"].append(field_ref)
    resources = form.setdefault(generic.NameObject("/DR"), _dict_object())
    fonts = resources.setdefault(generic.NameObject("/Font"), _dict_object())
    fonts[generic.NameObject("/TiRo")] = font
    writer.update_container(form)


def _empty_appearance(box: Box) -> generic.StreamObject:
    x1, y1, x2, y2 = box
    return generic.StreamObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/XObject"),
            generic.NameObject("/Subtype"): generic.NameObject("/Form"),
            generic.NameObject("/BBox"): generic.ArrayObject(
                [_float_object(0), _float_object(0), _float_object(x2 - x1), _float_object(y2 - y1)]
            ),
            generic.NameObject("/Resources"): _dict_object(),
        },
        stream_data=b"/Tx BMC EMC",
    )


# --- Words ---------------------------------------------------------------------------------


def _local(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(_TZ)


def _time(moment: datetime.datetime) -> str:
    local = _local(moment)
    return f"{local.hour} giờ {local.minute:02d} phút"


def _day(moment: datetime.datetime) -> str:
    return f"{_local(moment):%d/%m/%Y}"


def _span(start: datetime.datetime, end: datetime.datetime) -> str:
    opened, closed = _local(start), _local(end)
    if opened.date() == closed.date():
        return f"từ {_time(opened)} đến {_time(closed)}, ngày {opened:%d/%m/%Y}"
    return (
        f"từ {_time(opened)} ngày {opened:%d/%m/%Y} "
        f"đến {_time(closed)} ngày {closed:%d/%m/%Y}"
    )


def _long_date(day: datetime.date) -> str:
    # Decree 30: days below 10 and months below 3 take a leading zero.
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _name(text: str) -> str:
    return " ".join(text.split())


def _names(names: Sequence[str]) -> str:
    return ", ".join(_name(name) for name in names if name.strip())


def _paragraphs(text: str) -> list[str]:
    """Non-empty lines of ``text``, whitespace collapsed: one paragraph each."""
    return [_name(line) for line in text.splitlines() if line.strip()]


def _about(item: str) -> str:
    item = _name(item)
    if item.casefold().startswith("về "):
        return item[:1].upper() + item[1:]
    return f"Về {_lower_first(item)}"


def _lower_first(text: str) -> str:
    text = _name(text)
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
