"""Passing thresholds, quorum and the per-council rule set (Resolution 104/2025/UBTVQH15)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TypeVar

from .enums import Choice, ThresholdRule

__all__ = [
    "DEFAULT_LABELS",
    "DEFAULT_RULESET",
    "RULE_LABELS",
    "RuleSet",
    "has_quorum",
    "passes",
    "quorum_required",
    "required_in_favour",
]

RULE_LABELS: dict[ThresholdRule, str] = {
    ThresholdRule.MAJORITY_OF_TOTAL: "Quá nửa tổng số đại biểu",
    ThresholdRule.TWO_THIRDS_OF_TOTAL: "Ít nhất hai phần ba tổng số đại biểu",
}

_T = TypeVar("_T")

DEFAULT_LABELS: Mapping[Choice, str] = MappingProxyType(
    {
        Choice.YES: "Tán thành",
        Choice.NO: "Không tán thành",
        Choice.ABSTAIN: "Không biểu quyết",
    }
)


def _check_total(total: int) -> None:
    if total < 1:
        raise ValueError(f"The total number of delegates must be at least 1, not {total}.")


def _ceil_div(numerator: int, denominator: int) -> int:
    # Integer ceiling: floats would misround totals such as 2 * 3 / 3.
    return -(-numerator // denominator)


def required_in_favour(rule: ThresholdRule, total: int) -> int:
    """The fewest votes in favour that pass a poll, measured against all delegates."""
    _check_total(total)
    if rule is ThresholdRule.MAJORITY_OF_TOTAL:
        return total // 2 + 1
    if rule is ThresholdRule.TWO_THIRDS_OF_TOTAL:
        return _ceil_div(2 * total, 3)
    raise ValueError(f"Unknown threshold rule {rule!r}.")


def passes(rule: ThresholdRule, in_favour: int, total: int) -> bool:
    """Whether ``in_favour`` votes out of ``total`` delegates meet the rule."""
    if in_favour < 0:
        raise ValueError(f"Votes in favour cannot be negative, not {in_favour}.")
    return in_favour >= required_in_favour(rule, total)


def quorum_required(total: int) -> int:
    """Delegates who must be present to open a sitting: two thirds of the total."""
    return DEFAULT_RULESET.quorum_required(total)


def has_quorum(present: int, total: int) -> bool:
    """Whether ``present`` delegates out of ``total`` make a quorum."""
    return DEFAULT_RULESET.has_quorum(present, total)


@dataclass(frozen=True)
class RuleSet:
    """A council's working rules that vary by quy chế; stored with every poll."""

    version: str = "104/2025/UBTVQH15"
    """The legal text these rules follow."""
    quorum_numerator: int = 2
    """Quorum as a fraction of the total delegates: the numerator."""
    quorum_denominator: int = 3
    """Quorum as a fraction of the total delegates: the denominator."""
    labels: Mapping[Choice, str] = field(default_factory=lambda: DEFAULT_LABELS, hash=False)
    """What each choice is called on the tablets, the projector and the minutes."""

    def __post_init__(self) -> None:
        if not self.version.strip():
            raise ValueError("A rule set needs a version naming its legal source.")
        if not 0 < self.quorum_numerator <= self.quorum_denominator:
            raise ValueError(
                "The quorum fraction must lie in (0, 1], not "
                f"{self.quorum_numerator}/{self.quorum_denominator}."
            )
        missing = [choice.value for choice in Choice if not self.labels.get(choice, "").strip()]
        if missing:
            raise ValueError(f"A rule set needs a label for every choice; missing: {missing}.")
        # Copy into a read-only view so a caller's dict cannot change a frozen rule set.
        labels = MappingProxyType({Choice(key): value for key, value in self.labels.items()})
        object.__setattr__(self, "labels", labels)

    def label(self, choice: Choice) -> str:
        """The council's wording for a choice."""
        return self.labels[Choice(choice)]

    def quorum_required(self, total: int) -> int:
        """Delegates who must be present out of ``total``."""
        _check_total(total)
        return _ceil_div(total * self.quorum_numerator, self.quorum_denominator)

    def has_quorum(self, present: int, total: int) -> bool:
        """Whether ``present`` delegates out of ``total`` make a quorum."""
        if present < 0:
            raise ValueError(f"Delegates present cannot be negative, not {present}.")
        return present >= self.quorum_required(total)

    def to_dict(self) -> dict[str, object]:
        """A JSON-friendly form; :meth:`from_dict` reads it back."""
        return {
            "version": self.version,
            "quorum_numerator": self.quorum_numerator,
            "quorum_denominator": self.quorum_denominator,
            "labels": {choice.value: self.labels[choice] for choice in Choice},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> RuleSet:
        """Read :meth:`to_dict` output; missing keys and labels take the defaults."""
        unknown = sorted(set(data) - _RULESET_KEYS)
        if unknown:
            raise ValueError(f"Unknown rule set keys: {', '.join(unknown)}.")
        default = DEFAULT_RULESET
        return cls(
            version=_typed(data, "version", str, default.version),
            quorum_numerator=_typed(data, "quorum_numerator", int, default.quorum_numerator),
            quorum_denominator=_typed(data, "quorum_denominator", int, default.quorum_denominator),
            labels=_labels(data.get("labels", {})),
        )


_RULESET_KEYS = frozenset({"version", "quorum_numerator", "quorum_denominator", "labels"})


def _typed(data: Mapping[str, object], key: str, kind: type[_T], default: _T) -> _T:
    value = data.get(key, default)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"Rule set key {key!r} must be of type {kind.__name__}, not {value!r}.")
    return value


def _labels(raw: object) -> dict[Choice, str]:
    if not isinstance(raw, Mapping):
        raise ValueError(f"Rule set labels must be a mapping, not {raw!r}.")
    labels = dict(DEFAULT_LABELS)
    for key, value in raw.items():
        try:
            choice = Choice(key)
        except ValueError:
            raise ValueError(f"Unknown choice {key!r} in rule set labels.") from None
        if not isinstance(value, str):
            raise ValueError(f"The label for {choice.value!r} must be a string, not {value!r}.")
        labels[choice] = value
    return labels


DEFAULT_RULESET = RuleSet()
