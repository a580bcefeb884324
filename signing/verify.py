"""Check every signature in a PDF: intact, trusted, and what changed after it was made.

The result is a :class:`VerifyReport`, ready for JSON (:func:`report_to_dict`) and for people
(:func:`report_to_text`, in Vietnamese). Nothing is fetched from the network: trust comes only
from the roots the caller passes, and revocation is checked against the revocation data
embedded in the PDF (PAdES B-LT) and the CRLs the caller passes; without either it is not
checked (soft-fail). Why a certificate is not trusted (revoked, expired, unknown root) is
reported in Vietnamese.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from io import BytesIO
from typing import Any

from asn1crypto.crl import CertificateList
from asn1crypto.x509 import Certificate
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESSubIndic
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.errors import NoDSSFoundError, SignatureValidationError
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from signing.errors import NoSignature, NotOurPdf
from signing.pki import is_test_certificate
from signing.sign import LOCAL_TZ

__all__ = [
    "TRUST_PROBLEMS",
    "SignatureReport",
    "VerifyReport",
    "report_to_dict",
    "report_to_text",
    "verify_pdf",
]

logger = logging.getLogger(__name__)
# pyHanko logs a traceback for every certificate path it cannot build; the report says why in
# one sentence, so those tracebacks only bury the answer (in the CLI and in the server's log).
logging.getLogger("pyhanko.sign.validation").setLevel(logging.ERROR)

_COVERAGE = {
    SignatureCoverageLevel.ENTIRE_FILE: "entire_document",
    SignatureCoverageLevel.ENTIRE_REVISION: "entire_revision",
    SignatureCoverageLevel.CONTIGUOUS_BLOCK_FROM_START: "contiguous_block",
    SignatureCoverageLevel.UNCLEAR: "unclear",
}
# Filling form fields and adding signatures (and LTV data) are what a certified record allows.
_ALLOWED_CHANGES = ModificationLevel.FORM_FILLING

TRUST_PROBLEMS: dict[str, str] = {
    "revoked": "Chứng thư của người ký đã bị thu hồi.",
    "expired": "Chứng thư của người ký đã hết hạn.",
    "not_yet_valid": "Chứng thư của người ký chưa có hiệu lực.",
    "untrusted_root": (
        "Chứng thư không do tổ chức chứng thực tin cậy cấp (không dựng được chuỗi tới "
        "chứng thư gốc tin cậy)."
    ),
    "untrusted": "Không xác nhận được chứng thư của người ký.",
}
"""Why a certificate is not trusted: the code in :attr:`SignatureReport.trust_problem` → the
sentence shown to people."""

_PROBLEM_BY_INDICATION: dict[AdESSubIndic, str] = {
    AdESFailure.REVOKED: "revoked",
    AdESIndeterminate.REVOKED_NO_POE: "revoked",
    AdESIndeterminate.REVOKED_CA_NO_POE: "revoked",
    AdESIndeterminate.EXPIRED: "expired",
    AdESIndeterminate.OUT_OF_BOUNDS_NO_POE: "expired",
    AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED: "expired",
    AdESFailure.NOT_YET_VALID: "not_yet_valid",
    AdESIndeterminate.NOT_YET_VALID: "not_yet_valid",
    AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND: "untrusted_root",
}


@dataclass(frozen=True)
class SignatureReport:
    """What was found about one signature."""

    field_name: str
    """The signature field, e.g. ``ChuToa``."""
    signer_common_name: str | None
    """The common name in the signer's certificate."""
    signing_time: datetime | None
    """The time the signer's software claimed (UTC), not a trusted timestamp."""
    intact: bool
    """The signed bytes hash to the signed digest and the signature verifies."""
    trusted: bool
    """The signer's certificate chains to one of the given roots."""
    coverage: str
    """``entire_document``, ``entire_revision``, ``contiguous_block`` or ``unclear``."""
    modified_after: bool
    """Later revisions change more than form fields and signatures."""
    docmdp_ok: bool
    """Later revisions respect the certifying signature's permissions."""
    certifying: bool
    """This is the certification (DocMDP) signature."""
    timestamped: bool
    """The signature carries a signature timestamp (PAdES B-T or later)."""
    timestamp_ok: bool | None
    """The timestamp token is intact and its authority trusted; ``None`` without one."""
    test_certificate: bool
    """The certificate is from the development PKI ("chứng thư thử nghiệm")."""
    error: str | None = None
    """Why validation could not run, when it could not."""
    trust_problem: str | None = None
    """Why the certificate is not trusted: a key of :data:`TRUST_PROBLEMS` (``revoked``,
    ``expired``, ``not_yet_valid``, ``untrusted_root``, ``untrusted``); ``None`` when trusted."""
    revocation_info_embedded: bool = False
    """The PDF carries revocation data (CRLs or OCSP responses) in its document security store,
    so it can be checked later without the network (PAdES B-LT)."""

    @property
    def ok(self) -> bool:
        """Intact, trusted and not changed beyond what is allowed."""
        return (
            self.intact and self.trusted and not self.modified_after and self.docmdp_ok
            and self.timestamp_ok is not False and self.error is None
        )


@dataclass(frozen=True)
class VerifyReport:
    """The verdict on a whole PDF."""

    ok: bool
    """Every signature is intact and trusted, and nothing disallowed changed after them."""
    reason: str | None
    """``None`` when ``ok``; otherwise a code: ``not_our_pdf``, ``no_signature``, ``invalid``."""
    message: str
    """The verdict in one Vietnamese sentence."""
    signatures: tuple[SignatureReport, ...] = ()
    """One entry per signature, in document order."""


def verify_pdf(
    data: bytes, *, trust_roots: list[Certificate], crls: Sequence[CertificateList] = ()
) -> VerifyReport:
    """Validate every signature in ``data`` against ``trust_roots``.

    ``crls`` are current revocation lists (e.g. :meth:`signing.pki.DevPki.crls`), checked
    together with those embedded in the PDF.
    """
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
        dss = _read_dss(reader)
    except Exception as exc:  # pyHanko raises many types on garbage input
        logger.info("Not a readable PDF: %s", exc)
        return VerifyReport(False, NotOurPdf.code, NotOurPdf.default_message)
    if not embedded:
        return VerifyReport(False, NoSignature.code, NoSignature.default_message)
    reports = tuple(_check(sig, trust_roots, list(crls), dss) for sig in embedded)
    if all(report.ok for report in reports):
        message = f"Tất cả {len(reports)} chữ ký số đều hợp lệ và tài liệu không bị sửa đổi."
        return VerifyReport(True, None, message, reports)
    bad = sum(not report.ok for report in reports)
    message = f"{bad}/{len(reports)} chữ ký số không hợp lệ hoặc tài liệu đã bị sửa đổi."
    return VerifyReport(False, "invalid", message, reports)


def _read_dss(reader: PdfFileReader) -> DocumentSecurityStore | None:
    try:
        return DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return None


def _check(
    sig: EmbeddedPdfSignature, trust_roots: list[Certificate],
    crls: list[CertificateList], dss: DocumentSecurityStore | None,
) -> SignatureReport:
    kwargs: dict[str, Any] = {
        "trust_roots": trust_roots, "allow_fetching": False, "revocation_mode": "soft-fail",
        "crls": crls,
    }
    embedded = dss is not None and bool(dss.crls or dss.ocsps)
    try:
        context = (
            dss.as_validation_context(kwargs) if dss is not None else ValidationContext(**kwargs)
        )
        status = validate_pdf_signature(
            sig, signer_validation_context=context, ts_validation_context=context
        )
    except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
        logger.warning("Signature %s could not be validated: %s", sig.field_name, exc)
        return _broken(sig, str(exc))
    return _from_status(sig, status, embedded)


def _trust_problem(status: PdfSignatureStatus) -> str | None:
    if status.trusted:
        return None
    indication = status.trust_problem_indic
    if indication is not None and indication in _PROBLEM_BY_INDICATION:
        return _PROBLEM_BY_INDICATION[indication]
    return "revoked" if status.revoked else "untrusted"


def _from_status(
    sig: EmbeddedPdfSignature, status: PdfSignatureStatus, revocation_info_embedded: bool
) -> SignatureReport:
    cert = status.signing_cert
    level = status.modification_level
    stamp = status.timestamp_validity
    return SignatureReport(
        field_name=sig.field_name,
        signer_common_name=_common_name(cert),
        signing_time=status.signer_reported_dt,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        coverage=_COVERAGE.get(status.coverage, "unclear") if status.coverage else "unclear",
        modified_after=level is None or level > _ALLOWED_CHANGES,
        docmdp_ok=status.docmdp_ok is not False,
        certifying=_is_certifying(sig),
        timestamped=stamp is not None,
        timestamp_ok=None if stamp is None else stamp.intact and stamp.valid and stamp.trusted,
        test_certificate=cert is not None and is_test_certificate(cert),
        trust_problem=_trust_problem(status),
        revocation_info_embedded=revocation_info_embedded,
    )


def _is_certifying(sig: EmbeddedPdfSignature) -> bool:
    try:
        return sig.docmdp_level is not None
    except Exception:  # a damaged reference dictionary is not our concern here
        return False


def _broken(sig: EmbeddedPdfSignature, error: str) -> SignatureReport:
    try:
        cert: Certificate | None = sig.signer_cert
    except Exception:
        cert = None
    return SignatureReport(
        field_name=sig.field_name, signer_common_name=_common_name(cert), signing_time=None,
        intact=False, trusted=False, coverage="unclear", modified_after=True, docmdp_ok=False,
        certifying=False, timestamped=False, timestamp_ok=None,
        test_certificate=cert is not None and is_test_certificate(cert), error=error,
    )


def _common_name(cert: Certificate | None) -> str | None:
    if cert is None:
        return None
    name = cert.subject.native.get("common_name")
    return str(name) if name is not None else None


def report_to_dict(report: VerifyReport) -> dict[str, Any]:
    """The report as JSON-ready data (times in ISO 8601)."""
    data = asdict(report)
    for entry, sig in zip(data["signatures"], report.signatures):
        entry["ok"] = sig.ok
        entry["signing_time"] = sig.signing_time.isoformat() if sig.signing_time else None
        entry["trust_problem_message"] = (
            TRUST_PROBLEMS[sig.trust_problem] if sig.trust_problem else None
        )
    data["signatures"] = list(data["signatures"])
    return data


def report_to_text(report: VerifyReport) -> str:
    """The report in Vietnamese, one line per fact."""
    lines = [("HỢP LỆ: " if report.ok else "KHÔNG HỢP LỆ: ") + report.message]
    for number, sig in enumerate(report.signatures, start=1):
        lines.extend(_signature_lines(number, sig))
    return "\n".join(lines)


_COVERAGE_TEXT = {
    "entire_document": "toàn bộ tài liệu",
    "entire_revision": "toàn bộ tài liệu lúc ký (sau đó chỉ thêm chữ ký hoặc số)",
}


def _signature_lines(number: int, sig: SignatureReport) -> list[str]:
    kind = "chữ ký chứng thực" if sig.certifying else "chữ ký phê duyệt"
    when = (
        sig.signing_time.astimezone(LOCAL_TZ).strftime("%H:%M:%S ngày %d/%m/%Y (UTC+07:00)")
        if sig.signing_time else "không rõ"
    )
    lines = [
        f"Chữ ký {number} — ô {sig.field_name} ({kind}): "
        + ("hợp lệ" if sig.ok else "KHÔNG hợp lệ"),
        f"  Người ký: {sig.signer_common_name or 'không rõ'}"
        + (" (chứng thư thử nghiệm)" if sig.test_certificate else ""),
        f"  Thời điểm ký: {when}",
        "  Toàn vẹn: " + ("có" if sig.intact else "KHÔNG — nội dung đã bị thay đổi"),
        "  Chứng thư tin cậy: " + (
            "có" if sig.trusted
            else "KHÔNG — " + TRUST_PROBLEMS.get(sig.trust_problem or "untrusted", "")
        ),
        "  Phạm vi: " + _COVERAGE_TEXT.get(sig.coverage, "KHÔNG bao phủ toàn bộ tài liệu"),
        "  Sửa đổi sau khi ký: "
        + ("CÓ, ngoài điền biểu mẫu và ký" if sig.modified_after else "không"),
    ]
    if sig.timestamped:
        lines.append("  Dấu thời gian: " + ("hợp lệ" if sig.timestamp_ok else "KHÔNG hợp lệ"))
    lines.append(
        "  Thông tin thu hồi nhúng trong tệp (B-LT): "
        + ("có" if sig.revocation_info_embedded else "không")
    )
    if sig.error:
        lines.append(f"  Lỗi kiểm tra: {sig.error}")
    return lines
