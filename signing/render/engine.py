"""The page engine: A4 geometry with the Decree 30 margins, and :class:`Layout`, a reportlab
canvas with a cursor running down the page that turns the page when text would not fit."""

from __future__ import annotations

from reportlab.lib import units
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from signing.fonts import FontSet

__all__ = [
    "LEFT",
    "MARGINS",
    "PAGE_HEIGHT",
    "PAGE_WIDTH",
    "RIGHT",
    "WIDTH",
    "Box",
    "Layout",
    "mm",
]

mm: float = units.mm
PAGE_WIDTH: float = A4[0]
PAGE_HEIGHT: float = A4[1]
MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 15 * mm}
"""Page margins in points (Decree 30: top and bottom 20–25 mm, left 30–35, right 15–20)."""
LEFT = MARGINS["left"]
"""The left edge of the text."""
RIGHT = PAGE_WIDTH - MARGINS["right"]
"""The right edge of the text."""
WIDTH = RIGHT - LEFT
"""The text width."""
_BODY_SIZE = 13.0
_INDENT = 10 * mm

Box = tuple[float, float, float, float]
"""(x1, y1, x2, y2) in PDF points."""


class Layout:
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
            height = float(para.wrap(WIDTH, room)[1])
            if height <= room:
                para.drawOn(self.canvas, LEFT, self.y - height)
                self.y -= height + style.spaceAfter
                return
            parts = para.split(WIDTH, room)
            if len(parts) < 2:
                if self.at_top():  # taller than a page and unsplittable: let it overflow
                    para.drawOn(self.canvas, LEFT, self.y - height)
                    self.y -= height + style.spaceAfter
                    return
                self.new_page()
                continue
            first, para = parts[0], parts[1]
            first_height = float(first.wrap(WIDTH, room)[1])
            first.drawOn(self.canvas, LEFT, self.y - first_height)
            self.new_page()

    def height(self, markup: str, style: ParagraphStyle, width: float = WIDTH) -> float:
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
