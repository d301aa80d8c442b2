"""Figures for the centre's dashboards: counts, overdue work, and the charts drawn from them.

Each figure counts the rows of ``establishments`` only: the ids from
``accounts.access.staff_establishments`` (the user's), or ``EVERYWHERE`` for the certifier.
"""

from collections import Counter
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.access import EVERYWHERE
from accounts.models import Role, User
from audit.clock import today
from portfolio.models import Portfolio
from rules import eligibility
from workflow.centre import charts
from workflow.models import Assignment, JuryDecision, JurySession

OPEN_ASSIGNMENT = (Assignment.State.PROPOSED, Assignment.State.ACCEPTED)
# An assignment belongs to the establishment of the portfolio's or the mémoire's candidate.
ASSIGNMENT_PATHS = (
    "portfolio__enrolment__cohort__establishment",
    "memoire__enrolment__cohort__establishment",
)


def within(establishments, *paths, prefix: str = "") -> Q:
    """Return the condition "belongs to one of ``establishments``" along any of ``paths``."""
    if establishments is EVERYWHERE:
        return Q()
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{prefix}{path}__in": list(establishments)})
    return condition


def portfolio_state_counts(cohort=None, establishments=EVERYWHERE) -> list[tuple[str, int]]:
    """Return (state label, count) of the current portfolio versions, in the workflow's order."""
    portfolios = Portfolio.objects.filter(is_active=True).filter(
        within(establishments, Portfolio.establishment_path)
    )
    if cohort is not None:
        portfolios = portfolios.filter(enrolment__cohort=cohort)
    # Counted by the database: one row per state, whatever the number of portfolios.
    counts = Counter(
        dict(
            portfolios.values("state").annotate(n=Count("pk")).order_by().values_list("state", "n")
        )
    )
    return [
        (str(label), counts[value]) for value, label in Portfolio.State.choices if counts[value]
    ]


def overdue_assignments(establishments=EVERYWHERE):
    """Return the open assignments whose due date has passed, oldest first."""
    return (
        Assignment.objects.filter(state__in=OPEN_ASSIGNMENT, due_date__lt=today())
        .filter(within(establishments, *ASSIGNMENT_PATHS))
        .select_related(
            "evaluator",
            "portfolio__bloc",
            "portfolio__enrolment__candidate",
            "memoire__enrolment__candidate",
        )
        .order_by("due_date", "pk")
    )


def overdue_publications(establishments=EVERYWHERE):
    """Return the sessions whose results are still unpublished more than 6 weeks after their
    last exam (RULES.md §6), the longest overdue first."""
    cutoff = today() - eligibility.RESULTS_DEADLINE
    return (
        JurySession.objects.exclude(state=JurySession.State.PUBLISHED)
        .annotate(last_exam=Coalesce("last_exam_date", "date"))
        .filter(last_exam__lt=cutoff)
        .filter(within(establishments, JurySession.establishment_path))
        .select_related("establishment")
        .order_by("last_exam", "pk")
    )


def evaluator_workload(establishments=EVERYWHERE) -> list[tuple[User, int, int]]:
    """Return (evaluator, open assignments, completed assignments) for every evaluator of the
    national pool, counting the assignments of ``establishments`` only."""
    own = within(establishments, *ASSIGNMENT_PATHS, prefix="assignments__")
    evaluators = User.objects.with_role(Role.EVALUATEUR).annotate(
        open=Count("assignments", filter=Q(assignments__state__in=OPEN_ASSIGNMENT) & own),
        done=Count("assignments", filter=Q(assignments__state=Assignment.State.COMPLETED) & own),
    )
    return [(e, e.open, e.done) for e in evaluators.order_by("-open", "last_name")]


def cohort_progress_chart(cohort=None, establishments=EVERYWHERE, *, segments=None) -> charts.Chart:
    """The current portfolios per state; ``segments``: ``portfolio_state_counts``' answer when
    the page already has it."""
    if segments is None:
        segments = portfolio_state_counts(cohort, establishments)
    return charts.stacked_bar(
        chart_id="progression-portefeuilles",
        title=_("Avancement des portefeuilles"),
        description=_("Nombre de portefeuilles (version en cours) dans chaque état."),
        segments=segments,
        category_label=_("État"),
        count_label=_("Portefeuilles"),
    )


def evaluator_workload_chart(establishments=EVERYWHERE, *, workload=None) -> charts.Chart:
    """The open assignments per evaluator; ``workload``: ``evaluator_workload``'s answer when
    the page already has it (it reads every assignment of the establishments)."""
    if workload is None:
        workload = evaluator_workload(establishments)
    return charts.bar_chart(
        chart_id="charge-evaluateurs",
        title=_("Charge des évaluateurs"),
        description=_("Affectations en cours (proposées ou acceptées) par évaluateur."),
        bars=[(e.get_full_name(), open_count) for e, open_count, _done in workload],
        category_label=_("Évaluateur"),
        value_label=_("Affectations en cours"),
    )


def session_decisions(session):
    return (
        JuryDecision.objects.filter(session=session)
        .select_related("enrolment")
        .order_by("enrolment__candidate__last_name", "enrolment__candidate__first_name", "pk")
    )


def session_results_chart(session) -> charts.Chart | None:
    """Return the distribution of the session's totals, with the title's pass mark drawn."""
    decisions = list(session_decisions(session))
    if not decisions:
        return None
    title = session.title
    return charts.histogram(
        chart_id="repartition-resultats",
        title=_("Répartition des résultats"),
        description=_("Nombre de candidats par tranche de points sur %(total)s.")
        % {"total": title.total_points},
        values=[Decimal(d.computed["points_total"]) for d in decisions],
        start=0,
        stop=title.total_points,
        step=Decimal(title.total_points) / 10,
        threshold=title.pass_points,
        threshold_label=_("Seuil du titre"),
        count_label=_("Candidats"),
    )


def session_pass_rate_chart(session) -> charts.Chart | None:
    """Return, for each bloc, the share of the session's candidates who hold it."""
    decisions = list(session_decisions(session))
    if not decisions:
        return None
    bars = []
    for bloc in session.title.blocs.order_by("number"):
        held = sum(1 for d in decisions if str(bloc.number) in d.validated_blocs)
        bars.append((str(bloc), Decimal(held) * 100 / len(decisions)))
    return charts.bar_chart(
        chart_id="reussite-blocs",
        title=_("Taux de validation par bloc"),
        description=_("Part des candidats de la session qui détiennent chaque bloc."),
        bars=bars,
        category_label=_("Bloc"),
        value_label=_("Candidats ayant validé le bloc"),
        unit="%",
        max_value=100,
    )
