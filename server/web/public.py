"""The public archive and the verify pages: published records and resolutions, no sign-in.

Citizens reach ``/cong-khai/kiem-tra/<public_id>`` from the QR code on each signed stamp.
The JSON routes live in a nested blueprint (``/cong-khai/api/…``) whose errors are JSON.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_babel import gettext
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from server.domain.errors import HallError, Invalid, NotFound
from server.domain.text import N_
from server.extensions import csrf, limiter
from server.services import archive
from server.services import documents as docs
from server.services import verification
from server.services.records import HALL_TZ

from . import error_body, pdf_response
from .docsettings import document_settings
from .security import database

logger = logging.getLogger(__name__)

bp = Blueprint("public", __name__, url_prefix="/cong-khai")
api = Blueprint("api", __name__, url_prefix="/api")

PER_PAGE = 30
CHECK_LIMIT = "30 per minute"
_PDF_MAGIC = b"%PDF-"


class FileTooLarge(HallError):
    """The upload is over MAX_CONTENT_LENGTH."""

    code = "file_too_large"
    http_status = 413


# --- reading the request ---------------------------------------------------------------------


def _int_arg(name: str, low: int, high: int) -> int | None:
    """An integer query argument in range, or None (a bad value means "no filter")."""
    value = request.args.get(name, type=int)
    return value if value is not None and low <= value <= high else None


def _filters() -> dict[str, Any]:
    kind = request.args.get("kind", "")
    return {
        "council_id": _int_arg("council_id", 1, 2**31 - 1),
        "year": _int_arg("year", 1900, 9999),
        "kind": kind if kind in docs.KIND_LABELS else None,
        "query": request.args.get("q", "")[:200],
        "page": _int_arg("page", 1, 100_000) or 1,
    }


def _limit_mb() -> int:
    return int(current_app.config["MAX_CONTENT_LENGTH"]) // (1024 * 1024)


def _uploaded_pdf() -> tuple[bytes, str]:
    """The uploaded file's bytes and name, or an error a person understands."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and request.content_length and request.content_length > limit:
        raise FileTooLarge(f"Tệp quá lớn: chỉ kiểm tra được tệp tối đa {_limit_mb()} MB.")
    upload = request.files.get("file")
    if not isinstance(upload, FileStorage) or not upload.filename:
        raise Invalid("Chưa chọn tệp để kiểm tra.", code="file_missing")
    data = upload.read()
    if not data:
        raise Invalid("Tệp rỗng (0 byte); hãy chọn đúng tệp PDF của văn bản.", code="file_empty")
    if _PDF_MAGIC not in data[:1024]:
        raise Invalid(
            "Tệp này không phải PDF. Chỉ kiểm tra được văn bản PDF có chữ ký số.", code="not_pdf"
        )
    return data, upload.filename


def _check(data: bytes, public_id: str | None) -> dict[str, Any]:
    """Verify an upload and find which issued version, if any, it is byte for byte."""
    settings = document_settings()
    report = verification.verify_bytes(data, settings)
    digest = hashlib.sha256(data).hexdigest()
    with database().session() as s:
        match = archive.match_version(s, data)
        target = None
        if public_id:
            try:
                target = {"public_id": public_id, "version": archive.version_of(s, public_id, digest)}
            except NotFound:
                target = None
    return {"verification": report, "match": match, "target": target, "sha256": digest,
            "size": len(data)}


# --- presenting a verification ---------------------------------------------------------------


def _local_time(value: Any) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return str(value)
    return moment.astimezone(HALL_TZ).strftime("%H:%M:%S ngày %d/%m/%Y (giờ Việt Nam)")


_TRUST_PROBLEMS = {
    "revoked": N_("Chứng thư của người ký đã bị thu hồi."),
    "expired": N_("Chứng thư của người ký đã hết hạn."),
    "not_yet_valid": N_("Chứng thư của người ký chưa có hiệu lực."),
    "untrusted_root": N_("Chứng thư không do tổ chức chứng thực mà hệ thống tin cậy cấp."),
    "untrusted": N_("Không xác nhận được chứng thư của người ký."),
}


def _trust_reason(sig: dict[str, Any]) -> str:
    """Why a signer's certificate is not trusted, as one sentence (verify.py's when it has one)."""
    message = sig.get("trust_problem_message")
    if message:
        return str(gettext(str(message)))
    problem = str(sig.get("trust_problem") or "untrusted")
    return str(gettext(_TRUST_PROBLEMS.get(problem, _TRUST_PROBLEMS["untrusted"])))


def _problems(sig: dict[str, Any]) -> list[str]:
    problems = []
    if not sig.get("intact", False):
        problems.append(gettext("Nội dung đã bị thay đổi sau khi ký: chữ ký không còn khớp."))
    if not sig.get("trusted", False):
        problems.append(gettext("Chứng thư không được tin cậy.") + " " + _trust_reason(sig))
    if sig.get("modified_after"):
        problems.append(gettext(
            "Tài liệu đã bị sửa sau khi ký, ngoài việc điền số và ký tiếp."))
    if sig.get("docmdp_ok") is False:
        problems.append(gettext(
            "Các thay đổi sau chữ ký chứng thực vượt quá quyền mà chữ ký đó cho phép."))
    if sig.get("timestamp_ok") is False:
        problems.append(gettext("Dấu thời gian không hợp lệ."))
    if sig.get("error"):
        problems.append(gettext("Không kiểm tra được chữ ký: %(error)s", error=sig["error"]))
    return problems


_COVERAGE = {
    "entire_document": N_("Chữ ký bao phủ toàn bộ tài liệu."),
    "entire_revision": N_("Chữ ký bao phủ toàn bộ tài liệu lúc ký; sau đó chỉ có thêm chữ ký hoặc số."),
}


def signature_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Each signature of a verify report, with its facts in words for the page."""
    rows = []
    for number, sig in enumerate(report.get("signatures") or [], start=1):
        coverage = str(sig.get("coverage") or "unclear")
        rows.append({
            "number": number,
            "ok": bool(sig.get("ok")),
            "field": sig.get("field_name") or sig.get("field") or "",
            "signer": sig.get("signer_common_name") or sig.get("signer") or gettext("không rõ"),
            "time": _local_time(sig.get("signing_time")) or gettext("không rõ"),
            "certifying": bool(sig.get("certifying")),
            "trusted": bool(sig.get("trusted")),
            "trust_reason": "" if sig.get("trusted") else _trust_reason(sig),
            "intact": bool(sig.get("intact")),
            "whole": coverage in _COVERAGE,
            "coverage": gettext(_COVERAGE[coverage]) if coverage in _COVERAGE
            else gettext("Chữ ký KHÔNG bao phủ toàn bộ tài liệu."),
            "timestamped": bool(sig.get("timestamped")),
            "timestamp_ok": sig.get("timestamp_ok"),
            "modified_after": bool(sig.get("modified_after")),
            "test_certificate": bool(sig.get("test_certificate")),
            "problems": _problems(sig),
        })
    return rows


def _summary(report: dict[str, Any]) -> str:
    reason = report.get("reason")
    if report.get("ok"):
        count = len(report.get("signatures") or [])
        return str(gettext(
            "%(count)d/%(count)d chữ ký số hợp lệ và tài liệu không bị sửa đổi sau khi ký.", count=count))
    if reason == "no_signature":
        return str(gettext("Tệp PDF này không có chữ ký số nào."))
    if reason == "not_our_pdf":
        return str(gettext("Không đọc được tệp này như một văn bản PDF."))
    signatures = report.get("signatures") or []
    bad = sum(not sig.get("ok") for sig in signatures)
    return str(gettext(
        "%(bad)d/%(total)d chữ ký số không hợp lệ hoặc tài liệu đã bị sửa đổi sau khi ký.",
        bad=bad, total=len(signatures)))


def _match_text(check: dict[str, Any]) -> str:
    match = check.get("match")
    if match is None:
        return str(gettext("Tệp không trùng với bản nào do hệ thống phát hành."))
    document = match.get("document")
    if match.get("published") and document:
        label = document.get("number") or document.get("title")
        text = str(gettext("Tệp trùng khớp với bản gốc số %(number)s do hệ thống phát hành.",
                           number=label))
        if not match.get("latest"):
            text += " " + gettext("Đây là một phiên bản trước khi văn bản được ký đủ.")
        return text
    return str(gettext(
        "Tệp trùng khớp với một bản do hệ thống tạo ra, nhưng văn bản chưa được công bố."))


def _verdict(report: dict[str, Any]) -> dict[str, Any]:
    rows = signature_rows(report)
    return {
        "ok": bool(report.get("ok")),
        "summary": _summary(report),
        "signatures": rows,
        "test_certificate": any(r["test_certificate"] for r in rows),
    }


# --- pages -----------------------------------------------------------------------------------


def _missing(message: str, status: int = 404) -> tuple[str, int]:
    return render_template("public/missing.html", message=gettext(message)), status


@bp.get("/")
def index() -> str:
    """The archive: published documents, filtered and searched without diacritics."""
    filters = _filters()
    with database().session() as s:
        listing = archive.public_documents(s, per_page=PER_PAGE, **filters)
        facets = archive.public_facets(s)
    pages = max(1, -(-listing["total"] // PER_PAGE))
    return render_template(
        "public/index.html", listing=listing, facets=facets, filters=filters, pages=pages,
        kinds=docs.KIND_LABELS,
    )


@bp.get("/van-ban/<public_id>")
def document(public_id: str) -> Any:
    """A published document: metadata, signing history, download, and its verification."""
    try:
        with database().session() as s:
            view = archive.published_document(s, public_id)
            file = archive.published_file(s, public_id)
    except NotFound as missing:
        return _missing(missing.message)
    verdict = _verdict(verification.verify_bytes(file.content, document_settings()))
    return render_template("public/document.html", doc=view, verdict=verdict)


@bp.get("/van-ban/<public_id>.pdf")
def document_pdf(public_id: str) -> Any:
    """The latest version's PDF, inline, with its SHA-256 as the ETag."""
    try:
        with database().session() as s:
            file = archive.published_file(s, public_id)
    except NotFound as missing:
        return _missing(missing.message)
    return pdf_response(file.content, file.sha256, file.filename, public=True)


@bp.get("/kiem-tra/<public_id>")
def verify_document(public_id: str) -> Any:
    """The page the QR code links to: the document's verification and an upload check."""
    try:
        with database().session() as s:
            target = archive.check_target(s, public_id)
    except NotFound as missing:
        return _missing(missing.message)
    return render_template("public/verify.html", target=target, verdict=_stored_verdict(target),
                           limit_mb=_limit_mb())


@bp.get("/kiem-tra")
def verify_form() -> str:
    """The upload form: check any PDF."""
    return render_template("public/verify.html", target=None, verdict=None, limit_mb=_limit_mb())


@bp.post("/kiem-tra")
@csrf.exempt
@limiter.limit(CHECK_LIMIT)
def verify_upload() -> Any:
    """Verify an uploaded PDF and say whether the system issued exactly these bytes."""
    context: dict[str, Any] = {"target": None, "verdict": None, "limit_mb": _limit_mb()}
    try:
        data, filename = _uploaded_pdf()
    except FileTooLarge as failure:
        context["upload_error"] = gettext(failure.message)
        return render_template("public/verify.html", **context), failure.http_status
    except HallError as failure:
        context.update(_target_context())
        context["upload_error"] = gettext(failure.message)
        return render_template("public/verify.html", **context), failure.http_status
    context.update(_target_context())
    target = context["target"]
    check = _check(data, target.public_id if target else None)
    context["upload"] = {
        "filename": filename, "sha256": check["sha256"], "size": check["size"],
        "verdict": _verdict(check["verification"]), "match": check["match"],
        "match_text": _match_text(check), "target": check["target"],
    }
    return render_template("public/verify.html", **context)


def _target_context() -> dict[str, Any]:
    """The document a QR page's upload form was about (its hidden ``public_id``), if any."""
    public_id = (request.form.get("public_id") or "").strip()[:64]
    if not public_id:
        return {"target": None, "verdict": None}
    try:
        with database().session() as s:
            target = archive.check_target(s, public_id)
    except NotFound:
        return {"target": None, "verdict": None}
    return {"target": target, "verdict": _stored_verdict(target)}


def _stored_verdict(target: archive.CheckTarget) -> dict[str, Any] | None:
    """The verification of a published document's latest version (nothing for unpublished)."""
    if target.content is None:
        return None
    return _verdict(verification.verify_bytes(target.content, document_settings()))


# --- JSON for machines -----------------------------------------------------------------------


@api.get("/van-ban")
def api_documents() -> Response:
    """Published documents as JSON, with the same filters as the archive page."""
    with database().session() as s:
        listing = archive.public_documents(s, per_page=PER_PAGE, **_filters())
    return jsonify({"ok": True, **listing})


@api.post("/kiem-tra")
@csrf.exempt
@limiter.limit(CHECK_LIMIT)
def api_verify() -> Response:
    """The verify report of an uploaded PDF (as ``hoitruong verify --json``) and its match."""
    data, _filename = _uploaded_pdf()
    public_id = (request.form.get("public_id") or "").strip()[:64] or None
    check = _check(data, public_id)
    return jsonify({"ok": True, **check, "match_text": _match_text(check)})


_HTTP_CODES = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
               429: "rate_limited", 400: "invalid_payload"}


@api.errorhandler(HallError)
def _api_hall_error(error: HallError) -> tuple[Response, int]:
    return jsonify(error_body(error)), error.http_status


@api.errorhandler(HTTPException)
def _api_http_error(error: HTTPException) -> tuple[Response, int]:
    status = error.code or 500
    code = _HTTP_CODES.get(status, "http_error")
    message = {
        "not_found": gettext("Không tìm thấy trang hoặc đối tượng này."),
        "rate_limited": gettext("Bạn đã thử quá nhiều lần. Vui lòng chờ một phút rồi thử lại."),
        "method_not_allowed": gettext("Phương thức không được hỗ trợ."),
        "payload_too_large": gettext("Tệp quá lớn: chỉ kiểm tra được tệp tối đa %(mb)d MB.",
                                     mb=_limit_mb()),
    }.get(code, error.description or "")
    return jsonify({"ok": False, "error": {"code": code, "message": message}}), status


bp.register_blueprint(api)
