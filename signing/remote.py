"""Remote ("interrupted") signing: the key stays on a USB token at the official's PC.

The server prepares the PDF (field, stamp, placeholder) with :func:`prepare_remote` and sends
``to_sign`` — the DER of the CMS signed attributes — to the PC, where the token signs it with
RSA PKCS#1 v1.5 over SHA-256 (``CKM_SHA256_RSA_PKCS``). The signature comes back in another
HTTP request, maybe to another process, and :func:`finish_remote` embeds it using only the
saved ``state`` bytes. A signature that does not verify with the signer's certificate is
refused before anything is written.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from asn1crypto import cms
from asn1crypto.x509 import Certificate
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import ExternalSigner, PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.errors import (
    RemoteStateInvalid,
    SignatureMismatch,
    SigningError,
    TimestampUnavailable,
)
from signing.sign import open_for_signing, prepare_signer
from signing.tsa import timestamper_for

__all__ = ["PreparedRemote", "finish_remote", "prepare_remote"]

logger = logging.getLogger(__name__)

_STATE_VERSION = 1
_MD = "sha256"


@dataclass(frozen=True)
class PreparedRemote:
    """What the server keeps and what it sends to the signer's PC."""

    to_sign: bytes
    """The DER-encoded signed attributes; the token signs these bytes (CKM_SHA256_RSA_PKCS)."""
    document_digest: bytes
    """The SHA-256 digest of the PDF's signed byte range (inside ``to_sign``)."""
    state: bytes
    """Everything :func:`finish_remote` needs, as bytes for a database row."""


def prepare_remote(
    pdf: bytes,
    *,
    field_name: str,
    certify: bool,
    signer_cert: Certificate,
    other_certs: list[Certificate],
    signer_name: str,
    reason: str,
    location: str,
    timestamp_url: str | None = None,
    verify_url: str | None = None,
    signer_title: str = "",
) -> PreparedRemote:
    """Prepare ``pdf`` for a signature by ``signer_cert`` in the empty field ``field_name``.

    The visible stamp is the one :func:`signing.sign.sign_pdf` draws. ``other_certs`` (the
    intermediate CA) go into the signature so verifiers can build the chain.
    """
    writer = open_for_signing(pdf, field_name)
    public_key = _rsa_public_key(signer_cert)
    placeholder = ExternalSigner(
        signing_cert=signer_cert,
        cert_registry=SimpleCertificateStore.from_certs(other_certs),  # type: ignore[no-untyped-call]
        signature_value=(public_key.key_size + 7) // 8,
    )
    prepared = prepare_signer(
        placeholder, field_name=field_name, certify=certify, signer_name=signer_name,
        reason=reason, location=location, timestamp_url=timestamp_url, verify_url=verify_url,
        signer_title=signer_title,
    )

    async def _prepare() -> tuple[PreparedByteRangeDigest, bytes, cms.CMSAttributes]:
        digest, _tbs, output = await prepared.pdf_signer.async_digest_doc_for_signing(
            writer, appearance_text_params=prepared.appearance_params
        )
        attrs = await placeholder.signed_attrs(
            digest.document_digest, _MD, attr_settings=PdfCMSSignedAttributes(), use_pades=True
        )
        output.seek(0)
        return digest, output.read(), attrs

    try:
        digest, prepared_pdf, attrs = asyncio.run(_prepare())
    except TimestampRequestError as exc:
        raise TimestampUnavailable() from exc
    state = _State(
        pdf=prepared_pdf, document_digest=digest.document_digest,
        reserved_start=digest.reserved_region_start, reserved_end=digest.reserved_region_end,
        signed_attrs=attrs.dump(), signer_cert=signer_cert.dump(),
        other_certs=[cert.dump() for cert in other_certs], timestamp_url=timestamp_url,
    )
    return PreparedRemote(state.signed_attrs, digest.document_digest, state.to_bytes())


def finish_remote(state: bytes, signature: bytes) -> bytes:
    """Embed ``signature`` (over ``PreparedRemote.to_sign``) and return the signed PDF.

    Raises :class:`~signing.errors.SignatureMismatch` when the signature does not verify with
    the signer's certificate, :class:`~signing.errors.RemoteStateInvalid` when ``state`` is
    damaged and :class:`~signing.errors.TimestampUnavailable` when the timestamp authority
    does not answer.
    """
    saved = _State.from_bytes(state)
    cert = Certificate.load(saved.signer_cert)
    try:
        _rsa_public_key(cert).verify(signature, saved.signed_attrs, PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise SignatureMismatch(
            "Chữ ký gửi về không khớp với chứng thư của người ký "
            f"({cert.subject.native.get('common_name', '')}); tài liệu chưa được ký."
        ) from exc
    signer = ExternalSigner(
        signing_cert=cert,
        cert_registry=SimpleCertificateStore.from_certs(  # type: ignore[no-untyped-call]
            [Certificate.load(der) for der in saved.other_certs]
        ),
        signature_value=signature,
    )
    timestamper = timestamper_for(saved.timestamp_url) if saved.timestamp_url else None
    output = BytesIO(saved.pdf)

    async def _finish() -> None:
        signed_data = await signer.async_sign_prescribed_attributes(
            _MD, cms.CMSAttributes.load(saved.signed_attrs), timestamper=timestamper
        )
        digest = PreparedByteRangeDigest(
            saved.document_digest, saved.reserved_start, saved.reserved_end
        )
        await PdfTBSDocument.async_finish_signing(output, digest, signed_data)

    try:
        asyncio.run(_finish())
    except TimestampRequestError as exc:
        raise TimestampUnavailable() from exc
    except (ValueError, OSError) as exc:
        raise SigningError(f"Không ghép được chữ ký vào tài liệu: {exc}") from exc
    return output.getvalue()


def _rsa_public_key(cert: Certificate) -> RSAPublicKey:
    key = x509.load_der_x509_certificate(cert.dump()).public_key()
    if not isinstance(key, RSAPublicKey):
        raise SigningError("Ký từ xa hiện chỉ hỗ trợ chứng thư RSA.")
    return key


@dataclass(frozen=True)
class _State:
    """The saved half of a remote signature (JSON with base64 fields)."""

    pdf: bytes
    document_digest: bytes
    reserved_start: int
    reserved_end: int
    signed_attrs: bytes
    signer_cert: bytes
    other_certs: list[bytes]
    timestamp_url: str | None

    def to_bytes(self) -> bytes:
        def b64(data: bytes) -> str:
            return base64.b64encode(data).decode("ascii")

        return json.dumps({
            "version": _STATE_VERSION, "pdf": b64(self.pdf),
            "document_digest": b64(self.document_digest),
            "reserved": [self.reserved_start, self.reserved_end],
            "signed_attrs": b64(self.signed_attrs), "signer_cert": b64(self.signer_cert),
            "other_certs": [b64(der) for der in self.other_certs],
            "timestamp_url": self.timestamp_url,
        }).encode("ascii")

    @classmethod
    def from_bytes(cls, data: bytes) -> _State:
        try:
            raw: dict[str, Any] = json.loads(data)
            if raw.get("version") != _STATE_VERSION:
                raise RemoteStateInvalid()
            start, end = (int(v) for v in raw["reserved"])
            url = raw["timestamp_url"]
            return cls(
                pdf=base64.b64decode(raw["pdf"], validate=True),
                document_digest=base64.b64decode(raw["document_digest"], validate=True),
                reserved_start=start, reserved_end=end,
                signed_attrs=base64.b64decode(raw["signed_attrs"], validate=True),
                signer_cert=base64.b64decode(raw["signer_cert"], validate=True),
                other_certs=[base64.b64decode(v, validate=True) for v in raw["other_certs"]],
                timestamp_url=str(url) if url is not None else None,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise RemoteStateInvalid() from exc
