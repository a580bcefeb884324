"""Hội trường số: the hall server. `create_app` builds it; `server.cli` runs it."""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

from . import config as settings

ROOT = Path(__file__).resolve().parent.parent
logger = logging.getLogger(__name__)


def create_app(config: dict[str, Any] | None = None, *, instance_path: str | None = None) -> Flask:
    """Build the hall server: settings, database, extensions, blueprints, Socket.IO handlers."""
    instance_path = instance_path or os.environ.get("HOITRUONG_INSTANCE") or str(ROOT / "instance")
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(settings.defaults(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    settings.from_environ(app.config)
    if config:
        app.config.update(config)
    settings.check(app.config)
    settings.ensure_secret_key(app.config, app.instance_path)

    from .db.engine import Database  # noqa: PLC0415
    from .extensions import babel, csrf, limiter, login_manager, select_locale, socketio  # noqa: PLC0415

    app.extensions["hall_db"] = Database(app.config["DATABASE_URL"])
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    csrf.init_app(app)
    if app.config["REDIS_URL"] and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        # Several workers must count sign-in attempts together.
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    limiter.init_app(app)
    login_manager.init_app(app)
    socketio.init_app(
        app,
        async_mode=app.config["ASYNC_MODE"],
        message_queue=app.config["REDIS_URL"],
        channel=app.config["SOCKETIO_CHANNEL"],
        ping_interval=app.config["PING_INTERVAL"],
        ping_timeout=app.config["PING_TIMEOUT"],
        max_http_buffer_size=64 * 1024,
        logger=False,
        engineio_logger=False,
    )

    from . import realtime, web  # noqa: PLC0415

    web.init_app(app)
    realtime.init_app(app, socketio)
    return app
