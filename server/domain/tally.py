"""Counting yes / no / abstain ballots."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .enums import Choice

__all__ = ["Tally"]


@dataclass(frozen=True)
class Tally:
    """How many ballots chose each option."""

    yes: int = 0
    """Ballots "tán thành"."""
    no: int = 0
    """Ballots "không tán thành"."""
    abstain: int = 0
    """Ballots "không biểu quyết"."""

    def __post_init__(self) -> None:
        for choice in Choice:
            if self.count(choice) < 0:
                raise ValueError(f"A tally cannot have a negative count for {choice.value!r}.")

    @property
    def voted(self) -> int:
        """Number of ballots cast, whatever the choice."""
        return self.yes + self.no + self.abstain

    def count(self, choice: Choice) -> int:
        """Number of ballots for one choice."""
        value: int = getattr(self, Choice(choice).value)
        return value

    @classmethod
    def from_choices(cls, choices: Iterable[Choice]) -> Tally:
        """Count a sequence of ballots."""
        counter = Counter(Choice(choice) for choice in choices)
        return cls(
            yes=counter[Choice.YES], no=counter[Choice.NO], abstain=counter[Choice.ABSTAIN]
        )

    @classmethod
    def from_counts(cls, counts: Mapping[str, int]) -> Tally:
        """Build from ``{"yes": n, ...}``; missing keys count 0, unknown keys are refused."""
        known = {choice.value for choice in Choice}
        unknown = sorted(str(key) for key in counts if key not in known)
        if unknown:
            raise ValueError(f"Unknown choices in counts: {', '.join(unknown)}.")
        values = {Choice(key).value: int(value) for key, value in counts.items()}
        return cls(**values)

    def as_dict(self) -> dict[str, int]:
        """``{"yes": .., "no": .., "abstain": ..}``."""
        return {choice.value: self.count(choice) for choice in Choice}
