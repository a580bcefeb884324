"""`hoitruong demo --out DIR`: a scripted sitting whose signed PDFs verify, and fail when tampered."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import require

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "server.cli", *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env={**os.environ, "PYTHONUTF8": "1"})


def _pdftext(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, timeout=60, check=True).stdout


def _pdfsig(path: Path) -> list[str]:
    out = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout
    return [line.split(":", 1)[1].strip() for line in out.splitlines()
            if "Signature Validation:" in line]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    for tool in ("pdfsig", "pdftotext", "pdftoppm"):
        require(shutil.which(tool) is not None, f"{tool} is not installed (Debian poppler-utils)")
    out = tmp_path_factory.mktemp("demo")
    run = _cli("demo", "--out", str(out))
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


def test_the_demo_writes_three_records_the_minutes_and_a_resolution(demo):
    kinds = [d["kind"] for d in demo["documents"]]
    assert kinds == ["vote_record"] * 3 + ["minutes", "resolution"]
    assert [d["number"] for d in demo["documents"]] == [
        "1/BB-HĐND", "2/BB-HĐND", "3/BB-HĐND", "4/BB-HĐND", "1/NQ-HĐND"]
    texts = [_pdftext(Path(d["file"])) for d in demo["documents"]]
    verdicts = [("KHÔNG THÔNG QUA" in t, "THÔNG QUA" in t) for t in texts[:3]]
    assert verdicts == [(False, True), (False, True), (True, True)]  # the third poll fails
    assert "QUYẾT NGHỊ:" in texts[4] and "Điều 1." in texts[4] and "Nguyễn Văn An" in texts[4]
    assert "Đại biểu Phạm Văn Đức" in texts[3] and "Đính chính trong kỳ họp" in texts[3]


def test_every_demo_file_verifies_with_the_cli_and_pdfsig(demo):
    for doc in demo["documents"]:
        run = _cli("verify", doc["file"], "--trust", demo["trust_root"], "--json")
        assert run.returncode == 0, run.stdout
        report = json.loads(run.stdout)
        assert report["ok"] and len(report["signatures"]) == doc["signatures"]
        assert all(s["timestamped"] and s["test_certificate"] for s in report["signatures"])
        assert _pdfsig(Path(doc["file"])) == ["Signature is Valid."] * doc["signatures"]


def test_a_demo_file_rendered_is_not_blank(demo, tmp_path: Path):
    resolution = Path(demo["documents"][4]["file"])
    subprocess.run(["pdftoppm", "-r", "40", "-gray", "-f", "1", "-l", "1", str(resolution),
                    str(tmp_path / "page")], check=True, timeout=60)
    pixels = (tmp_path / "page-1.pgm").read_bytes().split(b"\n", 3)[3]
    dark = sum(1 for value in pixels if value < 128)
    assert dark > len(pixels) * 0.01  # text, stamps and QR codes, not an empty page


def test_a_changed_byte_or_an_untrusted_root_fails_verify(demo, tmp_path: Path):
    original = Path(demo["documents"][0]["file"])
    data = bytearray(original.read_bytes())
    data[len(data) // 3] ^= 0x01  # inside the first revision, which every signature covers
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    run = _cli("verify", str(tampered), "--trust", demo["trust_root"])
    assert run.returncode == 1 and run.stdout.startswith("KHÔNG HỢP LỆ")
    assert "Signature is Valid." not in _pdfsig(tampered)

    foreign = tmp_path / "foreign"
    made = _cli("pki", "init", "--dir", str(foreign))
    assert made.returncode == 0, made.stderr
    run = _cli("verify", str(original), "--trust", str(foreign / "root.pem"))
    assert run.returncode == 1 and "Chứng thư tin cậy: KHÔNG" in run.stdout
    assert "Traceback" not in run.stderr
