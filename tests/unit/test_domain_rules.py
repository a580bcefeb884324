"""Passing thresholds and quorum, checked against exact fractions for every council size."""

from __future__ import annotations

from fractions import Fraction

import pytest

from server.domain import (
    DEFAULT_RULESET,
    RULE_LABELS,
    Choice,
    RuleSet,
    ThresholdRule,
    has_quorum,
    passes,
    quorum_required,
    required_in_favour,
)

MAJORITY = ThresholdRule.MAJORITY_OF_TOTAL
TWO_THIRDS = ThresholdRule.TWO_THIRDS_OF_TOTAL
TOTALS = range(1, 201)


def reference_passes(rule: ThresholdRule, in_favour: int, total: int) -> bool:
    share = Fraction(in_favour, total)
    if rule is MAJORITY:
        return share > Fraction(1, 2)
    return share >= Fraction(2, 3)


def reference_quorum(present: int, total: int) -> bool:
    return Fraction(present, total) >= Fraction(2, 3)


@pytest.mark.parametrize("rule", list(ThresholdRule))
@pytest.mark.parametrize("total", TOTALS)
def test_threshold_matches_the_exact_fraction_for_every_vote_count(
    rule: ThresholdRule, total: int
) -> None:
    for in_favour in range(total + 1):
        assert passes(rule, in_favour, total) is reference_passes(rule, in_favour, total)


@pytest.mark.parametrize("rule", list(ThresholdRule))
@pytest.mark.parametrize("total", TOTALS)
def test_required_in_favour_is_the_smallest_passing_count(rule: ThresholdRule, total: int) -> None:
    required = required_in_favour(rule, total)
    assert reference_passes(rule, required, total)
    assert not reference_passes(rule, required - 1, total)


@pytest.mark.parametrize("total", TOTALS)
def test_quorum_matches_two_thirds_of_the_total_for_every_attendance(total: int) -> None:
    required = quorum_required(total)
    assert reference_quorum(required, total) and not reference_quorum(required - 1, total)
    for present in range(total + 1):
        assert has_quorum(present, total) is reference_quorum(present, total)


@pytest.mark.parametrize(
    ("rule", "total", "required"),
    [
        (MAJORITY, 15, 8),
        (MAJORITY, 30, 16),
        (MAJORITY, 85, 43),
        (MAJORITY, 125, 63),
        (TWO_THIRDS, 15, 10),
        (TWO_THIRDS, 30, 20),
        (TWO_THIRDS, 85, 57),
        (TWO_THIRDS, 125, 84),
    ],
)
def test_council_size_examples_need_the_legal_number_in_favour(
    rule: ThresholdRule, total: int, required: int
) -> None:
    assert required_in_favour(rule, total) == required
    assert passes(rule, required, total)
    assert not passes(rule, required - 1, total)


@pytest.mark.parametrize(
    ("total", "required"), [(15, 10), (30, 20), (50, 34), (85, 57), (125, 84)]
)
def test_quorum_examples_need_two_thirds_of_the_total(total: int, required: int) -> None:
    assert quorum_required(total) == required
    assert has_quorum(required, total)
    assert not has_quorum(required - 1, total)


def test_exactly_half_of_the_total_does_not_pass() -> None:
    assert not passes(MAJORITY, 15, 30)


@pytest.mark.parametrize("total", [0, -1])
def test_threshold_needs_at_least_one_delegate(total: int) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        required_in_favour(MAJORITY, total)
    with pytest.raises(ValueError, match="at least 1"):
        quorum_required(total)


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        passes(MAJORITY, -1, 30)
    with pytest.raises(ValueError, match="negative"):
        has_quorum(-1, 30)


def test_rule_labels_are_vietnamese() -> None:
    assert RULE_LABELS == {
        MAJORITY: "Quá nửa tổng số đại biểu",
        TWO_THIRDS: "Ít nhất hai phần ba tổng số đại biểu",
    }


def test_default_ruleset_follows_resolution_104_with_default_labels() -> None:
    assert DEFAULT_RULESET.version == "104/2025/UBTVQH15"
    assert [DEFAULT_RULESET.label(choice) for choice in Choice] == [
        "Tán thành",
        "Không tán thành",
        "Không biểu quyết",
    ]


def test_default_ruleset_round_trips_through_a_plain_dict() -> None:
    data = DEFAULT_RULESET.to_dict()
    assert data == {
        "version": "104/2025/UBTVQH15",
        "quorum_numerator": 2,
        "quorum_denominator": 3,
        "labels": {"yes": "Tán thành", "no": "Không tán thành", "abstain": "Không biểu quyết"},
    }
    assert RuleSet.from_dict(data) == DEFAULT_RULESET


def test_council_can_use_its_own_labels_and_quorum_fraction() -> None:
    ruleset = RuleSet.from_dict(
        {
            "version": "quy-che-2026",
            "quorum_numerator": 1,
            "quorum_denominator": 2,
            "labels": {"yes": "Đồng ý", "no": "Không đồng ý", "abstain": "Phiếu trắng"},
        }
    )
    assert ruleset.label(Choice.ABSTAIN) == "Phiếu trắng"
    assert ruleset.quorum_required(30) == 15
    assert not ruleset.has_quorum(14, 30)


def test_ruleset_from_dict_fills_missing_values_with_defaults() -> None:
    ruleset = RuleSet.from_dict({"labels": {"yes": "Đồng ý"}})
    assert ruleset.label(Choice.YES) == "Đồng ý"
    assert ruleset.label(Choice.NO) == "Không tán thành"
    assert ruleset.quorum_required(30) == 20


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colour": "red"}, "Unknown rule set keys"),
        ({"quorum_numerator": "2"}, "must be of type int"),
        ({"quorum_numerator": True}, "must be of type int"),
        ({"quorum_numerator": 0}, "quorum fraction"),
        ({"quorum_numerator": 4, "quorum_denominator": 3}, "quorum fraction"),
        ({"version": " "}, "version"),
        ({"labels": ["Tán thành"]}, "must be a mapping"),
        ({"labels": {"maybe": "Có lẽ"}}, "Unknown choice"),
        ({"labels": {"yes": 1}}, "must be a string"),
        ({"labels": {"yes": "  "}}, "label for every choice"),
    ],
)
def test_ruleset_from_dict_refuses_malformed_data(data: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RuleSet.from_dict(data)


def test_ruleset_labels_cannot_be_changed_through_the_callers_dict() -> None:
    labels = {Choice.YES: "Đồng ý", Choice.NO: "Không đồng ý", Choice.ABSTAIN: "Phiếu trắng"}
    ruleset = RuleSet(labels=labels)
    labels[Choice.YES] = "Khác"
    assert ruleset.label(Choice.YES) == "Đồng ý"


def test_ruleset_is_hashable_and_compares_by_value() -> None:
    assert hash(DEFAULT_RULESET) == hash(RuleSet())
    assert RuleSet(version="quy-che-2026") != DEFAULT_RULESET
