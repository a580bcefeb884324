"""Remote signing over JSON, for `hoitruong sign` on the signer's own PC (protocol §5.3).

The one-time code is the credential: no cookie and no CSRF token; each route is rate-limited.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from server.extensions import csrf, limiter
from server.schemas import SigningFinishIn, SigningPrepareIn, parse
from server.services import document_signing as signing_flow
from server.services import documents as docs

from .docsettings import document_settings
from . import pdf_response
from .security import database

bp = Blueprint("signing_api", __name__, url_prefix="/api/signing")


_SIGNING_LIMIT = "60 per minute"


@bp.get("/<code>")
@limiter.limit(_SIGNING_LIMIT)
def signing_info(code: str) -> Response:
    """What is to be signed with this code: document, number, signer, file hash."""
    with database().session() as s:
        view = signing_flow.signing_request_view(s, code)
    return jsonify({"ok": True, "request": view})


@bp.get("/<code>/document.pdf")
@limiter.limit(_SIGNING_LIMIT)
def signing_document(code: str) -> Response:
    """The exact file the signature will be added to, so the signer can read it first."""
    with database().session() as s:
        version = signing_flow.signing_request_file(s, code)
        content, digest = version.content, version.sha256
        filename = f"van-ban-{version.document_id}-v{version.version}.pdf"
    return pdf_response(content, digest, filename)


@bp.post("/<code>/prepare")
@csrf.exempt
@limiter.limit(_SIGNING_LIMIT)
def signing_prepare(code: str) -> Response:
    payload = parse(SigningPrepareIn, request.get_json(silent=True))
    with database().session() as s:
        answer = signing_flow.prepare_signing_request(
            s, code, payload.certificate, list(payload.chain), document_settings()
        )
        s.commit()
    return jsonify({"ok": True, **answer})


@bp.post("/<code>/finish")
@csrf.exempt
@limiter.limit(_SIGNING_LIMIT)
def signing_finish(code: str) -> Response:
    payload = parse(SigningFinishIn, request.get_json(silent=True))
    with database().session() as s:
        version = signing_flow.finish_signing_request(s, code, payload.signature, document_settings())
        s.commit()
        view = docs.version_view(version)
    return jsonify({"ok": True, "version": view})
