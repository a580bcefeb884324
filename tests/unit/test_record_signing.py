"""A rendered vote-result record signed by the chair then the secretary, checked by
`hoitruong verify` and by poppler's pdfsig; one changed byte fails both."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from signing.pki import init_dev_pki
from signing.records import VoteRecord
from signing.render import render_vote_record_with_fields
from signing.sign import load_signer, sign_pdf

from ..conftest import require


def _record() -> VoteRecord:
    return VoteRecord(
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
    pdf = render_vote_record_with_fields(_record()).pdf
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
