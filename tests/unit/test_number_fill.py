"""The number of a record is filled after the chair certifies it, and every signature stays valid.

Chair certifies ChuToa → the office fills "12" in SoKyHieu → the secretary signs ThuKy; after
each step pyHanko (signing.verify) and poppler's pdfsig both accept every earlier signature.
"""
from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.errors import FieldAlreadyFilled, FieldMissing, SigningError
from signing.form import fill_number
from signing.pki import DevPki, init_dev_pki
from signing.render import NUMBER_FIELD, render_vote_record_with_fields
from signing.sign import load_signer, sign_pdf
from signing.verify import report_to_text, verify_pdf
from tests.unit.signing_helpers import pdfsig_lines, pdftotext, vote_record

SIGNERS = {"chutoa": "Đặng Quốc Hưng", "thuky": "Nguyễn Thị Ánh Tuyết"}


@dataclass(frozen=True)
class Steps:
    unsigned: bytes
    certified: bytes
    numbered: bytes
    countersigned: bytes


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return init_dev_pki(tmp_path_factory.mktemp("pki"), SIGNERS)


def _sign(pki: DevPki, who: str, pdf: bytes, field: str, certify: bool) -> bytes:
    files = pki.signers[who]
    return sign_pdf(
        pdf, signer=load_signer(files.p12_path, files.passphrase), field_name=field,
        certify=certify, signer_name=files.common_name, reason="Ký biên bản",
        location="Tân Phú", verify_url="http://127.0.0.1/verify/12",
    )


def _number_widget_is_on_its_page(pdf: bytes) -> bool:
    reader = PdfFileReader(BytesIO(pdf))
    (field_ref,) = [
        ref for ref in reader.root["/AcroForm"]["/Fields"]
        if ref.get_object().get("/T") == NUMBER_FIELD
    ]
    annots = reader.root["/Pages"]["/Kids"][0].get("/Annots", [])
    return any(ref.reference == field_ref.reference for ref in annots)


@pytest.fixture(scope="module")
def steps(pki: DevPki) -> Steps:
    unsigned = render_vote_record_with_fields(vote_record()).pdf
    # A widget missing from its page's /Annots is invisible, and pyHanko then calls filling it
    # a disallowed change. render.py must put it there (find_page_for_modification(...)[0]).
    assert _number_widget_is_on_its_page(unsigned), "render.py: SoKyHieu is not in page /Annots"
    certified = _sign(pki, "chutoa", unsigned, "ChuToa", certify=True)
    numbered = fill_number(certified, "12")
    countersigned = _sign(pki, "thuky", numbered, "ThuKy", certify=False)
    return Steps(unsigned, certified, numbered, countersigned)


@pytest.mark.parametrize(
    ("step", "fields"),
    [("certified", ["ChuToa"]), ("numbered", ["ChuToa"]), ("countersigned", ["ChuToa", "ThuKy"])],
)
def test_every_earlier_signature_stays_valid_after_each_step(
    pki: DevPki, steps: Steps, step: str, fields: list[str], tmp_path: Path
) -> None:
    pdf: bytes = getattr(steps, step)

    report = verify_pdf(pdf, trust_roots=pki.trust_roots())

    assert report.ok, report_to_text(report)
    assert [sig.field_name for sig in report.signatures] == fields
    assert all(not sig.modified_after and sig.docmdp_ok for sig in report.signatures)
    assert pdfsig_lines(pdf, tmp_path)[: len(fields)] == ["Signature is Valid."] * len(fields)


def test_filling_the_number_is_an_incremental_update(steps: Steps) -> None:
    assert steps.numbered.startswith(steps.certified)
    assert steps.countersigned.startswith(steps.numbered)


def test_the_number_is_printed_before_the_code(steps: Steps, tmp_path: Path) -> None:
    before = pdftotext(steps.certified, tmp_path)
    after = pdftotext(steps.countersigned, tmp_path)

    assert "12" not in before.split("/BB-HĐND")[0]
    number_line = next(line for line in after.splitlines() if "/BB-HĐND" in line)
    assert "12" in number_line and number_line.index("12") < number_line.index("/BB-HĐND")


def test_the_number_field_carries_the_value_and_an_embedded_font(steps: Steps) -> None:
    reader = PdfFileReader(BytesIO(steps.numbered))
    (field,) = [
        ref.get_object() for ref in reader.root["/AcroForm"]["/Fields"]
        if ref.get_object().get("/T") == NUMBER_FIELD
    ]
    fonts = field["/AP"]["/N"]["/Resources"]["/Font"]
    (name,) = fonts.keys()
    descendant = fonts[name]["/DescendantFonts"][0]

    assert field["/V"] == "12"
    assert "/FontFile2" in descendant["/FontDescriptor"]


def test_a_field_that_does_not_exist_is_a_clear_error(steps: Steps) -> None:
    with pytest.raises(FieldMissing, match="không có ô SoHieuKhac") as caught:
        fill_number(steps.certified, "12", field_name="SoHieuKhac")

    assert caught.value.code == "field_missing"


def test_a_number_is_filled_only_once(steps: Steps) -> None:
    with pytest.raises(FieldAlreadyFilled, match="đã có số “12”") as caught:
        fill_number(steps.numbered, "13")

    assert caught.value.code == "field_already_filled"


@pytest.mark.parametrize("data", [b"not a pdf", b""], ids=["garbage", "empty"])
def test_filling_something_that_is_not_a_pdf_is_refused(data: bytes) -> None:
    with pytest.raises(SigningError):
        fill_number(data, "12")
