"""A bare reference server for `hoitruong bench votes --baseline`.

`python -m server.bench.baseline --port P --async-mode gevent|eventlet --db PATH` serves Flask-
SocketIO in the same async mode, monkey-patched and served exactly as `hoitruong serve` does
(`server.cli._patch` and `server.cli._run`: gevent pywsgi with a Pool, or eventlet.wsgi with
`max_size`, the same backlog and connection limit), with ONE event handler: `ballot.cast` upserts
(poll_id, delegate_id, choice) into a SQLite table and answers `{"ok": True}`. No sessions, no
authentication, no validation, no rooms, no tallies, no group commit: the cheapest server that
still receives, writes and acknowledges every ballot, so the hall server's storm time can be
expressed as a ratio to it.

The SQLite file runs in WAL mode with `synchronous=NORMAL` by default (one autocommit upsert per
ballot, no fsync per commit): the strictest reference. `--synchronous FULL` makes it fsync every
ballot instead (much slower on most disks, which would flatter the hall server's group commit).
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from .process import ChildProcess


def build_app(db_path: str, async_mode: str, synchronous: str = "NORMAL"):  # type: ignore[no-untyped-def]
    import sqlite3

    from flask import Flask
    from flask_socketio import SocketIO

    app = Flask(__name__)
    # Same Engine.IO settings as the hall server (server/__init__.py).
    socketio = SocketIO(
        app,
        async_mode=async_mode,
        ping_interval=10,
        ping_timeout=10,
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
    )
    db = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute(f"PRAGMA synchronous={synchronous}")
    db.execute(
        "CREATE TABLE IF NOT EXISTS ballots (poll_id INTEGER NOT NULL, delegate_id INTEGER NOT NULL,"
        " choice TEXT NOT NULL, PRIMARY KEY (poll_id, delegate_id))"
    )
    upsert = (
        "INSERT INTO ballots (poll_id, delegate_id, choice) VALUES (?, ?, ?) "
        "ON CONFLICT (poll_id, delegate_id) DO UPDATE SET choice = excluded.choice"
    )

    @socketio.on("ballot.cast")
    def cast(data):  # type: ignore[no-untyped-def]
        db.execute(upsert, (data["poll_id"], data["delegate_id"], data["choice"]))
        return {"ok": True}

    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m server.bench.baseline")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", choices=["gevent", "eventlet"], default="gevent")
    parser.add_argument("--db", required=True)
    parser.add_argument("--synchronous", choices=["OFF", "NORMAL", "FULL"], default="NORMAL")
    parser.add_argument("--max-connections", type=int, default=12000)
    parser.add_argument("--backlog", type=int, default=4096)
    parser.add_argument("--gc", default="50000,20,100",
                        help="garbage collection thresholds, as the hall server's GC_THRESHOLDS; "
                             "'default' keeps Python's own")
    args = parser.parse_args(argv)

    from server.cli import _patch, _run, _tune_gc, raise_open_files_limit

    _patch(args.async_mode)
    app = build_app(args.db, args.async_mode, args.synchronous)
    raise_open_files_limit(args.max_connections + 256)
    print(f"baseline serving on 127.0.0.1:{args.port} ({args.async_mode})", flush=True)
    if args.gc != "default":
        _tune_gc(args.gc)  # the same runtime tuning as the hall server: compare code, not settings
    _run(app, args.async_mode, "127.0.0.1", args.port,
         backlog=args.backlog, max_connections=args.max_connections)
    return 0


@dataclass(kw_only=True)
class BaselineProcess(ChildProcess):
    """The reference server in a child process, like `ServerProcess` for the hall server."""

    db_path: Path
    async_mode: str = "gevent"
    name: str = "baseline"

    @property
    def log_path(self) -> Path:
        return self.db_path.with_suffix(".log")

    def command(self) -> list[str]:
        return [sys.executable, "-m", "server.bench.baseline", "--port", str(self.port),
                "--async-mode", self.async_mode, "--db", str(self.db_path)]

    def start(self, timeout: float = 30.0) -> BaselineProcess:
        super().start(timeout)
        return self


if __name__ == "__main__":
    sys.exit(main())
