"""Remote signing: the server prepares, the signer's PC signs ``to_sign``, the server finishes.

The client side is played by `cryptography` with a PKCS#12 key of the development PKI, and by
a SoftHSM2 token through signing.pkcs11. Results are checked by signing.verify and pdfsig.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from asn1crypto.x509 import Certificate
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.serialization import pkcs12

from signing.errors import RemoteStateInvalid, SignatureMismatch
from signing.pki import DevPki, init_dev_pki, load_certificate
from signing.pkcs11 import token_sign_raw
from signing.remote import PreparedRemote, finish_remote, prepare_remote
from signing.render import render_vote_record_with_fields
from signing.sign import load_signer, sign_pdf
from signing.tsa import dev_tsa
from signing.verify import report_to_text, verify_pdf
from tests.unit.signing_helpers import pdfsig_lines, softhsm_token, vote_record

SIGNERS = {"chutoa": "Đặng Quốc Hưng", "thuky": "Nguyễn Thị Ánh Tuyết"}


@dataclass(frozen=True)
class Client:
    """The chair's key as it would sit on the chair's PC."""

    key: RSAPrivateKey
    certificate: Certificate

    def sign(self, to_sign: bytes) -> bytes:
        return self.key.sign(to_sign, PKCS1v15(), hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return init_dev_pki(tmp_path_factory.mktemp("pki"), SIGNERS)


@pytest.fixture(scope="module")
def tsa_url(pki: DevPki) -> Iterator[str]:
    with dev_tsa(pki.directory) as url:
        yield url


@pytest.fixture(scope="module")
def chair(pki: DevPki) -> Client:
    files = pki.signers["chutoa"]
    key, cert, _chain = pkcs12.load_key_and_certificates(
        files.p12_path.read_bytes(), files.passphrase.encode("utf-8")
    )
    assert isinstance(key, RSAPrivateKey) and cert is not None
    return Client(key, Certificate.load(cert.public_bytes(serialization.Encoding.DER)))


@pytest.fixture(scope="module")
def record_pdf() -> bytes:
    return render_vote_record_with_fields(vote_record()).pdf


def _prepare(
    pki: DevPki, pdf: bytes, certificate: Certificate, *, timestamp_url: str | None = None
) -> PreparedRemote:
    return prepare_remote(
        pdf, field_name="ChuToa", certify=True, signer_cert=certificate,
        other_certs=[load_certificate(pki.intermediate_pem)], signer_name="Đặng Quốc Hưng",
        reason="Ký biên bản", location="Tân Phú", timestamp_url=timestamp_url,
        verify_url="http://127.0.0.1/verify/7",
    )


@pytest.fixture(scope="module")
def remotely_certified(pki: DevPki, chair: Client, record_pdf: bytes, tsa_url: str) -> bytes:
    prepared = _prepare(pki, record_pdf, chair.certificate, timestamp_url=tsa_url)
    return finish_remote(prepared.state, chair.sign(prepared.to_sign))


def test_a_remotely_signed_certification_verifies_with_its_timestamp(
    pki: DevPki, remotely_certified: bytes, record_pdf: bytes, tmp_path: Path
) -> None:
    report = verify_pdf(remotely_certified, trust_roots=pki.trust_roots())

    assert report.ok, report_to_text(report)
    (sig,) = report.signatures
    assert sig.certifying and sig.signer_common_name == "Đặng Quốc Hưng"
    assert sig.timestamped and sig.timestamp_ok and sig.test_certificate
    assert remotely_certified.startswith(record_pdf)
    assert pdfsig_lines(remotely_certified, tmp_path)[0] == "Signature is Valid."


def test_a_second_signer_after_a_remote_certification_keeps_it_valid(
    pki: DevPki, remotely_certified: bytes, tmp_path: Path
) -> None:
    files = pki.signers["thuky"]
    both = sign_pdf(
        remotely_certified, signer=load_signer(files.p12_path, files.passphrase),
        field_name="ThuKy", certify=False, signer_name=files.common_name, reason="Ký biên bản",
        location="Tân Phú",
    )

    report = verify_pdf(both, trust_roots=pki.trust_roots())

    assert report.ok, report_to_text(report)
    assert [s.field_name for s in report.signatures] == ["ChuToa", "ThuKy"]
    assert pdfsig_lines(both, tmp_path)[:2] == ["Signature is Valid."] * 2


def test_to_sign_is_the_signed_attributes_binding_the_document_digest(
    pki: DevPki, chair: Client, record_pdf: bytes
) -> None:
    prepared = _prepare(pki, record_pdf, chair.certificate)

    assert prepared.to_sign.startswith(b"\x31")  # a DER SET OF attributes
    assert prepared.document_digest in prepared.to_sign


def test_the_state_survives_a_round_trip_through_bytes(
    pki: DevPki, chair: Client, record_pdf: bytes
) -> None:
    prepared = _prepare(pki, record_pdf, chair.certificate)
    stored = bytes(bytearray(prepared.state))  # as read back from a database row

    signed = finish_remote(stored, chair.sign(prepared.to_sign))

    assert verify_pdf(signed, trust_roots=pki.trust_roots()).ok


def test_a_signature_that_does_not_match_the_certificate_is_refused(
    pki: DevPki, chair: Client, record_pdf: bytes
) -> None:
    prepared = _prepare(pki, record_pdf, chair.certificate)
    other = _prepare(pki, record_pdf, chair.certificate)  # same key, other signed attributes

    with pytest.raises(SignatureMismatch, match="Chữ ký gửi về không khớp với chứng thư") as caught:
        finish_remote(prepared.state, chair.sign(other.to_sign))

    assert caught.value.code == "signature_mismatch"


@pytest.mark.parametrize(
    "state", [b"", b"{}", b"not json", b'{"version": 99}'], ids=["empty", "no-fields", "junk", "version"]
)
def test_a_damaged_state_is_refused(state: bytes) -> None:
    with pytest.raises(RemoteStateInvalid):
        finish_remote(state, bytes(256))


def test_a_softhsm_token_signs_remotely_through_signing_pkcs11(
    record_pdf: bytes, tmp_path: Path
) -> None:
    token = softhsm_token()
    prepared = prepare_remote(
        record_pdf, field_name="ChuToa", certify=True, signer_cert=token.certificate,
        other_certs=[load_certificate(token.pki.intermediate_pem)], signer_name="Trần Đức Thắng",
        reason="Ký biên bản", location="Tân Phú",
    )

    signature = token_sign_raw(token.lib_path, prepared.to_sign, pin=token.pin, key_id=token.key_id)
    signed = finish_remote(prepared.state, signature)

    report = verify_pdf(signed, trust_roots=token.pki.trust_roots())
    assert report.ok, report_to_text(report)
    assert report.signatures[0].signer_common_name == "Trần Đức Thắng"
    assert pdfsig_lines(signed, tmp_path)[0] == "Signature is Valid."
