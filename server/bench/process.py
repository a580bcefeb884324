"""Start real server processes on 127.0.0.1 (for benchmarks and end-to-end tests)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(kw_only=True)
class ChildProcess:
    """A server in its own process group: `start()`, `stop()`, `kill()` (a kill -9), `rss_mb()`."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    name: str = "server"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        raise NotImplementedError

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> dict[str, str]:
        return dict(os.environ, PYTHONUNBUFFERED="1")

    def ready(self) -> bool:
        """Whether the server answers yet (here: accepts a TCP connection)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=1):
            return True

    def start(self, timeout: float = 30.0) -> ChildProcess:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child keeps it
        self.process = subprocess.Popen(
            self.command(),
            env=self.environment(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log()}")
            try:
                if self.ready():
                    return self
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within {timeout} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:] if self.log_path.exists() else ""

    def kill(self) -> None:
        """kill -9: no clean-up, no flush; what was committed must survive."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def rss_mb(self) -> float:
        if self.process is None:
            return 0.0
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


@dataclass(kw_only=True)
class ServerProcess(ChildProcess):
    """`hoitruong serve` on a database, ready when `/api/session` answers."""

    instance: Path
    database_url: str
    async_mode: str = "gevent"
    redis_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def log_path(self) -> Path:
        return self.instance / "server.log"

    def command(self) -> list[str]:
        return [sys.executable, "-m", "server.cli", "serve", "--host", "127.0.0.1",
                "--port", str(self.port)]

    def environment(self) -> dict[str, str]:
        env = super().environment()
        env.update(
            HOITRUONG_INSTANCE=str(self.instance),
            DATABASE_URL=self.database_url,
            HOITRUONG_ASYNC_MODE=self.async_mode,
        )
        if self.redis_url:
            env["REDIS_URL"] = self.redis_url
        env.update(self.extra_env)
        return env

    def ready(self) -> bool:
        with urllib.request.urlopen(self.url + "/api/session", timeout=1) as answer:
            return bool(answer.status == 200)

    def start(self, timeout: float = 30.0) -> ServerProcess:
        super().start(timeout)
        return self
