"""Settings: defaults, then the instance folder's config.py, then HOITRUONG_* environment variables."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

ASYNC_MODES = ("gevent", "eventlet", "threading")


def defaults(instance_path: str) -> dict[str, Any]:
    """The settings a fresh hall server runs with; every one can be overridden."""
    return {
        "DATABASE_URL": f"sqlite:///{Path(instance_path) / 'hoitruong.sqlite3'}",
        "REDIS_URL": None,  # set for several workers: Redis becomes the Socket.IO message queue
        "SOCKETIO_CHANNEL": "hoitruong",  # the Redis channel the workers share
        "ASYNC_MODE": "gevent",
        "HOST": "127.0.0.1",
        "PORT": 5000,
        "MAX_CONNECTIONS": 12000,  # per worker; eventlet's own default is 1,024
        "LISTEN_BACKLOG": 4096,  # eventlet's default is 50
        "SECRET_KEY": None,  # read from or written to instance/secret_key when unset
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": 16 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": "10 per minute",
        "TABLET_SIGNIN_RATE_LIMIT": "20 per minute",
        "PIN_MAX_FAILURES": 5,
        "PIN_LOCK_SECONDS": 300,
        # A tablet whose Wi-Fi died is noticed within PING_INTERVAL + PING_TIMEOUT seconds.
        "PING_INTERVAL": 15,
        "PING_TIMEOUT": 10,
        "TALLY_INTERVAL": 0.1,  # seconds between coalesced live tallies
        # Garbage collection thresholds (generations 0, 1, 2) for the serving process.
        "GC_THRESHOLDS": "50000,20,100",
        "BALLOT_BATCH_MAX": 1000,  # ballots per group commit at most
        "BALLOT_ACK_TIMEOUT": 30.0,
        "PUBLIC_BASE_URL": None,  # the address citizens use for the archive; default: the request's
        "TSA_URL": None,  # a timestamp authority: signatures become PAdES B-T
        "TRUST_ROOTS": "",  # comma-separated PEM files (relative: in the instance); default pki/root.pem
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,  # the largest upload (a PDF to verify)
    }


def _coerce(value: str, like: Any) -> Any:
    if isinstance(like, bool):
        return value.lower() in ("1", "true", "yes", "on")
    if isinstance(like, int):
        return int(value)
    if isinstance(like, float):
        return float(value)
    return value


def from_environ(config: dict[str, Any], environ: dict[str, str] | None = None) -> None:
    """Override settings from HOITRUONG_<NAME> (and DATABASE_URL / REDIS_URL) variables."""
    environ = dict(os.environ if environ is None else environ)
    for name, like in list(config.items()):
        raw = environ.get(f"HOITRUONG_{name}")
        if raw is None and name in ("DATABASE_URL", "REDIS_URL"):
            raw = environ.get(name)
        if raw is not None:
            config[name] = _coerce(raw, like) if like is not None else raw


def ensure_secret_key(config: dict[str, Any], instance_path: str) -> None:
    """Keep one random secret per instance so sessions survive a restart."""
    if config.get("SECRET_KEY"):
        return
    path = Path(instance_path) / "secret_key"
    if path.exists():
        config["SECRET_KEY"] = path.read_text().strip()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    config["SECRET_KEY"] = key


def check(config: dict[str, Any]) -> None:
    """Refuse settings that cannot work, with a sentence that says why."""
    if config["ASYNC_MODE"] not in ASYNC_MODES:
        raise ValueError(
            f"ASYNC_MODE must be one of {', '.join(ASYNC_MODES)}, not {config['ASYNC_MODE']!r}."
        )
    if config["DATABASE_URL"].startswith("sqlite") and config.get("WORKERS", 1) > 1:
        raise ValueError("SQLite serves one worker process; use PostgreSQL for several workers.")
