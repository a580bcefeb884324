"""The vote-result record renders in the Decree 30 layout, in full Vietnamese, with its form fields."""

from __future__ import annotations

import datetime
import io
import shutil
import subprocess
import unicodedata
from dataclasses import replace
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields

from signing.records import VoteRecord
from signing.render import (
    NUMBER_FIELD,
    SIGNATURE_FIELDS,
    render_vote_record,
    render_vote_record_with_fields,
)

MM = 72 / 25.4
A4_POINTS = (595.28, 841.89)
UTC = datetime.UTC
LONG_QUESTION = (
    "Đồng ý thông qua dự thảo Nghị quyết về kế hoạch đầu tư công trung hạn giai đoạn 2026 - 2030 "
    "của xã Tân Phú, bao gồm danh mục dự án nâng cấp đường giao thông nông thôn liên ấp, xây mới "
    "trường mầm non Hướng Dương, cải tạo trạm y tế xã và hệ thống thoát nước khu dân cư ấp Phú Lợi, "
    "với tổng mức vốn dự kiến 125.400 triệu đồng, trong đó ngân sách tỉnh hỗ trợ 80.000 triệu đồng "
    "và ngân sách xã 45.400 triệu đồng, kèm theo phụ lục chi tiết từng dự án?"
)


def make_record(**changes: Any) -> VoteRecord:
    record = VoteRecord(
        council_name="HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ",
        locality="Tân Phú",
        number="12/BB-HĐND",
        place="Hội trường Ủy ban nhân dân xã Tân Phú",
        date=datetime.date(2026, 11, 28),
        meeting_title="Kỳ họp thứ Mười, Hội đồng nhân dân xã Tân Phú khóa I, nhiệm kỳ 2026 - 2031",
        agenda_item="Dự thảo Nghị quyết về kế hoạch đầu tư công trung hạn giai đoạn 2026 - 2030",
        question="Đồng ý thông qua dự thảo Nghị quyết về kế hoạch đầu tư công trung hạn?",
        rule_label="Quá nửa tổng số đại biểu Hội đồng nhân dân tán thành",
        total=30,
        counts={"yes": 28, "no": 1, "abstain": 0},
        lines=[
            "Tán thành: 28/30 đại biểu (93,33%)",
            "Không tán thành: 1/30 đại biểu (3,33%)",
            "Không biểu quyết: 0/30 đại biểu (0,00%)",
        ],
        passed=True,
        verdict="THÔNG QUA",
        present_not_voted=["Phạm Ngọc Ửng"],
        opened_at=datetime.datetime(2026, 11, 28, 7, 5, 12, tzinfo=UTC),
        closed_at=datetime.datetime(2026, 11, 28, 7, 6, 40, tzinfo=UTC),
        chair_name="Đặng Quốc Hưng",
        secretary_name="Nguyễn Thị Ánh Tuyết",
        verify_url="https://hoitruong.tanphu.gov.vn/verify/3f2a9c",
    )
    return replace(record, **changes)


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text, NFC, with runs of whitespace (line breaks included) as one space."""
    document = pdfium.PdfDocument(pdf)
    texts = []
    for page in document:
        raw = page.get_textpage().get_text_range()
        texts.append(" ".join(unicodedata.normalize("NFC", raw).split()))
    return texts


def all_text(pdf: bytes) -> str:
    return " ".join(page_texts(pdf))


@pytest.fixture(scope="module")
def record_pdf() -> bytes:
    return render_vote_record(make_record())


@pytest.mark.parametrize(
    "expected",
    [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "HỘI ĐỒNG NHÂN DÂN",
        "XÃ TÂN PHÚ",
        "BIÊN BẢN",
        "KẾT QUẢ BIỂU QUYẾT",
        "Nơi nhận:",
        "THƯ KÝ",
        "CHỦ TỌA",
    ],
)
def test_record_carries_the_decree_30_headings(
    record_pdf: bytes, expected: str
) -> None:
    assert expected in all_text(record_pdf)


def test_record_shows_its_number_and_the_long_date(record_pdf: bytes) -> None:
    text = all_text(record_pdf)
    assert "Số: 12/BB-HĐND" in text
    assert "Tân Phú, ngày 28 tháng 11 năm 2026" in text


def test_record_shows_each_result_line_and_the_verdict(record_pdf: bytes) -> None:
    text = all_text(record_pdf)
    assert "Tán thành: 28/30 đại biểu (93,33%)" in text
    assert "Không tán thành: 1/30 đại biểu (3,33%)" in text
    assert "Kết quả: THÔNG QUA" in text
    assert "Tổng số đại biểu Hội đồng nhân dân: 30 đại biểu" in text


def test_failed_vote_reads_khong_thong_qua() -> None:
    pdf = render_vote_record(make_record(passed=False, verdict="KHÔNG THÔNG QUA"))
    assert "Kết quả: KHÔNG THÔNG QUA" in all_text(pdf)


def test_names_keep_every_diacritic(record_pdf: bytes) -> None:
    text = all_text(record_pdf)
    for name in ("Nguyễn Thị Ánh Tuyết", "Đặng Quốc Hưng", "Phạm Ngọc Ửng"):
        assert name in text


def test_times_are_printed_in_vietnam_time(record_pdf: bytes) -> None:
    assert "từ 14 giờ 05 phút đến 14 giờ 06 phút, ngày 28/11/2026" in all_text(
        record_pdf
    )


def test_open_vote_without_silent_delegates_says_khong_co() -> None:
    pdf = render_vote_record(make_record(present_not_voted=[]))
    assert "Đại biểu có mặt không biểu quyết: Không có." in all_text(pdf)


def test_secret_ballot_prints_no_names_of_silent_delegates() -> None:
    text = all_text(render_vote_record(make_record(secret=True)))
    assert "Phạm Ngọc Ửng" not in text
    assert "bỏ phiếu kín" in text


def test_record_is_one_a4_page(record_pdf: bytes) -> None:
    document = pdfium.PdfDocument(record_pdf)
    assert len(document) == 1
    width, height = document[0].get_size()
    assert width == pytest.approx(A4_POINTS[0], abs=0.5)
    assert height == pytest.approx(A4_POINTS[1], abs=0.5)


def test_record_has_the_three_empty_signature_fields_in_signing_order(
    record_pdf: bytes,
) -> None:
    reader = PdfFileReader(io.BytesIO(record_pdf))
    fields = [
        (name, value)
        for name, value, _ in enumerate_sig_fields(reader, filled_status=None)
    ]
    assert [name for name, _ in fields] == list(SIGNATURE_FIELDS)
    assert SIGNATURE_FIELDS == ("ChuToa", "ThuKy", "DauCoQuan")
    assert all(value is None for _, value in fields)


def test_signature_boxes_are_60_by_28_mm_with_the_seal_between_thu_ky_and_chu_toa() -> None:
    rendered = render_vote_record_with_fields(make_record())
    thu_ky, seal, chu_toa = (
        rendered.field_boxes[name] for name in ("ThuKy", "DauCoQuan", "ChuToa")
    )
    for x1, y1, x2, y2 in (thu_ky, chu_toa):
        assert x2 - x1 == pytest.approx(60 * MM, abs=1)
        assert y2 - y1 == pytest.approx(28 * MM, abs=1)
    for x1, y1, x2, _ in (thu_ky, seal, chu_toa):
        assert 20 * MM <= y1 and x1 >= 30 * MM - 1 and x2 <= A4_POINTS[0] - 15 * MM + 1
    # The seal touches the left edge of the chair's box and stays clear of the secretary's.
    assert thu_ky[2] <= seal[0] and seal[2] == pytest.approx(chu_toa[0], abs=0.5)
    assert seal[1] == chu_toa[1] and seal[3] == chu_toa[3]
    assert rendered.field_page == rendered.page_count - 1


def test_signature_widgets_sit_on_the_reported_boxes() -> None:
    rendered = render_vote_record_with_fields(make_record())
    reader = PdfFileReader(io.BytesIO(rendered.pdf))
    for name, _, field_ref in enumerate_sig_fields(reader, filled_status=None):
        rect = [float(v) for v in field_ref.get_object()["/Rect"]]
        assert rect == pytest.approx(list(rendered.field_boxes[name]), abs=1)


def test_numbered_record_has_no_number_field(record_pdf: bytes) -> None:
    reader = PdfFileReader(io.BytesIO(record_pdf))
    names = [field.get_object()["/T"] for field in reader.root["/AcroForm"]["/Fields"]]
    assert NUMBER_FIELD not in names


def test_unnumbered_record_leaves_a_blank_with_a_text_field_over_it() -> None:
    rendered = render_vote_record_with_fields(make_record(number=None))
    text = all_text(rendered.pdf)
    assert "Số:" in text and "/BB-HĐND" in text and "12/BB" not in text
    reader = PdfFileReader(io.BytesIO(rendered.pdf))
    fields = {
        field.get_object()["/T"]: field.get_object()
        for field in reader.root["/AcroForm"]["/Fields"]
    }
    assert fields[NUMBER_FIELD]["/FT"] == "/Tx"
    rect = [float(v) for v in fields[NUMBER_FIELD]["/Rect"]]
    assert rect == pytest.approx(list(rendered.field_boxes[NUMBER_FIELD]), abs=0.5)
    assert {"ThuKy", "ChuToa"} <= set(fields)


def test_long_question_and_names_wrap_inside_the_right_margin() -> None:
    long_name = (
        "Tôn Nữ Hoàng Thị Phương Thảo Nguyễn Huỳnh Bảo Ngọc Trâm Anh Kiều Diễm Phượng"
    )
    record = make_record(
        question=LONG_QUESTION,
        chair_name=long_name,
        present_not_voted=[f"Nguyễn Văn Thành {n}" for n in range(12)],
    )
    pdf = render_vote_record(record)
    limit = A4_POINTS[0] - 15 * MM
    document = pdfium.PdfDocument(pdf)
    for page in document:
        textpage = page.get_textpage()
        for index in range(textpage.count_chars()):
            if textpage.get_text_range(index, 1).strip():
                _, _, right, _ = textpage.get_charbox(index)
                assert right <= limit + 0.5
    text = all_text(pdf)
    assert " ".join(LONG_QUESTION.split()[-6:]) in text
    assert long_name in text


def test_page_one_renders_with_ink(tmp_path: Path, record_pdf: bytes) -> None:
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        pytest.skip("poppler-utils (pdftoppm) is not installed.")
    source = tmp_path / "record.pdf"
    source.write_bytes(record_pdf)
    subprocess.run(
        [
            pdftoppm,
            "-gray",
            "-r",
            "40",
            "-f",
            "1",
            "-l",
            "1",
            str(source),
            str(tmp_path / "page"),
        ],
        check=True,
        timeout=60,
    )
    (image,) = tmp_path.glob("page*.pgm")
    pixels = _pgm_pixels(image.read_bytes())
    dark = sum(1 for value in pixels if value < 128)
    assert dark > len(pixels) // 100


def _pgm_pixels(data: bytes) -> bytes:
    """The pixel bytes of a binary (P5) PGM with an 8-bit maximum."""
    fields: list[bytes] = []
    position = 0
    while len(fields) < 4:
        while data[position : position + 1].isspace():
            position += 1
        end = position
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[position:end])
        position = end
    assert fields[0] == b"P5" and fields[3] == b"255"
    width, height = int(fields[1]), int(fields[2])
    return data[position + 1 : position + 1 + width * height]


def test_signatures_never_stand_alone_on_the_last_page() -> None:
    record = make_record(
        question=LONG_QUESTION,
        present_not_voted=[f"Nguyễn Văn Thành {n}" for n in range(12)],
    )
    rendered = render_vote_record_with_fields(record)
    assert rendered.page_count == 2
    assert rendered.field_page == 1
    last_page = page_texts(rendered.pdf)[-1]
    assert "Biên bản được lập hồi" in last_page
    assert "THƯ KÝ" in last_page and "Nơi nhận:" in last_page
