"""Signing with a key on a PKCS#11 token (SoftHSM2), and the Vietnamese errors of a token.

The token holds an RSA key and a certificate issued by a development PKI; the signed record is
checked by signing.verify and by poppler's pdfsig. No mocks.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from signing.errors import SigningError, TokenKeyNotFound, TokenMissing, TokenModuleMissing, WrongPin
from signing.pkcs11 import list_token_certificates, open_token_signer, token_sign_raw
from signing.render import render_vote_record_with_fields
from signing.sign import sign_pdf
from signing.verify import report_to_text, verify_pdf
from tests.unit.signing_helpers import SoftHsmToken, pdfsig_lines, softhsm_token, vote_record


@pytest.fixture(scope="module")
def token() -> SoftHsmToken:
    return softhsm_token()


@pytest.fixture(scope="module")
def record_pdf() -> bytes:
    return render_vote_record_with_fields(vote_record()).pdf


def _sign_with_token(token: SoftHsmToken, pdf: bytes, **selection: object) -> bytes:
    with open_token_signer(token.lib_path, pin=token.pin, **selection) as signer:  # type: ignore[arg-type]
        return sign_pdf(
            pdf, signer=signer, field_name="ChuToa", certify=True,
            signer_name="Trần Đức Thắng", reason="Ký biên bản", location="Tân Phú",
        )


def test_a_record_signed_with_the_token_key_verifies(
    token: SoftHsmToken, record_pdf: bytes, tmp_path: Path
) -> None:
    signed = _sign_with_token(token, record_pdf, token_label=token.label, key_id=token.key_id)

    report = verify_pdf(signed, trust_roots=token.pki.trust_roots())

    assert report.ok, report_to_text(report)
    (chair,) = report.signatures
    assert chair.signer_common_name == "Trần Đức Thắng" and chair.certifying
    assert pdfsig_lines(signed, tmp_path)[0] == "Signature is Valid."


def test_the_only_key_on_the_token_is_chosen_when_no_id_is_given(
    token: SoftHsmToken, record_pdf: bytes
) -> None:
    signed = _sign_with_token(token, record_pdf)

    assert verify_pdf(signed, trust_roots=token.pki.trust_roots()).ok


def test_the_token_lists_its_certificates_by_id(token: SoftHsmToken) -> None:
    listed = dict(list_token_certificates(token.lib_path, pin=token.pin, token_label=token.label))

    assert listed[token.key_id].dump() == token.certificate.dump()
    assert len(listed) == 2  # the signer's certificate and the intermediate CA


def test_raw_signing_is_rsa_pkcs1_v15_over_sha256(token: SoftHsmToken) -> None:
    data = "Biên bản số 12".encode()

    signature = token_sign_raw(token.lib_path, data, pin=token.pin, key_id=token.key_id)

    public = x509.load_der_x509_certificate(token.certificate.dump()).public_key()
    assert isinstance(public, RSAPublicKey)
    public.verify(signature, data, PKCS1v15(), hashes.SHA256())  # raises when wrong


def test_a_wrong_pin_is_refused_in_vietnamese_and_signs_nothing(
    token: SoftHsmToken, record_pdf: bytes
) -> None:
    signed: list[bytes] = []
    with pytest.raises(WrongPin) as caught:
        with open_token_signer(token.lib_path, pin="000000", token_label=token.label) as signer:
            signed.append(sign_pdf(
                record_pdf, signer=signer, field_name="ChuToa", certify=True,
                signer_name="x", reason="x", location="x",
            ))

    assert caught.value.code == "wrong_pin"
    assert caught.value.message.startswith("Mã PIN không đúng")
    assert signed == []


@pytest.mark.parametrize(
    ("selection", "error", "message"),
    [
        ({"token_label": "token-khac"}, TokenMissing, "Không tìm thấy USB token có nhãn “token-khac”"),
        ({"key_id": b"\x99"}, TokenKeyNotFound, "không có khóa ký hoặc chứng thư mã 99"),
    ],
    ids=["unknown-label", "unknown-key-id"],
)
def test_a_token_or_key_that_is_not_there_is_a_clear_error(
    token: SoftHsmToken, selection: dict[str, object], error: type[SigningError], message: str
) -> None:
    with pytest.raises(error, match=message):
        with open_token_signer(token.lib_path, pin=token.pin, **selection):  # type: ignore[arg-type]
            pass


@pytest.mark.parametrize("lib_path", ["/nonexistent/libtoken.so", __file__], ids=["absent", "not-a-library"])
def test_a_missing_token_module_is_a_clear_error(lib_path: str) -> None:
    with pytest.raises(TokenModuleMissing) as caught:
        list_token_certificates(lib_path, pin="1234")

    assert caught.value.code == "token_module_missing"
    assert "PKCS#11" in caught.value.message
