"""Deciding a poll and wording its result the way the minutes and projector show it."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from .enums import Choice, ThresholdRule
from .rules import DEFAULT_RULESET, RULE_LABELS, RuleSet, passes, required_in_favour
from .tally import Tally

__all__ = ["NOT_VOTED_LABEL", "PollResult", "decide", "format_percent"]

NOT_VOTED_LABEL = "Không tham gia biểu quyết"
VERDICT_PASSED = "THÔNG QUA"
VERDICT_FAILED = "KHÔNG THÔNG QUA"

_CHOICE_ORDER = (Choice.YES, Choice.NO, Choice.ABSTAIN)
_CENT = Decimal("0.01")


def format_percent(count: int, total: int) -> str:
    """``count`` as a share of ``total``: two decimals, decimal comma, half up ("93,33%")."""
    if total < 1:
        raise ValueError(f"A percentage needs a total of at least 1, not {total}.")
    if not 0 <= count <= total:
        raise ValueError(f"The count must lie between 0 and {total}, not {count}.")
    scaled = count * 100
    with localcontext() as ctx:
        # Truncating with three spare digits keeps an exact ...5 exact and never pushes
        # a value below ...5 up to it, so the half-up rounding below is exact.
        ctx.prec = len(str(scaled)) + 3
        ctx.rounding = ROUND_DOWN
        value = Decimal(scaled) / Decimal(total)
        rounded = value.quantize(_CENT, rounding=ROUND_HALF_UP)
    return f"{rounded:.2f}".replace(".", ",") + "%"


@dataclass(frozen=True)
class PollResult:
    """The outcome of a closed poll, measured against the council's total delegates."""

    tally: Tally
    """Ballots per choice."""
    total: int
    """Total delegates of the council when the poll ran (not those present)."""
    rule: ThresholdRule
    """The threshold that applied."""
    passed: bool
    """Whether the yes votes met the threshold."""
    required: int
    """Votes in favour the threshold needed."""
    not_voted: int
    """Delegates who cast no ballot: ``total - tally.voted``."""

    @property
    def verdict(self) -> str:
        """"THÔNG QUA" or "KHÔNG THÔNG QUA"."""
        return VERDICT_PASSED if self.passed else VERDICT_FAILED

    def percent(self, count: int) -> str:
        """``count`` as a percentage of the total delegates."""
        return format_percent(count, self.total)

    def lines(self, ruleset: RuleSet = DEFAULT_RULESET) -> list[str]:
        """One line per choice, then the delegates who did not vote."""
        rows = [(ruleset.label(choice), self.tally.count(choice)) for choice in _CHOICE_ORDER]
        rows.append((NOT_VOTED_LABEL, self.not_voted))
        return [
            f"{label}: {count}/{self.total} đại biểu ({self.percent(count)})"
            for label, count in rows
        ]

    def summary(self, ruleset: RuleSet = DEFAULT_RULESET) -> str:
        """The result in one sentence, ending with the verdict."""
        yes_label = ruleset.label(Choice.YES).lower()
        reached = "đạt" if self.passed else "không đạt"
        return (
            f"Kết quả: {self.tally.yes}/{self.total} đại biểu {yes_label} "
            f"({self.percent(self.tally.yes)}), {reached} {RULE_LABELS[self.rule].lower()}; "
            f"{self.verdict}."
        )

    def as_dict(self, ruleset: RuleSet = DEFAULT_RULESET) -> dict[str, object]:
        """A JSON-friendly form for the projector, the chair's console and the minutes."""
        percents = {
            choice.value: self.percent(self.tally.count(choice)) for choice in _CHOICE_ORDER
        }
        percents["not_voted"] = self.percent(self.not_voted)
        return {
            "total": self.total,
            "rule": self.rule.value,
            "counts": self.tally.as_dict(),
            "voted": self.tally.voted,
            "not_voted": self.not_voted,
            "percents": percents,
            "passed": self.passed,
            "required": self.required,
            "verdict": self.verdict,
            "lines": self.lines(ruleset),
            "summary": self.summary(ruleset),
        }


def decide(tally: Tally, total: int, rule: ThresholdRule) -> PollResult:
    """Apply ``rule`` to ``tally`` against ``total`` delegates."""
    required = required_in_favour(rule, total)
    if tally.voted > total:
        raise ValueError(f"{tally.voted} ballots cannot come from only {total} delegates.")
    return PollResult(
        tally=tally,
        total=total,
        rule=rule,
        passed=passes(rule, tally.yes, total),
        required=required,
        not_voted=total - tally.voted,
    )
