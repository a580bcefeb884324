"""Closed sets of values; each member's value is its lower-case wire string."""

from __future__ import annotations

from enum import Enum


class Choice(str, Enum):
    """A delegate's choice in an open or secret yes/no vote."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class PollState(str, Enum):
    """Where a poll is in its life: draft → open → closed, or annulled."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ANNULLED = "annulled"


class PollKind(str, Enum):
    """What is being voted on; election and confidence kinds come later."""

    OPEN = "open"


class ThresholdRule(str, Enum):
    """How many votes in favour, counted against the total delegates, pass a poll."""

    MAJORITY_OF_TOTAL = "majority_of_total"
    TWO_THIRDS_OF_TOTAL = "two_thirds_of_total"


class MeetingKind(str, Enum):
    """A regular (thường lệ) or thematic (chuyên đề) session."""

    REGULAR = "regular"
    THEMATIC = "thematic"


class MeetingState(str, Enum):
    """Where a session is in its life."""

    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    ENDED = "ended"


class AgendaItemState(str, Enum):
    """Where an agenda item is in the session."""

    PENDING = "pending"
    CURRENT = "current"
    DONE = "done"


class CouncilLevel(str, Enum):
    """The administrative level of a People's Council."""

    COMMUNE = "commune"
    WARD = "ward"
    SPECIAL_ZONE = "special_zone"
    PROVINCE = "province"


class Role(str, Enum):
    """What a staff user may do in the hall."""

    ADMIN = "admin"
    CLERK = "clerk"
    CHAIR = "chair"
    SECRETARY = "secretary"
