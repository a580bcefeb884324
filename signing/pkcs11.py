"""Keys on a PKCS#11 token: the USB tokens of Vietnamese CAs, SoftHSM2 in tests.

Keys and certificates are selected by their PKCS#11 ``CKA_ID``, never by label: Viettel-CA,
VNPT-CA, FPT-CA and BKAV-CA label them inconsistently. Every failure is a
:class:`~signing.errors.SigningError` with a Vietnamese message: the module cannot be loaded
(:class:`TokenModuleMissing`), no such token (:class:`TokenMissing`), wrong PIN
(:class:`WrongPin`), PIN locked (:class:`TokenLocked`), no such key or certificate
(:class:`TokenKeyNotFound`).
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import pkcs11
from asn1crypto import x509 as asn1_x509
from pkcs11 import Attribute, Mechanism, ObjectClass, SignMixin, TokenFlag
from pkcs11 import exceptions as p11_errors
from pyhanko.sign.pkcs11 import PKCS11Signer

if TYPE_CHECKING:
    from pkcs11._pkcs11 import lib as Pkcs11Library

from signing.errors import (
    SigningError,
    TokenKeyNotFound,
    TokenLocked,
    TokenMissing,
    TokenModuleMissing,
    WrongPin,
)

__all__ = [
    "list_token_certificates",
    "open_token_signer",
    "token_sign_raw",
]

logger = logging.getLogger(__name__)


@contextmanager
def open_token_signer(
    lib_path: str,
    *,
    pin: str,
    token_label: str | None = None,
    key_id: bytes | None = None,
    cert_id: bytes | None = None,
) -> Iterator[PKCS11Signer]:
    """Log in to the token and yield a pyHanko signer for :func:`signing.sign.sign_pdf`.

    ``key_id`` and ``cert_id`` default to each other; when neither is given the token must hold
    exactly one certificate, whose id is used. The session is closed when the block ends.
    """
    with _session(lib_path, pin=pin, token_label=token_label) as session:
        if key_id is None and cert_id is None:
            key_id = _only_certificate_id(session)
        signer = PKCS11Signer(
            session, key_id=key_id, cert_id=cert_id, other_certs_to_pull=None
        )
        try:
            asyncio.run(signer.ensure_objects_loaded())  # type: ignore[no-untyped-call]
        except p11_errors.PKCS11Error as exc:
            wanted = (key_id or cert_id or b"").hex()
            raise TokenKeyNotFound(
                f"USB token không có khóa ký hoặc chứng thư mã {wanted}."
            ) from exc
        yield signer


def list_token_certificates(
    lib_path: str, *, pin: str, token_label: str | None = None
) -> list[tuple[bytes, asn1_x509.Certificate]]:
    """Every certificate on the token as ``(CKA_ID, certificate)``, for the signer to choose."""
    with _session(lib_path, pin=pin, token_label=token_label) as session:
        return _certificates(session)


def token_sign_raw(
    lib_path: str,
    data: bytes,
    *,
    pin: str,
    key_id: bytes,
    token_label: str | None = None,
) -> bytes:
    """Sign ``data`` with the token key ``key_id``: RSA PKCS#1 v1.5 over SHA-256
    (``CKM_SHA256_RSA_PKCS``), as :func:`signing.remote.finish_remote` expects."""
    with _session(lib_path, pin=pin, token_label=token_label) as session:
        keys = list(session.get_objects({
            Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: key_id,
        }))
        if len(keys) != 1 or not isinstance(keys[0], SignMixin):
            raise TokenKeyNotFound(f"USB token không có khóa ký mã {key_id.hex()}.")
        signature: bytes = keys[0].sign(data, mechanism=Mechanism.SHA256_RSA_PKCS)
        return signature


@contextmanager
def _session(lib_path: str, *, pin: str, token_label: str | None) -> Iterator[pkcs11.Session]:
    token = _find_token(_load(lib_path), token_label)
    try:
        session = token.open(user_pin=pin)
    except (p11_errors.PinIncorrect, p11_errors.PinInvalid, p11_errors.PinLenRange) as exc:
        raise WrongPin() from exc
    except (p11_errors.PinLocked, p11_errors.PinExpired) as exc:
        raise TokenLocked() from exc
    except (p11_errors.TokenNotPresent, p11_errors.TokenNotRecognised) as exc:
        raise TokenMissing() from exc
    except p11_errors.PKCS11Error as exc:
        raise SigningError(f"USB token từ chối mở phiên làm việc ({type(exc).__name__}).") from exc
    try:
        yield session
    finally:
        session.close()


def _load(lib_path: str) -> Pkcs11Library:
    if not os.path.isfile(lib_path):
        raise TokenModuleMissing(
            f"Không tìm thấy thư viện PKCS#11 {lib_path}; hãy cài trình điều khiển USB token."
        )
    try:
        return pkcs11.lib(lib_path)
    except (p11_errors.PKCS11Error, OSError, RuntimeError) as exc:
        raise TokenModuleMissing(f"Không nạp được thư viện PKCS#11 {lib_path}.") from exc


def _find_token(lib: Pkcs11Library, label: str | None) -> pkcs11.Token:
    try:
        tokens = [slot.get_token() for slot in lib.get_slots(token_present=True)]
        # An uninitialised token (SoftHSM2 always offers one) cannot hold a key.
        tokens = [t for t in tokens if t.flags & TokenFlag.TOKEN_INITIALIZED]
    except p11_errors.PKCS11Error as exc:
        raise TokenMissing() from exc
    if label is not None:
        tokens = [token for token in tokens if token.label == label]
        if not tokens:
            raise TokenMissing(f"Không tìm thấy USB token có nhãn “{label}”.")
    if not tokens:
        raise TokenMissing()
    if len(tokens) > 1:
        names = ", ".join(f"“{token.label}”" for token in tokens)
        raise TokenMissing(f"Đang cắm nhiều USB token ({names}); hãy chọn token theo nhãn.")
    return tokens[0]


def _certificates(session: pkcs11.Session) -> list[tuple[bytes, asn1_x509.Certificate]]:
    found = session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE})
    return [
        (bytes(obj[Attribute.ID]), asn1_x509.Certificate.load(bytes(obj[Attribute.VALUE])))
        for obj in found
    ]


def _only_certificate_id(session: pkcs11.Session) -> bytes:
    """The id of the one certificate that has a private key beside it."""
    with_key = [
        cert_id for cert_id, _cert in _certificates(session)
        if list(session.get_objects({
            Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.ID: cert_id,
        }))
    ]
    if len(with_key) != 1:
        raise TokenKeyNotFound(
            "USB token có "
            + ("nhiều" if with_key else "không có")
            + " cặp khóa ký và chứng thư; hãy chọn chứng thư theo mã."
        )
    return with_key[0]
