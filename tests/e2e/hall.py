"""Real clients for end-to-end tests: HTTP sessions and python-socketio clients with cookies."""
from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import socketio

from server.bench.process import ServerProcess
from server.db import migrate
from server.db.engine import Database
from server.services.setup import DelegateCredential, SeededMeeting, seed_demo


def new_op() -> str:
    return uuid.uuid4().hex


def seed(database_url: str, delegates: int) -> SeededMeeting:
    db = Database(database_url)
    migrate.upgrade(db)
    with db.session() as s:
        seeded = seed_demo(s, delegates=delegates, pin="2468")
    db.dispose()
    return seeded


def start_hall(
    instance: Path, database_url: str, *, delegates: int = 30, async_mode: str = "gevent",
    redis_url: str | None = None, env: dict[str, str] | None = None,
) -> tuple[ServerProcess, SeededMeeting]:
    seeded = seed(database_url, delegates)
    server = ServerProcess(
        instance=instance, database_url=database_url, async_mode=async_mode, redis_url=redis_url,
        extra_env=dict(env or {}),
    )
    return server.start(), seeded


def delegate_http(base: str, cred: DelegateCredential, device_id: str | None = None) -> requests.Session:
    session = requests.Session()
    answer = session.post(
        f"{base}/api/tablet/sign-in",
        json={"card_code": cred.card_code, "pin": cred.pin,
              "device_id": device_id or f"tablet-{cred.id:05d}", "device_label": f"Máy {cred.seat}"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text
    return session


def staff_http(base: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    form = session.get(f"{base}/auth/login", timeout=10).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert token, "the login form has no CSRF token"
    answer = session.post(
        f"{base}/auth/login",
        data={"username": username, "password": password, "csrf_token": token.group(1)},
        timeout=10,
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text
    return session


def display_http(base: str, meeting_id: int, key: str) -> requests.Session:
    session = requests.Session()
    answer = session.get(f"{base}/projector/meetings/{meeting_id}", params={"key": key}, timeout=10)
    assert answer.status_code == 200, answer.text
    return session


@dataclass
class Sock:
    """A python-socketio client that records every server event with its payload."""

    base: str
    http: requests.Session | None = None
    auth: dict[str, Any] | None = None
    events: list[tuple[str, Any]] = field(default_factory=list)
    client: socketio.Client = field(default_factory=lambda: socketio.Client(reconnection=False))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def connect(self) -> Sock:
        self.client.on("*", self._record)
        headers = {}
        if self.http is not None:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.client.connect(self.base, headers=headers, auth=self.auth, transports=["websocket"],
                            wait_timeout=10)
        return self

    def _record(self, event: str, data: Any = None) -> None:
        with self._lock:
            self.events.append((event, data))

    def call(self, event: str, data: Any = None, timeout: float = 30) -> Any:
        return self.client.call(event, data, timeout=timeout)

    def wait_for(self, event: str, predicate: Callable[[Any], bool] = lambda _d: True,
                 timeout: float = 15) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                for name, data in self.events:
                    if name == event and predicate(data):
                        return data
            time.sleep(0.02)
        raise AssertionError(f"no {event} within {timeout} s; got {[n for n, _ in self.events]}")

    def close(self) -> None:
        if self.client.connected:
            self.client.disconnect()


def chair_sock(base: str, seeded: SeededMeeting) -> Sock:
    """The demo chair, signed in through the form, following the seeded meeting."""
    http = staff_http(base, "chutoa", seeded.staff_passwords["chutoa"])
    return Sock(base, http, auth={"meeting_id": seeded.meeting_id}).connect()


def open_poll(chair: Sock, item_index: int = 1, question: str = "Câu hỏi") -> int:
    """Create a poll on an agenda item and open it; returns its id."""
    item = chair.call("state.snapshot")["snapshot"]["agenda"][item_index]["id"]
    created = chair.call("poll.create", {"op_id": new_op(), "agenda_item_id": item, "question": question})
    assert created["ok"], created
    opened = chair.call("poll.open", {"op_id": new_op(), "poll_id": created["poll"]["id"]})
    assert opened["ok"], opened
    return int(created["poll"]["id"])
