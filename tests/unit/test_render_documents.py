"""The minutes and the resolution render in the Decree 30 layout shared with the vote-result
record, in full Vietnamese, with their signature fields (office seal included) in signing order."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from signing.pki import init_dev_pki
from signing.records import (
    MinutesCorrection,
    MinutesItem,
    MinutesPoll,
    MinutesRecord,
    ResolutionRecord,
)
from signing.render import (
    NUMBER_FIELD,
    SEAL_FIELD,
    SIGNING_ORDER,
    Record,
    RenderedRecord,
    document_kind,
    render_document,
    render_minutes,
)
from signing.sign import load_signer, sign_pdf
from signing.verify import verify_pdf

from .test_records import all_text, make_record, page_texts

MM = 72 / 25.4
A4_WIDTH = 595.28
UTC = datetime.UTC
POLL = MinutesPoll(
    question="Thông qua Nghị quyết về kế hoạch đầu tư công năm 2027",
    lines=(
        "Tán thành: 28/30 đại biểu (93,33%)",
        "Không tán thành: 1/30 đại biểu (3,33%)",
        "Không biểu quyết: 1/30 đại biểu (3,33%)",
    ),
    verdict="THÔNG QUA",
    passed=True,
    secret=False,
)


def make_item(number: int = 1, speakers: int = 2, **changes: Any) -> MinutesItem:
    item = MinutesItem(
        title=f"Tờ trình số {44 + number}/TTr-UBND về kế hoạch đầu tư công (nội dung {number})",
        presenter="Ông Lê Văn Tâm, Phó Chủ tịch Ủy ban nhân dân xã",
        summary="Ban Kinh tế - Xã hội trình bày báo cáo thẩm tra; đại biểu thảo luận.",
        speakers=tuple(
            f"Bà Trần Thị Mai Hương (Tổ đại biểu số {n}): đề nghị bổ sung đường liên ấp Phú Lợi."
            for n in range(1, speakers + 1)
        ),
        polls=(POLL,),
    )
    return replace(item, **changes)


def make_minutes(**changes: Any) -> MinutesRecord:
    record = MinutesRecord(
        council_name="HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ",
        locality="Tân Phú",
        number="3/BB-HĐND",
        place="Hội trường Ủy ban nhân dân xã Tân Phú",
        date=datetime.date(2026, 11, 28),
        meeting_title="Kỳ họp thứ Mười, Hội đồng nhân dân xã Tân Phú khóa I",
        opened_at=datetime.datetime(2026, 11, 28, 1, 0),
        closed_at=datetime.datetime(2026, 11, 28, 4, 30, tzinfo=UTC),
        total=30,
        present=28,
        absent=("Trần Văn Bình (có lý do)", "Lý Thị Hoa"),
        quorum_line="Có mặt 28/30 đại biểu (93,33%), đủ số lượng để tiến hành kỳ họp.",
        items=(
            make_item(1),
            make_item(
                2,
                polls=(
                    replace(
                        POLL, secret=True, annulled=True, annul_reason="Sự cố thiết bị biểu quyết"
                    ),
                ),
            ),
        ),
        corrections=(
            MinutesCorrection(
                what="Số liệu tại Điều 2 dự thảo Nghị quyết",
                reason="Nhầm lẫn khi đánh máy",
                at=datetime.datetime(2026, 11, 28, 2, 10),
            ),
        ),
        notes="Kỳ họp diễn ra đúng chương trình đã thông báo.",
        chair_name="Đặng Quốc Hưng",
        secretary_name="Nguyễn Thị Ánh Tuyết",
        verify_url="https://hoitruong.tanphu.gov.vn/verify/a1b2c3",
    )
    return replace(record, **changes)


def make_resolution(**changes: Any) -> ResolutionRecord:
    record = ResolutionRecord(
        council_name="HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ",
        locality="Tân Phú",
        number="12/NQ-HĐND",
        date=datetime.date(2026, 11, 28),
        title="Về việc thông qua kế hoạch đầu tư công năm 2027",
        meeting_title="KHÓA I, KỲ HỌP THỨ MƯỜI",
        bases=(
            "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
            "Luật Đầu tư công ngày 29 tháng 11 năm 2024",
        ),
        considering=(
            "Xét Tờ trình số 45/TTr-UBND ngày 10 tháng 11 năm 2026 của Ủy ban nhân dân xã; "
            "Báo cáo thẩm tra của Ban Kinh tế - Xã hội; ý kiến thảo luận của đại biểu"
        ),
        articles=(
            "Thông qua kế hoạch đầu tư công năm 2027 của xã Tân Phú với tổng vốn 12.500 triệu đồng.",
            "Tổ chức thực hiện\n1. Giao Ủy ban nhân dân xã tổ chức thực hiện Nghị quyết.",
        ),
        adoption=(
            "Nghị quyết này đã được Hội đồng nhân dân xã Tân Phú khóa I, Kỳ họp thứ Mười thông qua "
            "ngày 28 tháng 11 năm 2026, với 28/30 đại biểu tán thành (93,33%)."
        ),
        chair_name="Đặng Quốc Hưng",
        verify_url="https://hoitruong.tanphu.gov.vn/verify/77aa01",
    )
    return replace(record, **changes)


BUILDERS: dict[str, Callable[..., Record]] = {
    "vote_record": make_record,
    "minutes": make_minutes,
    "resolution": make_resolution,
}
KINDS = list(BUILDERS)


@pytest.fixture(scope="module")
def rendered() -> dict[str, RenderedRecord]:
    """Each kind, numbered and unnumbered."""
    out = {}
    for kind, build in BUILDERS.items():
        out[kind] = render_document(build())
        out[f"{kind}-unnumbered"] = render_document(build(number=None))
    return out


def form_field_names(pdf: bytes) -> list[str]:
    reader = PdfFileReader(io.BytesIO(pdf))
    return [str(field.get_object()["/T"]) for field in reader.root["/AcroForm"]["/Fields"]]


def chars(pdf: bytes, page_index: int) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Each visible character of a page with its box (left, bottom, right, top)."""
    textpage = pdfium.PdfDocument(pdf)[page_index].get_textpage()
    return [
        (textpage.get_text_range(index, 1), textpage.get_charbox(index))
        for index in range(textpage.count_chars())
        if textpage.get_text_range(index, 1).strip()
    ]


# --- Shared layout ---------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "expected",
    [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ",
        "Tân Phú, ngày 28 tháng 11 năm 2026",
        "Nơi nhận:",
        "Đặng Quốc Hưng",
    ],
)
def test_every_document_carries_the_decree_30_header_and_footer(
    rendered: dict[str, RenderedRecord], kind: str, expected: str
) -> None:
    assert expected in page_texts(rendered[kind].pdf)[0] + " " + all_text(rendered[kind].pdf)


@pytest.mark.parametrize(
    ("kind", "number"),
    [("vote_record", "Số: 12/BB-HĐND"), ("minutes", "Số: 3/BB-HĐND"),
     ("resolution", "Số: 12/NQ-HĐND")],
)
def test_a_numbered_document_prints_its_number_and_has_no_number_field(
    rendered: dict[str, RenderedRecord], kind: str, number: str
) -> None:
    assert number in page_texts(rendered[kind].pdf)[0]
    assert NUMBER_FIELD not in form_field_names(rendered[kind].pdf)


@pytest.mark.parametrize(
    ("kind", "code"),
    [("vote_record", "/BB-HĐND"), ("minutes", "/BB-HĐND"), ("resolution", "/NQ-HĐND")],
)
def test_an_unnumbered_document_leaves_a_blank_before_its_code_under_a_text_field(
    rendered: dict[str, RenderedRecord], kind: str, code: str
) -> None:
    document = rendered[f"{kind}-unnumbered"]
    first_page = page_texts(document.pdf)[0]
    assert f"Số: {code}" in first_page
    x1, y1, x2, y2 = document.field_boxes[NUMBER_FIELD]
    assert x2 - x1 >= 10 * MM and y2 - y1 >= 10
    # The blank is empty: no printed character reaches into the field.
    assert not [c for c, (left, bottom, right, top) in chars(document.pdf, 0)
                if right > x1 + 0.5 and left < x2 - 0.5 and top > y1 and bottom < y2]


@pytest.mark.parametrize("kind", KINDS)
def test_signature_fields_come_in_signing_order_then_the_number_field(
    rendered: dict[str, RenderedRecord], kind: str
) -> None:
    document = rendered[f"{kind}-unnumbered"]
    reader = PdfFileReader(io.BytesIO(document.pdf))
    signature_fields = [name for name, value, _ in enumerate_sig_fields(reader, filled_status=None)
                        if value is None]
    assert signature_fields == list(SIGNING_ORDER[kind]) == list(document.signing_order)
    assert form_field_names(document.pdf) == [*SIGNING_ORDER[kind], NUMBER_FIELD]
    assert SIGNING_ORDER[kind][-1] == SEAL_FIELD


def test_the_signing_orders_are_as_agreed() -> None:
    assert SIGNING_ORDER == {
        "vote_record": ("ChuToa", "ThuKy", "DauCoQuan"),
        "minutes": ("ChuToa", "ThuKy", "DauCoQuan"),
        "resolution": ("ChuTich", "DauCoQuan"),
    }


@pytest.mark.parametrize(("kind", "leader"), [("vote_record", "ChuToa"), ("minutes", "ChuToa"),
                                              ("resolution", "ChuTich")])
def test_the_seal_box_sits_against_the_left_edge_of_the_leaders_box(
    rendered: dict[str, RenderedRecord], kind: str, leader: str
) -> None:
    boxes = rendered[kind].field_boxes
    seal, chief = boxes[SEAL_FIELD], boxes[leader]
    assert seal[2] == pytest.approx(chief[0], abs=0.5)
    assert (seal[1], seal[3]) == (chief[1], chief[3])
    assert seal[2] - seal[0] >= 30 * MM
    assert seal[0] >= 30 * MM and chief[2] <= A4_WIDTH - 15 * MM + 0.5
    if "ThuKy" in boxes:
        assert boxes["ThuKy"][2] <= seal[0]


@pytest.mark.parametrize("kind", KINDS)
def test_no_printed_text_lies_under_a_signature_field(
    rendered: dict[str, RenderedRecord], kind: str
) -> None:
    document = rendered[kind]
    page = chars(document.pdf, document.field_page)
    for name in SIGNING_ORDER[kind]:
        x1, y1, x2, y2 = document.field_boxes[name]
        under = [c for c, (left, bottom, right, top) in page
                 if right > x1 and left < x2 and top > y1 and bottom < y2]
        assert under == [], (name, "".join(under))


@pytest.mark.parametrize("kind", KINDS)
def test_document_kind_and_render_document_dispatch_on_the_record_type(kind: str) -> None:
    record = BUILDERS[kind]()
    assert document_kind(record) == kind
    assert render_document(record).kind == kind


def test_rendering_something_else_is_refused_with_a_sentence() -> None:
    with pytest.raises(TypeError, match="Cannot render a str"):
        render_document("biên bản")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a record"):
        document_kind(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("kind", KINDS)
def test_page_one_renders_with_ink_and_a_qr_code(
    tmp_path: Path, rendered: dict[str, RenderedRecord], kind: str
) -> None:
    pdftoppm = shutil.which("pdftoppm") or (
        "/usr/bin/pdftoppm" if Path("/usr/bin/pdftoppm").exists() else None
    )
    if pdftoppm is None:
        pytest.skip("pdftoppm (Debian poppler-utils) is not installed; CI installs it.")
    source = tmp_path / f"{kind}.pdf"
    source.write_bytes(rendered[kind].pdf)
    subprocess.run([pdftoppm, "-r", "50", "-png", "-f", "1", "-l", "1", str(source),
                    str(tmp_path / "page")], check=True, timeout=60)
    (image_path,) = tmp_path.glob("page*.png")
    with Image.open(image_path) as image:
        gray = image.convert("L")
        pixels = gray.tobytes()
        width, height = gray.size
    dark = sum(1 for value in pixels if value < 128)
    assert dark > len(pixels) // 200
    # The top-right quarter holds the national title: ink there too, not just anywhere.
    corner = [pixels[y * width + x] for y in range(height // 4) for x in range(width // 2, width)]
    assert sum(1 for value in corner if value < 128) > 50


# --- The minutes -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minutes_text(rendered: dict[str, RenderedRecord]) -> str:
    return all_text(rendered["minutes"].pdf)


@pytest.mark.parametrize(
    "expected",
    [
        "BIÊN BẢN KỲ HỌP",
        "Kỳ họp thứ Mười, Hội đồng nhân dân xã Tân Phú khóa I",
        "Thời gian: từ 8 giờ 00 phút đến 11 giờ 30 phút, ngày 28/11/2026.",
        "Tổng số đại biểu Hội đồng nhân dân: 30 đại biểu; có mặt: 28 đại biểu; vắng mặt: 2 đại biểu.",
        "Đại biểu vắng mặt: Trần Văn Bình (có lý do), Lý Thị Hoa.",
        "Có mặt 28/30 đại biểu (93,33%), đủ số lượng để tiến hành kỳ họp.",
        "1. Tờ trình số 45/TTr-UBND về kế hoạch đầu tư công (nội dung 1)",
        "Trình bày: Ông Lê Văn Tâm, Phó Chủ tịch Ủy ban nhân dân xã.",
        "- Bà Trần Thị Mai Hương (Tổ đại biểu số 2): đề nghị bổ sung đường liên ấp Phú Lợi.",
        "Biểu quyết (biểu quyết công khai): Thông qua Nghị quyết về kế hoạch đầu tư công năm 2027",
        "- Tán thành: 28/30 đại biểu (93,33%)",
        "Kết quả: THÔNG QUA.",
        "Biểu quyết (bỏ phiếu kín):",
        "Kết quả: Đã hủy (lý do: sự cố thiết bị biểu quyết).",
        "- Số liệu tại Điều 2 dự thảo Nghị quyết (lý do: nhầm lẫn khi đánh máy; lúc 9 giờ 10 phút, "
        "ngày 28/11/2026).",
        "Kỳ họp diễn ra đúng chương trình đã thông báo.",
        "Kỳ họp bế mạc hồi 11 giờ 30 phút, ngày 28/11/2026.",
        "THƯ KÝ",
        "CHỦ TỌA",
        "Nguyễn Thị Ánh Tuyết",
    ],
)
def test_minutes_record_the_meeting_in_full_vietnamese(minutes_text: str, expected: str) -> None:
    assert expected in minutes_text


def test_minutes_without_absentees_or_notes_say_so_and_skip_the_notes() -> None:
    text = all_text(render_minutes(make_minutes(present=30, absent=(), notes="  ",
                                                corrections=())).pdf)
    assert "Đại biểu vắng mặt: Không có." in text
    assert "vắng mặt: 0 đại biểu" in text
    assert "Ghi chú của thư ký" not in text and "Đính chính" not in text


def test_minutes_refuse_more_delegates_present_than_the_council_has() -> None:
    with pytest.raises(ValueError, match="between 0 and the total"):
        make_minutes(present=31)


def test_long_minutes_flow_over_pages_with_the_fields_on_the_last() -> None:
    record = make_minutes(items=tuple(make_item(n, speakers=6) for n in range(1, 21)),
                          number=None)
    document = render_minutes(record)
    texts = page_texts(document.pdf)
    assert document.page_count == len(texts) >= 4
    assert document.field_page == document.page_count - 1
    text = " ".join(texts)
    for n in range(1, 21):
        assert f"{n}. Tờ trình số {44 + n}/TTr-UBND" in text
    last = texts[-1]
    assert "Kỳ họp bế mạc hồi" in last and "THƯ KÝ" in last and "CHỦ TỌA" in last
    assert "Nơi nhận:" in last
    # Pages from the second on are numbered at the top.
    assert texts[1].startswith("2 ") and texts[-1].startswith(f"{len(texts)} ")
    # Every character stays inside the margins, on every page.
    for index in range(document.page_count):
        for char, (left, bottom, right, top) in chars(document.pdf, index):
            assert left >= 30 * MM - 0.5 and right <= A4_WIDTH - 15 * MM + 0.5, char
            assert bottom >= 20 * MM - 4, (index, char)


def test_a_heading_never_ends_a_page() -> None:
    record = make_minutes(items=tuple(make_item(n, speakers=6) for n in range(1, 21)))
    texts = page_texts(render_minutes(record).pdf)
    for text in texts[:-1]:
        assert not text.endswith("Ý kiến phát biểu:")
        for n in range(1, 21):
            assert not text.endswith(f"(nội dung {n})")


def test_notes_longer_than_a_page_split_over_pages_without_losing_words() -> None:
    notes = " ".join(f"Ý kiến số {n} của cử tri ấp Phú Lợi về đường giao thông." for n in range(250))
    document = render_minutes(make_minutes(notes=notes))
    text = all_text(document.pdf)
    assert document.page_count >= 3
    assert "Ý kiến số 0 của cử tri" in text and "Ý kiến số 249 của cử tri" in text


# --- The resolution --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def resolution_text(rendered: dict[str, RenderedRecord]) -> str:
    return all_text(rendered["resolution"].pdf)


@pytest.mark.parametrize(
    "expected",
    [
        "NGHỊ QUYẾT Về việc thông qua kế hoạch đầu tư công năm 2027",
        "HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ KHÓA I, KỲ HỌP THỨ MƯỜI",
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        "Căn cứ Luật Đầu tư công ngày 29 tháng 11 năm 2024;",
        "Xét Tờ trình số 45/TTr-UBND ngày 10 tháng 11 năm 2026",
        "ý kiến thảo luận của đại biểu.",
        "QUYẾT NGHỊ:",
        "Điều 1. Thông qua kế hoạch đầu tư công năm 2027",
        "Điều 2. Tổ chức thực hiện",
        "1. Giao Ủy ban nhân dân xã tổ chức thực hiện Nghị quyết.",
        "Nghị quyết này đã được Hội đồng nhân dân xã Tân Phú khóa I",
        "với 28/30 đại biểu tán thành (93,33%).",
        "TM. HỘI ĐỒNG NHÂN DÂN",
        "CHỦ TỊCH",
        "- UBND xã;",
        "- Lưu: VT.",
    ],
)
def test_resolution_reads_in_the_decree_30_order_and_full_vietnamese(
    resolution_text: str, expected: str
) -> None:
    assert expected in resolution_text


def test_resolution_parts_come_in_order(resolution_text: str) -> None:
    parts = ["NGHỊ QUYẾT", "KHÓA I, KỲ HỌP THỨ MƯỜI", "Căn cứ", "Xét Tờ trình", "QUYẾT NGHỊ:",
             "Điều 1.", "Điều 2.", "Nghị quyết này", "TM. HỘI ĐỒNG NHÂN DÂN"]
    positions = [resolution_text.index(part) for part in parts]
    assert positions == sorted(positions)


def test_article_prefixes_are_bold_and_bases_italic(rendered: dict[str, RenderedRecord]) -> None:
    fonts = _fonts_of(rendered["resolution"].pdf, ["Điều 1.", "Căn cứ", "Thông qua kế"])
    assert "bold" in fonts["Điều 1."].lower()
    assert "italic" in fonts["Căn cứ"].lower()
    assert "bold" not in fonts["Thông qua kế"].lower()


def _fonts_of(pdf: bytes, needles: list[str]) -> dict[str, str]:
    """The font name of the first character of each needle on page 1."""
    import ctypes  # noqa: PLC0415

    textpage = pdfium.PdfDocument(pdf)[0].get_textpage()
    text = textpage.get_text_range()
    out = {}
    for needle in needles:
        index = text.index(needle)
        buffer = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()
        pdfium.raw.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, ctypes.byref(flags))
        out[needle] = buffer.value.decode("utf-8", "replace")
    return out


def test_resolution_recipients_sit_left_of_the_seal(rendered: dict[str, RenderedRecord]) -> None:
    document = rendered["resolution"]
    seal_left = document.field_boxes[SEAL_FIELD][0]
    seal_bottom, seal_top = document.field_boxes[SEAL_FIELD][1], document.field_boxes[SEAL_FIELD][3]
    beside = [right for _, (_, bottom, right, top) in chars(document.pdf, document.field_page)
              if top > seal_bottom and bottom < seal_top]
    assert beside and max(beside) < seal_left


def test_a_resolution_needs_an_article() -> None:
    with pytest.raises(ValueError, match="at least one article"):
        make_resolution(articles=())


# --- Signing in order ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_each_document_takes_its_signatures_in_order_seal_last_and_all_stay_valid(
    tmp_path_factory: pytest.TempPathFactory, rendered: dict[str, RenderedRecord], kind: str
) -> None:
    pki = init_dev_pki(tmp_path_factory.getbasetemp() / "pki-documents",
                       {"lanhdao": "Đặng Quốc Hưng", "thuky": "Nguyễn Thị Ánh Tuyết",
                        "vanthu": "Hội đồng nhân dân xã Tân Phú"})
    who = {"ChuToa": "lanhdao", "ChuTich": "lanhdao", "ThuKy": "thuky", "DauCoQuan": "vanthu"}
    document = rendered[f"{kind}-unnumbered"]
    pdf = document.pdf
    for index, field in enumerate(document.signing_order):
        files = pki.signers[who[field]]
        pdf = sign_pdf(pdf, signer=load_signer(files.p12_path, files.passphrase),
                       field_name=field, certify=index == 0, signer_name=files.common_name,
                       reason="Ký số", location="Tân Phú")
    report = verify_pdf(pdf, trust_roots=pki.trust_roots())
    assert report.ok, report
    assert [sig.field_name for sig in report.signatures] == list(SIGNING_ORDER[kind])
