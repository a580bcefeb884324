"""Signing a document: server-held keys, the number, publishing, and remote (token) signing.

Every step is checked against the document's next step and the user's role, and adds a new
version; a refused step changes nothing.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.db.engine import as_utc, utcnow
from server.db.models import Document, DocumentVersion, SigningRequest, StaffUser
from server.domain.errors import Conflict, Forbidden, HallError, Invalid, InvalidState, NotFound
from server.domain.enums import Role
from server.services.common import Principal, get_meeting, iso, require_staff_scope
from server.services.documents import (
    Settings,
    Step,
    add_version,
    index_document,
    summary,
    get_document,
    get_version,
    latest_version,
    next_step,
    steps_for,
)
from server.services.records import locality_of
from server.services.verification import verify_bytes
from signing import errors as signing_errors


REQUEST_LIFETIME = timedelta(minutes=15)


STAMP_TITLES = {
    "ChuToa": "Chủ tọa kỳ họp",
    "ChuTich": "TM. HĐND, Chủ tịch",
    "ThuKy": "Thư ký kỳ họp",
    "DauCoQuan": "Dấu của cơ quan",
}
"""The second line of each field's visible stamp."""


def _stamp_url(settings: Settings, doc: Document, field_name: str) -> str | None:
    """The QR code's URL; the seal's narrow box carries text only (the chair's has the QR)."""
    return None if field_name == "DauCoQuan" else settings.verify_url(doc.public_id)


_SIGNING_CODES: dict[str, str] = {
    "WrongPassword": "wrong_password",
    "KeyNotFound": "key_not_found",
    "NotOurPdf": "not_our_pdf",
    "FieldMissing": "field_missing",
    "TokenModuleMissing": "token_module_missing",
    "TokenMissing": "token_missing",
    "WrongPin": "wrong_pin",
    "TokenLocked": "token_locked",
}


def _signing_failed(exc: signing_errors.SigningError) -> HallError:
    code = _SIGNING_CODES.get(type(exc).__name__, "signing_failed")
    return Invalid(str(exc) or "Không ký được văn bản.", code=code)


def _step_for(session: Session, doc: Document, principal: Principal, key: str) -> Step:
    step = next_step(session, doc)
    if step is None:
        raise InvalidState("Văn bản đã ký đủ.", code="already_complete")
    if step.key != key:
        raise InvalidState(
            f"Chưa đến bước này: bước tiếp theo là “{step.label}”.", code="not_your_turn"
        )
    if not principal.has_role(step.role):
        raise Forbidden(f"Bước “{step.label}” không thuộc quyền của bạn.", code="wrong_signer")
    return step


@contextmanager
def _server_signer(user: StaffUser, secret: str, settings: Settings) -> Iterator[Any]:
    key = user.signing_key or {}
    kind = key.get("type")
    try:
        if kind == "pkcs12":
            from signing.sign import load_signer  # noqa: PLC0415

            path = Path(str(key.get("path", "")))
            if not path.is_absolute():
                path = settings.instance_path / path
            yield load_signer(path, secret)
        elif kind == "pkcs11":
            from signing.pkcs11 import open_token_signer  # noqa: PLC0415

            with open_token_signer(
                str(key.get("lib", "")),
                pin=secret,
                token_label=key.get("token_label"),
                key_id=bytes.fromhex(key["key_id"]) if key.get("key_id") else None,
                cert_id=bytes.fromhex(key["cert_id"]) if key.get("cert_id") else None,
            ) as signer:
                yield signer
        else:
            raise InvalidState(
                "Tài khoản của bạn chưa có khóa ký trên máy chủ; "
                "hãy ký bằng USB token trên máy của bạn.",
                code="no_signing_key",
            )
    except signing_errors.SigningError as exc:
        raise _signing_failed(exc) from exc


def _after_step(session: Session, doc: Document) -> None:
    doc.state = "signed" if next_step(session, doc) is None else "signing"


def sign(
    session: Session,
    principal: Principal,
    document_id: int,
    *,
    field_name: str,
    secret: str,
    settings: Settings,
) -> DocumentVersion:
    """Sign the next field with the user's server-held key (PKCS#12 passphrase or token PIN)."""
    from signing.sign import sign_pdf  # noqa: PLC0415

    doc = get_document(session, document_id, lock=True)
    require_staff_scope(principal, doc.council_id)
    step = _step_for(session, doc, principal, f"sign:{field_name}")
    user = session.get(StaffUser, principal.user_id)
    assert user is not None
    latest = latest_version(session, doc)
    with _server_signer(user, secret, settings) as signer:
        try:
            signed = sign_pdf(
                latest.content,
                signer=signer,
                field_name=field_name,
                certify=step.certify,
                signer_name=_stamp_name(signer, user, field_name),
                reason=step.reason,
                location=locality_of(doc.council),
                timestamp_url=settings.timestamp_url,
                verify_url=_stamp_url(settings, doc, field_name),
                signer_title=STAMP_TITLES.get(field_name, ""),
            )
        except signing_errors.SigningError as exc:
            raise _signing_failed(exc) from exc
        subject = _subject_name(getattr(signer, "signing_cert", None))
    version = add_version(
        session, doc, signed, step=step.key, field_name=field_name, actor=user, signer_name=subject
    )
    _after_step(session, doc)
    return version


def _stamp_name(signer: Any, user: StaffUser, field_name: str) -> str:
    """The name on the stamp: the person, or for the seal the office its certificate names."""
    if field_name == "DauCoQuan":
        return _subject_name(getattr(signer, "signing_cert", None)) or user.display_name
    return user.display_name


def _subject_name(cert: Any) -> str:
    if cert is None:
        return ""
    try:
        return str(cert.subject.native.get("common_name", ""))
    except (AttributeError, ValueError):
        return ""


def assign_number(
    session: Session, principal: Principal, document_id: int, settings: Settings
) -> DocumentVersion:
    """Give the next number of the council's register for this code and year, into the PDF."""
    from signing.form import fill_number  # noqa: PLC0415

    doc = get_document(session, document_id, lock=True)
    require_staff_scope(principal, doc.council_id)
    step = _step_for(session, doc, principal, "number")
    user = session.get(StaffUser, principal.user_id)
    latest = latest_version(session, doc)
    taken = session.scalar(
        select(func.max(Document.number_seq)).where(
            Document.council_id == doc.council_id,
            Document.code == doc.code,
            Document.year == doc.year,
        )
    )
    seq = (taken or 0) + 1
    try:
        numbered = fill_number(latest.content, str(seq))
    except signing_errors.SigningError as exc:
        raise _signing_failed(exc) from exc
    try:
        with session.begin_nested():
            doc.number_seq = seq
            doc.number = f"{seq}/{doc.code}"
            session.flush()
    except IntegrityError as exc:
        raise Conflict(
            "Số này vừa được cấp cho văn bản khác; hãy thử lại.", code="number_taken"
        ) from exc
    index_document(doc, doc.council)
    version = add_version(session, doc, numbered, step=step.key, actor=user,
                           note=f"Số: {doc.number}")
    _after_step(session, doc)
    return version


def publish(session: Session, principal: Principal, document_id: int) -> Document:
    """Put a fully signed document on the public archive."""
    doc = get_document(session, document_id, lock=True)
    require_staff_scope(principal, doc.council_id, Role.CLERK, Role.ADMIN)
    if doc.state == "published":
        return doc
    if next_step(session, doc) is not None:
        raise InvalidState("Chỉ công bố văn bản đã ký đủ và đã có số.", code="not_signed")
    doc.state = "published"
    doc.published_at = utcnow()
    doc.published_by = principal.user_id
    return doc


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def new_signing_request(
    session: Session, principal: Principal, document_id: int, field_name: str
) -> tuple[str, SigningRequest]:
    """A one-time code for ``hoitruong sign`` on the signer's PC; returns (code, request)."""
    doc = get_document(session, document_id, lock=True)
    require_staff_scope(principal, doc.council_id)
    _step_for(session, doc, principal, f"sign:{field_name}")
    assert principal.user_id is not None
    for old in session.scalars(
        select(SigningRequest).where(
            SigningRequest.document_id == doc.id,
            SigningRequest.user_id == principal.user_id,
            SigningRequest.state.in_(["pending", "prepared"]),
        )
    ):
        old.state = "cancelled"
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    code = "-".join(raw[i : i + 4] for i in range(0, 16, 4))
    now = utcnow()
    request = SigningRequest(
        document_id=doc.id,
        base_version=latest_version(session, doc).version,
        field=field_name,
        user_id=principal.user_id,
        code_hash=_code_hash(code),
        state="pending",
        created_at=now,
        expires_at=now + REQUEST_LIFETIME,
    )
    session.add(request)
    session.flush()
    return code, request


def _open_request(session: Session, code: str, *, lock: bool = False) -> SigningRequest:
    query = select(SigningRequest).where(SigningRequest.code_hash == _code_hash(code))
    if lock:
        query = query.with_for_update()
    request = session.scalar(query)
    if request is None or request.state in ("cancelled", "done"):
        raise NotFound("Mã ký không đúng hoặc đã dùng.", code="signing_code_invalid")
    expires = as_utc(request.expires_at)
    if expires is not None and expires < utcnow():
        raise InvalidState("Mã ký đã hết hạn; hãy tạo mã mới.", code="signing_code_expired")
    return request


def signing_request_file(session: Session, code: str) -> DocumentVersion:
    """The exact file a signature with this code will be added to."""
    return _request_file(session, _open_request(session, code))[1]


def _request_file(
    session: Session, request: SigningRequest
) -> tuple[Document, DocumentVersion]:
    doc = get_document(session, request.document_id)
    return doc, get_version(session, doc, request.base_version)


def signing_request_view(session: Session, code: str) -> dict[str, Any]:
    """What the signer sees before signing: the document, its number and the file's hash."""
    request = _open_request(session, code)
    doc, base = _request_file(session, request)
    user = session.get(StaffUser, request.user_id)
    step = next(s for s in steps_for(doc.kind) if s.field == request.field)
    return {
        "document": summary(doc),
        "meeting_title": get_meeting(session, doc.meeting_id).title,
        "field": request.field,
        "step": step.label,
        "signer": user.display_name if user else "",
        "version": base.version,
        "sha256": base.sha256,
        "expires_at": iso(request.expires_at),
        "state": request.state,
    }


def _decode(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalid(f"{what} không phải base64 hợp lệ.", field=what) from exc


def prepare_signing_request(
    session: Session, code: str, certificate_b64: str, chain_b64: list[str], settings: Settings
) -> dict[str, Any]:
    """Prepare the document for the signer's certificate; return the bytes the token signs."""
    from asn1crypto import x509 as asn1_x509  # noqa: PLC0415

    from signing.remote import prepare_remote  # noqa: PLC0415

    request = _open_request(session, code, lock=True)
    doc = get_document(session, request.document_id, lock=True)
    latest = latest_version(session, doc)
    if latest.version != request.base_version:
        raise Conflict("Văn bản đã thay đổi từ khi tạo mã ký; hãy tạo mã mới.",
                       code="document_changed")
    user = session.get(StaffUser, request.user_id)
    assert user is not None
    step = next(s for s in steps_for(doc.kind) if s.field == request.field)
    try:
        cert = asn1_x509.Certificate.load(_decode(certificate_b64, "certificate"))
        chain = [asn1_x509.Certificate.load(_decode(c, "chain")) for c in chain_b64]
        cert.native  # noqa: B018 - parse now so that a malformed certificate fails here
        for c in chain:
            c.native  # noqa: B018
    except (ValueError, TypeError) as exc:
        raise Invalid("Chứng thư gửi lên không đọc được.", field="certificate") from exc
    try:
        prepared = prepare_remote(
            latest.content,
            field_name=request.field,
            certify=step.certify,
            signer_cert=cert,
            other_certs=chain,
            signer_name=(_subject_name(cert) or user.display_name)
            if request.field == "DauCoQuan" else user.display_name,
            reason=step.reason,
            location=locality_of(doc.council),
            timestamp_url=settings.timestamp_url,
            verify_url=_stamp_url(settings, doc, request.field),
            signer_title=STAMP_TITLES.get(request.field, ""),
        )
    except signing_errors.SigningError as exc:
        raise _signing_failed(exc) from exc
    request.prepared = prepared.state
    request.state = "prepared"
    return {
        "to_sign": base64.b64encode(prepared.to_sign).decode(),
        "digest_algorithm": "sha256",
        "signature_mechanism": "rsassa_pkcs1v15",
        "document_digest": prepared.document_digest.hex(),
    }


def finish_signing_request(
    session: Session, code: str, signature_b64: str, settings: Settings
) -> DocumentVersion:
    """Embed the token's signature, check the result, and store it as a new version."""
    from signing.remote import finish_remote  # noqa: PLC0415

    request = _open_request(session, code, lock=True)
    if request.state != "prepared" or request.prepared is None:
        raise InvalidState("Chưa chuẩn bị văn bản để ký với mã này.", code="not_prepared")
    doc = get_document(session, request.document_id, lock=True)
    if latest_version(session, doc).version != request.base_version:
        raise Conflict("Văn bản đã thay đổi từ khi tạo mã ký; hãy tạo mã mới.",
                       code="document_changed")
    try:
        signed = finish_remote(request.prepared, _decode(signature_b64, "signature"))
    except signing_errors.SigningError as exc:
        raise _signing_failed(exc) from exc
    report = verify_bytes(signed, settings)
    mine = [s for s in report["signatures"] if s.get("field_name") == request.field]
    if not mine or not all(s.get("ok") for s in report["signatures"]):
        reason = mine[0].get("error") if mine else None
        raise Invalid(
            "Chữ ký không hợp lệ hoặc chứng thư không được tin cậy"
            + (f": {reason}" if reason else "."),
            code="signature_rejected",
        )
    user = session.get(StaffUser, request.user_id)
    step = next(s for s in steps_for(doc.kind) if s.field == request.field)
    version = add_version(
        session, doc, signed, step=step.key, field_name=request.field, actor=user,
        signer_name=str(mine[0].get("signer_common_name") or ""), note="Ký bằng USB token",
    )
    request.state = "done"
    request.finished_version = version.version
    _after_step(session, doc)
    return version
