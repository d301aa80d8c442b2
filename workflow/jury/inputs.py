"""Every mark a session's decisions need, read in bulk: a fixed number of queries for any
number of candidates.

``session_inputs`` loads, for the candidates of a session (or a few of them), everything
``results.candidate_file`` reads: the earlier decisions, the current portfolios and épreuves
marks, the CC marks, the absences and the pedagogical team's decision on their penalty, the
tutor's mark, the current mémoire with its written mark and soutenance, and confirmed fraud.
Each "current" record is chosen here exactly as the single-candidate readers of ``results``
choose it (same ordering).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F, Q

from accounts.models import Enrolment
from portfolio.models import Memoire, Portfolio
from workflow.marks.assiduity import (
    Assiduity,
    assiduity_decisions_by_enrolment,
    assiduity_of,
    proposal_of,
)
from workflow.marks.attendance import unjustified_hours_by_enrolment
from workflow.marks.cc import cc_rule_marks_by_enrolment, title_cc_structure
from workflow.marks.tutoring import tutor_marks
from workflow.marks.written import memoire_written_marks
from workflow.models import (
    BlocExamMark,
    FraudReport,
    JuryDecision,
    JurySession,
    SessionCandidate,
    Soutenance,
)
from workflow.titles import title_rules

DECIDED_SESSION_STATES = (JurySession.State.CLOSED, JurySession.State.PUBLISHED)
# How the current version of a portfolio, a mémoire or an épreuves mark is chosen.
CURRENT_VERSION_ORDER = ("-attempt", "-version")
CURRENT_EXAM_MARK_ORDER = ("-attempt",)
SOUTENANCE_ORDER = ("starts_at", "pk")


@dataclass
class SessionInputs:
    """What the decisions of some candidates of one session are made of, loaded once."""

    session: JurySession
    enrolments: dict[int, Enrolment] = field(default_factory=dict)
    structures: dict[int, list] = field(default_factory=dict)  # title → [(bloc, CC modules)]
    rules: dict[int, object] = field(default_factory=dict)  # title → engine.TitleRules
    fraud: set[int] = field(default_factory=set)
    earlier: dict[int, list[JuryDecision]] = field(default_factory=dict)
    portfolios: dict[tuple[int, int], Portfolio] = field(default_factory=dict)
    exam_marks: dict[tuple[int, int], BlocExamMark] = field(default_factory=dict)
    cc_marks: dict[int, dict[int, list]] = field(default_factory=dict)  # rules' CC marks
    unjustified_hours: dict[int, Decimal] = field(default_factory=dict)
    assiduity_decisions: dict[int, object] = field(default_factory=dict)  # → AssiduityDecision
    tutor_marks: dict[int, Decimal | None] = field(default_factory=dict)
    memoires: dict[int, Memoire] = field(default_factory=dict)
    written_marks: dict[int, Decimal] = field(default_factory=dict)
    soutenances: dict[int, Soutenance] = field(default_factory=dict)

    def assiduity(self, enrolment) -> Assiduity:
        """The penalty proposed from the absences and the pedagogical team's decision on it."""
        hours = self.unjustified_hours.get(enrolment.pk, Decimal(0))
        return assiduity_of(
            proposal_of(hours, enrolment.cohort), self.assiduity_decisions.get(enrolment.pk)
        )


def _first_by(rows, key) -> dict:
    """Keep the first row of each key (rows come in the order that makes it the current one)."""
    chosen: dict = {}
    for row in rows:
        chosen.setdefault(key(row), row)
    return chosen


def session_inputs(session, *, enrolment_ids=None) -> SessionInputs:
    """Load the inputs of the session's candidates (all of them, or those of
    ``enrolment_ids``) in a fixed number of queries."""
    if enrolment_ids is None:
        wanted = SessionCandidate.objects.filter(session=session).values("enrolment_id")
    else:
        wanted = list(enrolment_ids)
    inputs = SessionInputs(session=session)
    inputs.enrolments = {
        enrolment.pk: enrolment
        for enrolment in Enrolment.objects.filter(pk__in=wanted)
        .select_related("candidate", "cohort__title")
        .prefetch_related("blocs")
    }
    for title in {e.cohort.title_id: e.cohort.title for e in inputs.enrolments.values()}.values():
        inputs.structures[title.pk] = title_cc_structure(title)
        inputs.rules[title.pk] = title_rules(title)
    inputs.fraud = set(
        FraudReport.objects.filter(
            enrolment__in=wanted, session=session, state=FraudReport.State.CONFIRMED
        ).values_list("enrolment_id", flat=True)
    )
    # A repeated year (Redoublement) also reads the previous enrolment's decisions: the blocs
    # validated there are carried over. One query for both, oldest first.
    for decision in (
        JuryDecision.objects.filter(
            Q(enrolment__in=wanted) | Q(enrolment__redoublement__enrolment__in=wanted),
            session__state__in=DECIDED_SESSION_STATES,
            session__date__lte=session.date,
        )
        .exclude(session=session)
        .annotate(repeat_id=F("enrolment__redoublement__enrolment_id"))
        .select_related("session")
        .order_by("session__date", "pk")
    ):
        for enrolment_id in {decision.enrolment_id, decision.repeat_id}:
            if enrolment_id in inputs.enrolments:
                inputs.earlier.setdefault(enrolment_id, []).append(decision)
    inputs.portfolios = _first_by(
        Portfolio.objects.filter(enrolment__in=wanted, is_active=True).order_by(
            "enrolment_id", "bloc_id", *CURRENT_VERSION_ORDER
        ),
        lambda p: (p.enrolment_id, p.bloc_id),
    )
    inputs.exam_marks = _first_by(
        BlocExamMark.objects.filter(enrolment__in=wanted).order_by(
            "enrolment_id", "bloc_id", *CURRENT_EXAM_MARK_ORDER
        ),
        lambda m: (m.enrolment_id, m.bloc_id),
    )
    inputs.cc_marks = cc_rule_marks_by_enrolment(wanted)
    inputs.unjustified_hours = unjustified_hours_by_enrolment(wanted)
    inputs.assiduity_decisions = assiduity_decisions_by_enrolment(wanted)
    inputs.tutor_marks = tutor_marks(wanted)
    inputs.memoires = _first_by(
        Memoire.objects.filter(enrolment__in=wanted, is_active=True).order_by(
            "enrolment_id", *CURRENT_VERSION_ORDER
        ),
        lambda m: m.enrolment_id,
    )
    # Every active mémoire of these candidates, as a subquery (no list of thousands of ids).
    active_memoires = Memoire.objects.filter(enrolment__in=wanted, is_active=True).values("pk")
    inputs.written_marks = memoire_written_marks(active_memoires)
    inputs.soutenances = _first_by(
        Soutenance.objects.filter(session=session, memoire__in=active_memoires).order_by(
            *SOUTENANCE_ORDER
        ),
        lambda s: s.memoire_id,
    )
    return inputs
