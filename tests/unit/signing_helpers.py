"""Builders shared by the signing tests: a vote record, pdfsig, and a SoftHSM2 token.

SoftHSM2 reads ``SOFTHSM2_CONF`` when the module is first initialised, and python-pkcs11 keeps
one initialised module per process, so the token lives in one folder per test process, made
on first use (:func:`softhsm_token`).
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from signing.pki import DevPki, init_dev_pki, issue_certificate
from signing.records import VoteRecord
from tests.conftest import require

SOFTHSM_LIBS = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)
TOKEN_LABEL = "hoitruong-test"
TOKEN_PIN = "246813"
TOKEN_SO_PIN = "13572468"
TOKEN_KEY_ID = bytes.fromhex("a1b2")
TOKEN_SIGNER = "Trần Đức Thắng"


def vote_record(**changes: object) -> VoteRecord:
    """The vote-result record of a passed budget resolution, unnumbered (``SoKyHieu`` blank)."""
    values: dict[str, object] = dict(
        council_name="HỘI ĐỒNG NHÂN DÂN XÃ TÂN PHÚ", locality="Tân Phú", number=None,
        place="Tân Phú", date=date(2026, 11, 28),
        meeting_title="Kỳ họp thứ Năm, Hội đồng nhân dân xã Tân Phú khóa I",
        agenda_item="Nghị quyết về dự toán ngân sách xã năm 2027",
        question="Thông qua Nghị quyết về dự toán ngân sách xã năm 2027",
        rule_label="Quá nửa tổng số đại biểu", total=30,
        counts={"yes": 28, "no": 1, "abstain": 0},
        lines=["Tán thành: 28/30 đại biểu (93,33%)", "Không tán thành: 1/30 đại biểu (3,33%)",
               "Không biểu quyết: 0/30 đại biểu (0,00%)"],
        passed=True, verdict="THÔNG QUA", present_not_voted=["Phạm Ngọc Ửng"],
        opened_at=datetime(2026, 11, 28, 2, 5, tzinfo=timezone.utc),
        closed_at=datetime(2026, 11, 28, 2, 6, tzinfo=timezone.utc),
        chair_name="Đặng Quốc Hưng", secretary_name="Nguyễn Thị Ánh Tuyết",
    )
    values.update(changes)
    return VoteRecord(**values)  # type: ignore[arg-type]


def pdfsig_lines(data: bytes, folder: Path) -> list[str]:
    """The ``Signature Validation`` line of each signed field, as poppler's pdfsig reports it."""
    require(shutil.which("pdfsig") is not None, "pdfsig is not installed (Debian poppler-utils)")
    path = folder / "checked-by-pdfsig.pdf"
    path.write_bytes(data)
    run = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60)
    return re.findall(r"Signature Validation: (.*)", run.stdout)


def pdftotext(data: bytes, folder: Path) -> str:
    require(shutil.which("pdftotext") is not None, "pdftotext is not installed (poppler-utils)")
    path = folder / "text.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, timeout=60
    ).stdout


@dataclass(frozen=True)
class SoftHsmToken:
    """A SoftHSM2 token holding one RSA key and its certificate from a development PKI."""

    lib_path: str
    label: str
    pin: str
    key_id: bytes
    certificate: asn1_x509.Certificate
    pki: DevPki


def softhsm_library() -> str | None:
    return next((path for path in SOFTHSM_LIBS if os.path.isfile(path)), None)


def softhsm_token() -> SoftHsmToken:
    """The process's SoftHSM2 token; skips (fails in CI) when SoftHSM2 is not installed."""
    lib = softhsm_library()
    require(
        lib is not None and shutil.which("softhsm2-util") is not None,
        "SoftHSM2 is not installed (Debian softhsm2)",
    )
    assert lib is not None
    return _make_token(lib)


@functools.cache
def _make_token(lib: str) -> SoftHsmToken:
    import pkcs11  # noqa: PLC0415 - only the token tests need it
    from pkcs11 import Attribute, ObjectClass  # noqa: PLC0415
    from pkcs11.util.rsa import decode_rsa_private_key  # noqa: PLC0415
    from pkcs11.util.x509 import decode_x509_certificate  # noqa: PLC0415

    folder = Path(tempfile.mkdtemp(prefix="hoitruong-softhsm-"))
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN_LABEL,
         "--so-pin", TOKEN_SO_PIN, "--pin", TOKEN_PIN],
        check=True, capture_output=True, timeout=60,
    )
    pki = init_dev_pki(folder / "pki", {})
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = issue_certificate(pki.directory, TOKEN_SIGNER, key.public_key())
    private_der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    token = pkcs11.lib(lib).get_token(token_label=TOKEN_LABEL)
    with token.open(rw=True, user_pin=TOKEN_PIN) as session:
        attrs = decode_rsa_private_key(private_der)
        attrs.update({
            Attribute.TOKEN: True, Attribute.PRIVATE: True, Attribute.SENSITIVE: True,
            Attribute.SIGN: True, Attribute.ID: TOKEN_KEY_ID, Attribute.LABEL: "Khóa ký",
        })
        session.create_object(attrs)
        for cert_id, label, der in (
            (TOKEN_KEY_ID, "Chứng thư ký", cert.dump()),
            (b"\xca", "CA trung gian", pki_intermediate_der(pki)),
        ):
            cert_attrs = decode_x509_certificate(der)
            cert_attrs.update({
                Attribute.TOKEN: True, Attribute.ID: cert_id, Attribute.LABEL: label,
            })
            session.create_object(cert_attrs)
        assert list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY}))
    return SoftHsmToken(lib, TOKEN_LABEL, TOKEN_PIN, TOKEN_KEY_ID, cert, pki)


def pki_intermediate_der(pki: DevPki) -> bytes:
    from signing.pki import load_certificate  # noqa: PLC0415

    return load_certificate(pki.intermediate_pem).dump()
