"""Domain, services and signing type-check under mypy --strict (settings in pyproject.toml)."""
from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]


def test_domain_services_and_signing_pass_mypy_strict(monkeypatch):
    monkeypatch.chdir(ROOT)
    stdout, stderr, status = api.run(["--no-incremental"])
    assert status == 0, stdout + stderr
