"""Coalesced live pictures: at most one `poll.tally` per open poll and one `attendance.summary`
per meeting per interval, each only when it changed. A storm of ballots or of sign-ins thus costs
a few broadcasts, not one per ballot or per delegate."""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from server.db.engine import Database
from server.db.models import Meeting, Poll
from server.domain.enums import PollState
from server.services.common import current_seq
from server.services.meetings import attendance_view
from server.services.polls import tally_view

logger = logging.getLogger(__name__)


@dataclass
class TallyBroadcaster:
    db: Database
    emit: Callable[..., Any]
    start_task: Callable[..., Any]
    sleep: Callable[[float], Any]
    interval: float = 0.1
    _dirty_polls: set[int] = field(default_factory=set)
    _dirty_meetings: set[int] = field(default_factory=set)
    _last: dict[int, dict[str, Any]] = field(default_factory=dict)
    _last_attendance: dict[int, dict[str, Any]] = field(default_factory=dict)
    _running: bool = False

    def start(self) -> None:
        if not self._running:
            self._running = True
            self.start_task(self._run)

    def polls_changed(self, poll_ids: set[int]) -> None:
        self._dirty_polls |= poll_ids

    def meeting_changed(self, meeting_id: int) -> None:
        """Attendance changed: its summary, and the open poll's `present` figure."""
        self._dirty_meetings.add(meeting_id)

    def _run(self) -> None:
        while self._running:
            self.sleep(self.interval)
            if self._dirty_polls or self._dirty_meetings:
                try:
                    self._flush()
                except Exception:  # noqa: BLE001 - keep broadcasting after a hiccup
                    logger.exception("tally broadcast failed")

    def _flush(self) -> None:
        polls, meetings = self._dirty_polls, self._dirty_meetings
        self._dirty_polls, self._dirty_meetings = set(), set()
        with self.db.session() as session:
            for meeting in session.scalars(select(Meeting).where(Meeting.id.in_(meetings))):
                attendance = attendance_view(session, meeting)
                if self._last_attendance.get(meeting.id) != attendance:
                    self._last_attendance[meeting.id] = attendance
                    self.emit(
                        "attendance.summary",
                        {"seq": meeting.seq, "attendance": attendance},
                        to=f"meeting:{meeting.id}",
                    )
            query = select(Poll).where(Poll.state == PollState.OPEN.value)
            candidates = session.scalars(
                query.where(Poll.id.in_(polls) | Poll.meeting_id.in_(meetings))
            ).all()
            for poll in candidates:
                view = tally_view(session, poll)
                if self._last.get(poll.id) == view:
                    continue
                self._last[poll.id] = view
                payload = {"seq": current_seq(session, poll.meeting_id), "tally": view}
                for audience in ("staff", "projector"):
                    self.emit("poll.tally", payload, to=f"meeting:{poll.meeting_id}:{audience}")
