"""The domain package imports only the standard library and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "server" / "domain"
DOMAIN_MODULES = sorted(DOMAIN.glob("*.py"))


def foreign_imports(source: str) -> list[str]:
    """Names imported by ``source`` that are neither standard library nor server.domain."""
    foreign = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [node.module or ""]
        else:
            continue
        foreign += [name for name in names if not _allowed(name)]
    return foreign


def _allowed(name: str) -> bool:
    top = name.partition(".")[0]
    return top in sys.stdlib_module_names or name == "server.domain" or name.startswith(
        "server.domain."
    )


def test_domain_package_has_modules_to_check() -> None:
    assert {path.name for path in DOMAIN_MODULES} >= {"__init__.py", "poll.py", "rules.py"}


@pytest.mark.parametrize("path", DOMAIN_MODULES, ids=lambda path: path.name)
def test_domain_module_imports_only_the_standard_library(path: Path) -> None:
    assert foreign_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    ("source", "foreign"),
    [
        ("import flask", ["flask"]),
        ("from sqlalchemy.orm import Session", ["sqlalchemy.orm"]),
        ("from server.services import polls", ["server.services"]),
        ("import server.web.app", ["server.web.app"]),
        ("def f():\n    import requests", ["requests"]),
        ("import decimal, os.path\nfrom collections.abc import Mapping", []),
        ("from . import enums\nfrom .rules import RuleSet", []),
        ("from server.domain.enums import Choice", []),
    ],
)
def test_purity_check_catches_third_party_and_outer_layer_imports(
    source: str, foreign: list[str]
) -> None:
    assert foreign_imports(source) == foreign
