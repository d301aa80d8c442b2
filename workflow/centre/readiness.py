"""Which candidates can join a jury session now: the session's own checks, read without acting.

``candidate_readiness`` and ``candidate_window_problems`` are the very functions that
``jury_candidate_add`` runs before it refuses « Dossier incomplet » or asks for a derogation, so
this list and the service can never disagree. The bulk addition then runs the service per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from accounts.access import Duty, staff_scope
from accounts.models import Enrolment
from accounts.selection import Refusal, in_scope
from workflow.errors import WorkflowError
from workflow.jury import sessions as jury_sessions
from workflow.models import JurySession


@dataclass
class Readiness:
    """One candidate against one session: what is missing, and whether the date is outside
    their period (they then join only one by one, with a derogation)."""

    enrolment: Enrolment
    missing: list[str]
    outside: list[str]

    @property
    def ready(self) -> bool:
        return not self.missing and not self.outside


@dataclass
class Report:
    done: list[str] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)


def session_candidates(session):
    """Return the enrolments that may be put before ``session``: its title, its establishment,
    not on it yet (the choices of the session page's own form)."""
    return (
        Enrolment.objects.filter(
            cohort__title_id=session.title_id, cohort__establishment_id=session.establishment_id
        )
        .exclude(jury_entries__session=session)
        .select_related("candidate", "cohort__title")
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )


def readiness(enrolment, session) -> Readiness:
    return Readiness(
        enrolment,
        jury_sessions.candidate_readiness(enrolment),
        jury_sessions.candidate_window_problems(enrolment, session),
    )


def _label(enrolment) -> str:
    return f"{enrolment.candidate.get_full_name()} ({enrolment.cohort.name})"


def _refusal(item: Readiness) -> Refusal | None:
    if item.missing:
        return Refusal(_label(item.enrolment), _("Dossier incomplet : %s") % " ".join(item.missing))
    if item.outside:
        return Refusal(
            _label(item.enrolment),
            _(
                "Hors de sa période de présentation (%(why)s) : inscrivez ce candidat depuis la "
                "page de la session, avec le motif de la dérogation."
            )
            % {"why": " ".join(item.outside)},
        )
    return None


def add_plan(user, session, ids) -> tuple[list[Readiness], list[Refusal]]:
    """Return the selected candidates ready for ``session`` and the refusals of the others."""
    scope = staff_scope(session_candidates(session), user, Duty.CERTIFICATION)
    rows, refusals = in_scope(scope, ids)
    ready = []
    for enrolment in rows:
        item = readiness(enrolment, session)
        refusal = _refusal(item)
        if refusal:
            refusals.append(refusal)
        else:
            ready.append(item)
    return ready, refusals


def add_run(*, actor, session: JurySession, ids) -> Report:
    """Put each selected candidate before ``session`` through ``jury_candidate_add``, each in its
    own transaction: a candidate refused on the way leaves the others on the session."""
    ready, refusals = add_plan(actor, session, ids)
    report = Report(refusals=refusals)
    for item in ready:
        try:
            jury_sessions.jury_candidate_add(actor=actor, session=session, enrolment=item.enrolment)
        except WorkflowError as error:
            report.refusals.append(Refusal(_label(item.enrolment), error.message))
        else:
            report.done.append(_label(item.enrolment))
    return report
