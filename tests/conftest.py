"""Shared fixtures: the database on SQLite and PostgreSQL, and what a missing part means.

Locally a missing part (PostgreSQL, Chromium, …) skips its tests with the reason; in CI
(CI=true) it fails them, because CI installs and starts everything the tests need.
"""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from server.db import migrate
from server.db.engine import Database

IN_CI = os.environ.get("CI") == "true"
POSTGRES_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


def require(available: bool, reason: str) -> None:
    """Skip with `reason` on a developer machine; fail in CI, where nothing may be skipped."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def postgres_available() -> bool:
    try:
        engine = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available"
        return False


_PG = postgres_available()


class PostgresSchema:
    """A private schema in the `test` database, so parallel runs never meet."""

    def __init__(self) -> None:
        self.name = f"hall_{uuid.uuid4().hex[:10]}"
        self.admin = create_engine(POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://"))
        with self.admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{self.name}"'))

    @property
    def url(self) -> str:
        separator = "&" if "?" in POSTGRES_URL else "?"
        return f"{POSTGRES_URL}{separator}options=-csearch_path%3D{self.name}"

    def drop(self) -> None:
        with self.admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        self.admin.dispose()


def _truncate(db: Database) -> None:
    from server.db.models import Base  # noqa: PLC0415

    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[PostgresSchema | None]:
    if not _PG:
        yield None
        return
    schema = PostgresSchema()
    db = Database(schema.url)
    migrate.upgrade(db)
    db.dispose()
    yield schema
    schema.drop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database: a fresh SQLite file, or a truncated PostgreSQL schema."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
        migrate.upgrade(database)
    else:
        require(_PG, f"PostgreSQL is not reachable at {POSTGRES_URL}")
        schema = request.getfixturevalue("pg_schema")
        database = Database(schema.url)
        _truncate(database)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'hall.sqlite3'}")
    migrate.upgrade(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
