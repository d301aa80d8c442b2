"""Checks of the RNCP 36390 référentiel data file, with the standard library only.

The expected numbers are those of ../shared/reference/RULES.md §1, typed here independently of
the data file so that a wrong figure in either place makes a test fail.
"""

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

DATA_FILE = Path(__file__).resolve().parents[2] / "referentiel" / "data" / "rncp36390.json"

# RULES.md §1: bloc -> (hours, CC points, épreuve points)
BLOCS = {
    1: ("210", 100, 150),
    2: ("147", 70, 105),
    3: ("133", 70, 105),
    4: ("98", 60, 90),
}

# RULES.md §1, "Modules and their CC points": code -> (hours, CC points; 0 for "—")
MODULES = {
    "M1.1": ("52.5", 40),
    "M1.2": ("28", 0),
    "M1.3": ("7", 0),
    "M1.4": ("28", 10),
    "M1.5": ("14", 0),
    "M1.6": ("31.5", 20),
    "M1.7": ("49", 30),
    "M2.1": ("21", 0),
    "M2.2": ("14", 30),
    "M2.3": ("7", 0),
    "M2.4": ("35", 20),
    "M2.5": ("28", 0),
    "M2.6": ("21", 10),
    "M2.7": ("21", 10),
    "M3.1": ("56", 30),
    "M3.2": ("28", 10),
    "M3.3": ("14", 10),
    "M3.4": ("21", 20),
    "M3.5": ("14", 0),
    "M4.1": ("28", 20),
    "M4.2": ("28", 15),
    "M4.3": ("28", 15),
    "M4.4": ("14", 10),
}

# RULES.md §1, "Bloc épreuves": bloc -> competencies assessed
COMPETENCIES = {
    1: "C.1.1.1 C.1.1.2 C.1.2.1 C.1.2.2 C.1.2.3 C.1.2.4 C.1.3.1 C.1.4.1 C.1.5.1 C.1.5.2",
    2: "C.2.1.1 C.2.2.1 C.2.2.2 C.2.3.1 C.2.4.1 C.2.5.1 C.2.5.2",
    3: "C.3.1.1 C.3.1.2 C.3.1.3 C.3.2.1 C.3.2.2 C.3.3.1 C.3.4.1 C.3.4.2",
    4: "C.4.1.1 C.4.2.1 C.4.3.1 C.4.3.2 C.4.4.1 C.4.4.2 C.4.5.1",
}

# RULES.md §1: épreuve points per bloc where the source splits them (bloc 2: 60 + 45;
# bloc 4: 60 + 20 + 10); bloc 1's three épreuves share its 150 points evenly (the source does
# not split them); bloc 3 has one case study.
EPREUVE_POINTS = {1: [50, 50, 50], 2: [60, 45], 3: [105], 4: [60, 20, 10]}
# The durations the source gives (the report and the orals have none).
EPREUVE_DURATIONS = {
    "B1-E1": "",
    "B1-E2": "3 h",
    "B1-E3": "3 h",
    "B2-E1": "2 × 3 h",
    "B2-E2": "2 × 2 h",
    "B3-E1": "3 h 30",
    "B4-E1": "2 h 30",
    "B4-E2": "",
    "B4-E3": "",
}

CODE_RE = re.compile(r"^C\.\d\.\d\.\d$")
HOURS_RE = re.compile(r"^\d+(\.\d*[1-9])?$")


@pytest.fixture(scope="module")
def title():
    with DATA_FILE.open(encoding="utf-8") as f:
        return json.load(f)


@pytest.fixture(scope="module")
def blocs(title):
    return {b["number"]: b for b in title["blocs"]}


def all_strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from all_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from all_strings(value)


def test_title_figures(title):
    assert title["code"] == "36390"
    assert title["name"].startswith("Assistant(e) de gestion et d'administration d'entreprise")
    assert title["name"].endswith("Office Manager junior")
    assert title["total_points"] == 1000
    assert title["pass_points"] == 500
    assert title["training_hours"] == "588"  # the 23 modules: evaluations excluded (RULES §3)


def test_four_blocs_numbered_one_to_four(title):
    assert [b["number"] for b in title["blocs"]] == [1, 2, 3, 4]


@pytest.mark.parametrize("number", sorted(BLOCS))
def test_bloc_figures_match_rules(blocs, number):
    hours, cc_points, exam_points = BLOCS[number]
    bloc = blocs[number]
    assert bloc["hours"] == hours
    assert bloc["cc_points"] == cc_points
    assert bloc["exam_points"] == exam_points
    assert Decimal(bloc["minimum_on_20"]) == 8
    assert Decimal(bloc["validation_on_20"]) == 10
    assert bloc["name"] and bloc["short_name"]


def test_points_add_up_to_the_title_total(title):
    practice = title["practice"]
    practice_points = (
        practice["written_points"] + practice["oral_points"] + practice["tutor_points"]
    )
    assert (practice["written_points"], practice["oral_points"], practice["tutor_points"]) == (
        125,
        75,
        50,
    )
    assert practice_points == 250
    assert Decimal(practice["minimum_on_20"]) == 10
    blocs_points = sum(b["cc_points"] + b["exam_points"] for b in title["blocs"])
    assert sum(b["cc_points"] for b in title["blocs"]) == 300
    # RULES.md §1 total row: 700 = 450 of bloc épreuves + 250 of professional practice
    assert sum(b["exam_points"] for b in title["blocs"]) + practice_points == 700
    assert blocs_points + practice_points == title["total_points"] == 1000
    assert title["pass_points"] * 2 == title["total_points"]


def test_twenty_three_modules_as_in_rules(title):
    modules = [m for b in title["blocs"] for m in b["modules"]]
    assert len(modules) == 23
    assert {m["code"]: (m["hours"], m["cc_points"]) for m in modules} == MODULES
    assert len({m["code"] for m in modules}) == 23
    assert all(m["name"] for m in modules)


@pytest.mark.parametrize("number", sorted(BLOCS))
def test_module_sums_equal_bloc_figures(blocs, number):
    bloc = blocs[number]
    assert all(m["code"].startswith(f"M{number}.") for m in bloc["modules"])
    assert sum(m["cc_points"] for m in bloc["modules"]) == bloc["cc_points"]
    assert sum(Decimal(m["hours"]) for m in bloc["modules"]) == Decimal(bloc["hours"])


def test_hours_are_normalised_decimal_strings(title):
    hours = [b["hours"] for b in title["blocs"]]
    hours += [m["hours"] for b in title["blocs"] for m in b["modules"]]
    for value in hours:
        assert HOURS_RE.match(value), value
    face_to_face = sum(Decimal(h) for h in hours[:4])
    assert face_to_face == 588
    # The assiduity base is the modules' time, not the 931 h total volume (which adds 343 h of
    # complementary modules and bloc evaluations): RULES.md §3.
    assert Decimal(title["training_hours"]) == face_to_face


def test_thirty_two_competencies_with_unique_codes(title):
    codes = [c["code"] for b in title["blocs"] for c in b["competencies"]]
    assert len(codes) == 32
    assert len(set(codes)) == 32
    for code in codes:
        assert CODE_RE.match(code), code


@pytest.mark.parametrize("number", sorted(BLOCS))
def test_competencies_of_each_bloc(blocs, number):
    competencies = blocs[number]["competencies"]
    assert [c["code"] for c in competencies] == COMPETENCIES[number].split()
    for competency in competencies:
        assert competency["code"][2] == str(number)
        # full text, not just a title
        assert len(competency["text"]) > 150, competency["code"]
        assert competency["text"].endswith(".")


@pytest.mark.parametrize("number", sorted(BLOCS))
def test_criteria_cover_every_competency_of_their_bloc(blocs, number):
    bloc = blocs[number]
    own = {c["code"] for c in bloc["competencies"]}
    covered = set()
    for criterion in bloc["criteria"]:
        assert criterion["label"].strip()
        assert criterion["indicators"], criterion["label"]
        assert all(i.strip() for i in criterion["indicators"])
        assert criterion["competencies"]
        assert set(criterion["competencies"]) <= own, criterion["label"]
        covered.update(criterion["competencies"])
    assert covered == own


def test_criteria_counts_per_bloc(blocs):
    # one per "•" heading (or plain heading sentence, or heading-less group) of the source
    assert {n: len(b["criteria"]) for n, b in blocs.items()} == {1: 10, 2: 4, 3: 6, 4: 7}


def test_criteria_text_from_the_source(blocs):
    first = blocs[1]["criteria"][0]
    assert first["competencies"] == ["C.1.1.1", "C.1.1.2"]
    assert first["label"] == "Pertinence et qualité de la procédure élaborée"
    assert first["indicators"][0] == (
        "la raison d'être, l'objectif et le champ d'application de la procédure sont "
        "clairement exposés et mis en perspective"
    )
    assert len(first["indicators"]) == 5


@pytest.mark.parametrize("number", sorted(BLOCS))
def test_epreuves_of_each_bloc(blocs, number):
    bloc = blocs[number]
    epreuves = bloc["epreuves"]
    assert [e["points"] for e in epreuves] == EPREUVE_POINTS[number]
    assert sum(e["points"] for e in epreuves) == bloc["exam_points"]
    own = {c["code"] for c in bloc["competencies"]}
    assessed = set()
    for epreuve in epreuves:
        assert epreuve["code"].startswith(f"B{number}-E")
        assert epreuve["name"]
        assert isinstance(epreuve["duration"], str)
        assert set(epreuve["competencies"]) <= own
        assessed.update(epreuve["competencies"])
    assert assessed == own


def test_epreuve_codes_are_unique(title):
    codes = [e["code"] for b in title["blocs"] for e in b["epreuves"]]
    assert len(codes) == len(set(codes)) == 9


@pytest.mark.parametrize("grid", ["memoire_grid", "soutenance_grid", "tutor_grid"])
def test_practice_grids(title, grid):
    criteria = title["practice"][grid]
    assert len(criteria) == 5
    assert len({c["label"] for c in criteria}) == 5
    for criterion in criteria:
        assert criterion["label"].strip()
        assert criterion["indicators"] and all(i.strip() for i in criterion["indicators"])


def test_written_by_us_parts_are_declared(title):
    notes = " ".join(title["_notes"])
    for grid in ("tutor_grid", "memoire_grid", "soutenance_grid"):
        assert grid in notes


def test_strings_are_clean(title):
    for text in all_strings(title):
        assert "<" not in text and ">" not in text, text
        assert "•" not in text, text
        assert text == text.strip(), text
        assert "  " not in text, text
        assert "\t" not in text and "\n" not in text, text


def test_epreuve_durations_are_the_sources(title):
    durations = {e["code"]: e["duration"] for b in title["blocs"] for e in b["epreuves"]}
    assert durations == EPREUVE_DURATIONS


def test_bloc_1s_three_epreuves_split_its_competencies(blocs):
    split = [set(e["competencies"]) for e in blocs[1]["epreuves"]]
    assert split == [
        {"C.1.1.1", "C.1.1.2"},
        {"C.1.2.1", "C.1.2.2", "C.1.2.3", "C.1.2.4", "C.1.3.1"},
        {"C.1.4.1", "C.1.5.1", "C.1.5.2"},
    ]
