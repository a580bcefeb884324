"""A rendered vote-result record signed by the chair then the secretary, checked by
`hoitruong verify` and by poppler's pdfsig; one changed byte fails both."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from signing.pki import init_dev_pki
from signing.render import render_vote_record_with_fields
from signing.sign import load_signer, sign_pdf

from ..conftest import require
from .signing_helpers import vote_record


def _verify(path: Path, root: Path) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "verify", str(path), "--json", "--trust", str(root)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    return done.returncode, json.loads(done.stdout)


@pytest.fixture(scope="module")
def signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("record")
    pki = init_dev_pki(folder / "pki", {"chutoa": "Đặng Quốc Hưng", "thuky": "Nguyễn Thị Ánh Tuyết"})
    pdf = render_vote_record_with_fields(vote_record()).pdf
    for name, field, certify in (("chutoa", "ChuToa", True), ("thuky", "ThuKy", False)):
        files = pki.signers[name]
        pdf = sign_pdf(pdf, signer=load_signer(files.p12_path, files.passphrase), field_name=field,
                       certify=certify, signer_name=files.common_name, reason="Ký biên bản",
                       location="Tân Phú")
    path = folder / "bien-ban.pdf"
    path.write_bytes(pdf)
    return path, pki.root_pem


def test_hoitruong_verify_accepts_the_record_signed_by_chair_and_secretary(signed):
    path, root = signed
    status, report = _verify(path, root)
    assert status == 0 and report["ok"] is True
    fields = {s["field_name"]: s for s in report["signatures"]}
    assert set(fields) == {"ChuToa", "ThuKy"}
    assert all(s["intact"] and s["trusted"] and not s["modified_after"] for s in fields.values())


def test_pdfsig_accepts_both_signatures_of_the_record(signed):
    require(shutil.which("pdfsig") is not None, "pdfsig is not installed (Debian poppler-utils)")
    path, _root = signed
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout
    assert out.count("Signature Validation: Signature is Valid.") == 2, out


def test_one_changed_byte_fails_hoitruong_verify_and_pdfsig(signed, tmp_path: Path):
    path, root = signed
    data = bytearray(path.read_bytes())
    at = data.index(b"ReportLab") + 6  # the producer string of the first revision: signed by both
    data[at] = ord("X")
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    status, report = _verify(tampered, root)
    assert status == 1 and report["ok"] is False
    require(shutil.which("pdfsig") is not None, "pdfsig is not installed (Debian poppler-utils)")
    out = subprocess.run(["pdfsig", str(tampered)], capture_output=True, text=True, timeout=60).stdout
    assert "Signature is Valid." not in out, out


def test_a_pdf_that_is_not_ours_fails_verify(tmp_path: Path, signed):
    _path, root = signed
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"not a pdf at all")
    status, report = _verify(junk, root)
    assert status == 1 and report["ok"] is False and report["reason"] == "not_our_pdf"
