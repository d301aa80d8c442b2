"""The certification rules engine, case by case from RULES.md §3 (no database)."""

import ast
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from rules import engine, wording
from rules.engine import BlocResult, Case, PracticeResult, decide
from tests.rules.rncp36390 import TITLE

REPO_ROOT = Path(__file__).resolve().parents[2]
RULES_FILES = sorted((REPO_ROOT / "rules").glob("*.py"))

BLOC_MAX = {"1": D(250), "2": D(175), "3": D(175), "4": D(150)}


def bloc_with(number, points, presented=True):
    """Return a bloc result of the given total points, CC filled first."""
    cc_max = TITLE.bloc(number).cc_max
    cc = min(cc_max, points)
    return BlocResult(cc=cc, exam=points - cc, presented=presented)


def points_at(number, mark_on_20):
    return BLOC_MAX[number] * D(mark_on_20) / 20


def practice_with(points, absence_pct=D(0), presented=True):
    """Return a practice result of the given points, tutor mark at 0 % absence filled last."""
    written = min(D(125), points)
    oral = min(D(75), points - written)
    return PracticeResult(
        written=written,
        oral=oral,
        tutor=points - written - oral,
        presented=presented,
        absence_pct=absence_pct,
    )


def case_with(marks_on_20=None, practice_points=D(200), fraud=False, **overrides):
    """Return a case with every bloc at 16/20 unless marks_on_20 says otherwise."""
    marks = {"1": 16, "2": 16, "3": 16, "4": 16, **(marks_on_20 or {})}
    blocs = {number: bloc_with(number, points_at(number, mark)) for number, mark in marks.items()}
    blocs.update(overrides.pop("blocs", {}))
    practice = overrides.pop("practice", None) or practice_with(D(practice_points))
    assert not overrides
    return Case(blocs=blocs, practice=practice, fraud=fraud)


# --- The example of the issue -------------------------------------------------------------


def test_issue_example_gives_the_title_with_a_ten_percent_tutor_penalty():
    case = Case(
        blocs={
            "1": BlocResult(D(80), D(120), presented=True),
            "2": BlocResult(D(55), D(85)),
            "3": BlocResult(D(55), D(85)),
            "4": BlocResult(D(48), D(72)),
        },
        practice=PracticeResult(D(100), D(60), D(40), presented=True, absence_pct=D("3.0")),
    )

    decision = decide(case, TITLE)

    assert decision.outcome == "total"
    assert decision.points_total == D(796)
    assert decision.bloc("1").points == D(200)
    assert decision.bloc("1").on_20 == D(16)
    assert decision.bloc("1").passed and not decision.bloc("1").eliminatory
    assert decision.practice.points == D(196)
    assert decision.practice.on_20 == D("15.68")
    assert decision.practice.tutor_after_penalty == D(36)
    assert decision.tutor_penalty_pct == D(10)
    assert decision.referred_to_jury is False
    assert decision.validated_blocs == ("1", "2", "3", "4")
    assert any(
        "pénalité de 10 %" in reason and "40 → 36/50" in reason for reason in decision.reasons
    )


# --- Bloc minimum: 8/20, inclusive ---------------------------------------------------------


@pytest.mark.parametrize("number", ["1", "2", "3", "4"])
def test_bloc_at_exactly_8_on_20_is_not_eliminatory(number):
    case = case_with({number: 8})

    decision = decide(case, TITLE)

    assert decision.bloc(number).points == points_at(number, 8)
    assert decision.bloc(number).eliminatory is False
    assert decision.bloc(number).passed is False
    assert decision.outcome == "total"
    assert decision.validated_blocs == ("1", "2", "3", "4")


@pytest.mark.parametrize("number", ["1", "2", "3", "4"])
def test_bloc_one_hundredth_below_8_on_20_is_eliminatory_and_rules_out_the_title(number):
    points = points_at(number, 8) - D("0.01")
    case = case_with(blocs={number: bloc_with(number, points)})

    decision = decide(case, TITLE)

    assert decision.bloc(number).eliminatory is True
    assert decision.outcome == "partial"
    assert number not in decision.validated_blocs
    assert len(decision.validated_blocs) == 3
    assert f"Bloc {number} : 7,99/20, note éliminatoire (minimum 8/20)" in decision.reasons


def test_mark_that_rounds_to_8_but_is_below_is_eliminatory_and_reads_7_99():
    # 69.99 / 175 × 20 = 7.99885…, which rounds to 8.00 but is below the minimum.
    case = case_with(blocs={"2": bloc_with("2", D("69.99"))})

    decision = decide(case, TITLE)

    assert decision.bloc("2").eliminatory is True
    assert decision.outcome == "partial"
    assert "Bloc 2 : 7,99/20, note éliminatoire (minimum 8/20)" in decision.reasons


# --- Bloc validation: 10/20, inclusive -----------------------------------------------------


@pytest.mark.parametrize("number", ["1", "2", "3", "4"])
def test_bloc_at_exactly_10_on_20_is_validated_without_the_title(number):
    # Practice below its minimum: no title, so only the blocs passed on their own are kept.
    case = case_with({number: 10}, practice_points=D(100))

    decision = decide(case, TITLE)

    assert decision.bloc(number).on_20 == D(10)
    assert decision.bloc(number).passed is True
    assert decision.outcome == "partial"
    assert number in decision.validated_blocs


def test_bloc_2_at_87_5_points_is_exactly_10_on_20():
    decision = decide(case_with(blocs={"2": bloc_with("2", D("87.5"))}), TITLE)

    assert decision.bloc("2").on_20 == D(10)
    assert decision.bloc("2").passed is True


@pytest.mark.parametrize("number", ["1", "2", "3", "4"])
def test_bloc_one_hundredth_below_10_on_20_is_not_validated_on_its_own(number):
    points = points_at(number, 10) - D("0.01")
    case = case_with(blocs={number: bloc_with(number, points)}, practice_points=D(100))

    decision = decide(case, TITLE)

    assert decision.bloc(number).passed is False
    assert decision.bloc(number).eliminatory is False
    assert number not in decision.validated_blocs
    assert decision.outcome == "partial"
    assert f"Bloc {number} : 9,99/20" in decision.reasons[int(number) - 1]


# --- Overall 500/1000 and compensation -----------------------------------------------------


def test_every_bloc_at_9_on_20_still_gives_the_title_by_compensation():
    # Blocs at 9/20 make 337.5 of 750 points; a practice of 162.5/250 (13/20) brings the total
    # to exactly 500. The title is awarded and every bloc is validated although none reached
    # 10/20 on its own.
    case = case_with({"1": 9, "2": 9, "3": 9, "4": 9}, practice_points=D("162.5"))

    decision = decide(case, TITLE)

    assert sum(decision.bloc(n).points for n in "1234") == D("337.5")
    assert not any(decision.bloc(n).passed for n in "1234")
    assert decision.points_total == D(500)
    assert decision.outcome == "total"
    assert decision.validated_blocs == ("1", "2", "3", "4")


def test_total_one_hundredth_below_500_gives_nothing_when_no_bloc_passed_on_its_own():
    case = case_with({"1": 9, "2": 9, "3": 9, "4": 9}, practice_points=D("162.49"))

    decision = decide(case, TITLE)

    assert decision.points_total == D("499.99")
    assert decision.practice.passed is True
    assert decision.outcome == "none"
    assert decision.validated_blocs == ()
    assert "Total : 499,99/1000 (minimum 500/1000 non atteint)" in decision.reasons
    assert decision.reasons[-1] == "Aucun bloc validé : attestation de suivi de formation"


def test_total_above_500_with_an_eliminatory_bloc_keeps_only_the_blocs_passed():
    case = case_with({"1": 20, "2": 5, "3": 12, "4": 9}, practice_points=D(250))

    decision = decide(case, TITLE)

    assert decision.points_total >= D(500)
    assert decision.outcome == "partial"
    assert decision.validated_blocs == ("1", "3")


def test_validated_blocs_are_sorted_by_bloc_number():
    case = case_with({"1": 10, "2": 0, "3": 19, "4": 10}, practice_points=D(0))

    assert decide(case, TITLE).validated_blocs == ("1", "3", "4")


# --- Professional practice: 125/250, inclusive ---------------------------------------------


def test_practice_at_exactly_125_gives_the_title():
    decision = decide(case_with(practice_points=D(125)), TITLE)

    assert decision.practice.on_20 == D(10)
    assert decision.practice.passed is True
    assert decision.outcome == "total"


def test_practice_one_hundredth_below_125_keeps_the_blocs_without_the_title():
    decision = decide(case_with(practice_points=D("124.99")), TITLE)

    assert decision.practice.passed is False
    assert decision.points_total >= D(500)
    assert decision.outcome == "partial"
    assert decision.validated_blocs == ("1", "2", "3", "4")
    assert "Titre non obtenu : pratique professionnelle sous le minimum" in decision.reasons


def test_practice_not_presented_keeps_only_the_blocs_at_10_or_more():
    practice = practice_with(D(250), presented=False)
    case = case_with({"3": 9}, practice=practice)

    decision = decide(case, TITLE)

    assert decision.practice.presented is False
    assert decision.practice.passed is False
    assert decision.outcome == "partial"
    assert decision.validated_blocs == ("1", "2", "4")
    assert any("Pratique professionnelle : non présentée" in r for r in decision.reasons)


def test_practice_not_presented_and_no_bloc_at_10_gives_nothing():
    practice = practice_with(D(250), presented=False)
    case = case_with({"1": 9, "2": 9, "3": 9, "4": 9}, practice=practice)

    assert decide(case, TITLE).outcome == "none"


# --- Non-presentation of a bloc ------------------------------------------------------------


def test_bloc_not_presented_is_eliminatory_not_validated_and_rules_out_the_title():
    case = case_with(blocs={"3": bloc_with("3", D(175), presented=False)})

    decision = decide(case, TITLE)

    assert decision.bloc("3").presented is False
    assert decision.bloc("3").passed is False
    assert decision.bloc("3").eliminatory is True
    assert decision.outcome == "partial"
    assert decision.validated_blocs == ("1", "2", "4")
    assert decision.points_total >= D(500)
    assert any(r.startswith("Bloc 3 : non présenté") for r in decision.reasons)
    assert "Titre non obtenu : bloc 3 non présenté" in decision.reasons


def test_every_bloc_not_presented_gives_nothing():
    blocs = {n: bloc_with(n, BLOC_MAX[n], presented=False) for n in "1234"}

    assert decide(case_with(blocs=blocs), TITLE).outcome == "none"


# --- Fraud ---------------------------------------------------------------------------------


def test_fraud_invalidates_the_session_whatever_the_marks():
    case = case_with({"1": 20, "2": 20, "3": 20, "4": 20}, practice_points=D(250), fraud=True)

    decision = decide(case, TITLE)

    assert decision.outcome == "none"
    assert decision.validated_blocs == ()
    assert decision.points_total == D(1000)
    assert any(reason.startswith("Fraude établie") for reason in decision.reasons)


# --- Unjustified absence penalty -----------------------------------------------------------


@pytest.mark.parametrize(
    ("absence_pct", "penalty_pct", "referred"),
    [
        ("0", D(0), False),
        ("0.00", D(0), False),
        ("0.0001", D(5), False),
        ("0.01", D(5), False),
        ("2.49", D(5), False),
        ("2.5", D(5), False),
        ("2.51", D(10), False),
        ("2.5001", D(10), False),
        ("4.99", D(10), False),
        ("5", D(10), False),
        ("5.01", D(15), False),
        ("9.99", D(15), False),
        ("10", D(15), False),
        ("10.00", D(15), False),
        ("10.01", None, True),
        ("10.0001", None, True),
        ("100", None, True),
    ],
)
def test_absence_penalty_bands(absence_pct, penalty_pct, referred):
    assert engine.absence_penalty(D(absence_pct)) == (penalty_pct, referred)


@pytest.mark.parametrize("absence_pct", ["-0.01", "100.01", "NaN", "Infinity"])
def test_absence_penalty_rejects_a_share_outside_0_to_100(absence_pct):
    with pytest.raises(ValueError):
        engine.absence_penalty(D(absence_pct))


@pytest.mark.parametrize(
    ("absence_pct", "tutor_after_penalty"),
    [("0", D(40)), ("2.5", D(38)), ("5", D(36)), ("10", D(34))],
)
def test_penalty_applies_to_the_tutor_mark_only(absence_pct, tutor_after_penalty):
    practice = PracticeResult(D(100), D(60), D(40), absence_pct=D(absence_pct))

    decision = decide(case_with(practice=practice), TITLE)

    assert decision.practice.tutor_after_penalty == tutor_after_penalty
    assert decision.practice.points == D(160) + tutor_after_penalty
    assert decision.points_total == D(600) + D(160) + tutor_after_penalty


def test_penalty_band_can_decide_the_title():
    # 87 + 0 + 38 = 125 at 2.5 % absence; at 2.51 % the tutor mark falls to 36 and 123 < 125.
    within = PracticeResult(D(87), D(0), D(40), absence_pct=D("2.5"))
    beyond = PracticeResult(D(87), D(0), D(40), absence_pct=D("2.51"))

    assert decide(case_with(practice=within), TITLE).outcome == "total"
    assert decide(case_with(practice=beyond), TITLE).outcome == "partial"


def test_penalty_keeps_exact_decimals():
    practice = PracticeResult(D(100), D(60), D("40.01"), absence_pct=D(1))

    decision = decide(case_with(practice=practice), TITLE)

    assert decision.practice.tutor_after_penalty == D("38.0095")
    assert decision.points_total == D("798.0095")


def test_absence_above_10_percent_is_referred_to_the_jury_without_penalty():
    practice = PracticeResult(D(100), D(60), D(40), absence_pct=D("12"))

    decision = decide(case_with(practice=practice), TITLE)

    assert decision.tutor_penalty_pct is None
    assert decision.referred_to_jury is True
    assert decision.practice.tutor_after_penalty == D(40)
    assert decision.practice.points == D(200)
    referral = [r for r in decision.reasons if "renvoyée au jury" in r]
    assert len(referral) == 1
    assert "sans pénalité" in referral[0]
    assert "12 %" in referral[0]


def test_no_penalty_no_referral_at_zero_absence():
    decision = decide(case_with(), TITLE)

    assert decision.tutor_penalty_pct == D(0)
    assert decision.referred_to_jury is False
    assert not any("Absence" in reason for reason in decision.reasons)


# --- Invalid cases -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda c: Case({**c.blocs, "5": BlocResult(D(0), D(0))}, c.practice), "blocs.5"),
        (lambda c: Case({k: v for k, v in c.blocs.items() if k != "2"}, c.practice), "blocs.2"),
        (lambda c: Case({**c.blocs, "2": BlocResult(D("70.01"), D(0))}, c.practice), "blocs.2.cc"),
        (lambda c: Case({**c.blocs, "4": BlocResult(D(0), D("-1"))}, c.practice), "blocs.4.exam"),
        (lambda c: Case({**c.blocs, "1": BlocResult(1.5, D(0))}, c.practice), "blocs.1.cc"),
        (lambda c: Case({**c.blocs, "1": BlocResult(True, D(0))}, c.practice), "blocs.1.cc"),
        (lambda c: Case({**c.blocs, "1": BlocResult(D(1), D("NaN"))}, c.practice), "blocs.1.exam"),
        (
            lambda c: Case({**c.blocs, "1": BlocResult(D(0), D(0), 1)}, c.practice),
            "blocs.1.presented",
        ),
        (lambda c: Case(c.blocs, PracticeResult(D(126), D(0), D(0))), "practice.written"),
        (lambda c: Case(c.blocs, PracticeResult(D(0), D("75.01"), D(0))), "practice.oral"),
        (lambda c: Case(c.blocs, PracticeResult(D(0), D(0), D(51))), "practice.tutor"),
        (
            lambda c: Case(c.blocs, PracticeResult(D(0), D(0), D(0), absence_pct=D(101))),
            "practice.absence_pct",
        ),
        (lambda c: Case(c.blocs, PracticeResult(D("1E-21"), D(0), D(0))), "practice.written"),
        (lambda c: Case(c.blocs, c.practice, fraud="no"), "fraud"),
    ],
)
def test_invalid_case_names_the_field(change, field):
    with pytest.raises(engine.InvalidCase) as raised:
        decide(change(case_with()), TITLE)

    assert raised.value.field == field


def test_int_marks_are_accepted_as_exact_numbers():
    case = Case(
        blocs={n: BlocResult(int(TITLE.bloc(n).cc_max), 0) for n in "1234"},
        practice=PracticeResult(125, 0, 0),
    )

    decision = decide(case, TITLE)

    assert decision.points_total == D(425)
    assert isinstance(decision.points_total, D)


def test_title_rules_must_add_up_to_the_total():
    with pytest.raises(ValueError, match="sum to 1000"):
        engine.TitleRules(
            blocs=TITLE.blocs, practice=TITLE.practice, total_points=D(999), pass_points=D(500)
        )


def test_title_rules_refuse_duplicate_bloc_numbers():
    with pytest.raises(ValueError, match="unique"):
        engine.TitleRules(
            blocs=(TITLE.blocs[0], TITLE.blocs[0]),
            practice=TITLE.practice,
            total_points=D(750),
            pass_points=D(375),
        )


# --- A made-up title with three blocs ------------------------------------------------------

THREE_BLOCS = engine.TitleRules(
    blocs=(
        engine.BlocRules("10", D(40), D(60), D(8), D(10)),
        engine.BlocRules("2", D(30), D(50), D(6), D(12)),
        engine.BlocRules("3", D(20), D(30), D(8), D(10)),
    ),
    practice=engine.PracticeRules(D(40), D(20), D(10), D(10)),
    total_points=D(300),
    pass_points=D(150),
)


def three_bloc_case(bloc_10, bloc_2, bloc_3, practice, fraud=False):
    return Case(
        blocs={
            "10": BlocResult(D(0), D(bloc_10)),
            "2": BlocResult(D(0), D(bloc_2)),
            "3": BlocResult(D(0), D(bloc_3)),
        },
        practice=PracticeResult(D(practice), D(0), D(0)),
        fraud=fraud,
    )


def test_three_bloc_title_gives_the_title_with_its_own_thresholds():
    # Bloc 2 has a 6/20 minimum: 24/80 is exactly 6/20.
    decision = decide(three_bloc_case(60, 24, 30, 36), THREE_BLOCS)

    assert decision.points_total == D(150)
    assert decision.bloc("2").on_20 == D(6)
    assert decision.bloc("2").eliminatory is False
    assert decision.outcome == "total"
    assert decision.validated_blocs == ("2", "3", "10")


def test_three_bloc_title_keeps_blocs_at_their_own_validation_mark():
    # Bloc 2 validates at 12/20 = 48/80; 47.99 does not. Practice 34/70 < 10/20.
    passed = decide(three_bloc_case(50, 48, 10, 34), THREE_BLOCS)
    short = decide(three_bloc_case(50, "47.99", 10, 34), THREE_BLOCS)

    assert passed.outcome == "partial"
    assert passed.validated_blocs == ("2", "10")
    assert short.validated_blocs == ("10",)
    assert "Bloc 3 : 4/20, note éliminatoire (minimum 8/20)" in passed.reasons
    assert "Bloc 2 : 11,99/20, non éliminatoire" in short.reasons[0]


def test_three_bloc_title_refuses_a_bloc_of_the_other_title():
    with pytest.raises(engine.InvalidCase, match="blocs.1"):
        decide(case_with(), THREE_BLOCS)


# --- Display helpers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("15.68", "15,68"),
        ("87.5", "87,5"),
        ("10.000", "10"),
        ("0", "0"),
        ("7.995", "7,99"),  # truncated, never rounded up onto the 8/20 it missed
        ("7.9989", "7,99"),
        ("12.345", "12,34"),
        ("499.9975", "499,99"),
        ("-0.001", "0"),
    ],
)
def test_fr_number_shows_the_value_truncated_to_two_decimals(value, text):
    assert wording.fr_number(D(value)) == text


def test_shown_truncates_and_keeps_two_decimals():
    assert wording.shown(D("0.285")) == D("0.28")
    assert wording.shown(D("38.0095")) == D("38.00")
    assert str(wording.shown(D("500"))) == "500.00"
    assert str(wording.shown(D("0"))) == "0.00"


def test_bloc_sort_key_orders_numerically():
    assert sorted(["10", "2", "1", "B"], key=engine.bloc_sort_key) == ["1", "2", "10", "B"]


# --- The engine imports nothing from Django ------------------------------------------------


@pytest.mark.parametrize("path", RULES_FILES, ids=lambda path: path.name)
def test_rules_modules_import_only_the_standard_library_and_each_other(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative imports could pull in Django"
            imported.add(node.module.split(".")[0])

    allowed = set(sys.stdlib_module_names) | {"rules"}
    if path.name != "__init__.py":
        assert imported, "the scan found no import at all"
    assert imported <= allowed, imported - allowed


def test_the_rules_package_has_its_four_modules():
    assert {path.name for path in RULES_FILES} >= {
        "__init__.py",
        "engine.py",
        "wording.py",
        "cc.py",
        "eligibility.py",
    }


@pytest.mark.parametrize(
    "value,expected",
    [
        ("7.9989", "7,99"),  # just under the 8/20 minimum: never shown as 8
        ("9.9951", "9,99"),  # just under the 10/20 validation
        ("10", "10"),
        ("12.345", "12,34"),  # far from any threshold: the same truncation
    ],
)
def test_a_mark_on_20_is_never_displayed_on_a_threshold_it_missed(value, expected):
    assert wording.fr_number(D(value)) == expected
