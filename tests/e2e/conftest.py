"""End-to-end fixtures: real server processes that are always stopped, even when a test fails."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from server.bench.process import ServerProcess
from server.services.setup import SeededMeeting

from .hall import start_hall

StartHall = Callable[..., tuple[ServerProcess, SeededMeeting]]


@pytest.fixture
def hall_server(tmp_path: Path) -> Iterator[StartHall]:
    """`hall_server(delegates=N)` seeds a SQLite hall and starts its server; stopped afterwards."""
    started: list[ServerProcess] = []

    def start(delegates: int = 3, **options: object) -> tuple[ServerProcess, SeededMeeting]:
        name = f"hall{len(started)}"
        url = f"sqlite:///{tmp_path / (name + '.sqlite3')}"
        server, seeded = start_hall(tmp_path / name, url, delegates=delegates, **options)  # type: ignore[arg-type]
        started.append(server)
        return server, seeded

    yield start
    for server in started:
        server.stop()
