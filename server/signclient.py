"""`hoitruong sign`: sign a document on the hall server with a USB token on this PC.

The token never leaves its owner's PC. The server prepares the document for the signer's
certificate and sends the bytes to sign (the CMS signed attributes); the token signs them; the
server embeds the signature, checks it, and keeps the result as a new version. Before the PIN is
asked, the official sees what they sign: the document's title, number and the file's SHA-256,
checked against the file downloaded from the server.
"""
from __future__ import annotations

import argparse
import asyncio
import base64
import getpass
import hashlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import requests

TIMEOUT = 30


class ClientError(Exception):
    """A refusal to show the official, in Vietnamese."""


def _answer(response: requests.Response) -> dict[str, Any]:
    try:
        body: dict[str, Any] = response.json()
    except ValueError as exc:
        raise ClientError(
            f"Máy chủ trả lời không hợp lệ (HTTP {response.status_code})."
        ) from exc
    if not body.get("ok"):
        error = body.get("error") or {}
        raise ClientError(str(error.get("message") or f"Máy chủ từ chối (HTTP {response.status_code})."))
    return body


def _describe(info: dict[str, Any], local_sha256: str) -> str:
    doc = info["document"]
    return "\n".join(
        [
            f"Văn bản:     {doc['kind_label']} — {doc['title']}",
            f"Số:          {doc.get('number') or '(chưa cấp số)'}",
            f"Kỳ họp:      {info.get('meeting_title', '')}",
            f"Bước ký:     {info['step']} (ô {info['field']})",
            f"Người ký:    {info['signer']}",
            f"Phiên bản:   {info['version']}",
            f"SHA-256:     {local_sha256}",
        ]
    )


def run(args: argparse.Namespace, *, out: TextIO = sys.stdout, ask: Any = input) -> int:
    """The whole exchange; returns the exit status."""
    # Imported here: `hoitruong serve` builds this parser before gevent patches ssl.
    import requests  # noqa: PLC0415

    from signing.errors import SigningError  # noqa: PLC0415
    from signing.pkcs11 import open_token_signer  # noqa: PLC0415

    base = args.server.rstrip("/")
    code = args.code.strip()
    http = requests.Session()
    try:
        info = _answer(http.get(f"{base}/api/signing/{code}", timeout=TIMEOUT))["request"]
        pdf = http.get(f"{base}/api/signing/{code}/document.pdf", timeout=TIMEOUT)
        if pdf.status_code != 200:
            _answer(pdf)
        local = hashlib.sha256(pdf.content).hexdigest()
        if local != info["sha256"]:
            raise ClientError("Tệp tải về không khớp mã băm máy chủ báo; dừng lại, không ký.")
        if args.save:
            Path(args.save).write_bytes(pdf.content)
        print(_describe(info, local), file=out)
        if args.save:
            print(f"Đã lưu tệp để đọc trước khi ký: {args.save}", file=out)
        if not args.yes:
            reply = str(ask("Ký văn bản này? Gõ “c” để đồng ý [c/K]: ")).strip().lower()
            if reply not in ("c", "co", "có", "y", "yes"):
                print("Đã hủy; văn bản không thay đổi.", file=out)
                return 1
        pin = args.pin or os.environ.get("HOITRUONG_TOKEN_PIN") or getpass.getpass("Mã PIN của token: ")
        with open_token_signer(
            args.pkcs11_lib,
            pin=pin,
            token_label=args.token_label,
            key_id=bytes.fromhex(args.key_id) if args.key_id else None,
            cert_id=bytes.fromhex(args.cert_id) if args.cert_id else None,
        ) as signer:
            cert = signer.signing_cert
            if cert is None:
                raise ClientError("Token không có chứng thư của người ký.")
            chain = [c for c in signer.cert_registry if c.dump() != cert.dump()]
            prepared = _answer(
                http.post(
                    f"{base}/api/signing/{code}/prepare",
                    json={
                        "certificate": base64.b64encode(cert.dump()).decode(),
                        "chain": [base64.b64encode(c.dump()).decode() for c in chain],
                    },
                    timeout=TIMEOUT,
                )
            )
            to_sign = base64.b64decode(prepared["to_sign"])
            signature = asyncio.run(signer.async_sign_raw(to_sign, prepared["digest_algorithm"]))
        done = _answer(
            http.post(
                f"{base}/api/signing/{code}/finish",
                json={"signature": base64.b64encode(signature).decode()},
                timeout=TIMEOUT,
            )
        )
    except (ClientError, SigningError) as exc:
        print(f"Không ký được: {exc}", file=out)
        return 1
    except requests.RequestException as exc:
        print(f"Không kết nối được máy chủ {base}: {exc.__class__.__name__}", file=out)
        return 1
    version = done["version"]
    print(
        f"Đã ký. Máy chủ lưu phiên bản {version['version']} (SHA-256 {version['sha256']}).",
        file=out,
    )
    return 0


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "sign", help="sign a document on the hall server with a USB token (PKCS#11) on this PC"
    )
    parser.add_argument("--server", required=True, help="the hall server, e.g. http://10.0.0.2:5000")
    parser.add_argument("--code", required=True, help="the one-time signing code shown on the page")
    parser.add_argument("--pkcs11-lib", required=True, help="the token's PKCS#11 module (.so/.dll)")
    parser.add_argument("--token-label", help="the token's label, when several are plugged in")
    parser.add_argument("--key-id", help="the key's CKA_ID in hex, when the token holds several")
    parser.add_argument("--cert-id", help="the certificate's CKA_ID in hex (default: the key's)")
    parser.add_argument("--pin", help="the PIN (default: HOITRUONG_TOKEN_PIN or a prompt)")
    parser.add_argument("--save", help="also save the file to be signed here, to read it first")
    parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    parser.set_defaults(func=run)
