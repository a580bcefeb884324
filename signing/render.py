"""Render the vote-result record as an A4 PDF in the Decree 30/2020/NĐ-CP layout.

The page is drawn with reportlab; the form fields the signers need (signature fields ``ThuKy``
and ``ChuToa``, and a text field ``SoKyHieu`` for a number given after the chair signs) are
then added with pyHanko, because reportlab cannot create signature fields.
"""

from __future__ import annotations

import datetime
import io
import logging
from collections.abc import Callable
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
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from signing.fonts import FontSet, register_fonts
from signing.records import VoteRecord

__all__ = [
    "MARGINS",
    "NUMBER_FIELD",
    "SIGNATURE_FIELDS",
    "RenderedRecord",
    "render_vote_record",
    "render_vote_record_with_fields",
]

logger = logging.getLogger(__name__)

SIGNATURE_FIELDS: tuple[str, ...] = ("ChuToa", "ThuKy")
"""The signature fields of a vote-result record, in signing order (the chair certifies)."""
NUMBER_FIELD = "SoKyHieu"
"""The text field over the blank of the number, present only when the record is unnumbered."""
NUMBER_CODE = "/BB-HĐND"
"""The code printed after the blank of an unnumbered record."""

mm: float = units.mm
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 15 * mm}
"""Page margins in points (Decree 30: top and bottom 20–25 mm, left 30–35, right 15–20)."""
_LEFT = MARGINS["left"]
_RIGHT = PAGE_WIDTH - MARGINS["right"]
_WIDTH = _RIGHT - _LEFT
_HEADER_LEFT_WIDTH = 68 * mm
_FIELD_WIDTH, _FIELD_HEIGHT = 70 * mm, 28 * mm
_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
_BODY_SIZE = 13.0
_COUNCIL_PREFIX = "HỘI ĐỒNG NHÂN DÂN"
_RECIPIENTS = ("- Thường trực HĐND;", "- Lưu: VT.")
_QR_SIZE = 20 * mm

Box = tuple[float, float, float, float]

# pyHanko's PDF object constructors are unannotated; these typed names keep mypy strict here.
_dict_object: Callable[..., generic.DictionaryObject] = generic.DictionaryObject
_float_object: Callable[[float], generic.FloatObject] = generic.FloatObject
_number_object: Callable[[int], generic.NumberObject] = generic.NumberObject


@dataclass(frozen=True)
class RenderedRecord:
    """A rendered record and where its fields are."""

    pdf: bytes
    """The PDF, with its form fields."""
    page_count: int
    """The number of pages."""
    field_page: int
    """The 0-based page index holding the signature fields: always the last page."""
    field_boxes: dict[str, Box]
    """Field name → (x1, y1, x2, y2) in PDF points on ``field_page``; the number field, when
    present, is on page 0."""


def render_vote_record(record: VoteRecord) -> bytes:
    """The record as a PDF with its signature fields (and number field when unnumbered)."""
    return render_vote_record_with_fields(record).pdf


def render_vote_record_with_fields(record: VoteRecord) -> RenderedRecord:
    """The record as a PDF, with the pages and boxes of its form fields for stamping."""
    fonts = register_fonts()
    buffer = io.BytesIO()
    layout = _Layout(Canvas(buffer, pagesize=A4, pageCompression=1), fonts)
    layout.canvas.setTitle(f"Biên bản kết quả biểu quyết - {record.agenda_item}")
    layout.canvas.setAuthor(record.council_name)
    number_box = _draw_header(layout, record)
    _draw_title(layout, record)
    _draw_body(layout, record)
    layout.ensure(_closing_height(layout, record))
    signature_boxes = _draw_signatures(layout, record)
    _draw_recipients(layout, record)
    layout.canvas.save()
    field_page = layout.page - 1
    pdf = _add_fields(buffer.getvalue(), field_page, signature_boxes, number_box)
    boxes = dict(signature_boxes)
    if number_box is not None:
        boxes[NUMBER_FIELD] = number_box
    return RenderedRecord(pdf, layout.page, field_page, boxes)


class _Layout:
    """A canvas with a cursor running down the page, turning the page when text would not fit."""

    def __init__(self, canvas: Canvas, fonts: FontSet) -> None:
        self.canvas = canvas
        self.fonts = fonts
        self.page = 1
        self.y = PAGE_HEIGHT - MARGINS["top"]

    def style(
        self,
        size: float,
        *,
        bold: bool = False,
        italic: bool = False,
        align: int = TA_JUSTIFY,
        indent: float = 0.0,
        after: float = 6.0,
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
        )

    def face(self, *, bold: bool = False, italic: bool = False) -> str:
        if bold and italic:
            return self.fonts.bold_italic or self.fonts.bold
        if italic:
            return self.fonts.italic or self.fonts.regular
        return self.fonts.bold if bold else self.fonts.regular

    def paragraph(
        self,
        markup: str,
        style: ParagraphStyle,
        *,
        x: float = _LEFT,
        width: float = _WIDTH,
        y: float | None = None,
    ) -> float:
        """Draw ``markup`` with its top at ``y`` (default: the cursor); return its bottom."""
        para = Paragraph(markup, style)
        height = float(para.wrap(width, PAGE_HEIGHT)[1])
        top = self.y if y is None else y
        if y is None and top - height < MARGINS["bottom"]:
            self.new_page()
            top = self.y
        para.drawOn(self.canvas, x, top - height)
        bottom = top - height
        if y is None:
            self.y = bottom - style.spaceAfter
        return float(bottom)

    def ensure(self, height: float) -> None:
        if self.y - height < MARGINS["bottom"]:
            self.new_page()

    def new_page(self) -> None:
        self.canvas.showPage()
        self.page += 1
        # Decree 30: pages from the second on are numbered at the top centre.
        self.canvas.setFont(self.fonts.regular, 13)
        self.canvas.drawCentredString(
            PAGE_WIDTH / 2, PAGE_HEIGHT - 12 * mm, str(self.page)
        )
        self.y = PAGE_HEIGHT - MARGINS["top"]

    def rule(self, centre: float, y: float, length: float) -> None:
        self.canvas.setLineWidth(0.6)
        self.canvas.line(centre - length / 2, y, centre + length / 2, y)


def _draw_header(layout: _Layout, record: VoteRecord) -> Box | None:
    """Issuing body and number on the left, national title and date on the right.

    Returns the box of the number's blank when the record is unnumbered.
    """
    top = layout.y
    left_bottom, number_box = _draw_issuer(layout, record, top)
    right_bottom = _draw_national_title(layout, record, top)
    layout.y = min(left_bottom, right_bottom) - 8 * mm
    return number_box


def _draw_issuer(
    layout: _Layout, record: VoteRecord, top: float
) -> tuple[float, Box | None]:
    fonts, canvas = layout.fonts, layout.canvas
    centre = _LEFT + _HEADER_LEFT_WIDTH / 2
    name = " ".join(record.council_name.split())
    if name.upper().startswith(_COUNCIL_PREFIX + " "):
        name = f"{name[: len(_COUNCIL_PREFIX)]}<br/>{escape(name[len(_COUNCIL_PREFIX) + 1 :])}"
    else:
        name = escape(name)
    style = layout.style(13, bold=True, align=TA_CENTER, after=0)
    bottom = layout.paragraph(name, style, x=_LEFT, width=_HEADER_LEFT_WIDTH, y=top)
    layout.rule(centre, bottom - 4, 22 * mm)
    baseline = bottom - 4 - 6 * mm
    canvas.setFont(fonts.regular, 13)
    if record.number is not None:
        canvas.drawCentredString(centre, baseline, f"Số: {record.number}")
        return baseline - 4, None
    prefix, blank = "Số: ", 16 * mm
    width = (
        stringWidth(prefix, fonts.regular, 13)
        + blank
        + stringWidth(NUMBER_CODE, fonts.regular, 13)
    )
    start = centre - width / 2
    canvas.drawString(start, baseline, prefix)
    blank_x = start + stringWidth(prefix, fonts.regular, 13)
    canvas.drawString(blank_x + blank, baseline, NUMBER_CODE)
    return baseline - 4, (blank_x, baseline - 3, blank_x + blank, baseline + 11)


def _draw_national_title(layout: _Layout, record: VoteRecord, top: float) -> float:
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
    date_line = f"{record.locality}, {_long_date(record.date)}"
    style = layout.style(13.5, italic=True, align=TA_CENTER, after=0)
    return layout.paragraph(
        escape(date_line), style, x=x, width=_RIGHT - x, y=baseline - 4 - 6 * mm
    )


def _draw_title(layout: _Layout, record: VoteRecord) -> None:
    layout.paragraph(
        "BIÊN BẢN<br/>KẾT QUẢ BIỂU QUYẾT",
        layout.style(14, bold=True, align=TA_CENTER, after=2),
    )
    item = layout.style(14, bold=True, align=TA_CENTER, after=4)
    layout.paragraph(escape(_about(record.agenda_item)), item)
    layout.y -= 6 * mm


def _draw_body(layout: _Layout, record: VoteRecord) -> None:
    body = layout.style(_BODY_SIZE, indent=10 * mm)
    bold = layout.style(_BODY_SIZE, bold=True, indent=10 * mm)
    for text in _body_lines(record):
        layout.paragraph(text, body)
    verdict = "KHÔNG THÔNG QUA" if not record.passed else "THÔNG QUA"
    if record.verdict.strip():
        verdict = record.verdict.strip()
    layout.paragraph(escape(f"Kết quả: {verdict}."), bold)
    if not record.secret:
        names = (
            ", ".join(" ".join(name.split()) for name in record.present_not_voted)
            or "Không có"
        )
        layout.paragraph(f"Đại biểu có mặt không biểu quyết: {escape(names)}.", body)
    closing = (
        "Biên bản được lập hồi "
        f"{_time(record.closed_at)}, ngày {_local(record.closed_at):%d/%m/%Y}, "
        "ngay sau khi kết thúc biểu quyết."
    )
    # The signature page must carry some of the text, never the signatures alone.
    closing_height = float(Paragraph(closing, body).wrap(_WIDTH, PAGE_HEIGHT)[1])
    layout.ensure(closing_height + body.spaceAfter + _closing_height(layout, record))
    layout.paragraph(closing, body)


def _body_lines(record: VoteRecord) -> list[str]:
    opened, closed = _local(record.opened_at), _local(record.closed_at)
    if opened.date() == closed.date():
        span = f"từ {_time(opened)} đến {_time(closed)}, ngày {opened:%d/%m/%Y}"
    else:
        span = f"từ {_time(opened)} ngày {opened:%d/%m/%Y} đến {_time(closed)} ngày {closed:%d/%m/%Y}"
    lines = [
        f"Kỳ họp: {escape(record.meeting_title)}.",
        f"Địa điểm: {escape(record.place)}.",
        f"Thời gian biểu quyết: {span}.",
        f"Nội dung biểu quyết: {escape(record.question)}",
        (
            f"Hình thức: {'bỏ phiếu kín' if record.secret else 'biểu quyết công khai'}; "
            f"điều kiện thông qua: {escape(_lower_first(record.rule_label))}."
        ),
        f"Tổng số đại biểu Hội đồng nhân dân: {record.total} đại biểu.",
    ]
    lines.extend(f"- {escape(line)}" for line in record.lines)
    return lines


def _draw_signatures(layout: _Layout, record: VoteRecord) -> dict[str, Box]:
    """THƯ KÝ on the left, CHỦ TỌA on the right, each with a field box and the name under it."""
    title = layout.style(14, bold=True, align=TA_CENTER, after=0)
    name_style = layout.style(14, bold=True, align=TA_CENTER, after=0)
    column = _WIDTH / 2
    layout.ensure(_signatures_height(layout, record))
    layout.y -= 2 * mm
    top = layout.y
    boxes: dict[str, Box] = {}
    bottoms = []
    for index, (label, field, name) in enumerate(
        (
            ("THƯ KÝ", "ThuKy", record.secretary_name),
            ("CHỦ TỌA", "ChuToa", record.chair_name),
        )
    ):
        x = _LEFT + index * column
        centre = x + column / 2
        below_title = layout.paragraph(label, title, x=x, width=column, y=top)
        box_top = below_title - 2 * mm
        boxes[field] = (
            centre - _FIELD_WIDTH / 2,
            box_top - _FIELD_HEIGHT,
            centre + _FIELD_WIDTH / 2,
            box_top,
        )
        name_top = box_top - _FIELD_HEIGHT - 4 * mm
        bottoms.append(
            layout.paragraph(
                escape(" ".join(name.split())),
                name_style,
                x=x + 2 * mm,
                width=column - 4 * mm,
                y=name_top,
            )
        )
    layout.y = min(bottoms) - 6 * mm
    return boxes


def _signatures_height(layout: _Layout, record: VoteRecord) -> float:
    style = layout.style(14, bold=True, align=TA_CENTER, after=0)
    names = (record.secretary_name, record.chair_name)
    width = _WIDTH / 2 - 4 * mm
    name_height = max(
        float(Paragraph(escape(name), style).wrap(width, PAGE_HEIGHT)[1])
        for name in names
    )
    return 2 * mm + 14 * 1.2 + 2 * mm + _FIELD_HEIGHT + 4 * mm + name_height + 6 * mm


def _recipients_height(record: VoteRecord) -> float:
    return max(12 + len(_RECIPIENTS) * 13, _QR_SIZE if record.verify_url else 0.0)


def _closing_height(layout: _Layout, record: VoteRecord) -> float:
    """The signatures and "Nơi nhận" stay together on the last page."""
    return _signatures_height(layout, record) + _recipients_height(record)


def _draw_recipients(layout: _Layout, record: VoteRecord) -> None:
    """The recipients ("Nơi nhận:") bottom left; the QR code of the verify page bottom right, when there is one."""
    layout.ensure(_recipients_height(record))
    top = layout.y
    canvas, fonts = layout.canvas, layout.fonts
    canvas.setFont(layout.face(bold=True, italic=True), 12)
    canvas.drawString(_LEFT, top - 12, "Nơi nhận:")
    canvas.setFont(fonts.regular, 11)
    for number, line in enumerate(_RECIPIENTS, start=1):
        canvas.drawString(_LEFT, top - 12 - number * 13, line)
    if record.verify_url:
        _draw_qr(layout, record.verify_url, top, _QR_SIZE)


def _draw_qr(layout: _Layout, url: str, top: float, size: float) -> None:
    widget = QrCodeWidget(url)
    x1, y1, x2, y2 = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (x2 - x1), 0, 0, size / (y2 - y1), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, layout.canvas, _RIGHT - size, top - size)
    style = layout.style(8, align=TA_RIGHT, after=0)
    text = f"Tra cứu tính toàn vẹn của biên bản:<br/>{escape(url)}"
    layout.paragraph(text, style, x=_RIGHT - size - 62 * mm, width=60 * mm, y=top - 4)


def _add_fields(
    pdf: bytes, field_page: int, signatures: dict[str, Box], number: Box | None
) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    for name in ("ThuKy", "ChuToa"):
        spec = SigFieldSpec(
            sig_field_name=name, on_page=field_page, box=_int_box(signatures[name])
        )
        append_signature_field(writer, spec)
    if number is not None:
        _add_text_field(writer, NUMBER_FIELD, 0, number)
    out = io.BytesIO()
    writer.write(out)  # type: ignore[no-untyped-call]
    return out.getvalue()


def _int_box(box: Box) -> tuple[int, int, int, int]:
    x1, y1, x2, y2 = box
    return round(x1), round(y1), round(x2), round(y2)


def _add_text_field(
    writer: IncrementalPdfFileWriter, name: str, page_index: int, box: Box
) -> None:
    """A text field (merged with its widget) for the number, appended to /AcroForm /Fields."""
    page_ref = writer.find_page_for_modification(page_index)[1]  # type: ignore[no-untyped-call]
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
            generic.NameObject("/TU"): generic.pdf_string("Số của biên bản"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [_float_object(v) for v in box]
            ),
            generic.NameObject("/F"): _number_object(4),
            generic.NameObject("/P"): page_ref,
            generic.NameObject("/Q"): _number_object(1),
            generic.NameObject("/DA"): generic.pdf_string("/TiRo 13 Tf 0 g"),
            generic.NameObject("/V"): generic.pdf_string(""),
            generic.NameObject("/AP"): _dict_object(
                {
                    generic.NameObject("/N"): writer.add_object(_empty_appearance(box)),
                }
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
                [
                    _float_object(0),
                    _float_object(0),
                    _float_object(x2 - x1),
                    _float_object(y2 - y1),
                ]
            ),
            generic.NameObject("/Resources"): _dict_object(),
        },
        stream_data=b"/Tx BMC EMC",
    )


def _local(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(_TZ)


def _time(moment: datetime.datetime) -> str:
    local = _local(moment)
    return f"{local.hour} giờ {local.minute:02d} phút"


def _long_date(day: datetime.date) -> str:
    # Decree 30: days below 10 and months below 3 take a leading zero.
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _about(item: str) -> str:
    item = " ".join(item.split())
    if item.casefold().startswith("về "):
        return item[:1].upper() + item[1:]
    return f"Về {_lower_first(item)}"


def _lower_first(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text
