"""The poll state machine, exhaustively over every state and action."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from server.domain import (
    STATE_LABELS,
    Conflict,
    Forbidden,
    HallError,
    Invalid,
    InvalidState,
    NotFound,
    PollState,
    RateLimited,
    Unauthenticated,
    annul_poll,
    can_accept_ballot,
    close_poll,
    ensure_accepts_ballot,
    open_poll,
)

DRAFT = PollState.DRAFT
OPEN = PollState.OPEN
CLOSED = PollState.CLOSED
ANNULLED = PollState.ANNULLED
REASON = "Thiết bị của ba đại biểu bị mất kết nối."

Action = Callable[[PollState], PollState]
ACTIONS: dict[str, tuple[Action, str]] = {
    "open": (open_poll, "mở"),
    "close": (close_poll, "kết thúc"),
    "annul": (lambda state: annul_poll(state, REASON), "hủy"),
}

# (state, action) -> resulting state, or None when the transition is illegal.
TRANSITIONS: list[tuple[PollState, str, PollState | None]] = [
    (DRAFT, "open", OPEN),
    (DRAFT, "close", None),
    (DRAFT, "annul", None),
    (OPEN, "open", None),
    (OPEN, "close", CLOSED),
    (OPEN, "annul", ANNULLED),
    (CLOSED, "open", None),
    (CLOSED, "close", None),
    (CLOSED, "annul", ANNULLED),
    (ANNULLED, "open", None),
    (ANNULLED, "close", None),
    (ANNULLED, "annul", None),
]


def test_transition_table_covers_every_state_and_action() -> None:
    covered = {(state, action) for state, action, _ in TRANSITIONS}
    assert covered == {(state, action) for state in PollState for action in ACTIONS}


@pytest.mark.parametrize(
    ("state", "action", "expected"),
    [row for row in TRANSITIONS if row[2] is not None],
)
def test_legal_transition_moves_poll_to_the_next_state(
    state: PollState, action: str, expected: PollState
) -> None:
    do, _ = ACTIONS[action]
    assert do(state) is expected


@pytest.mark.parametrize(
    ("state", "action"),
    [(state, action) for state, action, expected in TRANSITIONS if expected is None],
)
def test_illegal_transition_is_refused_with_a_sentence_naming_action_and_state(
    state: PollState, action: str
) -> None:
    do, verb = ACTIONS[action]
    expected = (
        f"Không thể {verb} biểu quyết vì biểu quyết đang ở trạng thái “{STATE_LABELS[state]}”."
    )
    with pytest.raises(InvalidState) as caught:
        do(state)
    assert caught.value.code == "invalid_transition"
    assert caught.value.http_status == 409
    assert caught.value.message == expected
    assert caught.value.details["state"] == state.value


def test_opening_a_closed_poll_gives_the_documented_message() -> None:
    with pytest.raises(
        InvalidState,
        match="^Không thể mở biểu quyết vì biểu quyết đang ở trạng thái “đã kết thúc”.$",
    ):
        open_poll(CLOSED)


def test_every_state_has_a_vietnamese_label() -> None:
    assert STATE_LABELS == {
        DRAFT: "nháp",
        OPEN: "đang biểu quyết",
        CLOSED: "đã kết thúc",
        ANNULLED: "đã hủy",
    }


@pytest.mark.parametrize(
    "reason",
    ["abc", "  abc  ", "Sai sót khi nhập kết quả.", "x" * 500, " " + "x" * 500 + "\n"],
)
@pytest.mark.parametrize("state", [OPEN, CLOSED])
def test_annulling_accepts_a_reason_of_3_to_500_characters(state: PollState, reason: str) -> None:
    assert annul_poll(state, reason) is ANNULLED


@pytest.mark.parametrize("reason", ["", "   ", "ab", " ab \n", "x" * 501])
@pytest.mark.parametrize("state", [OPEN, CLOSED])
def test_annulling_without_a_proper_reason_is_refused(state: PollState, reason: str) -> None:
    with pytest.raises(Invalid, match="lý do") as caught:
        annul_poll(state, reason)
    assert caught.value.code == "reason_required"
    assert caught.value.http_status == 400


def test_annulling_a_draft_reports_the_state_before_the_reason() -> None:
    with pytest.raises(InvalidState) as caught:
        annul_poll(DRAFT, "")
    assert caught.value.code == "invalid_transition"


@pytest.mark.parametrize(
    ("state", "accepts"), [(DRAFT, False), (OPEN, True), (CLOSED, False), (ANNULLED, False)]
)
def test_only_an_open_poll_accepts_ballots(state: PollState, accepts: bool) -> None:
    assert can_accept_ballot(state) is accepts


def test_ensure_accepts_ballot_lets_an_open_poll_through() -> None:
    ensure_accepts_ballot(OPEN)


@pytest.mark.parametrize(
    ("state", "code", "message"),
    [
        (DRAFT, "poll_not_open", "chưa được mở"),
        (CLOSED, "poll_closed", "đã kết thúc"),
        (ANNULLED, "poll_closed", "đã bị hủy"),
    ],
)
def test_ballot_outside_an_open_poll_is_refused_with_a_stable_code(
    state: PollState, code: str, message: str
) -> None:
    with pytest.raises(InvalidState, match=message) as caught:
        ensure_accepts_ballot(state)
    assert caught.value.code == code
    assert caught.value.to_dict()["code"] == code


def test_error_payload_omits_empty_details() -> None:
    assert InvalidState("Biểu quyết đã kết thúc.", code="poll_closed").to_dict() == {
        "code": "poll_closed",
        "message": "Biểu quyết đã kết thúc.",
    }


def test_error_payload_carries_details_when_given() -> None:
    error = HallError("Không tìm thấy.", poll_id=7)
    assert error.code == "error"
    assert error.to_dict() == {
        "code": "error",
        "message": "Không tìm thấy.",
        "details": {"poll_id": 7},
    }


def test_specific_code_overrides_only_the_instance() -> None:
    InvalidState("x", code="poll_closed")
    assert InvalidState.code == "invalid_state"
    assert InvalidState("x").code == "invalid_state"


@pytest.mark.parametrize(
    ("error_class", "code", "status"),
    [
        (HallError, "error", 400),
        (Invalid, "invalid_payload", 400),
        (Unauthenticated, "unauthenticated", 401),
        (Forbidden, "forbidden", 403),
        (NotFound, "not_found", 404),
        (InvalidState, "invalid_state", 409),
        (Conflict, "conflict", 409),
        (RateLimited, "rate_limited", 429),
    ],
)
def test_each_error_class_has_a_stable_code_and_http_status(
    error_class: type[HallError], code: str, status: int
) -> None:
    error = error_class("Một câu đầy đủ.")
    assert isinstance(error, HallError)
    assert (error.code, error.http_status, error.message, str(error)) == (
        code,
        status,
        "Một câu đầy đủ.",
        "Một câu đầy đủ.",
    )
