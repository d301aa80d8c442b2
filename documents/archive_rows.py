"""The rows a session's archive holds, read in a fixed number of queries whatever its size.

Each kind of row (portfolios, evidence, mémoires, soutenances, scorings, their scores…) is one
query over the whole session, ordered like the archive lists its candidates (name, first name,
enrolment) and read through a cursor (``iterator``): the archive takes the rows of one
candidate after another, and only those stay in memory.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Q
from django.db.models.functions import Coalesce

from portfolio.models import EvidenceItem, Memoire, Portfolio
from referentiel.models import GridCriterion
from workflow.models import (
    CriterionScore,
    EpreuveMark,
    EpreuvePaper,
    EpreuveScore,
    JurySession,
    Scoring,
    Soutenance,
    SoutenanceScore,
    TutorEvaluation,
    TutorScore,
)

CURSOR_ROWS = 100


def _in_candidate_order(queryset, paths: tuple[str, ...], then: tuple[str, ...]):
    """Order rows by their candidate as the archive lists them, then by ``then``.

    ``paths`` lead from the row to its enrolment; several when a row reaches it in several ways
    (a scoring, through its portfolio or its mémoire).
    """

    def reach(suffix: str):
        fields = [F(f"{path}__{suffix}") for path in paths]
        return fields[0] if len(fields) == 1 else Coalesce(*fields)

    return queryset.annotate(
        archive_last_name=reach("candidate__last_name"),
        archive_first_name=reach("candidate__first_name"),
        archive_enrolment=reach("id"),
    ).order_by("archive_last_name", "archive_first_name", "archive_enrolment", *then)


class _Cursor:
    """One query's rows in candidate order, handed out candidate by candidate."""

    def __init__(self, queryset) -> None:
        self._rows = queryset.iterator(chunk_size=CURSOR_ROWS)
        self._head = next(self._rows, None)

    def of(self, enrolment_id) -> list:
        taken = []
        while self._head is not None and _enrolment_of(self._head) == enrolment_id:
            taken.append(self._head)
            self._head = next(self._rows, None)
        return taken

    def close(self) -> None:
        if self._head is not None:
            # A row left over was not in the candidates' order: the query and the list disagree.
            raise RuntimeError(f"Archive row of enrolment {_enrolment_of(self._head)} not taken")


def _enrolment_of(row):
    return row["archive_enrolment"] if isinstance(row, dict) else row.archive_enrolment


def _grouped(rows, key: str) -> dict:
    grouped = defaultdict(list)
    for row in rows:
        grouped[row[key] if isinstance(row, dict) else getattr(row, key)].append(row)
    return grouped


@dataclass(frozen=True)
class Candidate:
    enrolment_id: int
    last_name: str
    first_name: str
    email: str
    cohort: str
    route: str


@dataclass
class CandidateRows:
    """Everything one candidate's folder holds, as rows."""

    portfolios: list = field(default_factory=list)
    items: dict = field(default_factory=dict)  # portfolio id → evidence items
    memoires: list = field(default_factory=list)
    soutenances: list = field(default_factory=list)
    soutenance_scores: dict = field(default_factory=dict)  # soutenance id → scores
    tutor_evaluations: list = field(default_factory=list)
    tutor_scores: dict = field(default_factory=dict)  # evaluation id → scores
    scorings: list = field(default_factory=list)
    scores: dict = field(default_factory=dict)  # scoring id → criterion scores
    evidence: dict = field(default_factory=dict)  # criterion score id → evidence sha256
    papers: list = field(default_factory=list)  # the épreuves' marked papers
    epreuve_marks: list = field(default_factory=list)  # the épreuves route's marks
    epreuve_scores: dict = field(default_factory=dict)  # épreuve mark id → criterion scores


class SessionRows:
    """The session's candidates, and a cursor on each kind of row the archive holds."""

    def __init__(self, session: JurySession) -> None:
        self.candidates = [
            Candidate(*values)
            for values in _in_candidate_order(
                session.candidates.all(), ("enrolment",), ()
            ).values_list(
                "enrolment_id",
                "enrolment__candidate__last_name",
                "enrolment__candidate__first_name",
                "enrolment__candidate__email",
                "enrolment__cohort__name",
                "enrolment__route",
            )
        ]
        enrolments = session.candidates.values("enrolment_id")
        self._criteria: dict[int, list] = defaultdict(list)
        criteria = GridCriterion.objects.filter(version__grid__title_id=session.title_id)
        for criterion in criteria.order_by("version_id", "order", "pk"):
            self._criteria[criterion.version_id].append(criterion)
        on_portfolio = "assignment__portfolio__enrolment"
        on_memoire = "assignment__memoire__enrolment"
        scoring = (f"scoring__{on_portfolio}", f"scoring__{on_memoire}")
        evidence_through = CriterionScore.evidence.through
        self._cursors = {
            "portfolios": _in_candidate_order(
                Portfolio.objects.filter(
                    enrolment__in=enrolments, manifest__isnull=False
                ).select_related("bloc", "manifest"),
                ("enrolment",),
                ("bloc__number", "attempt", "version"),
            ),
            "items": _in_candidate_order(
                EvidenceItem.objects.filter(
                    portfolio__enrolment__in=enrolments, portfolio__manifest__isnull=False
                ),
                ("portfolio__enrolment",),
                ("uploaded_at", "pk"),
            ),
            "memoires": _in_candidate_order(
                Memoire.objects.filter(
                    enrolment__in=enrolments, manifest__isnull=False
                ).select_related("manifest"),
                ("enrolment",),
                ("attempt", "version"),
            ),
            "soutenances": _in_candidate_order(
                Soutenance.objects.filter(memoire__enrolment__in=enrolments).select_related(
                    "session", "marked_by", "grid_version__grid"
                ),
                ("memoire__enrolment",),
                ("starts_at", "pk"),
            ),
            "soutenance_scores": _in_candidate_order(
                SoutenanceScore.objects.filter(soutenance__memoire__enrolment__in=enrolments),
                ("soutenance__memoire__enrolment",),
                ("criterion__order", "pk"),
            ),
            "tutor_evaluations": _in_candidate_order(
                TutorEvaluation.objects.filter(enrolment__in=enrolments).select_related(
                    "tutor", "grid_version__grid"
                ),
                ("enrolment",),
                ("attempt", "pk"),
            ),
            "tutor_scores": _in_candidate_order(
                TutorScore.objects.filter(evaluation__enrolment__in=enrolments),
                ("evaluation__enrolment",),
                ("criterion__order", "pk"),
            ),
            "scorings": _in_candidate_order(
                Scoring.objects.filter(
                    _reached(on_portfolio, enrolments) | _reached(on_memoire, enrolments)
                ).select_related(
                    "assignment__evaluator", "assignment__portfolio__bloc", "grid_version__grid"
                ),
                (on_portfolio, on_memoire),
                ("assignment__assigned_at", "pk"),
            ),
            "scores": _in_candidate_order(
                CriterionScore.objects.filter(
                    _reached(scoring[0], enrolments) | _reached(scoring[1], enrolments)
                ),
                scoring,
                ("criterion__order", "pk"),
            ),
            "evidence": _in_candidate_order(
                evidence_through.objects.filter(
                    _reached(f"criterionscore__{scoring[0]}", enrolments)
                    | _reached(f"criterionscore__{scoring[1]}", enrolments)
                ),
                tuple(f"criterionscore__{path}" for path in scoring),
                ("evidenceitem__sha256",),
            ).values("criterionscore_id", "evidenceitem__sha256", "archive_enrolment"),
            "epreuve_marks": _in_candidate_order(
                EpreuveMark.objects.filter(enrolment__in=enrolments).select_related(
                    "epreuve", "examiner", "grid_version__grid"
                ),
                ("enrolment",),
                ("epreuve__order", "attempt", "pk"),
            ),
            "epreuve_scores": _in_candidate_order(
                EpreuveScore.objects.filter(mark__enrolment__in=enrolments),
                ("mark__enrolment",),
                ("criterion__order", "pk"),
            ),
            "papers": _in_candidate_order(
                EpreuvePaper.objects.filter(mark__enrolment__in=enrolments)
                .exclude(file="")
                .select_related("mark__epreuve"),
                ("mark__enrolment",),
                ("mark__epreuve__code", "mark__attempt", "uploaded_at", "pk"),
            ),
        }
        self._cursors = {name: _Cursor(query) for name, query in self._cursors.items()}

    def rows_of(self, enrolment_id) -> CandidateRows:
        taken = {name: cursor.of(enrolment_id) for name, cursor in self._cursors.items()}
        return CandidateRows(
            portfolios=taken["portfolios"],
            items=_grouped(taken["items"], "portfolio_id"),
            memoires=taken["memoires"],
            soutenances=taken["soutenances"],
            soutenance_scores=_grouped(taken["soutenance_scores"], "soutenance_id"),
            tutor_evaluations=taken["tutor_evaluations"],
            tutor_scores=_grouped(taken["tutor_scores"], "evaluation_id"),
            scorings=taken["scorings"],
            scores=_grouped(taken["scores"], "scoring_id"),
            evidence={
                score_id: [row["evidenceitem__sha256"] for row in rows]
                for score_id, rows in _grouped(taken["evidence"], "criterionscore_id").items()
            },
            papers=taken["papers"],
            epreuve_marks=taken["epreuve_marks"],
            epreuve_scores=_grouped(taken["epreuve_scores"], "mark_id"),
        )

    def grid(self, version) -> list:
        """Return a grid version's criteria (loaded once for the title; else read now)."""
        if version.pk not in self._criteria:
            self._criteria[version.pk] = list(version.criteria.order_by("order", "pk"))
        return self._criteria[version.pk]

    def close(self) -> None:
        for cursor in self._cursors.values():
            cursor.close()


def _reached(path: str, enrolments) -> Q:
    return Q(**{f"{path}__in": enrolments})


def scorings_data(rows: CandidateRows, criteria_of) -> dict:
    """Return the candidate's scorings with the grid versions they used (``notations.json``).

    Soutenances (jury), the tutor's grid, the evaluators' scorings of portfolios and the
    mémoire, and the examiners' épreuve marks (épreuves route), each with its points per
    criterion; every grid version used is written in full
    (criteria and maxima), so the archive can be read without the database.
    """
    grids: dict[str, dict] = {}

    def grid(version) -> str:
        key = str(version.pk)
        if key not in grids:
            grids[key] = {
                "grid": version.grid.name,
                "kind": version.grid.kind,
                "version": version.number,
                "frozen_at": version.frozen_at,
                "criteria": [
                    {"id": c.pk, "order": c.order, "label": c.label, "max_points": c.max_points}
                    for c in criteria_of(version)
                ],
            }
        return key

    def points(scores) -> list[dict]:
        return [{"criterion": score.criterion_id, "points": score.points} for score in scores]

    soutenances = [
        {
            "session": str(soutenance.session),
            "starts_at": soutenance.starts_at,
            "duration_minutes": soutenance.duration_minutes,
            "presented": soutenance.presented,
            "total": soutenance.total,
            "comment": soutenance.comment,
            "marked_by": str(soutenance.marked_by) if soutenance.marked_by else None,
            "marked_at": soutenance.marked_at,
            "grid_version": grid(soutenance.grid_version),
            "scores": points(rows.soutenance_scores.get(soutenance.pk, ())),
        }
        for soutenance in rows.soutenances
    ]
    tutor_evaluations = [
        {
            "attempt": evaluation.attempt,
            "tutor": str(evaluation.tutor),
            "state": evaluation.state,
            "total": evaluation.total,
            "comment": evaluation.comment,
            "submitted_at": evaluation.submitted_at,
            "grid_version": grid(evaluation.grid_version),
            "scores": points(rows.tutor_scores.get(evaluation.pk, ())),
        }
        for evaluation in rows.tutor_evaluations
    ]
    epreuves = [
        {
            "epreuve": mark.epreuve.code,
            "attempt": mark.attempt,
            "examiner": str(mark.examiner),
            "state": mark.state,
            "total": mark.total,
            "out_of": mark.epreuve.points,
            "comment": mark.comment,
            "submitted_at": mark.submitted_at,
            "grid_version": grid(mark.grid_version),
            "scores": points(rows.epreuve_scores.get(mark.pk, ())),
        }
        for mark in rows.epreuve_marks
    ]
    return {
        "grid_versions": grids,
        "soutenances": soutenances,
        "tutor_evaluations": tutor_evaluations,
        "evaluations": [_evaluator_scoring(scoring, rows, grid) for scoring in rows.scorings],
        "epreuves": epreuves,
    }


def _evaluator_scoring(scoring, rows: CandidateRows, grid) -> dict:
    assignment = scoring.assignment
    return {
        "target": f"bloc {assignment.portfolio.bloc.number}"
        if assignment.portfolio_id
        else "memoire",
        "portfolio_version": assignment.portfolio.version if assignment.portfolio_id else None,
        "evaluator": str(assignment.evaluator),
        "rank": assignment.rank,
        "state": scoring.state,
        "total": scoring.total,
        "overall_comment": scoring.overall_comment,
        "submitted_at": scoring.submitted_at,
        "grid_version": grid(scoring.grid_version),
        "scores": [
            {
                "criterion": score.criterion_id,
                "points": score.points,
                "comment": score.comment,
                "evidence_sha256": sorted(rows.evidence.get(score.pk, ())),
            }
            for score in rows.scores.get(scoring.pk, ())
        ],
    }
