"""``manage.py decide``: the JSON contract of issue 3, good input and every kind of bad input."""

import copy
import io
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

from referentiel.models import Bloc, Title
from rules import engine
from workflow import titles

REPO_ROOT = Path(__file__).resolve().parents[2]

ISSUE_CASE = {
    "blocs": {
        "1": {"cc": 80, "exam": 120, "presented": True},
        "2": {"cc": 55, "exam": 85},
        "3": {"cc": 55, "exam": 85},
        "4": {"cc": 48, "exam": 72},
    },
    "practice": {"written": 100, "oral": 60, "tutor": 40, "presented": True, "absence_pct": 3.0},
    "fraud": False,
}


@dataclass(frozen=True)
class Raw:
    """A JSON number written exactly as its text: Raw("87.5"), Raw("1e400")."""

    text: str


def to_json(document):
    """Return the JSON text of a document, Raw numbers written exactly as their text."""
    if isinstance(document, Raw):
        return document.text
    if isinstance(document, dict):
        items = (f"{json.dumps(key)}: {to_json(value)}" for key, value in document.items())
        return "{" + ", ".join(items) + "}"
    if isinstance(document, list):
        return "[" + ", ".join(to_json(item) for item in document) + "]"
    return json.dumps(document)


def run_decide(text):
    """Run the command on a text; return (exit status, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        call_command("decide", stdin=io.StringIO(text), stdout=stdout, stderr=stderr)
    except SystemExit as exit_:
        status = exit_.code
    else:
        status = 0
    return status, stdout.getvalue(), stderr.getvalue()


def decide_json(document):
    status, out, err = run_decide(to_json(document))
    assert (status, err) == (0, "")
    return json.loads(out)


def case(**changes):
    """Return a copy of the issue's case with paths changed: case(blocs__2__cc=70)."""
    result = copy.deepcopy(ISSUE_CASE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        target = result
        for key in parents:
            target = target[key]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value
    return result


DELETE = object()


# --- The référentiel drives the rules ------------------------------------------------------

pytestmark = pytest.mark.django_db


def test_title_rules_come_from_the_referentiel():
    title_rules = titles.title_rules(Title.objects.get(code="36390"))

    assert title_rules.bloc_numbers == ("1", "2", "3", "4")
    assert title_rules.bloc("2") == engine.BlocRules("2", 70, 105, 8, 10)
    assert title_rules.practice == engine.PracticeRules(125, 75, 50, 10)
    assert (title_rules.total_points, title_rules.pass_points) == (1000, 500)


def test_a_changed_threshold_in_the_referentiel_changes_the_decision():
    # 9/20 on every bloc is not a bloc validation at 10/20, but is at 9/20.
    document = case(
        blocs__1={"cc": 100, "exam": Raw("12.5")},
        blocs__2={"cc": 70, "exam": Raw("8.75")},
        blocs__3={"cc": 70, "exam": Raw("8.75")},
        blocs__4={"cc": 60, "exam": Raw("7.5")},
        practice={"written": 0, "oral": 0, "tutor": 0},
    )
    before = decide_json(document)
    Bloc.objects.filter(title__code="36390").update(validation_on_20=9)
    after = decide_json(document)

    assert before["outcome"] == "none"
    assert after["outcome"] == "partial"
    assert after["validated_blocs"] == ["1", "2", "3", "4"]


# --- Good input ----------------------------------------------------------------------------


def test_issue_example_answers_exactly_the_contract():
    answer = decide_json(ISSUE_CASE)

    reasons = answer.pop("reasons")
    assert answer == {
        "outcome": "total",
        "points_total": 796,
        "blocs": {
            "1": {"points": 200, "on_20": 16, "passed": True, "eliminatory": False},
            "2": {"points": 140, "on_20": 16, "passed": True, "eliminatory": False},
            "3": {"points": 140, "on_20": 16, "passed": True, "eliminatory": False},
            "4": {"points": 120, "on_20": 16, "passed": True, "eliminatory": False},
        },
        "practice": {"points": 196, "on_20": 15.68, "tutor_after_penalty": 36},
        "tutor_penalty_pct": 10,
        "referred_to_jury": False,
        "validated_blocs": ["1", "2", "3", "4"],
    }
    assert reasons and all(isinstance(reason, str) for reason in reasons)
    assert "Pratique professionnelle : 196/250, soit 15,68/20 (minimum 10/20 atteint)" in reasons


def test_integral_numbers_are_written_without_decimals():
    status, out, _ = run_decide(json.dumps(ISSUE_CASE))

    assert status == 0
    assert '"points_total": 796,' in out
    assert '"on_20": 15.68' in out
    assert "796.0" not in out and "200.0" not in out


def test_array_of_cases_answers_an_array_in_the_same_order():
    second = case(blocs__2={"cc": 55, "exam": Raw("14.99")})
    third = case(fraud=True)

    answers = decide_json([ISSUE_CASE, second, third])

    assert [a["outcome"] for a in answers] == ["total", "partial", "none"]
    assert answers[1]["validated_blocs"] == ["1", "3", "4"]
    assert answers[1]["blocs"]["2"] == {
        "points": 69.99,
        "on_20": 7.99,  # 7.9989/20 truncated: never shown on the 8 it missed
        "passed": False,
        "eliminatory": True,
    }
    assert "Bloc 2 : 7,99/20, note éliminatoire (minimum 8/20)" in answers[1]["reasons"]
    assert answers[2]["validated_blocs"] == []


def test_empty_array_answers_an_empty_array():
    assert decide_json([]) == []


def test_defaults_presented_true_fraud_false_absence_zero():
    document = case(
        blocs__1={"cc": 80, "exam": 120}, practice={"written": 100, "oral": 60, "tutor": 40}
    )
    del document["fraud"]

    answer = decide_json(document)

    assert answer["outcome"] == "total"
    assert answer["tutor_penalty_pct"] == 0
    assert answer["practice"]["tutor_after_penalty"] == 40


def test_numbers_are_read_as_decimals_not_floats():
    # As floats 100.1 + 24.1 + 0.8 = 124.99999999999999; as decimals it is exactly 125.
    assert 100.1 + 24.1 + 0.8 < 125
    status, out, err = run_decide(
        '{"blocs": {"1": {"cc": 80, "exam": 120}, "2": {"cc": 55, "exam": 85},'
        ' "3": {"cc": 55, "exam": 85}, "4": {"cc": 48, "exam": 72}},'
        ' "practice": {"written": 100.1, "oral": 24.1, "tutor": 0.8}}'
    )
    answer = json.loads(out)

    assert (status, err) == (0, "")
    assert answer["practice"] == {"points": 125, "on_20": 10, "tutor_after_penalty": 0.8}
    assert answer["outcome"] == "total"


def test_bloc_at_exactly_10_on_20_passes_and_8_on_20_is_not_eliminatory():
    document = case(
        blocs__2={"cc": Raw("35.5"), "exam": 52},  # 87.5/175 = 10/20
        blocs__4={"cc": 60, "exam": 0},  # 60/150 = 8/20
        practice={"written": 0, "oral": 0, "tutor": 0},
    )

    answer = decide_json(document)

    assert answer["blocs"]["2"] == {
        "points": 87.5,
        "on_20": 10,
        "passed": True,
        "eliminatory": False,
    }
    assert answer["blocs"]["4"] == {"points": 60, "on_20": 8, "passed": False, "eliminatory": False}
    assert answer["outcome"] == "partial"
    assert answer["validated_blocs"] == ["1", "2", "3"]


def test_tutor_penalty_is_truncated_for_display_only():
    # 0.30 × 0.95 = 0.285 exactly, shown as 0.28.
    answer = decide_json(
        case(practice={"written": 125, "oral": 0, "tutor": Raw("0.30"), "absence_pct": 1})
    )

    assert answer["practice"]["tutor_after_penalty"] == 0.28
    assert answer["practice"]["points"] == 125.28  # 125.285 truncated
    assert answer["tutor_penalty_pct"] == 5


def test_absence_over_10_percent_is_referred_to_the_jury():
    answer = decide_json(case(practice__absence_pct=Raw("10.01")))

    assert answer["tutor_penalty_pct"] is None
    assert answer["referred_to_jury"] is True
    assert answer["practice"]["tutor_after_penalty"] == 40
    assert answer["points_total"] == 800
    assert any("renvoyée au jury" in reason for reason in answer["reasons"])


def test_bloc_not_presented_may_omit_its_marks():
    answer = decide_json(case(blocs__3={"presented": False}))

    assert answer["blocs"]["3"] == {"points": 0, "on_20": 0, "passed": False, "eliminatory": True}
    assert answer["outcome"] == "partial"
    assert answer["validated_blocs"] == ["1", "2", "4"]


def test_practice_not_presented_keeps_the_blocs():
    answer = decide_json(case(practice={"presented": False}))

    assert answer["outcome"] == "partial"
    assert answer["validated_blocs"] == ["1", "2", "3", "4"]
    assert answer["practice"] == {"points": 0, "on_20": 0, "tutor_after_penalty": 0}


# --- Bad input -----------------------------------------------------------------------------


BAD_DOCUMENTS = [
    # (document or raw text, field named in the error)
    ("", "input"),
    ("not json", "input"),
    ('{"blocs": ', "input"),
    ('{"blocs": {}, "practice": NaN}', "blocs.1"),
    ('"a string"', "input"),
    ("42", "input"),
    ("null", "input"),
    (case(blocs__3=DELETE), "blocs.3"),
    (case(blocs__5={"cc": 1, "exam": 1}), "blocs.5"),
    (case(blocs__01={"cc": 1, "exam": 1}), "blocs.01"),
    (case(blocs=DELETE), "blocs"),
    (case(blocs=[1, 2, 3, 4]), "blocs"),
    (case(blocs__2=[55, 85]), "blocs.2"),
    (case(practice=DELETE), "practice"),
    (case(practice=125), "practice"),
    (case(colour="blue"), "colour"),
    (case(blocs__1__oral=3), "blocs.1.oral"),
    (case(practice__memoire=100), "practice.memoire"),
    (case(blocs__1__cc=DELETE), "blocs.1.cc"),
    (case(blocs__1__exam=DELETE), "blocs.1.exam"),
    (case(practice__tutor=DELETE), "practice.tutor"),
    (case(blocs__1__cc=Raw("100.01")), "blocs.1.cc"),
    (case(blocs__1__exam=151), "blocs.1.exam"),
    (case(blocs__2__cc=71), "blocs.2.cc"),
    (case(blocs__3__exam=Raw("105.5")), "blocs.3.exam"),
    (case(blocs__4__cc=Raw("-0.01")), "blocs.4.cc"),
    (case(blocs__4__exam=91), "blocs.4.exam"),
    (case(practice__written=Raw("125.01")), "practice.written"),
    (case(practice__oral=76), "practice.oral"),
    (case(practice__tutor=Raw("50.01")), "practice.tutor"),
    (case(practice__absence_pct=Raw("100.5")), "practice.absence_pct"),
    (case(practice__absence_pct=-1), "practice.absence_pct"),
    (case(blocs__1__cc=Raw("1e400")), "blocs.1.cc"),
    (case(blocs__1__cc="80"), "blocs.1.cc"),
    (case(practice__oral="soixante"), "practice.oral"),
    (case(blocs__2__exam=True), "blocs.2.exam"),
    (case(practice__absence_pct=False), "practice.absence_pct"),
    (case(blocs__2__exam=None), "blocs.2.exam"),
    (case(blocs__2__exam=[85]), "blocs.2.exam"),
    (case(blocs__1__presented="yes"), "blocs.1.presented"),
    (case(blocs__1__presented=1), "blocs.1.presented"),
    (case(practice__presented=None), "practice.presented"),
    (case(fraud="false"), "fraud"),
    (case(fraud=0), "fraud"),
    ('{"blocs": {"1": {"cc": 1, "cc": 2, "exam": 3}}}', "duplicate key"),
    # Numbers no mark can be, and nesting no case has: refused by name, never a traceback.
    (case(practice__written=Raw("NaN")), "practice.written"),
    (case(blocs__3__exam=Raw("Infinity")), "blocs.3.exam"),
    (case(blocs__3__exam=Raw("-Infinity")), "blocs.3.exam"),
    (case(blocs__1__cc=Raw("1e1000000")), "blocs.1.cc"),
    (case(blocs__1__cc=Raw("1e99999999999999999999")), "blocs.1.cc"),
    (case(blocs__1__cc=Raw("-1e-1000000")), "blocs.1.cc"),
    (case(practice__tutor=Raw("9" * 10_000_000)), "practice.tutor"),
    (case(practice__oral=Raw("0." + "0" * 5000 + "1")), "practice.oral"),
    ('{"blocs": {"1": ' + "[" * 100_000 + "]" * 100_000 + "}}", "blocs.1"),
    ("[" * 100_000 + "]" * 100_000, "case 0"),
    ('{"blocs": ' + '{"x": ' * 100_000 + "1" + "}" * 100_000 + "}", "blocs.x"),
    ('[{}, {"practice": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}]", "case 1: practice"),
]


@pytest.mark.parametrize(("document", "field"), BAD_DOCUMENTS)
def test_bad_input_exits_2_with_one_line_naming_the_field(document, field):
    text = document if isinstance(document, str) else to_json(document)

    status, out, err = run_decide(text)

    assert status == 2
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1
    assert field in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("document", "field"),
    [
        ([ISSUE_CASE, case(blocs__2__cc=71)], "case 1: blocs.2.cc"),
        ([ISSUE_CASE, ISSUE_CASE, case(blocs__4=DELETE)], "case 2: blocs.4"),
        ([case(practice__written="100"), ISSUE_CASE], "case 0: practice.written"),
        ([ISSUE_CASE, "not a case"], "case 1"),
        ([ISSUE_CASE, case(extra=1)], "case 1: extra"),
    ],
)
def test_bad_case_in_an_array_names_its_index_and_writes_no_answer(document, field):
    status, out, err = run_decide(to_json(document))

    assert status == 2
    assert out == ""
    assert err.startswith(field)
    assert err.count("\n") == 1


def test_out_of_range_error_says_the_range():
    _, _, err = run_decide(to_json(case(blocs__2__cc=71)))

    assert err == "blocs.2.cc: must be between 0 and 70, not 71\n"


# --- End to end through manage.py ----------------------------------------------------------


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    """Return an environment whose DATABASE_URL is a freshly migrated SQLite file."""
    path = tmp_path_factory.mktemp("decide") / "decide.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}", "PYTHONPATH": str(REPO_ROOT)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v", "0"],
        cwd=REPO_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    return env


def manage_decide(env, text):
    return subprocess.run(
        [sys.executable, "manage.py", "decide"],
        cwd=REPO_ROOT,
        env=env,
        input=text.encode(),
        capture_output=True,
        timeout=120,
    )


def test_manage_py_decide_answers_on_stdout(migrated_database):
    completed = manage_decide(migrated_database, json.dumps([ISSUE_CASE, case(fraud=True)]))

    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == b""
    answers = json.loads(completed.stdout)
    assert [answer["outcome"] for answer in answers] == ["total", "none"]
    assert answers[0]["points_total"] == 796


def test_manage_py_decide_bad_input_exits_2_with_one_line(migrated_database):
    completed = manage_decide(migrated_database, to_json([ISSUE_CASE, case(blocs__2__cc="55")]))

    assert completed.returncode == 2
    assert completed.stdout == b""
    assert completed.stderr.decode().splitlines() == [
        "case 1: blocs.2.cc: must be a number, not a string"
    ]


def test_manage_py_decide_not_json_exits_2_without_traceback(migrated_database):
    completed = manage_decide(migrated_database, "{'blocs': 1}")

    assert completed.returncode == 2
    assert completed.stdout == b""
    lines = completed.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("input: not valid JSON")


def test_manage_py_decide_names_input_that_is_not_utf_8(migrated_database):
    completed = subprocess.run(
        [sys.executable, "manage.py", "decide"],
        cwd=REPO_ROOT,
        env={**migrated_database, "LC_ALL": "C", "PYTHONIOENCODING": ""},
        input='{"blocs": {"é": 1}}'.encode("latin-1"),
        capture_output=True,
        timeout=120,
    )

    assert completed.returncode == 2
    assert completed.stderr.decode().splitlines() == ["input: not valid UTF-8"]
