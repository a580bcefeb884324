"""Extensions, created unbound and attached to the app in create_app."""
from __future__ import annotations

from flask import request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_socketio import SocketIO
from flask_wtf import CSRFProtect

socketio = SocketIO()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()


def select_locale() -> str:
    """?lang= wins and is remembered; then the session; then Vietnamese."""
    from flask import current_app  # noqa: PLC0415

    languages = current_app.config["LANGUAGES"]
    asked = request.args.get("lang") if request else None
    if asked is not None and asked in languages:
        session["lang"] = asked
        return asked
    remembered = session.get("lang")
    if remembered in languages:
        return str(remembered)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])
