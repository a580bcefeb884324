"""Group commit for ballots: collect what arrived, commit once, then acknowledge each."""
from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from server.db.engine import Database
from server.domain.errors import HallError
from server.services.ballots import Answer, BallotRequest, cast_batch

logger = logging.getLogger(__name__)


@dataclass
class _Slot:
    request: BallotRequest
    done: Any  # an Event from the async server's own factory
    answer: Answer | None = None


@dataclass
class BallotWriter:
    """One writer task per worker; handlers wait on their slot's event for the commit."""

    db: Database
    start_task: Callable[..., Any]
    create_event: Callable[[], Any]
    sleep: Callable[[float], Any]
    on_committed: Callable[[set[int]], None]
    batch_max: int = 1000
    ack_timeout: float = 30.0
    _pending: deque[_Slot] = field(default_factory=deque)
    _wake: Any = None
    _running: bool = False
    batches: int = 0
    ballots: int = 0

    def start(self) -> None:
        if not self._running:
            self._running = True
            self._wake = self.create_event()
            self.start_task(self._run)

    def submit(self, request: BallotRequest) -> Answer:
        """Queue a ballot and wait until it is committed (or refused)."""
        self.start()
        slot = _Slot(request, self.create_event())
        self._pending.append(slot)
        self._wake.set()
        if not slot.done.wait(self.ack_timeout) or slot.answer is None:
            return HallError(
                "Máy chủ đang bận; phiếu chưa được ghi nhận. Hãy gửi lại với cùng op_id.",
                code="internal_error",
            )
        return slot.answer

    def _run(self) -> None:
        while self._running:
            self._wake.wait()
            self._wake.clear()
            # Let the handlers that are already runnable queue their ballots first.
            self.sleep(0)
            while self._pending:
                batch = [self._pending.popleft() for _ in range(min(self.batch_max, len(self._pending)))]
                self._commit(batch)

    def _commit(self, batch: list[_Slot]) -> None:
        try:
            with self.db.session() as session:
                answers = cast_batch(session, [slot.request for slot in batch])
        except Exception:  # noqa: BLE001 - a broken batch must not stop the writer
            logger.exception("ballot batch of %d failed", len(batch))
            answers = [
                HallError("Lỗi hệ thống khi ghi phiếu; không có gì bị thay đổi.", code="internal_error")
                for _ in batch
            ]
        self.batches += 1
        self.ballots += len(batch)
        written = {
            slot.request.poll_id for slot, answer in zip(batch, answers, strict=True)
            if not isinstance(answer, HallError)
        }
        for slot, answer in zip(batch, answers, strict=True):
            slot.answer = answer
            slot.done.set()
        if written:
            self.on_committed(written)
