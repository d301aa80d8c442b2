"""The candidate's own timeline: each bloc and the mémoire, its state, deadline and next step.

A read-only selector for the candidate's home. Every enrolment's portfolios, mémoires, jury
sessions and published results are read in a fixed number of queries, whatever the data. The
jury's rows are reached through the enrolment's reverse relations (``jury_entries``,
``jury_decisions``): this package sits below the workflow and never imports it.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch
from django.urls import reverse

from accounts.models import Enrolment
from audit import clock
from audit.models import AuditEvent
from portfolio.models import Memoire, Portfolio
from portfolio.services import portfolio_window_bounds, portfolios_coverage

P = Portfolio.State
M = Memoire.State

# What the candidate does next, by state: a code the template turns into a French sentence.
PORTFOLIO_STEPS = {
    P.DRAFT: "deposit",
    P.SUBMITTED: "screening",
    P.RETURNED: "complete",
    P.ADMISSIBLE: "evaluation_wait",
    P.ASSIGNED: "evaluation_wait",
    P.UNDER_EVALUATION: "evaluation_running",
    P.SECOND_EVALUATION: "evaluation_running",
    P.RECONCILIATION: "evaluation_running",
    P.EVALUATED: "jury_wait",
    P.RECONCILED: "jury_wait",
    P.READY_FOR_JURY: "jury_wait",
    P.DECIDED: "decided",
    P.WITHDRAWN: "closed",
    P.NOT_SUBMITTED: "closed",
    P.INVALIDATED: "closed",
}
MEMOIRE_STEPS = {
    M.DRAFT: "deposit",
    M.SUBMITTED: "evaluation_wait",
    M.ASSIGNED: "evaluation_running",
    M.WRITTEN_MARKED: "soutenance_wait",
    M.SOUTENANCE_SCHEDULED: "soutenance",
    M.SOUTENANCE_MARKED: "jury_wait",
    M.NOT_SUBMITTED: "closed",
    M.INVALIDATED: "closed",
}
# A state the candidate must act on, one that ended badly, or one on its way.
ACT_STATES = {P.DRAFT, P.RETURNED}
ENDED_STATES = {P.WITHDRAWN, P.NOT_SUBMITTED, P.INVALIDATED}


@dataclass
class ReturnNotice:
    """Why the version before this one was returned, by whom and when."""

    reason: str
    by: str
    at: datetime | None
    version: int


@dataclass
class Stage:
    """One bloc or the mémoire on the candidate's timeline."""

    kind: str  # "bloc" or "memoire"
    label: str
    state: str
    state_label: str
    step: str
    url: str = ""
    number: int | None = None
    deadline: date | None = None
    days_left: int | None = None
    window_opens: date | None = None
    returned: ReturnNotice | None = None
    coverage: object = None
    obj: object = None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0 and self.step == "deposit"

    @property
    def tone(self) -> str:
        """Return the badge's tone: to do, stopped, or on its way (the words say it too)."""
        if self.state in ENDED_STATES or self.overdue:
            return "error"
        if self.state in ACT_STATES:
            return "warn"
        return "ok"


@dataclass
class Journey:
    """One enrolment: its stages, its jury sessions and its published results."""

    enrolment: Enrolment
    stages: list[Stage] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    results: list = field(default_factory=list)
    needs_start: bool = False


def returned_notices(portfolios) -> dict[int, ReturnNotice]:
    """Return, by portfolio id, the notice of the return that opened it (one query)."""
    previous = {p.previous_id: p for p in portfolios if p.previous_id}
    if not previous:
        return {}
    events = (
        AuditEvent.objects.filter(
            action="portfolio.return",
            object_type=ContentType.objects.get_for_model(Portfolio),
            object_id__in=[str(pk) for pk in previous],
        )
        .select_related("actor")
        .order_by("at", "pk")
    )
    notices = {}
    for event in events:
        opened = previous[int(event.object_id)]
        notices[opened.pk] = ReturnNotice(
            reason=event.reason,
            by=event.actor.get_full_name() or event.actor.get_username() if event.actor else "",
            at=event.at,
            version=opened.version - 1,
        )
    for opened in previous.values():
        # A return older than the trail still has its reason on the version it closed.
        if opened.pk not in notices and opened.previous and opened.previous.return_reason:
            notices[opened.pk] = ReturnNotice(
                opened.previous.return_reason, "", None, opened.version - 1
            )
    return notices


def _bloc_stage(portfolio: Portfolio, coverage, notice, today: date) -> Stage:
    opens, deadline = portfolio_window_bounds(portfolio)
    return Stage(
        kind="bloc",
        label=portfolio.bloc.short_name or portfolio.bloc.name,
        number=portfolio.bloc.number,
        state=portfolio.state,
        state_label=portfolio.get_state_display(),
        step=PORTFOLIO_STEPS.get(portfolio.state, "closed"),
        url=reverse("portfolio:detail", args=[portfolio.pk]),
        deadline=deadline if portfolio.state == P.DRAFT else None,
        days_left=(deadline - today).days if portfolio.state == P.DRAFT else None,
        window_opens=opens if portfolio.state == P.DRAFT and today < opens else None,
        returned=notice,
        coverage=coverage,
        obj=portfolio,
    )


def _memoire_stage(memoire: Memoire | None, enrolment: Enrolment, today: date) -> Stage:
    deadline = enrolment.cohort.memoire_deadline
    if memoire is None:
        return Stage("memoire", "", "", "", "start", deadline=deadline)
    draft = memoire.state == M.DRAFT
    return Stage(
        kind="memoire",
        label=memoire.subject,
        state=memoire.state,
        state_label=memoire.get_state_display(),
        step=MEMOIRE_STEPS.get(memoire.state, "closed"),
        url=reverse("portfolio:memoire", args=[memoire.pk]),
        deadline=deadline if draft else None,
        days_left=(deadline - today).days if draft and deadline else None,
        obj=memoire,
    )


def _jury_rows(enrolment: Enrolment, soutenances: dict) -> tuple[list[dict], list]:
    sessions = []
    for entry in enrolment.jury_entries.all():
        session = entry.session
        if session.state == "published":
            continue  # its results say the rest
        sessions.append(
            {
                "session": session,
                "enrolment": enrolment,
                "soutenance": soutenances.get(session.pk),
                "convoked": session.state != "planned",
            }
        )
    results = [d for d in enrolment.jury_decisions.all() if d.session.state == "published"]
    return sessions, results


def candidate_journeys(user) -> list[Journey]:
    """Return the candidate's enrolments, latest first, each with its timeline."""
    enrolments = list(
        Enrolment.objects.filter(candidate=user)
        .select_related("cohort")
        .prefetch_related(
            Prefetch(
                "jury_entries",
                queryset=Enrolment.jury_entries.rel.related_model.objects.select_related(
                    "session"
                ).order_by("session__date", "pk"),
            ),
            Prefetch(
                "jury_decisions",
                queryset=Enrolment.jury_decisions.rel.related_model.objects.select_related(
                    "session"
                ).order_by("-session__date", "pk"),
            ),
        )
        .order_by("-cohort__training_start")
    )
    portfolios = list(
        Portfolio.objects.filter(enrolment__in=enrolments, is_active=True)
        .select_related("bloc", "enrolment__cohort", "previous")
        .order_by("bloc__number", "attempt")
    )
    coverage = portfolios_coverage(portfolios)
    notices = returned_notices(portfolios)
    memoires = {}
    soutenances = {}
    for memoire in (
        Memoire.objects.filter(enrolment__in=enrolments, is_active=True)
        .prefetch_related("soutenances")
        .order_by("attempt")
    ):
        memoires[memoire.enrolment_id] = memoire  # the latest attempt
        for soutenance in memoire.soutenances.all():
            soutenances[(memoire.enrolment_id, soutenance.session_id)] = soutenance
    today = clock.today()
    journeys = []
    for enrolment in enrolments:
        own = [p for p in portfolios if p.enrolment_id == enrolment.pk]
        memoire = memoires.get(enrolment.pk)
        journey = Journey(
            enrolment=enrolment,
            stages=[_bloc_stage(p, coverage[p.pk], notices.get(p.pk), today) for p in own],
            needs_start=memoire is None
            or (enrolment.route == Enrolment.Route.PORTEFEUILLE and not own),
        )
        journey.stages.append(_memoire_stage(memoire, enrolment, today))
        mine = {s: v for (e, s), v in soutenances.items() if e == enrolment.pk}
        journey.sessions, journey.results = _jury_rows(enrolment, mine)
        journeys.append(journey)
    return journeys
