"""Real PAdES signatures on a small record: sign, verify after each step, tamper, cross-check.

No mocks: the keys come from a development PKI made in a temporary folder, and poppler's
``pdfsig`` checks the result independently of pyHanko.
"""
from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigFieldSpec, append_signature_field
from reportlab.pdfgen import canvas

from signing.errors import FieldMissing, SigningError, WrongPassword
from signing.pki import DevPki, init_dev_pki
from signing.sign import load_signer, sign_pdf
from signing.tsa import dev_tsa
from signing.verify import VerifyReport, report_to_dict, report_to_text, verify_pdf
from tests.conftest import require
from tests.unit.signing_helpers import pdfsig_lines

SIGNERS = {"chutoa": "Nguyễn Văn An", "thuky": "Lê Thị Hoa"}
BODY_TEXT = "Bien ban ky hop thu nhat"


def make_record_pdf() -> bytes:
    """A one-page PDF with an uncompressed body and empty fields ChuToa and ThuKy."""
    buf = io.BytesIO()
    page = canvas.Canvas(buf, pagesize=(595, 842), pageCompression=0)
    page.drawString(72, 770, BODY_TEXT)
    page.showPage()
    page.save()
    writer = IncrementalPdfFileWriter(io.BytesIO(buf.getvalue()))
    append_signature_field(writer, SigFieldSpec("ChuToa", on_page=0, box=(60, 80, 290, 160)))
    append_signature_field(writer, SigFieldSpec("ThuKy", on_page=0, box=(310, 80, 540, 160)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@dataclass(frozen=True)
class SignedRecord:
    unsigned: bytes
    by_chair: bytes
    by_both: bytes


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return init_dev_pki(tmp_path_factory.mktemp("pki"), SIGNERS)


@pytest.fixture(scope="module")
def record(pki: DevPki) -> SignedRecord:
    unsigned = make_record_pdf()
    by_chair = sign_as(pki, "chutoa", unsigned, field_name="ChuToa", certify=True)
    by_both = sign_as(pki, "thuky", by_chair, field_name="ThuKy", certify=False)
    return SignedRecord(unsigned, by_chair, by_both)


def sign_as(pki: DevPki, who: str, pdf: bytes, *, field_name: str, certify: bool) -> bytes:
    files = pki.signers[who]
    return sign_pdf(
        pdf, signer=load_signer(files.p12_path, files.passphrase), field_name=field_name,
        certify=certify, signer_name=files.common_name, reason="Ký biên bản kỳ họp",
        location="Hội trường HĐND tỉnh",
    )


def assert_all_valid(report: VerifyReport, fields: list[str]) -> None:
    assert report.ok, report_to_text(report)
    assert [sig.field_name for sig in report.signatures] == fields
    for sig in report.signatures:
        assert sig.intact and sig.trusted and sig.docmdp_ok and not sig.modified_after


def test_certification_by_the_chair_verifies(pki: DevPki, record: SignedRecord) -> None:
    report = verify_pdf(record.by_chair, trust_roots=pki.trust_roots())

    assert_all_valid(report, ["ChuToa"])
    (chair,) = report.signatures
    assert chair.signer_common_name == "Nguyễn Văn An"
    assert chair.certifying and chair.test_certificate
    assert chair.coverage == "entire_document"


def test_approval_by_the_secretary_keeps_the_certification_valid(
    pki: DevPki, record: SignedRecord
) -> None:
    report = verify_pdf(record.by_both, trust_roots=pki.trust_roots())

    assert_all_valid(report, ["ChuToa", "ThuKy"])
    chair, secretary = report.signatures
    assert chair.coverage == "entire_revision"
    assert secretary.coverage == "entire_document"
    assert secretary.signer_common_name == "Lê Thị Hoa"
    assert not secretary.certifying


def test_signing_appends_an_incremental_update(record: SignedRecord) -> None:
    assert record.by_chair.startswith(record.unsigned)
    assert record.by_both.startswith(record.by_chair)


def test_pdfsig_finds_both_signatures_valid(record: SignedRecord, tmp_path: Path) -> None:
    assert pdfsig_lines(record.by_both, tmp_path) == ["Signature is Valid."] * 2


def test_one_changed_byte_in_the_signed_content_invalidates_every_signature(
    pki: DevPki, record: SignedRecord, tmp_path: Path
) -> None:
    position = record.by_both.index(BODY_TEXT.encode())
    tampered = bytearray(record.by_both)
    tampered[position] = ord("X")

    report = verify_pdf(bytes(tampered), trust_roots=pki.trust_roots())

    assert not report.ok and report.reason == "invalid"
    assert not any(sig.intact for sig in report.signatures)
    assert "Signature is Valid." not in pdfsig_lines(bytes(tampered), tmp_path)


def test_new_page_content_after_certification_is_a_disallowed_change(
    pki: DevPki, record: SignedRecord
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(record.by_chair))
    extra = generic.StreamObject(stream_data=b"BT /F1 12 Tf 72 700 Td (Them dong) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(extra))
    out = io.BytesIO()
    writer.write(out)

    report = verify_pdf(out.getvalue(), trust_roots=pki.trust_roots())

    (chair,) = report.signatures
    assert not report.ok
    assert chair.intact and chair.trusted
    assert chair.modified_after and not chair.docmdp_ok


def test_a_foreign_root_does_not_trust_our_signatures(
    record: SignedRecord, tmp_path: Path
) -> None:
    other = init_dev_pki(tmp_path / "other", {})

    report = verify_pdf(record.by_both, trust_roots=other.trust_roots())

    assert not report.ok
    assert all(sig.intact and not sig.trusted for sig in report.signatures)


def test_a_wrong_passphrase_is_refused_with_a_vietnamese_message(pki: DevPki) -> None:
    with pytest.raises(WrongPassword) as caught:
        load_signer(pki.signers["chutoa"].p12_path, "not-the-passphrase")

    assert caught.value.code == "wrong_password"
    assert caught.value.message == "Mật khẩu tệp khóa PKCS#12 không đúng."


def test_a_missing_key_file_is_key_not_found(tmp_path: Path) -> None:
    with pytest.raises(SigningError) as caught:
        load_signer(tmp_path / "absent.p12", "x")

    assert caught.value.code == "key_not_found"


def test_a_loaded_key_is_reused(pki: DevPki) -> None:
    files = pki.signers["thuky"]

    assert load_signer(files.p12_path, files.passphrase) is load_signer(
        files.p12_path, files.passphrase
    )


@pytest.mark.parametrize("field_name", ["ChuTich", "ChuToa"], ids=["absent", "already-signed"])
def test_signing_needs_an_empty_field_of_that_name(
    pki: DevPki, record: SignedRecord, field_name: str
) -> None:
    with pytest.raises(FieldMissing, match=field_name) as caught:
        sign_as(pki, "chutoa", record.by_chair, field_name=field_name, certify=False)

    assert caught.value.code == "field_missing"


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"not a pdf at all", "not_our_pdf"), (make_record_pdf(), "no_signature")],
    ids=["garbage", "unsigned"],
)
def test_unverifiable_input_is_reported_with_a_reason(
    pki: DevPki, data: bytes, reason: str
) -> None:
    report = verify_pdf(data, trust_roots=pki.trust_roots())

    assert not report.ok and report.reason == reason and report.signatures == ()


def test_the_report_renders_as_json_data_and_vietnamese_text(
    pki: DevPki, record: SignedRecord
) -> None:
    report = verify_pdf(record.by_both, trust_roots=pki.trust_roots())

    data = report_to_dict(report)
    text = report_to_text(report)

    assert data["ok"] is True and [s["ok"] for s in data["signatures"]] == [True, True]
    assert data["signatures"][0]["signing_time"].endswith("+00:00")
    assert text.startswith("HỢP LỆ")
    assert "Người ký: Lê Thị Hoa (chứng thư thử nghiệm)" in text


def test_init_dev_pki_does_not_overwrite_existing_files(pki: DevPki) -> None:
    before = {path.name: path.read_bytes() for path in pki.directory.iterdir()}

    again = init_dev_pki(pki.directory, SIGNERS)

    assert {path.name: path.read_bytes() for path in pki.directory.iterdir()} == before
    assert again.signers == pki.signers


@pytest.fixture(scope="module")
def tsa_url(pki: DevPki) -> Iterator[str]:
    """A timestamp authority on 127.0.0.1, certified by the development intermediate CA."""
    with dev_tsa(pki.directory) as url:
        yield url


def test_a_timestamped_signature_is_pades_b_t_and_verifies(
    pki: DevPki, tsa_url: str, tmp_path: Path
) -> None:
    files = pki.signers["chutoa"]
    signed = sign_pdf(
        make_record_pdf(), signer=load_signer(files.p12_path, files.passphrase),
        field_name="ChuToa", certify=True, signer_name=files.common_name,
        reason="Ký biên bản kỳ họp", location="Hội trường HĐND tỉnh", timestamp_url=tsa_url,
    )

    report = verify_pdf(signed, trust_roots=pki.trust_roots())

    assert_all_valid(report, ["ChuToa"])
    assert report.signatures[0].timestamped and report.signatures[0].timestamp_ok
    assert pdfsig_lines(signed, tmp_path) == ["Signature is Valid."]


def test_the_cached_pades_signed_attributes_equal_pyhankos_own(pki: DevPki) -> None:
    import asyncio  # noqa: PLC0415
    import hashlib  # noqa: PLC0415

    from pyhanko.sign import signers  # noqa: PLC0415

    files = pki.signers["chutoa"]
    signer = load_signer(files.p12_path, files.passphrase)
    digest = hashlib.sha256(b"record").digest()

    ours = asyncio.run(signer.signed_attrs(digest, "sha256", use_pades=True))
    theirs = asyncio.run(signers.SimpleSigner.signed_attrs(signer, digest, "sha256", use_pades=True))

    assert ours.dump() == theirs.dump()


def test_one_timestamp_client_serves_a_url_and_remembers_the_token_size(
    pki: DevPki, tsa_url: str
) -> None:
    from signing.tsa import timestamper_for  # noqa: PLC0415

    files = pki.signers["thuky"]
    signed = sign_pdf(
        make_record_pdf(), signer=load_signer(files.p12_path, files.passphrase),
        field_name="ThuKy", certify=True, signer_name=files.common_name, reason="r",
        location="l", timestamp_url=tsa_url,
    )

    assert timestamper_for(tsa_url) is timestamper_for(tsa_url)
    assert verify_pdf(signed, trust_roots=pki.trust_roots()).ok


def test_the_stamp_font_keeps_every_vietnamese_letter() -> None:
    from fontTools import ttLib  # noqa: PLC0415

    from signing.fonts import VIETNAMESE_SAMPLE  # noqa: PLC0415
    from signing.sign import stamp_font_bytes  # noqa: PLC0415

    cmap = ttLib.TTFont(io.BytesIO(stamp_font_bytes())).getBestCmap()

    assert {char for char in VIETNAMESE_SAMPLE + "0123456789/:-()" if ord(char) not in cmap} == set()


def test_an_unreachable_timestamp_authority_is_a_clear_error(pki: DevPki) -> None:
    from signing.errors import TimestampUnavailable  # noqa: PLC0415

    files = pki.signers["chutoa"]
    with pytest.raises(TimestampUnavailable) as caught:
        sign_pdf(
            make_record_pdf(), signer=load_signer(files.p12_path, files.passphrase),
            field_name="ChuToa", certify=True, signer_name=files.common_name, reason="r",
            location="l", timestamp_url="http://127.0.0.1:9/tsa",
        )

    assert caught.value.code == "timestamp_unavailable"


def test_a_stamp_drawn_from_the_remembered_font_program_reads_back(pki: DevPki, tmp_path: Path):
    """The second stamp with the same glyphs embeds the font program kept from the first."""
    require(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed")
    from signing import sign as sign_module  # noqa: PLC0415

    texts = []
    for round_ in range(2):
        signed = sign_as(pki, "chutoa", make_record_pdf(), field_name="ChuToa", certify=True)
        path = tmp_path / f"stamp-{round_}.pdf"
        path.write_bytes(signed)
        run = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                             timeout=30, check=True)
        texts.append(run.stdout)
        assert verify_pdf(signed, trust_roots=pki.trust_roots()).ok
    assert sign_module._font_programs, "the font program was not remembered"
    name = pki.signers["chutoa"].common_name
    assert all(f"Ký bởi: {name}" in text for text in texts), texts
    # Every glyph the second stamp draws has its outline in the embedded font program.
    used, outlines = _stamp_glyphs(signed)
    assert used and all(outlines.get(gid) for gid in used if gid not in outlines.get("blank", ())), (
        sorted(gid for gid in used if not outlines.get(gid))
    )


def _stamp_glyphs(pdf: bytes) -> tuple[set[int], dict]:  # type: ignore[type-arg]
    """The glyph ids the ChuToa stamp's font lists (/W), and which of them have outlines."""
    from fontTools.ttLib import TTFont  # noqa: PLC0415
    from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: PLC0415

    reader = PdfFileReader(io.BytesIO(pdf))
    field = next(f.get_object() for f in reader.root["/AcroForm"]["/Fields"]
                 if f.get_object()["/T"] == "ChuToa")
    fonts = []

    def collect(xobject: generic.StreamObject) -> None:
        resources = xobject.get("/Resources", generic.DictionaryObject())
        for font in resources.get("/Font", generic.DictionaryObject()).values():
            fonts.append(font.get_object())
        for inner in resources.get("/XObject", generic.DictionaryObject()).values():
            collect(inner.get_object())

    collect(field["/AP"]["/N"].get_object())
    cid_font = next(f["/DescendantFonts"][0].get_object() for f in fonts if "/DescendantFonts" in f)
    widths = list(cid_font["/W"])
    used = {int(widths[i]) + j for i in range(0, len(widths), 2) for j in range(len(widths[i + 1]))}
    program = cid_font["/FontDescriptor"]["/FontFile2"].get_object().data
    font = TTFont(io.BytesIO(program))
    glyf, order = font["glyf"], font.getGlyphOrder()
    outlines: dict = {gid: glyf[order[gid]].numberOfContours != 0 for gid in used if gid < len(order)}  # type: ignore[type-arg]
    outlines["blank"] = {gid for gid in used if gid < len(order) and order[gid] in ("space", "uni0020")}
    return used, outlines
