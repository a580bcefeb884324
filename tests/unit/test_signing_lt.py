"""Long-term signatures (PAdES B-LT) and the reasons a certificate is not trusted.

The development PKI writes CRLs; a B-LT signature embeds them and verifies without any
fetching. A revoked, an expired and a foreign certificate each fail with their own Vietnamese
reason.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from io import BytesIO

import pytest
from asn1crypto import crl as asn1_crl
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import DocumentSecurityStore, validate_pdf_signature

from signing.errors import SigningError, ValidationInfoUnavailable
from signing.pki import DevPki, DevSignerFiles, init_dev_pki, issue_signer, revoke
from signing.render import render_vote_record_with_fields
from signing.sign import load_signer, sign_pdf
from signing.tsa import dev_tsa
from signing.verify import TRUST_PROBLEMS, report_to_dict, report_to_text, verify_pdf
from tests.unit.signing_helpers import pdfsig_lines, vote_record

SIGNERS = {
    "chutoa": "Đặng Quốc Hưng",
    "thuky": "Nguyễn Thị Ánh Tuyết",
    "dauco": "Văn phòng HĐND xã Tân Phú (thử nghiệm)",
}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return init_dev_pki(tmp_path_factory.mktemp("pki"), SIGNERS)


@pytest.fixture(scope="module")
def tsa_url(pki: DevPki) -> Iterator[str]:
    with dev_tsa(pki.directory) as url:
        yield url


@pytest.fixture(scope="module")
def record_pdf() -> bytes:
    return render_vote_record_with_fields(vote_record()).pdf


def _sign(
    pdf: bytes, files: DevSignerFiles, *, field: str = "ChuToa", certify: bool = True,
    **options: object,
) -> bytes:
    return sign_pdf(
        pdf, signer=load_signer(files.p12_path, files.passphrase), field_name=field,
        certify=certify, signer_name=files.common_name, reason="Ký biên bản",
        location="Tân Phú", **options,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def long_term(pki: DevPki, tsa_url: str, record_pdf: bytes) -> bytes:
    return _sign(
        record_pdf, pki.signers["chutoa"], timestamp_url=tsa_url, long_term=True,
        validation_context=pki.validation_context(),
    )


def test_the_dev_pki_writes_a_crl_for_the_root_and_the_intermediate(pki: DevPki) -> None:
    crls = pki.crls()

    assert [crl.issuer.native["common_name"] for crl in crls] == [
        "Hội trường số — CA thử nghiệm", "Hội trường số — CA trung gian thử nghiệm",
    ]
    assert all(isinstance(crl, asn1_crl.CertificateList) for crl in crls)
    assert all(not crl["tbs_cert_list"]["revoked_certificates"] for crl in crls)


def test_a_b_lt_signature_verifies_from_its_embedded_revocation_data(
    pki: DevPki, long_term: bytes, tmp_path: Path
) -> None:
    # No CRLs are passed: verification can only use what the PDF carries, and fetches nothing.
    report = verify_pdf(long_term, trust_roots=pki.trust_roots())

    assert report.ok, report_to_text(report)
    (sig,) = report.signatures
    assert sig.revocation_info_embedded and sig.timestamped and sig.timestamp_ok
    assert "Thông tin thu hồi nhúng trong tệp (B-LT): có" in report_to_text(report)
    assert pdfsig_lines(long_term, tmp_path)[0] == "Signature is Valid."


def test_the_embedded_revocation_data_alone_satisfies_a_hard_fail_check(
    pki: DevPki, long_term: bytes
) -> None:
    reader = PdfFileReader(BytesIO(long_term))
    dss = DocumentSecurityStore.read_dss(reader)
    context = dss.as_validation_context({
        "trust_roots": pki.trust_roots(), "allow_fetching": False, "revocation_mode": "hard-fail",
    })

    status = validate_pdf_signature(reader.embedded_signatures[0], signer_validation_context=context)

    assert status.bottom_line and status.trusted
    assert len(dss.crls) >= 1 and len(reader.root["/DSS"]["/Certs"]) >= 2


def test_a_later_approval_keeps_the_b_lt_certification_valid(
    pki: DevPki, long_term: bytes, tsa_url: str
) -> None:
    both = _sign(long_term, pki.signers["dauco"], field="ThuKy", certify=False,
                 timestamp_url=tsa_url)

    report = verify_pdf(both, trust_roots=pki.trust_roots())

    assert report.ok, report_to_text(report)
    assert report.signatures[1].signer_common_name == "Văn phòng HĐND xã Tân Phú (thử nghiệm)"


def test_a_b_b_signature_carries_no_revocation_data(pki: DevPki, record_pdf: bytes) -> None:
    report = verify_pdf(_sign(record_pdf, pki.signers["chutoa"]), trust_roots=pki.trust_roots())

    assert report.ok and not report.signatures[0].revocation_info_embedded


def test_long_term_signing_needs_a_timestamp_authority(pki: DevPki, record_pdf: bytes) -> None:
    with pytest.raises(SigningError, match="B-LT"):
        _sign(record_pdf, pki.signers["chutoa"], long_term=True,
              validation_context=pki.validation_context())


def test_a_revoked_signer_fails_with_the_revoked_reason(
    tmp_path: Path, record_pdf: bytes, tsa_url: str
) -> None:
    pki = init_dev_pki(tmp_path / "pki", {"thuky": "Lê Văn Bị Thu Hồi"})
    signed = _sign(record_pdf, pki.signers["thuky"])
    revoke(pki.directory, "thuky")

    report = verify_pdf(signed, trust_roots=pki.trust_roots(), crls=pki.crls())

    assert not report.ok
    (sig,) = report.signatures
    assert sig.intact and not sig.trusted and sig.trust_problem == "revoked"
    assert "Chứng thư của người ký đã bị thu hồi." in report_to_text(report)
    assert report_to_dict(report)["signatures"][0]["trust_problem_message"] == TRUST_PROBLEMS["revoked"]
    with pytest.raises(ValidationInfoUnavailable, match="B-LT"):
        _sign(record_pdf, pki.signers["thuky"], timestamp_url=tsa_url, long_term=True,
              validation_context=pki.validation_context())


def test_an_expired_certificate_fails_with_the_expired_reason(
    pki: DevPki, record_pdf: bytes
) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    expired = issue_signer(pki.directory, "hethan", "Võ Thị Hết Hạn",
                           valid_from=now - dt.timedelta(days=400),
                           valid_until=now - dt.timedelta(days=30))

    report = verify_pdf(_sign(record_pdf, expired), trust_roots=pki.trust_roots())

    (sig,) = report.signatures
    assert not report.ok and sig.intact and sig.trust_problem == "expired"
    assert "Chứng thư của người ký đã hết hạn." in report_to_text(report)


def test_a_certificate_from_an_unknown_root_fails_with_the_untrusted_reason(
    long_term: bytes, tmp_path: Path
) -> None:
    foreign = init_dev_pki(tmp_path / "foreign", {})

    report = verify_pdf(long_term, trust_roots=foreign.trust_roots())

    (sig,) = report.signatures
    assert not report.ok and sig.intact and sig.trust_problem == "untrusted_root"
    assert "tổ chức chứng thực tin cậy" in report_to_text(report)


def test_crls_are_renewed_only_when_they_run_out(pki: DevPki) -> None:
    before = {path.name: path.read_bytes() for path in pki.directory.glob("*.crl")}

    init_dev_pki(pki.directory, SIGNERS)

    assert {path.name: path.read_bytes() for path in pki.directory.glob("*.crl")} == before
