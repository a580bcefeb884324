"""The error tree shared by every layer; the web and Socket.IO edges map it once."""

from __future__ import annotations


class HallError(Exception):
    """Root of all expected errors: a stable ``code``, an HTTP status and a sentence."""

    code: str = "error"
    http_status: int = 400

    def __init__(self, message: str, *, code: str | None = None, **details: object) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.details: dict[str, object] = dict(details)

    def to_dict(self) -> dict[str, object]:
        """The payload a client sees: code, message and, if any, details."""
        payload: dict[str, object] = {"code": self.code, "message": self.message}
        if self.details:
            payload["details"] = dict(self.details)
        return payload

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, code={self.code!r})"


class Invalid(HallError):
    """The request is malformed or a value is out of range."""

    code = "invalid_payload"
    http_status = 400


class Unauthenticated(HallError):
    """Nobody is signed in, or the credentials are wrong."""

    code = "unauthenticated"
    http_status = 401


class Forbidden(HallError):
    """The user is known but may not do this."""

    code = "forbidden"
    http_status = 403


class NotFound(HallError):
    """The thing asked for does not exist (or is not visible to the user)."""

    code = "not_found"
    http_status = 404


class InvalidState(HallError):
    """The action is not allowed in the object's current state."""

    code = "invalid_state"
    http_status = 409


class Conflict(HallError):
    """The action collides with existing data or a concurrent change."""

    code = "conflict"
    http_status = 409


class RateLimited(HallError):
    """Too many requests in too short a time."""

    code = "rate_limited"
    http_status = 429
