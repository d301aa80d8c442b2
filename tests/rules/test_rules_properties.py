"""Properties of the certification rules that hold for every case (hypothesis, no database)."""

from dataclasses import replace
from decimal import Decimal as D

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from rules import engine
from rules.engine import BlocResult, Case, PracticeResult, decide
from tests.rules.rncp36390 import TITLE

MARK_FIELDS = [(n, part) for n in "1234" for part in ("cc", "exam")] + [
    ("practice", part) for part in ("written", "oral", "tutor")
]


# sampled_from draws uniformly, where bounded integers favour their bounds.
LEVELS = [D(i) / 4 for i in range(24, 81)]  # 6/20 to 20/20 by quarter points
NOISE = [D(i) / 100 for i in range(-300, 301, 7)]


def any_marks(maximum, places):
    return st.decimals(min_value=0, max_value=maximum, places=places)


def marks_near(level_on_20, maximum, places, wild):
    """Return marks scattered around a candidate's level, so every outcome gets drawn."""
    step = D(1).scaleb(-places)
    spread = st.sampled_from(NOISE)
    near = spread.map(
        lambda noise: min(maximum, max(D(0), maximum * (level_on_20 + noise) / 20)).quantize(step)
    )
    return st.one_of(near, any_marks(maximum, places)) if wild else near


@st.composite
def cases(draw, fraud=None, places=2):
    level = draw(st.sampled_from(LEVELS))
    wild = draw(st.sampled_from([False, False, True]))
    blocs = {
        bloc.number: BlocResult(
            cc=draw(marks_near(level, bloc.cc_max, places, wild)),
            exam=draw(marks_near(level, bloc.exam_max, places, wild)),
            presented=draw(st.sampled_from([True, True, True, True, True, False])),
        )
        for bloc in TITLE.blocs
    }
    practice = PracticeResult(
        written=draw(marks_near(level, D(125), places, wild)),
        oral=draw(marks_near(level, D(75), places, wild)),
        tutor=draw(marks_near(level, D(50), places, wild)),
        presented=draw(st.sampled_from([True, True, True, True, True, False])),
        absence_pct=draw(
            st.one_of(
                st.sampled_from([D(0), D("2.5"), D(5), D(10), D("10.01")]),
                any_marks(D(15), places),
            )
        ),
    )
    if fraud is None:
        fraud = draw(st.sampled_from([False, False, False, False, True]))
    return Case(blocs=blocs, practice=practice, fraud=fraud)


def maximum_of(field):
    owner, part = field
    if owner == "practice":
        return getattr(TITLE.practice, f"{part}_max")
    return getattr(TITLE.bloc(owner), f"{part}_max")


def raised(case, field, fraction):
    """Return the case with one mark raised by a fraction of the room left above it."""
    owner, part = field
    if owner == "practice":
        current = getattr(case.practice, part)
        bigger = current + (maximum_of(field) - current) * fraction
        return replace(case, practice=replace(case.practice, **{part: bigger}))
    current = getattr(case.blocs[owner], part)
    bigger = current + (maximum_of(field) - current) * fraction
    return replace(case, blocs={**case.blocs, owner: replace(case.blocs[owner], **{part: bigger})})


@settings(max_examples=400, deadline=None)
@given(
    case=cases(fraud=False),
    field=st.sampled_from(MARK_FIELDS),
    fraction=st.sampled_from([D("0.0001"), D("0.01"), D("0.25"), D("0.5"), D(1)]),
)
def test_raising_any_mark_never_worsens_the_outcome_without_fraud(case, field, fraction):
    before = decide(case, TITLE)
    after = decide(raised(case, field, fraction), TITLE)

    assert engine.outcome_rank(after.outcome) >= engine.outcome_rank(before.outcome)
    assert set(before.validated_blocs) <= set(after.validated_blocs)
    assert after.points_total >= before.points_total


@settings(max_examples=400, deadline=None)
@given(case=cases())
def test_title_implies_every_minimum_reached_and_everything_presented(case):
    decision = decide(case, TITLE)

    if decision.outcome == "total":
        assert not case.fraud
        for bloc in TITLE.blocs:
            points = case.blocs[bloc.number].cc + case.blocs[bloc.number].exam
            assert case.blocs[bloc.number].presented
            assert points * 20 >= 8 * bloc.max_points
        assert case.practice.presented
        assert decision.practice.points * 20 >= 10 * TITLE.practice.max_points
        assert decision.points_total >= 500
        assert decision.validated_blocs == ("1", "2", "3", "4")


@settings(max_examples=400, deadline=None)
@given(case=cases())
def test_every_bloc_kept_without_the_title_passed_on_its_own(case):
    decision = decide(case, TITLE)

    if decision.outcome == "partial":
        assert decision.validated_blocs
        for number in decision.validated_blocs:
            result = case.blocs[number]
            assert result.presented
            assert (result.cc + result.exam) * 20 >= 10 * TITLE.bloc(number).max_points
    if decision.outcome == "none":
        assert decision.validated_blocs == ()


@settings(max_examples=200, deadline=None)
@given(case=cases(fraud=True))
def test_fraud_never_leaves_a_validated_bloc(case):
    decision = decide(case, TITLE)

    assert decision.outcome == "none"
    assert decision.validated_blocs == ()


def expected_absence_penalty(absence_pct):
    """RULES.md §3, written out independently: (penalty % on the tutor mark, referred).

    0 %: none; up to 2.5 %: 5 %; up to 5 %: 10 %; up to 10 %: 15 %; beyond: no automatic
    figure, the decision goes to the jury. Each band includes its upper bound.
    """
    if absence_pct == 0:
        return D(0), False
    if absence_pct <= D("2.5"):
        return D(5), False
    if absence_pct <= D(5):
        return D(10), False
    if absence_pct <= D(10):
        return D(15), False
    return None, True


@pytest.mark.parametrize(
    ("absence_pct", "expected"),
    [
        (D(0), (D(0), False)),
        (D("0.01"), (D(5), False)),
        (D("2.5"), (D(5), False)),
        (D("2.51"), (D(10), False)),
        (D(5), (D(10), False)),
        (D("5.01"), (D(15), False)),
        (D(10), (D(15), False)),
        (D("10.01"), (None, True)),
        (D(100), (None, True)),
    ],
)
def test_absence_penalty_bands_include_their_upper_bound(absence_pct, expected):
    assert engine.absence_penalty(absence_pct) == expected
    assert expected_absence_penalty(absence_pct) == expected


@settings(max_examples=300, deadline=None)
@given(case=cases(places=6))
def test_points_total_is_the_exact_sum_after_the_penalty(case):
    decision = decide(case, TITLE)

    penalty_pct, referred = expected_absence_penalty(case.practice.absence_pct)
    tutor = case.practice.tutor * (1 - (penalty_pct or 0) / D(100))
    expected = (
        sum(result.cc + result.exam for result in case.blocs.values())
        + case.practice.written
        + case.practice.oral
        + tutor
    )
    assert decision.practice.tutor_after_penalty == tutor
    assert decision.points_total == expected
    assert decision.referred_to_jury is referred
    assert decision.tutor_penalty_pct == penalty_pct


@settings(max_examples=200, deadline=None)
@given(case=cases())
def test_decision_is_explained_for_every_bloc_and_the_practice(case):
    decision = decide(case, TITLE)
    if case.fraud:
        assert decision.reasons == (
            "Fraude établie : la session est invalidée, aucun bloc n'est validé "
            "(attestation de suivi de formation)",
        )
        assert not any(bloc.passed for bloc in decision.blocs) and not decision.practice.passed
        return

    for number in "1234":
        assert any(reason.startswith(f"Bloc {number} : ") for reason in decision.reasons)
    assert any(reason.startswith("Pratique professionnelle : ") for reason in decision.reasons)
    assert any(reason.startswith("Total : ") for reason in decision.reasons)


def test_the_case_strategy_reaches_every_outcome():
    # The properties above would hold vacuously if no case ever reached the title.
    for outcome in engine.OUTCOMES:
        found = find(
            cases(fraud=False),
            lambda case, outcome=outcome: decide(case, TITLE).outcome == outcome,
            settings=settings(max_examples=2000, database=None, deadline=None),
        )
        assert decide(found, TITLE).outcome == outcome
