"""Wording of poll results: percentages, lines, verdict and summary."""

from __future__ import annotations

import pytest

from server.domain import (
    Choice,
    PollResult,
    RuleSet,
    Tally,
    ThresholdRule,
    decide,
    format_percent,
)

MAJORITY = ThresholdRule.MAJORITY_OF_TOTAL
TWO_THIRDS = ThresholdRule.TWO_THIRDS_OF_TOTAL


def make_result(
    yes: int = 28, no: int = 0, abstain: int = 0, total: int = 30, rule: ThresholdRule = MAJORITY
) -> PollResult:
    return decide(Tally(yes=yes, no=no, abstain=abstain), total, rule)


@pytest.mark.parametrize(
    ("count", "total", "expected"),
    [
        (28, 30, "93,33%"),
        (2, 30, "6,67%"),
        (1, 3, "33,33%"),
        (2, 3, "66,67%"),
        (0, 30, "0,00%"),
        (30, 30, "100,00%"),
        (1, 1, "100,00%"),
        (1, 8, "12,50%"),
        (1, 6, "16,67%"),
        (1, 7, "14,29%"),
        (6, 7, "85,71%"),
        (16, 30, "53,33%"),
        (43, 85, "50,59%"),
        (84, 125, "67,20%"),
        (1, 125, "0,80%"),
        # exact halves at the third decimal round up, not to even
        (1, 32, "3,13%"),
        (3, 32, "9,38%"),
        (5, 32, "15,63%"),
        (1, 160, "0,63%"),
        (1, 800, "0,13%"),
        (1, 400, "0,25%"),
        (3, 40000, "0,01%"),
        # a hair below or above a half goes to the nearer cent
        (1, 20001, "0,00%"),
        (1, 19999, "0,01%"),
        (1, 30000, "0,00%"),
    ],
)
def test_percent_has_two_decimals_a_decimal_comma_and_rounds_half_up(
    count: int, total: int, expected: str
) -> None:
    assert format_percent(count, total) == expected


@pytest.mark.parametrize(
    ("count", "total", "message"),
    [(1, 0, "at least 1"), (0, -3, "at least 1"), (-1, 30, "between"), (31, 30, "between")],
)
def test_percent_refuses_impossible_counts(count: int, total: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        format_percent(count, total)


def test_result_lines_for_28_of_30_are_worded_as_in_the_minutes() -> None:
    assert make_result(yes=28).lines() == [
        "Tán thành: 28/30 đại biểu (93,33%)",
        "Không tán thành: 0/30 đại biểu (0,00%)",
        "Không biểu quyết: 0/30 đại biểu (0,00%)",
        "Không tham gia biểu quyết: 2/30 đại biểu (6,67%)",
    ]


def test_result_lines_use_the_councils_own_labels() -> None:
    ruleset = RuleSet(
        labels={Choice.YES: "Đồng ý", Choice.NO: "Không đồng ý", Choice.ABSTAIN: "Phiếu trắng"}
    )
    assert make_result(yes=20, no=5, abstain=3).lines(ruleset) == [
        "Đồng ý: 20/30 đại biểu (66,67%)",
        "Không đồng ý: 5/30 đại biểu (16,67%)",
        "Phiếu trắng: 3/30 đại biểu (10,00%)",
        "Không tham gia biểu quyết: 2/30 đại biểu (6,67%)",
    ]


def test_passing_result_has_verdict_and_summary() -> None:
    result = make_result(yes=28)
    assert (result.passed, result.required, result.not_voted) == (True, 16, 2)
    assert result.verdict == "THÔNG QUA"
    assert result.summary() == (
        "Kết quả: 28/30 đại biểu tán thành (93,33%), đạt quá nửa tổng số đại biểu; THÔNG QUA."
    )


def test_exactly_half_of_the_total_is_not_passed() -> None:
    result = make_result(yes=15, no=15)
    assert not result.passed
    assert result.verdict == "KHÔNG THÔNG QUA"
    assert result.summary() == (
        "Kết quả: 15/30 đại biểu tán thành (50,00%), không đạt quá nửa tổng số đại biểu; "
        "KHÔNG THÔNG QUA."
    )


def test_unanimous_voters_do_not_pass_without_a_majority_of_the_total() -> None:
    result = make_result(yes=14, total=30)
    assert not result.passed
    assert result.not_voted == 16


def test_two_thirds_summary_names_the_rule_in_lower_case() -> None:
    result = make_result(yes=20, no=10, rule=TWO_THIRDS)
    assert result.passed
    assert result.summary() == (
        "Kết quả: 20/30 đại biểu tán thành (66,67%), "
        "đạt ít nhất hai phần ba tổng số đại biểu; THÔNG QUA."
    )


def test_summary_uses_the_councils_yes_label() -> None:
    ruleset = RuleSet(
        labels={Choice.YES: "Đồng ý", Choice.NO: "Không đồng ý", Choice.ABSTAIN: "Phiếu trắng"}
    )
    summary = make_result(yes=16).summary(ruleset)
    assert summary.startswith("Kết quả: 16/30 đại biểu đồng ý (53,33%)")


def test_result_as_dict_has_every_field_the_screens_need() -> None:
    result = make_result(yes=28)
    assert result.as_dict() == {
        "total": 30,
        "rule": "majority_of_total",
        "counts": {"yes": 28, "no": 0, "abstain": 0},
        "voted": 28,
        "not_voted": 2,
        "percents": {"yes": "93,33%", "no": "0,00%", "abstain": "0,00%", "not_voted": "6,67%"},
        "passed": True,
        "required": 16,
        "verdict": "THÔNG QUA",
        "lines": result.lines(),
        "summary": result.summary(),
    }


def test_more_ballots_than_delegates_cannot_be_decided() -> None:
    with pytest.raises(ValueError, match="31 ballots cannot come from only 30 delegates"):
        decide(Tally(yes=20, no=11), 30, MAJORITY)


def test_deciding_needs_at_least_one_delegate() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        decide(Tally(), 0, MAJORITY)
