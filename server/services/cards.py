"""Delegate sign-in cards as one PDF: four A6 cards to an A4 page, each with seat, QR and code."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from server.domain.errors import Invalid
from signing.fonts import FontSet, register_fonts

logger = logging.getLogger(__name__)

CARDS_PER_PAGE = 4
CARD_WIDTH = A4[0] / 2  # 105 mm: two A6 cards side by side fill an A4 page exactly
CARD_HEIGHT = A4[1] / 2  # 148.5 mm
QR_SIZE = 40 * mm
"""Width of the QR symbol itself, quiet zone not included."""
QR_QUIET_MODULES = 3
"""Blank modules kept around the symbol. ISO 18004 asks for four; three leaves room for the
texts and camera decoders read it (the tests decode every card)."""

_PAD_X = 7 * mm
_PAD_TOP = 7.5 * mm
_PAD_BOTTOM = 6.5 * mm
_GAP = 2.2 * mm
_LEADING = 1.18
# A name shrinks to this share of its full size on one line before it may wrap onto two.
_SHRINK_BEFORE_WRAP = 0.8
_CODE_SIZE = 16.0
_SEAT_SIZE = 28.0
# Share of the font size above the baseline: the first baseline of a block sits this far below
# its top, and capitals reach about this high (used to keep the seat and code clear of the QR).
_ASCENT = 0.92
_CAP_HEIGHT = 0.68
_FLOAT = 0.4
_CUT_GREY = Color(0.55, 0.55, 0.55)
_TEXT = Color(0, 0, 0)
_MUTED = Color(0.25, 0.25, 0.25)

CARD_HEADING = "THẺ ĐĂNG NHẬP ĐẠI BIỂU"
_NOTICE_WARNING = "Không cho người khác mượn thẻ."


@dataclass(frozen=True)
class CardPrint:
    """What is printed on one delegate's card."""

    name: str
    """Full name with its diacritics, printed as given."""
    title: str
    """The delegate's office, e.g. "Phó Chủ tịch Hội đồng nhân dân"; may be empty."""
    seat: str
    """The seat label, e.g. "A07"; empty when no seat is assigned."""
    unit: str
    """The delegation or constituency; may be empty."""
    code: str
    """The card code, printed as typed text and encoded verbatim in the QR code."""


@dataclass(frozen=True)
class _Text:
    lines: tuple[str, ...]
    font: str
    size: float

    @property
    def leading(self) -> float:
        return self.size * _LEADING

    @property
    def height(self) -> float:
        return self.leading * len(self.lines)


@dataclass(frozen=True)
class _Meeting:
    council_name: str
    meeting_title: str
    signin_url: str


def render_cards_pdf(
    cards: Sequence[CardPrint], *, council_name: str, meeting_title: str, signin_url: str
) -> bytes:
    """One PDF with a card per delegate, four to an A4 page, with cut lines between them."""
    if not cards:
        raise Invalid("Không có đại biểu nào để in thẻ đăng nhập.", code="no_cards")
    fonts = register_fonts()
    meeting = _Meeting(council_name, meeting_title, signin_url)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, lang="vi-VN")
    canvas.setTitle(f"Thẻ đăng nhập đại biểu — {meeting_title}")
    canvas.setSubject(council_name)
    canvas.setAuthor(council_name)
    canvas.setCreator("Hội trường số")
    for start in range(0, len(cards), CARDS_PER_PAGE):
        _draw_cut_lines(canvas)
        for slot, card in enumerate(cards[start : start + CARDS_PER_PAGE]):
            column, row = slot % 2, slot // 2
            origin = (column * CARD_WIDTH, A4[1] - (row + 1) * CARD_HEIGHT)
            _draw_card(canvas, card, origin, fonts, meeting)
        canvas.showPage()
    canvas.save()
    logger.info("Rendered %d sign-in cards for %s.", len(cards), meeting_title)
    return buffer.getvalue()


def _draw_cut_lines(canvas: Canvas) -> None:
    canvas.saveState()
    canvas.setStrokeColor(_CUT_GREY)
    canvas.setLineWidth(0.4)
    canvas.setDash(4, 3)
    canvas.line(CARD_WIDTH, 0, CARD_WIDTH, A4[1])
    canvas.line(0, CARD_HEIGHT, A4[0], CARD_HEIGHT)
    canvas.restoreState()


def _draw_card(
    canvas: Canvas, card: CardPrint, origin: tuple[float, float], fonts: FontSet, meeting: _Meeting
) -> None:
    x, y = origin
    centre = x + CARD_WIDTH / 2
    width = CARD_WIDTH - 2 * _PAD_X
    # The QR code and what hangs around it have fixed sizes, so they are laid out bottom-up;
    # the texts above take what is left, shrinking when a name or unit is very long.
    bottom = _lay_out_bottom(card, fonts, width, y + _PAD_BOTTOM, meeting)
    top = y + CARD_HEIGHT - _PAD_TOP
    header = _header_blocks(meeting, fonts, width)
    below_header = top - sum(block.height for block in header) - 2.5 * _GAP
    room = below_header - bottom.seat_top - 2 * _GAP
    identity = _identity_blocks(card, fonts, width, room)
    slack = max(0.0, room - sum(block.height for block in identity))
    # Drawn top to bottom, so text copied from the PDF or read aloud comes in reading order.
    cursor = _draw_blocks(canvas, header[:2], centre, top)
    cursor = _draw_blocks(canvas, header[2:], centre, cursor, color=_MUTED)
    _draw_rule(canvas, centre, cursor - 1.1 * _GAP)
    # A short entry would leave a hole above the seat; float it a little above the middle.
    _draw_blocks(canvas, identity, centre, below_header - _FLOAT * slack)
    seat_runs = [("Ghế: ", fonts.regular, 16.0), (card.seat or "—", fonts.bold, _SEAT_SIZE)]
    _draw_runs(canvas, centre, bottom.seat_baseline, seat_runs)
    _draw_qr(canvas, bottom.matrix, centre - QR_SIZE / 2, bottom.qr_bottom)
    code_runs = [("Mã: ", fonts.regular, 12.0), (card.code, fonts.mono, _CODE_SIZE)]
    _draw_runs(canvas, centre, bottom.code_baseline, code_runs)
    _draw_blocks(canvas, bottom.notice, centre, bottom.notice_top, color=_MUTED)


def _header_blocks(meeting: _Meeting, fonts: FontSet, width: float) -> list[_Text]:
    return [
        _fit(meeting.council_name.upper(), fonts.bold, width, size=8.5, min_size=6.5, max_lines=2),
        _fit(CARD_HEADING, fonts.bold, width, size=13, min_size=10, max_lines=1),
        _fit(meeting.meeting_title, fonts.italic or fonts.regular, width, 9, 7, 2),
    ]


def _identity_blocks(card: CardPrint, fonts: FontSet, width: float, room: float) -> list[_Text]:
    """Name, office and unit at the largest scale whose height fits in ``room``."""
    scale = 1.0
    while True:
        blocks = [_fit(card.name, fonts.bold, width, 22 * scale, 12 * scale, 2)]
        if card.title:
            blocks.append(_fit(card.title, fonts.regular, width, 11 * scale, 8 * scale, 2))
        if card.unit:
            unit_font = fonts.italic or fonts.regular
            blocks.append(_fit(card.unit, unit_font, width, 10.5 * scale, 8 * scale, 2))
        if sum(block.height for block in blocks) <= room or scale <= 0.6:
            return blocks
        scale -= 0.05


@dataclass(frozen=True)
class _Bottom:
    """Where the notice, code, QR code and seat go, from the card's bottom up."""

    notice: tuple[_Text, ...]
    notice_top: float
    code_baseline: float
    matrix: list[list[bool]]
    qr_bottom: float
    seat_baseline: float
    seat_top: float


def _lay_out_bottom(
    card: CardPrint, fonts: FontSet, width: float, bottom: float, meeting: _Meeting
) -> _Bottom:
    # Two sentences, two lines: the warning never starts in the middle of a line.
    how = _fit(
        f"Đăng nhập tại {meeting.signin_url} bằng mã này và mã PIN.",
        fonts.regular,
        width,
        size=8,
        min_size=6,
        max_lines=2,
    )
    warning = _fit(_NOTICE_WARNING, fonts.regular, width, how.size, how.size, 1)
    notice_top = bottom + how.height + warning.height
    code_baseline = notice_top + _GAP
    matrix = _qr_matrix(card.code)
    quiet = QR_QUIET_MODULES * QR_SIZE / len(matrix)
    qr_bottom = code_baseline + _CAP_HEIGHT * _CODE_SIZE + quiet
    seat_baseline = qr_bottom + QR_SIZE + quiet
    return _Bottom(
        notice=(how, warning),
        notice_top=notice_top,
        code_baseline=code_baseline,
        matrix=matrix,
        qr_bottom=qr_bottom,
        seat_baseline=seat_baseline,
        seat_top=seat_baseline + _CAP_HEIGHT * _SEAT_SIZE,
    )


def _qr_matrix(code: str) -> list[list[bool]]:
    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(code)
    qr.make(fit=True)
    matrix: list[list[bool]] = qr.get_matrix()
    return matrix


def _draw_qr(canvas: Canvas, matrix: list[list[bool]], left: float, bottom: float) -> None:
    module = QR_SIZE / len(matrix)
    top = bottom + QR_SIZE
    path = canvas.beginPath()
    for row_index, row in enumerate(matrix):
        y = top - (row_index + 1) * module
        column = 0
        while column < len(row):
            if not row[column]:
                column += 1
                continue
            run = column
            while run < len(row) and row[run]:
                run += 1
            path.rect(left + column * module, y, (run - column) * module, module)
            column = run
    # One filled path, so viewers paint no hairline seams between neighbouring modules.
    canvas.saveState()
    canvas.setFillColor(_TEXT)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def _draw_rule(canvas: Canvas, centre: float, y: float) -> None:
    canvas.saveState()
    canvas.setLineWidth(0.6)
    canvas.line(centre - 15 * mm, y, centre + 15 * mm, y)
    canvas.restoreState()


def _draw_blocks(
    canvas: Canvas, blocks: Sequence[_Text], centre: float, top: float, color: Color = _TEXT
) -> float:
    """Draw ``blocks`` centred, one under the other, from ``top`` down; return their bottom."""
    canvas.saveState()
    canvas.setFillColor(color)
    cursor = top
    for block in blocks:
        canvas.setFont(block.font, block.size)
        for line in block.lines:
            canvas.drawCentredString(centre, cursor - _ASCENT * block.size, line)
            cursor -= block.leading
    canvas.restoreState()
    return cursor


def _draw_runs(
    canvas: Canvas, centre: float, baseline: float, runs: Sequence[tuple[str, str, float]]
) -> None:
    """Draw pieces of text in different fonts on one baseline, centred as a whole."""
    total = sum(stringWidth(text, font, size) for text, font, size in runs)
    x = centre - total / 2
    canvas.saveState()
    canvas.setFillColor(_TEXT)
    for text, font, size in runs:
        canvas.setFont(font, size)
        canvas.drawString(x, baseline, text)
        x += stringWidth(text, font, size)
    canvas.restoreState()


def _fit(
    text: str, font: str, width: float, size: float, min_size: float, max_lines: int
) -> _Text:
    """``text`` at the largest size from ``size`` down that fits ``width`` in ``max_lines``.

    One line is preferred while it needs no more shrinking than ``_SHRINK_BEFORE_WRAP``; below
    ``min_size`` the last line is cut short with an ellipsis rather than run off the card.
    """
    text = " ".join(text.split())
    if not text:
        return _Text((), font, size)
    for allowed in range(1, max_lines + 1):
        floor = min_size if allowed == max_lines else max(min_size, size * _SHRINK_BEFORE_WRAP)
        current = size
        while current >= floor - 1e-6:
            lines = _wrap(text, font, current, width)
            if len(lines) <= allowed:
                return _Text(tuple(lines), font, current)
            current -= 0.5
    lines = _wrap(text, font, min_size, width)[:max_lines]
    lines[-1] = _ellipsize(lines[-1], font, min_size, width)
    return _Text(tuple(lines), font, min_size)


def _wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy line breaking at spaces; a word wider than a line (a URL) is broken anywhere."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if stringWidth(candidate, font, size) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = word
        while stringWidth(line, font, size) > width:
            cut = _longest_prefix(line, font, size, width)
            lines.append(line[:cut])
            line = line[cut:]
    lines.append(line)
    return lines


def _longest_prefix(text: str, font: str, size: float, width: float) -> int:
    cut = len(text)
    while cut > 1 and stringWidth(text[:cut], font, size) > width:
        cut -= 1
    return cut


def _ellipsize(line: str, font: str, size: float, width: float) -> str:
    if stringWidth(line, font, size) <= width:
        return line
    while line and stringWidth(line + "…", font, size) > width:
        line = line[:-1]
    return line.rstrip() + "…"
