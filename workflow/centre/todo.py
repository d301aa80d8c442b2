"""What each role has to do, counted for its home page, each count linking to the list filtered
to exactly those rows.

Every count is one aggregate over the same condition as the filter it links to (the list's own
FilterSet or queue filter), so the number on the home page is the number of rows the link shows;
a role's counts take one query per kind of row, whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.access import Duty, is_centre_staff, staff_may_any, staff_scope
from accounts.models import Role
from audit.clock import today
from portfolio.models import Memoire, Portfolio
from workflow.centre.filters import UPCOMING
from workflow.evaluation import selectors
from workflow.evaluation.filters import OVERDUE, TO_ASSIGN
from workflow.jury import views as jury_views
from workflow.models import Assignment, JurySession


@dataclass(frozen=True)
class Todo:
    label: str
    count: int
    url: str


def _url(name: str, **query) -> str:
    return reverse(name) + ("?" + urlencode(query) if query else "")


def staff_todo(user) -> list[Todo]:
    """Return the centre's work: files to screen, to assign, overdue, sessions to come."""
    portfolios = staff_scope(Portfolio.objects.filter(is_active=True), user).aggregate(
        to_screen=Count("pk", filter=Q(state=Portfolio.State.SUBMITTED)),
        to_assign=Count("pk", filter=selectors.needs_evaluator_q(Portfolio)),
        overdue=Count("pk", filter=selectors.overdue_q(Portfolio)),
    )
    memoires = staff_scope(Memoire.objects.filter(is_active=True), user).aggregate(
        to_assign=Count("pk", filter=selectors.needs_evaluator_q(Memoire)),
        overdue=Count("pk", filter=selectors.overdue_q(Memoire)),
    )
    upcoming = staff_scope(JurySession.objects.filter(date__gte=today()), user).count()
    files = "workflow:staff-portfolios"
    return [
        Todo(_("Portefeuilles à examiner (recevabilité)"), portfolios["to_screen"],
             _url(files, etat=Portfolio.State.SUBMITTED)),
        Todo(_("Portefeuilles à affecter"), portfolios["to_assign"],
             _url(files, etat="", a_faire=TO_ASSIGN)),
        Todo(_("Portefeuilles dont l'évaluation est en retard"), portfolios["overdue"],
             _url(files, etat="", a_faire=OVERDUE)),
        Todo(_("Mémoires à affecter"), memoires["to_assign"],
             _url("workflow:staff-memoires", a_faire=TO_ASSIGN)),
        Todo(_("Mémoires dont l'évaluation est en retard"), memoires["overdue"],
             _url("workflow:staff-memoires", a_faire=OVERDUE)),
        Todo(_("Sessions de jury à venir"), upcoming,
             _url("jury:staff_sessions", quand=UPCOMING)),
    ]  # fmt: skip


def evaluator_todo(user) -> list[Todo]:
    """Return the evaluator's work: files to accept or decline, to score, due soon."""
    own = Assignment.objects.filter(evaluator=user)
    filters = selectors.QUEUE_FILTERS
    counts = own.aggregate(
        to_answer=Count("pk", filter=filters["a_accepter"]),
        to_score=Count("pk", filter=filters["en_cours"]),
        due_soon=Count(
            "pk", filter=filters["echeance_proche"] & Q(due_date__lte=selectors.due_soon_limit())
        ),
    )
    queue = "workflow:queue"
    return [
        Todo(_("Dossiers à accepter ou décliner"), counts["to_answer"],
             _url(queue, filtre="a_accepter")),
        Todo(_("Grilles à noter"), counts["to_score"], _url(queue, filtre="en_cours")),
        Todo(_("Échéances proches"), counts["due_soon"], _url(queue, filtre="echeance_proche")),
    ]  # fmt: skip


def jury_todo(user) -> list[Todo]:
    """Return the jury member's sessions to come."""
    upcoming = jury_views.member_sessions(user, upcoming=True).count()
    return [
        Todo(_("Sessions de jury à venir"), upcoming,
             _url("jury:jury_home", quand=jury_views.UPCOMING)),
    ]  # fmt: skip


def todo_for(user, role: str) -> list[Todo]:
    """Return ``role``'s work to do for ``user`` (empty for a role without counts here)."""
    if role == Role.EVALUATEUR:
        return evaluator_todo(user)
    if role == Role.JURY:
        return jury_todo(user)
    if role in (Role.RESPONSABLE_EVALUATION, Role.ADMINISTRATEUR) and is_centre_staff(user):
        return staff_todo(user)
    if role in (Role.RESPONSABLE_CERTIFICATION, Role.AUDITEUR) and not staff_may_any(
        user, Duty.EVALUATION
    ):
        # Shown once for a person holding both responsables' roles (under the evaluation one).
        return staff_todo(user)
    return []
