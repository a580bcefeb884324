"""HTTP layer: blueprints, error mapping, template helpers."""
from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask import Response as FlaskResponse
from flask_babel import get_locale, gettext
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from server.domain.errors import HallError, Unauthenticated
from server.extensions import login_manager
from server.services.identity import load_staff

from .security import StaffLogin, database

logger = logging.getLogger(__name__)


def translate(message: str) -> str:
    """Error messages are written in Vietnamese; other locales look them up in the catalogue."""
    return gettext(message) if message else message


def error_body(error: HallError) -> dict[str, Any]:
    body = error.to_dict()
    body["message"] = translate(error.message)
    return {"ok": False, "error": body}


def pdf_response(
    content: bytes, digest: str, filename: str, *, public: bool = False
) -> FlaskResponse:
    """A stored PDF, inline, with its SHA-256 as the ETag (a matching If-None-Match gets 304).

    Staff files are ``private``; published ones may be kept by shared caches (``public``).
    """
    response = FlaskResponse(content, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = (
        f"{'public' if public else 'private'}, max-age=0, must-revalidate"
    )
    response.set_etag(digest)
    response.make_conditional(request)  # answers 304 in place when If-None-Match matches
    return response


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/cong-khai/api/")) or request.is_json


def init_app(app: Flask) -> None:
    from . import api, auth, clerk, documents, pages, public, signing_api, tablet  # noqa: PLC0415

    for module in (pages, auth, tablet, clerk, documents, public, signing_api, api):
        app.register_blueprint(module.bp)
    _assets(app)

    @login_manager.user_loader
    def _load_user(user_id: str) -> StaffLogin | None:
        with database().session() as session:
            view = load_staff(session, int(user_id)) if user_id.isdigit() else None
        return StaffLogin(view) if view else None

    @app.errorhandler(HallError)
    def _hall_error(error: HallError) -> Any:
        if _wants_json():
            return jsonify(error_body(error)), error.http_status
        if isinstance(error, Unauthenticated):
            return redirect(url_for("auth.login", next=request.full_path))
        return (
            render_template(
                "error.html", status=error.http_status, code=error.code, message=translate(error.message)
            ),
            error.http_status,
        )

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Any:
        code = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large",
                429: "rate_limited", 400: "invalid_payload"}.get(error.code or 500, "http_error")
        message = {
            "not_found": gettext("Không tìm thấy trang hoặc đối tượng này."),
            "rate_limited": gettext("Bạn đã thử quá nhiều lần. Vui lòng chờ một phút rồi thử lại."),
            "method_not_allowed": gettext("Phương thức không được hỗ trợ."),
            "payload_too_large": gettext("Dữ liệu gửi lên quá lớn."),
        }.get(code, error.description or "")
        if getattr(error, "description", "") and "CSRF" in str(error.description):
            code, message = "csrf_failed", gettext("Phiên làm việc đã hết hạn; vui lòng tải lại trang.")
        status = error.code or 500
        if code == "rate_limited" and request.endpoint == "auth.login":
            return render_template("auth/login.html", error=message, next=""), status
        if _wants_json():
            return jsonify({"ok": False, "error": {"code": code, "message": message}}), status
        return render_template("error.html", status=status, code=code, message=message), status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Any:
        logger.exception("unhandled error on %s", request.path)
        message = gettext("Đã xảy ra lỗi hệ thống; không có gì bị thay đổi.")
        if _wants_json():
            return jsonify({"ok": False, "error": {"code": "internal_error", "message": message}}), 500
        return render_template("error.html", status=500, code="internal_error", message=message), 500


def _assets(app: Flask) -> None:
    """`asset('tablet.js')` → the built file's URL with a content hash, so caches refresh."""
    build = Path(app.static_folder or "static") / "build"
    versions: dict[str, str] = {}

    def asset(name: str) -> str:
        if name not in versions or app.debug:
            path = build / name
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.exists() else "missing"
            versions[name] = digest
        return url_for("static", filename=f"build/{name}", v=versions[name])

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"asset": asset, "current_locale": str(get_locale() or "vi")}

    @app.after_request
    def _headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        return response
