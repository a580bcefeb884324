"""Pure domain rules of the hall: standard library only, no I/O, no clock."""

from .enums import (
    AgendaItemState,
    Choice,
    CouncilLevel,
    MeetingKind,
    MeetingState,
    PollKind,
    PollState,
    Role,
    ThresholdRule,
)
from .errors import (
    Conflict,
    Forbidden,
    HallError,
    Invalid,
    InvalidState,
    NotFound,
    RateLimited,
    Unauthenticated,
)
from .poll import (
    STATE_LABELS,
    annul_poll,
    can_accept_ballot,
    close_poll,
    ensure_accepts_ballot,
    open_poll,
)
from .result import PollResult, decide, format_percent
from .rules import (
    DEFAULT_RULESET,
    RULE_LABELS,
    RuleSet,
    has_quorum,
    passes,
    quorum_required,
    required_in_favour,
)
from .tally import Tally

__all__ = [
    "DEFAULT_RULESET",
    "RULE_LABELS",
    "STATE_LABELS",
    "AgendaItemState",
    "Choice",
    "Conflict",
    "CouncilLevel",
    "Forbidden",
    "HallError",
    "Invalid",
    "InvalidState",
    "MeetingKind",
    "MeetingState",
    "NotFound",
    "PollKind",
    "PollResult",
    "PollState",
    "RateLimited",
    "Role",
    "RuleSet",
    "Tally",
    "ThresholdRule",
    "Unauthenticated",
    "annul_poll",
    "can_accept_ballot",
    "close_poll",
    "decide",
    "ensure_accepts_ballot",
    "format_percent",
    "has_quorum",
    "open_poll",
    "passes",
    "quorum_required",
    "required_in_favour",
]
