"""Socket.IO event handlers. Each is a few lines: who, what payload, which service, which events."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from flask import Flask, request
from flask_socketio import ConnectionRefusedError, SocketIO, join_room
from pydantic import BaseModel
from sqlalchemy.orm import Session

from server.domain.errors import Forbidden, HallError, Invalid, Unauthenticated
from server.schemas import (
    AgendaSelectIn,
    AttendanceSetIn,
    BallotCastIn,
    ConnectAuth,
    DeviceReleaseIn,
    PollActionIn,
    PollAnnulIn,
    PollCreateIn,
    SnapshotIn,
    parse,
)
from server.services import drafts, identity, meetings, polls
from server.services.ballots import BallotRequest
from server.services.common import Event, Outcome, Principal, PrincipalKind
from server.services.documents import Settings
from server.services.operations import run_once
from server.web import error_body
from server.web.docsettings import document_settings
from server.web.security import current_principal

from . import Realtime

logger = logging.getLogger(__name__)

Handler = Callable[[Principal, Any], dict[str, Any]]


def register(app: Flask, socketio: SocketIO, rt: Realtime) -> None:
    """Wire every event; the table below is the whole realtime surface."""

    def guarded(schema: type[BaseModel], handler: Handler) -> Callable[..., dict[str, Any]]:
        def on_event(data: Any = None, *_extra: Any) -> dict[str, Any]:
            try:
                principal = rt.principals.get(request.sid)  # type: ignore[attr-defined]
                if principal is None:
                    raise Unauthenticated("Kết nối chưa được xác thực; hãy đăng nhập lại.")
                return {"ok": True, **handler(principal, parse(schema, data))}
            except HallError as error:
                return error_body(error)
            except Exception:  # noqa: BLE001 - answer, log, keep serving
                logger.exception("socket event failed")
                return error_body(HallError("Lỗi hệ thống; không có gì bị thay đổi.", code="internal_error"))

        return on_event

    def chair_action(kind: str, service: Callable[..., Outcome], *fields: str) -> Handler:
        """A chair event: scope-checked by the service, applied once per op_id, then broadcast."""

        def handler(principal: Principal, payload: Any) -> dict[str, Any]:
            _require_staff(principal)
            arguments = {name: getattr(payload, name) for name in fields}
            with rt.db.session() as session:
                outcome = run_once(
                    session,
                    principal,
                    op_id=payload.op_id,
                    kind=kind,
                    payload=payload.model_dump(mode="json"),
                    action=lambda: service(
                        session, principal, meeting_id=principal.meeting_id, **arguments
                    ),
                )
            rt.publish(outcome.events)
            if kind == "device.release":
                _disconnect_delegate(rt, socketio, arguments["delegate_id"])
            if kind == "poll.close":
                settings = document_settings()
                socketio.start_background_task(
                    _make_vote_record, rt, settings, principal.meeting_id, arguments["poll_id"]
                )
            return outcome.data

        return handler

    def snapshot(principal: Principal, _payload: Any) -> dict[str, Any]:
        with rt.db.session() as session:
            _require_binding(session, principal)
            return {"snapshot": meetings.snapshot(session, principal, principal.meeting_id or 0)}

    def cast(principal: Principal, payload: BallotCastIn) -> dict[str, Any]:
        if principal.kind is not PrincipalKind.DELEGATE:
            raise Forbidden("Chỉ đại biểu mới được biểu quyết.")
        answer = rt.writer.submit(
            BallotRequest(principal, payload.op_id, payload.poll_id, payload.choice)
        )
        if isinstance(answer, HallError):
            raise answer
        return answer

    table: dict[str, tuple[type[BaseModel], Handler]] = {
        "state.snapshot": (SnapshotIn, snapshot),
        "ballot.cast": (BallotCastIn, cast),
        "agenda.select": (
            AgendaSelectIn,
            chair_action("agenda.select", meetings.select_agenda_item, "item_id"),
        ),
        "poll.create": (
            PollCreateIn,
            chair_action("poll.create", polls.create_poll, "agenda_item_id", "question", "rule"),
        ),
        "poll.open": (PollActionIn, chair_action("poll.open", polls.open_poll, "poll_id")),
        "poll.close": (PollActionIn, chair_action("poll.close", polls.close_poll, "poll_id")),
        "poll.annul": (
            PollAnnulIn,
            chair_action("poll.annul", polls.annul_poll, "poll_id", "reason"),
        ),
        "attendance.set": (
            AttendanceSetIn,
            chair_action("attendance.set", meetings.set_attendance, "delegate_id", "present"),
        ),
        "device.release": (
            DeviceReleaseIn,
            chair_action("device.release", identity.release, "delegate_id"),
        ),
    }
    for name, (schema, handler) in table.items():
        socketio.on_event(name, guarded(schema, handler))

    @socketio.on("*")
    def _unknown(event: str, *_args: Any) -> dict[str, Any]:
        return error_body(Invalid(f"Sự kiện “{event[:60]}” không được hỗ trợ.", code="unknown_event"))

    @socketio.on("connect")
    def _connect(auth: Any = None) -> None:
        try:
            principal = _authenticate(rt, auth)
        except HallError as error:
            raise _Refused(error_body(error)["error"]) from None
        rt.principals[request.sid] = principal  # type: ignore[attr-defined]
        for room in _rooms(principal):
            join_room(room)
        rt.tally.start()

    @socketio.on("disconnect")
    def _disconnect(*_args: Any) -> None:
        rt.principals.pop(request.sid, None)  # type: ignore[attr-defined]


class _Refused(ConnectionRefusedError):  # type: ignore[misc]
    """A refused connection whose `connect_error` data is exactly `{code, message}`."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__()
        self.error_args = body


def _authenticate(rt: Realtime, auth: Any) -> Principal:
    """The session's principal, bound to one meeting it may read."""
    principal = current_principal()
    if principal is None:
        raise Unauthenticated("Kết nối chưa được xác thực; hãy đăng nhập trước.")
    requested = parse(ConnectAuth, auth).meeting_id
    with rt.db.session() as session:
        if principal.kind is PrincipalKind.STAFF:
            if requested is None:
                raise Invalid("Cán bộ cần chọn kỳ họp khi kết nối (auth.meeting_id).", field="meeting_id")
            principal = replace(principal, meeting_id=requested)
        else:
            _require_binding(session, principal)
        meetings.authorize_read(session, principal, principal.meeting_id or 0)
    return principal


def _require_binding(session: Session, principal: Principal) -> None:
    if not identity.check_binding(session, principal):
        raise Unauthenticated("Thiết bị này đã bị giải phóng; vui lòng đăng nhập lại.")


def _require_staff(principal: Principal) -> None:
    if principal.kind is not PrincipalKind.STAFF:
        raise Forbidden("Chỉ chủ tọa mới được thực hiện thao tác này.")


def _rooms(principal: Principal) -> list[str]:
    base = f"meeting:{principal.meeting_id}"
    if principal.kind is PrincipalKind.DELEGATE:
        return [base, f"{base}:delegates", f"delegate:{principal.delegate_id}"]
    if principal.kind is PrincipalKind.STAFF:
        return [base, f"{base}:staff"]
    return [base, f"{base}:projector"]


def _make_vote_record(rt: Realtime, settings: Settings, meeting_id: int, poll_id: int) -> None:
    """Render the closed poll's record at once, so it is ready to sign; tell the staff."""
    try:
        with rt.db.session() as session:
            doc = drafts.ensure_vote_record(session, poll_id, settings)
            session.commit()
            payload = {"poll_id": poll_id, "document_id": doc.id, "kind": doc.kind,
                       "title": doc.title, "state": doc.state}
    except Exception:  # noqa: BLE001 - the clerk's page makes it later if this fails
        logger.exception("could not make the record of poll %s", poll_id)
        return
    rt.publish([Event("document.ready", meeting_id, payload, audience="staff")])


def _disconnect_delegate(rt: Realtime, socketio: SocketIO, delegate_id: int) -> None:
    for sid in rt.sids_of_delegate(delegate_id):
        rt.principals.pop(sid, None)
        socketio.server.disconnect(sid)
