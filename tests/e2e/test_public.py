"""The public archive and verify pages, against a real server, with a really signed record."""
from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
import requests

from server.db.engine import Database
from server.db.models import Council, Document, DocumentVersion
from server.domain.text import fold
from signing.pki import init_dev_pki
from signing.records import VoteRecord
from signing.render import render_vote_record_with_fields
from signing.sign import load_signer, sign_pdf

from ..conftest import require

pytestmark = pytest.mark.e2e

CHAIR = "Đặng Quốc Hưng"
TITLE = "Nghị quyết về kế hoạch đầu tư công trung hạn"
SIGNED_AT = datetime(2026, 11, 28, 7, 5, tzinfo=timezone.utc)


@dataclass
class Archive:
    base: str
    published_id: str
    unpublished_id: str
    signed: bytes
    rendered: bytes
    database_url: str


def _record(verify_url: str) -> VoteRecord:
    return VoteRecord(
        council_name="HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ", locality="Tân Phú", number=None,
        place="Tân Phú", date=date(2026, 11, 28),
        meeting_title="Kỳ họp thứ Năm, Hội đồng nhân dân xã Tân Phú khóa I",
        agenda_item=TITLE, question=f"Thông qua {TITLE}",
        rule_label="Quá nửa tổng số đại biểu", total=3, counts={"yes": 3, "no": 0, "abstain": 0},
        lines=["Tán thành: 3/3 đại biểu (100,00%)"], passed=True, verdict="THÔNG QUA",
        present_not_voted=[], opened_at=SIGNED_AT, closed_at=SIGNED_AT,
        chair_name=CHAIR, secretary_name="Nguyễn Thị Ánh Tuyết", verify_url=verify_url,
    )


def _store(url: str, council_id: int, meeting_id: int, public_id: str, *, title: str,
           versions: list[tuple[str, bytes]], published: bool, seq: int) -> None:
    """Insert the document the signing flow would have left, through the server's database."""
    db = Database(url)
    with db.session() as s:
        council = s.get(Council, council_id)
        assert council is not None
        number = f"{seq}/NQ-HĐND"
        doc = Document(
            council_id=council_id, meeting_id=meeting_id, kind="resolution", code="NQ-HĐND",
            title=title, state="published" if published else "signing", draft={},
            issued_on=date(2026, 11, 28), year=2026, number_seq=seq, number=number,
            public_id=public_id, created_at=SIGNED_AT, published_at=SIGNED_AT if published else None,
            search_text=fold(f"Nghị quyết {title} {number} {council.name}"),
        )
        s.add(doc)
        s.flush()
        for index, (step, content) in enumerate(versions, start=1):
            s.add(DocumentVersion(
                document_id=doc.id, version=index, step=step,
                field="ChuTich" if step.startswith("sign:") else None, content=content,
                sha256=hashlib.sha256(content).hexdigest(), size=len(content),
                created_at=SIGNED_AT, actor_name=CHAIR if step.startswith("sign:") else "",
                signer_name=CHAIR if step.startswith("sign:") else "",
            ))
        s.commit()
    db.dispose()


@pytest.fixture
def archive(hall_server) -> Archive:  # type: ignore[no-untyped-def]
    server, seeded = hall_server(delegates=1)
    # The server trusts instance/pki/root.pem by default: make the dev PKI there.
    pki = init_dev_pki(server.instance / "pki", {"chutoa": CHAIR})
    published_id, unpublished_id = "QrTestPublished01", "QrTestUnpublished1"
    rendered = render_vote_record_with_fields(
        _record(f"{server.url}/cong-khai/kiem-tra/{published_id}")).pdf
    files = pki.signers["chutoa"]
    signed = sign_pdf(rendered, signer=load_signer(files.p12_path, files.passphrase),
                      field_name="ChuToa", certify=True, signer_name=CHAIR,
                      reason="Chủ tọa kỳ họp ký xác nhận", location="Tân Phú")
    _store(server.database_url, seeded.council_id, seeded.meeting_id, published_id, title=TITLE,
           versions=[("render", rendered), ("sign:ChuTich", signed)], published=True, seq=12)
    _store(server.database_url, seeded.council_id, seeded.meeting_id, unpublished_id,
           title="Nghị quyết bí mật chưa công bố", versions=[("render", b"%PDF-1.7 draft")],
           published=False, seq=13)
    return Archive(server.url, published_id, unpublished_id, signed, rendered, server.database_url)


def _upload(base: str, content: bytes, name: str = "van-ban.pdf", **form: str) -> requests.Response:
    return requests.post(f"{base}/cong-khai/kiem-tra", files={"file": (name, content, "application/pdf")},
                         data=form, timeout=60)


def test_the_archive_lists_the_published_record_and_finds_it_without_diacritics(archive):
    page = requests.get(f"{archive.base}/cong-khai/", timeout=10)
    assert page.status_code == 200 and TITLE in page.text and "12/NQ-HĐND" in page.text
    assert "bí mật" not in page.text
    found = requests.get(f"{archive.base}/cong-khai/", params={"q": "nghi quyet dau tu"}, timeout=10)
    assert f'data-testid="archive-doc-{archive.published_id}"' in found.text
    none = requests.get(f"{archive.base}/cong-khai/", params={"q": "ngan sach"}, timeout=10)
    assert 'data-testid="archive-empty"' in none.text and TITLE not in none.text
    api = requests.get(f"{archive.base}/cong-khai/api/van-ban", params={"q": "DAU TU"}, timeout=10)
    assert api.status_code == 200
    body = api.json()
    assert body["ok"] is True and body["total"] == 1
    assert body["documents"][0]["public_id"] == archive.published_id
    odd = requests.get(f"{archive.base}/cong-khai/api/van-ban", timeout=10,
                       params={"council_id": "9" * 30, "year": "abc", "page": "9" * 30, "q": "%"})
    assert odd.status_code == 200 and odd.json()["total"] == 0 and odd.json()["page"] == 1


def test_the_document_page_shows_the_signer_and_a_valid_verdict_and_serves_the_signed_pdf(archive):
    page = requests.get(f"{archive.base}/cong-khai/van-ban/{archive.published_id}", timeout=30)
    assert page.status_code == 200
    assert CHAIR in page.text and "14:05 ngày 28/11/2026" in page.text
    assert 'data-testid="verdict" data-ok="true"' in page.text and "HỢP LỆ" in page.text
    assert "Chứng thư thử nghiệm" in page.text
    pdf = requests.get(f"{archive.base}/cong-khai/van-ban/{archive.published_id}.pdf", timeout=10)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.content == archive.signed
    assert pdf.headers["ETag"] == f'"{hashlib.sha256(archive.signed).hexdigest()}"'
    assert pdf.headers["Content-Disposition"] == 'inline; filename="nghi-quyet-12-nq-hdnd-2026.pdf"'
    again = requests.get(f"{archive.base}/cong-khai/van-ban/{archive.published_id}.pdf", timeout=10,
                         headers={"If-None-Match": pdf.headers["ETag"]})
    assert again.status_code == 304


def test_the_qr_page_verifies_the_stored_record_and_checks_an_identical_upload(archive):
    page = requests.get(f"{archive.base}/cong-khai/kiem-tra/{archive.published_id}", timeout=30)
    assert page.status_code == 200
    assert 'data-testid="verdict" data-ok="true"' in page.text and CHAIR in page.text
    assert "chuỗi chứng thư dẫn về gốc tin cậy" in page.text
    same = _upload(archive.base, archive.signed, public_id=archive.published_id)
    assert same.status_code == 200
    assert "Tệp trùng khớp với bản gốc số 12/NQ-HĐND do hệ thống phát hành." in same.text
    assert "Tệp này chính là phiên bản 2 của văn bản đang xem." in same.text
    assert 'data-testid="upload-verdict" data-ok="true"' in same.text


def test_one_changed_byte_fails_with_the_reason_and_matches_nothing(archive):
    tampered = bytearray(archive.signed)
    at = tampered.index(b"ReportLab") + 6  # inside the first revision, which the signature covers
    tampered[at] = ord("X")
    answer = _upload(archive.base, bytes(tampered))
    assert answer.status_code == 200
    assert 'data-testid="upload-verdict" data-ok="false"' in answer.text
    assert "Nội dung đã bị thay đổi sau khi ký" in answer.text
    assert "Tệp không trùng với bản nào do hệ thống phát hành." in answer.text
    api = requests.post(f"{archive.base}/cong-khai/api/kiem-tra", timeout=60,
                        files={"file": ("x.pdf", bytes(tampered), "application/pdf")}).json()
    assert api["ok"] is True and api["match"] is None
    assert api["verification"]["ok"] is False and api["verification"]["reason"] == "invalid"
    assert api["verification"]["signatures"][0]["intact"] is False


def test_an_unsigned_draft_matches_an_issued_version_but_has_no_signature(archive):
    answer = _upload(archive.base, archive.rendered)
    assert answer.status_code == 200
    assert "Tệp PDF này không có chữ ký số nào." in answer.text
    assert "Tệp trùng khớp với bản gốc số 12/NQ-HĐND" in answer.text


@pytest.mark.parametrize(
    ("content", "name", "status", "code", "message"),
    [
        (b"", "rong.pdf", 400, "file_empty", "Tệp rỗng (0 byte)"),
        (b"Xin chao, day khong phai PDF", "thu.txt", 400, "not_pdf", "Tệp này không phải PDF"),
        (None, "", 400, "file_missing", "Chưa chọn tệp để kiểm tra."),
        (b"%PDF-1.7\n" + b"0" * (30 * 1024 * 1024), "lon.pdf", 413, "file_too_large",
         "Tệp quá lớn: chỉ kiểm tra được tệp tối đa 25 MB."),
    ],
    ids=["empty", "not-pdf", "no-file", "30-mb"],
)
def test_bad_uploads_get_a_clear_message_and_the_server_keeps_serving(
    archive, content, name, status, code, message
):
    files = {"file": (name, content, "application/pdf")} if content is not None else None
    page = requests.post(f"{archive.base}/cong-khai/kiem-tra", files=files,
                         data={"public_id": archive.published_id}, timeout=60)
    assert page.status_code == status and message in page.text
    assert 'data-testid="upload-error"' in page.text
    api = requests.post(f"{archive.base}/cong-khai/api/kiem-tra", files=files, timeout=60)
    assert api.status_code == status
    assert api.json() == {"ok": False, "error": {"code": code, "message": api.json()["error"]["message"]}}
    assert message in api.json()["error"]["message"]
    assert requests.get(f"{archive.base}/cong-khai/", timeout=10).status_code == 200


def test_an_unpublished_document_is_404_but_its_qr_page_offers_the_upload_check(archive):
    for path in (f"/cong-khai/van-ban/{archive.unpublished_id}",
                 f"/cong-khai/van-ban/{archive.unpublished_id}.pdf"):
        answer = requests.get(archive.base + path, timeout=10)
        assert answer.status_code == 404 and "Văn bản này chưa được công bố." in answer.text
        assert "bí mật" not in answer.text
    qr = requests.get(f"{archive.base}/cong-khai/kiem-tra/{archive.unpublished_id}", timeout=10)
    assert qr.status_code == 200 and "Văn bản chưa được công bố." in qr.text
    assert 'data-testid="upload-form"' in qr.text and "bí mật" not in qr.text
    assert requests.get(f"{archive.base}/cong-khai/kiem-tra/khong-co", timeout=10).status_code == 404
    missing = requests.get(f"{archive.base}/cong-khai/api/van-ban", params={"page": 99}, timeout=10)
    assert missing.json()["documents"] == []
    assert requests.get(f"{archive.base}/api/session", timeout=10).status_code == 200


def test_the_upload_check_is_rate_limited_with_a_json_error(archive):
    statuses = []
    for _ in range(31):
        answer = requests.post(f"{archive.base}/cong-khai/api/kiem-tra", timeout=10,
                               files={"file": ("a.txt", b"not a pdf", "text/plain")})
        statuses.append(answer.status_code)
    assert statuses == [400] * 30 + [429]
    assert answer.json()["ok"] is False and answer.json()["error"]["code"] == "rate_limited"
    assert requests.get(f"{archive.base}/cong-khai/kiem-tra", timeout=10).status_code == 200


# --- a phone follows the QR code ---------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone() -> Iterator[object]:
    require(Path(CHROMIUM).exists(), f"Chromium is not installed at {CHROMIUM} (Debian package chromium)")
    from playwright.sync_api import sync_playwright  # noqa: PLC0415

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True,
                                       has_touch=True)
        yield context.new_page()
        chromium.close()


@pytest.mark.browser
def test_a_phone_reads_the_archive_and_the_verify_page(archive, phone, artifacts: Path):
    from playwright.sync_api import expect  # noqa: PLC0415

    page = phone
    page.goto(f"{archive.base}/cong-khai/")
    page.get_by_test_id("archive-q").fill("nghi quyet dau tu")
    page.get_by_test_id("archive-submit").click()
    expect(page.get_by_test_id(f"archive-doc-{archive.published_id}")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "public-archive-phone.png"), full_page=True)

    page.goto(f"{archive.base}/cong-khai/van-ban/{archive.published_id}")
    expect(page.get_by_test_id("doc-history")).to_contain_text(CHAIR)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "public-document-phone.png"), full_page=True)

    page.goto(f"{archive.base}/cong-khai/kiem-tra/{archive.published_id}")
    expect(page.get_by_test_id("verdict")).to_contain_text("HỢP LỆ")
    expect(page.get_by_test_id("verdict-test-cert")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(artifacts / "public-verify-phone.png"), full_page=True)

    tampered = bytearray(archive.signed)
    tampered[tampered.index(b"ReportLab") + 6] = ord("X")
    page.get_by_test_id("upload-file").set_input_files(
        files=[{"name": "ban-sao.pdf", "mimeType": "application/pdf", "buffer": bytes(tampered)}])
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("upload-verdict")).to_contain_text("KHÔNG HỢP LỆ")
    page.screenshot(path=str(artifacts / "public-verify-tampered-phone.png"), full_page=True)
