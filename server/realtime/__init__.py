"""Socket.IO: authenticate the connection, validate each event, call a service, ack, broadcast."""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Flask
from flask_socketio import SocketIO

from server.db.engine import Database
from server.services.common import Event, Principal

from .tally import TallyBroadcaster
from .writer import BallotWriter

logger = logging.getLogger(__name__)


@dataclass
class Realtime:
    """Per-worker realtime state: who each socket is, the ballot writer, the tally loop."""

    socketio: SocketIO
    db: Database
    writer: BallotWriter
    tally: TallyBroadcaster
    principals: dict[str, Principal] = field(default_factory=dict)

    def publish(self, events: Iterable[Event]) -> None:
        """Emit events after their transaction committed."""
        for event in events:
            self.socketio.emit(event.name, event.payload, to=event.room)
            if event.name in ("delegate.updated", "poll.opened"):
                self.tally.meeting_changed(event.meeting_id)

    def sids_of_delegate(self, delegate_id: int) -> list[str]:
        return [sid for sid, p in self.principals.items() if p.delegate_id == delegate_id]


def init_app(app: Flask, socketio: SocketIO) -> None:
    db: Database = app.extensions["hall_db"]
    eio = socketio.server.eio

    tally = TallyBroadcaster(
        db=db,
        emit=socketio.emit,
        start_task=socketio.start_background_task,
        sleep=socketio.sleep,
        interval=app.config["TALLY_INTERVAL"],
    )
    writer = BallotWriter(
        db=db,
        start_task=socketio.start_background_task,
        create_event=eio.create_event,
        sleep=socketio.sleep,
        on_committed=tally.polls_changed,
        batch_max=app.config["BALLOT_BATCH_MAX"],
        ack_timeout=app.config["BALLOT_ACK_TIMEOUT"],
    )
    realtime = Realtime(socketio=socketio, db=db, writer=writer, tally=tally)
    app.extensions["hall_realtime"] = realtime

    from .handlers import register  # noqa: PLC0415

    register(app, socketio, realtime)
