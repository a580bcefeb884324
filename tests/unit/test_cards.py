"""Sign-in cards: one per delegate, four to a page, legible text and a QR code that scans."""

from __future__ import annotations

import math
import unicodedata

import pypdfium2 as pdfium
import pytest
import zxingcpp

from server.domain.errors import Invalid
from server.services.cards import CARD_WIDTH, CARDS_PER_PAGE, CardPrint, render_cards_pdf

COUNCIL = "Hội đồng nhân dân xã Tân Phú"
MEETING = "Kỳ họp thứ mười hai, Khóa XII, nhiệm kỳ 2021–2026"
SIGNIN_URL = "https://hoitruong.tanphu.gov.vn/dang-nhap"
NAMES = (
    "Nguyễn Thị Ánh Tuyết",
    "Đặng Quốc Hưng",
    "Phạm Ngọc Ửng",
    "Tôn Nữ Thị Huyền Trân Công Tằng Tôn Nữ Quỳnh Hương",
    "Lương Thị Yến Nhi",
    "Võ Trường Toản",
    "Huỳnh Thị Mỹ Dung",
    "Trịnh Đình Quyết",
    "Ngô Bảo Châu",
)
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def make_card(index: int, **overrides: str) -> CardPrint:
    """A card whose seat and code differ from every other index's."""
    raw = "".join(ALPHABET[(index * 7 + step * 5) % len(ALPHABET)] for step in range(12))
    fields = {
        "name": NAMES[index % len(NAMES)],
        "title": "Phó Chủ tịch Hội đồng nhân dân" if index % 2 else "Đại biểu",
        "seat": f"{'ABC'[index % 3]}{index + 1:02d}",
        "unit": f"Tổ đại biểu số {index + 1} — ấp Phước Lộc Thượng",
        "code": "-".join(raw[i : i + 4] for i in range(0, 12, 4)),
    }
    fields.update(overrides)
    return CardPrint(**fields)


def render(cards: list[CardPrint]) -> pdfium.PdfDocument:
    pdf = render_cards_pdf(
        cards, council_name=COUNCIL, meeting_title=MEETING, signin_url=SIGNIN_URL
    )
    return pdfium.PdfDocument(pdf)


def page_text(page: pdfium.PdfPage) -> str:
    """The page's text in NFC with line breaks as spaces, so wrapped names read whole."""
    text = page.get_textpage().get_text_range()
    return " ".join(unicodedata.normalize("NFC", text).split())


@pytest.fixture(scope="module")
def nine_cards() -> list[CardPrint]:
    return [make_card(index) for index in range(9)]


@pytest.fixture(scope="module")
def nine_card_pdf(nine_cards: list[CardPrint]) -> pdfium.PdfDocument:
    return render(nine_cards)


@pytest.mark.parametrize("count", [1, 3, 4, 5, 8, 9])
def test_pdf_has_one_page_per_four_cards(count: int) -> None:
    document = render([make_card(index) for index in range(count)])
    assert len(document) == math.ceil(count / CARDS_PER_PAGE)


def test_every_name_seat_and_code_reads_back_from_the_pdf(
    nine_cards: list[CardPrint], nine_card_pdf: pdfium.PdfDocument
) -> None:
    for number, page in enumerate(nine_card_pdf):
        text = page_text(page)
        for card in nine_cards[number * CARDS_PER_PAGE : (number + 1) * CARDS_PER_PAGE]:
            assert card.name in text
            assert f"Ghế: {card.seat}" in text
            assert f"Mã: {card.code}" in text


def test_each_qr_code_decodes_to_its_card_code(
    nine_cards: list[CardPrint], nine_card_pdf: pdfium.PdfDocument
) -> None:
    for number, page in enumerate(nine_card_pdf):
        image = page.render(scale=2).to_pil()  # 144 dpi, about a phone camera's view of a card
        found = zxingcpp.read_barcodes(image)
        expected = nine_cards[number * CARDS_PER_PAGE : (number + 1) * CARDS_PER_PAGE]
        assert sorted(barcode.text for barcode in found) == sorted(card.code for card in expected)


def test_card_carries_the_council_heading_and_sign_in_notice(
    nine_card_pdf: pdfium.PdfDocument,
) -> None:
    text = page_text(nine_card_pdf[0])
    assert text.count("HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ") == CARDS_PER_PAGE
    assert text.count("THẺ ĐĂNG NHẬP ĐẠI BIỂU") == CARDS_PER_PAGE
    assert f"Đăng nhập tại {SIGNIN_URL} bằng mã này và mã PIN." in text
    assert "Không cho người khác mượn thẻ." in text


def test_pdf_title_names_the_meeting(nine_card_pdf: pdfium.PdfDocument) -> None:
    assert nine_card_pdf.get_metadata_dict()["Title"] == f"Thẻ đăng nhập đại biểu — {MEETING}"


def test_overlong_entries_stay_inside_their_card() -> None:
    card = make_card(
        0,
        name="Tôn Nữ Thị Huyền Trân Công Tằng Tôn Nữ Quỳnh Hương Nguyễn Phước Bảo Ngọc",
        title="Trưởng Ban Kinh tế – Ngân sách Hội đồng nhân dân xã kiêm Tổ trưởng Tổ đại biểu",
        unit="Tổ đại biểu số 4 — ấp Bình Thạnh, ấp Bình Lợi, ấp Bình Hòa và khu dân cư Rạch Gốc",
    )
    page = render([card])[0]
    textpage = page.get_textpage()
    boxes = [textpage.get_charbox(index) for index in range(textpage.count_chars())]
    assert boxes
    assert all(0 <= left and right <= CARD_WIDTH for left, _, right, _ in boxes)
    assert card.name in page_text(page)


def test_card_without_seat_title_or_unit_still_renders() -> None:
    text = page_text(render([make_card(0, seat="", title="", unit="")])[0])
    assert "Ghế: —" in text


def test_no_cards_is_refused() -> None:
    with pytest.raises(Invalid, match="Không có đại biểu nào") as refused:
        render_cards_pdf([], council_name=COUNCIL, meeting_title=MEETING, signin_url=SIGNIN_URL)
    assert refused.value.code == "no_cards"
