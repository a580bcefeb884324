"""The poll state machine: draft → open → closed, and open/closed → annulled."""

from __future__ import annotations

from .enums import PollState
from .errors import Invalid, InvalidState

__all__ = [
    "REASON_MAX_LENGTH",
    "REASON_MIN_LENGTH",
    "STATE_LABELS",
    "annul_poll",
    "can_accept_ballot",
    "close_poll",
    "ensure_accepts_ballot",
    "open_poll",
]

STATE_LABELS: dict[PollState, str] = {
    PollState.DRAFT: "nháp",
    PollState.OPEN: "đang biểu quyết",
    PollState.CLOSED: "đã kết thúc",
    PollState.ANNULLED: "đã hủy",
}

REASON_MIN_LENGTH = 3
REASON_MAX_LENGTH = 500


def _transition(
    state: PollState, target: PollState, allowed_from: frozenset[PollState], verb: str
) -> PollState:
    if state not in allowed_from:
        label = STATE_LABELS[state]
        raise InvalidState(
            f"Không thể {verb} biểu quyết vì biểu quyết đang ở trạng thái “{label}”.",
            code="invalid_transition",
            state=state.value,
            target=target.value,
        )
    return target


def open_poll(state: PollState) -> PollState:
    """Open a draft poll for ballots."""
    return _transition(state, PollState.OPEN, frozenset({PollState.DRAFT}), "mở")


def close_poll(state: PollState) -> PollState:
    """Close an open poll; ballots committed before this count, later ones are refused."""
    return _transition(state, PollState.CLOSED, frozenset({PollState.OPEN}), "kết thúc")


def annul_poll(state: PollState, reason: str) -> PollState:
    """Annul an open or closed poll; the reason goes into the minutes."""
    target = _transition(
        state, PollState.ANNULLED, frozenset({PollState.OPEN, PollState.CLOSED}), "hủy"
    )
    length = len(reason.strip())
    if not REASON_MIN_LENGTH <= length <= REASON_MAX_LENGTH:
        raise Invalid(
            f"Cần nêu lý do hủy biểu quyết, dài từ {REASON_MIN_LENGTH} "
            f"đến {REASON_MAX_LENGTH} ký tự.",
            code="reason_required",
            length=length,
        )
    return target


def can_accept_ballot(state: PollState) -> bool:
    """Whether a ballot may be committed in this state."""
    return state is PollState.OPEN


def ensure_accepts_ballot(state: PollState) -> None:
    """Refuse a ballot unless the poll is open."""
    if state is PollState.OPEN:
        return
    if state is PollState.DRAFT:
        raise InvalidState("Biểu quyết chưa được mở.", code="poll_not_open", state=state.value)
    if state is PollState.ANNULLED:
        raise InvalidState("Biểu quyết đã bị hủy.", code="poll_closed", state=state.value)
    raise InvalidState("Biểu quyết đã kết thúc.", code="poll_closed", state=state.value)
