"""Invariants of the domain rules, checked with Hypothesis."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.domain import (
    Choice,
    InvalidState,
    PollState,
    RuleSet,
    Tally,
    ThresholdRule,
    annul_poll,
    close_poll,
    decide,
    open_poll,
    passes,
    required_in_favour,
)

ballots = st.lists(st.sampled_from(Choice), max_size=200)
totals = st.integers(min_value=1, max_value=1000)
rules = st.sampled_from(ThresholdRule)
labels = st.text(min_size=1, max_size=40).filter(str.strip)


@st.composite
def tallies_with_total(draw: st.DrawFn) -> tuple[Tally, int]:
    total = draw(totals)
    yes = draw(st.integers(0, total))
    no = draw(st.integers(0, total - yes))
    abstain = draw(st.integers(0, total - yes - no))
    return Tally(yes=yes, no=no, abstain=abstain), total


def exact_passes(rule: ThresholdRule, in_favour: int, total: int) -> bool:
    share = Fraction(in_favour, total)
    if rule is ThresholdRule.MAJORITY_OF_TOTAL:
        return share > Fraction(1, 2)
    return share >= Fraction(2, 3)


@given(ballots)
def test_tally_equals_the_ballots(choices: list[Choice]) -> None:
    tally = Tally.from_choices(choices)
    assert tally.voted == len(choices)
    for choice in Choice:
        assert tally.count(choice) == choices.count(choice)
    assert Tally.from_counts(tally.as_dict()) == tally


@given(ballots.flatmap(lambda choices: st.tuples(st.just(choices), st.permutations(choices))))
def test_tally_is_independent_of_ballot_order(pair: tuple[list[Choice], list[Choice]]) -> None:
    original, shuffled = pair
    assert Tally.from_choices(shuffled) == Tally.from_choices(original)


@given(rules, totals, st.data())
def test_threshold_is_monotone_in_votes_in_favour(
    rule: ThresholdRule, total: int, data: st.DataObject
) -> None:
    fewer = data.draw(st.integers(0, total))
    more = data.draw(st.integers(fewer, total))
    if passes(rule, fewer, total):
        assert passes(rule, more, total)


@given(rules, totals, st.data())
def test_threshold_agrees_with_the_exact_fraction(
    rule: ThresholdRule, total: int, data: st.DataObject
) -> None:
    in_favour = data.draw(st.integers(0, total))
    assert passes(rule, in_favour, total) is exact_passes(rule, in_favour, total)
    required = required_in_favour(rule, total)
    assert exact_passes(rule, required, total) and not exact_passes(rule, required - 1, total)


@given(rules, totals, st.data())
def test_passing_needs_a_share_of_the_total_not_of_the_voters(
    rule: ThresholdRule, total: int, data: st.DataObject
) -> None:
    voters = data.draw(st.integers(0, required_in_favour(rule, total) - 1))
    result = decide(Tally(yes=voters), total, rule)
    assert not result.passed
    assert result.not_voted == total - voters


Action = Callable[[PollState], PollState]
ACTIONS: list[Action] = [open_poll, close_poll, lambda state: annul_poll(state, "Nhập sai.")]
LEGAL = {
    (PollState.DRAFT, 0): PollState.OPEN,
    (PollState.OPEN, 1): PollState.CLOSED,
    (PollState.OPEN, 2): PollState.ANNULLED,
    (PollState.CLOSED, 2): PollState.ANNULLED,
}


@given(st.lists(st.integers(0, len(ACTIONS) - 1), max_size=20))
def test_any_action_sequence_follows_the_model_and_refusals_change_nothing(
    steps: list[int],
) -> None:
    state = PollState.DRAFT
    for step in steps:
        expected = LEGAL.get((state, step))
        if expected is None:
            with pytest.raises(InvalidState):
                ACTIONS[step](state)
        else:
            state = ACTIONS[step](state)
            assert state is expected


@given(st.sampled_from(PollState))
def test_closing_twice_is_refused_and_leaves_the_poll_closed(start: PollState) -> None:
    state = start
    outcomes = []
    for _ in range(2):
        try:
            state = close_poll(state)
        except InvalidState:
            outcomes.append(False)
        else:
            outcomes.append(True)
    assert outcomes[1] is False
    assert state is (PollState.CLOSED if outcomes[0] else start)


@given(tallies_with_total())
def test_percentages_parse_back_to_within_half_a_hundredth(case: tuple[Tally, int]) -> None:
    tally, total = case
    result = decide(tally, total, ThresholdRule.MAJORITY_OF_TOTAL)
    counts = {**tally.as_dict(), "not_voted": result.not_voted}
    percents = result.as_dict()["percents"]
    assert isinstance(percents, dict) and percents.keys() == counts.keys()
    for key, count in counts.items():
        shown = percents[key]
        assert shown.endswith("%") and shown.count(",") == 1
        parsed = Fraction(Decimal(shown[:-1].replace(",", ".")))
        assert abs(parsed - Fraction(100 * count, total)) <= Fraction(5, 1000)


@given(
    version=labels,
    fraction=st.integers(1, 20).flatmap(lambda d: st.tuples(st.integers(1, d), st.just(d))),
    names=st.tuples(labels, labels, labels),
)
def test_ruleset_round_trips_through_json(
    version: str, fraction: tuple[int, int], names: tuple[str, str, str]
) -> None:
    ruleset = RuleSet(
        version=version,
        quorum_numerator=fraction[0],
        quorum_denominator=fraction[1],
        labels=dict(zip(Choice, names, strict=True)),
    )
    assert RuleSet.from_dict(json.loads(json.dumps(ruleset.to_dict()))) == ruleset
