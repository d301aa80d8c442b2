"""Soutenances: the schedule, extra time, and the jury's marking on the national grid."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import clock
from audit.trail import audit_record
from portfolio.models import Memoire
from referentiel.models import Grid
from referentiel.services import grid_version_freeze
from rules import eligibility
from workflow.errors import WorkflowError
from workflow.grids import grid_points
from workflow.jury.access import is_voting_member
from workflow.jury.accommodations import has_extra_time
from workflow.jury.results import (
    current_memoire,
)
from workflow.jury.sessions import require_certification, session_lock, session_require_state
from workflow.models import (
    JurySession,
    Soutenance,
    SoutenanceScore,
)


def soutenance_grid_version(title):
    grid = Grid.objects.get(title=title, kind=Grid.Kind.SOUTENANCE, bloc=None, epreuve=None)
    return grid.current_version()


def soutenance_schedule(
    *, actor, session, enrolment, starts_at: datetime, base_minutes: int
) -> Soutenance:
    """Give the candidate a soutenance slot; extra time is added when it is granted."""
    require_certification(actor, session)
    if base_minutes <= 0:
        raise WorkflowError(_("La durée de la soutenance doit être positive."))
    with transaction.atomic():
        session = session_lock(session)
        session_require_state(session, JurySession.State.PLANNED, JurySession.State.COMPOSED)
        if not session.candidates.filter(enrolment=enrolment).exists():
            raise WorkflowError(_("Ce candidat n'est pas inscrit à cette session."))
        if timezone.localdate(starts_at) != session.date:
            raise WorkflowError(_("La soutenance a lieu le jour de la session."))
        memoire = current_memoire(enrolment)
        if memoire is None:
            raise WorkflowError(_("Ce candidat n'a pas de mémoire."))
        memoire = Memoire.objects.select_for_update().get(pk=memoire.pk)
        if memoire.state != Memoire.State.WRITTEN_MARKED:
            raise WorkflowError(
                _("Mémoire « %(s)s » : seule un mémoire dont l'écrit est noté se programme.")
                % {"s": memoire.get_state_display()}
            )
        duration = eligibility.accommodated_minutes(
            base_minutes, extra_time=has_extra_time(enrolment)
        )
        memoire.schedule_soutenance()
        memoire.save()
        soutenance = Soutenance.objects.create(
            session=session,
            memoire=memoire,
            starts_at=starts_at,
            base_minutes=base_minutes,
            duration_minutes=duration,
            grid_version=grid_version_freeze(version=soutenance_grid_version(session.title)),
        )
        audit_record(
            actor=actor,
            action="soutenance.schedule",
            obj=memoire,
            candidate=enrolment.candidate,
            before={"state": Memoire.State.WRITTEN_MARKED},
            after={
                "state": memoire.state,
                "starts_at": starts_at.isoformat(),
                "duration_minutes": duration,
            },
        )
    return soutenance


def soutenance_mark(
    *, actor, soutenance, points: dict | None = None, comment: str = "", presented: bool = True
) -> Soutenance:
    """Record the jury's soutenance mark on the national grid (/75), or the candidate's absence."""
    with transaction.atomic():
        session = session_lock(soutenance.session)
        if not is_voting_member(actor, session):
            raise WorkflowError(_("Seuls les membres votants de ce jury notent la soutenance."))
        session_require_state(session, JurySession.State.COMPOSED, JurySession.State.DELIBERATING)
        soutenance = Soutenance.objects.select_for_update().get(pk=soutenance.pk)
        memoire = Memoire.objects.select_for_update().get(pk=soutenance.memoire_id)
        if soutenance.marked_at is not None:
            raise WorkflowError(_("Cette soutenance est déjà notée."))
        if memoire.state != Memoire.State.SOUTENANCE_SCHEDULED:
            raise WorkflowError(_("Ce mémoire n'est pas en attente de soutenance."))
        if clock.now() < soutenance.starts_at:
            raise WorkflowError(
                _(
                    "La soutenance commence le %(day)s à %(time)s : elle ne peut être notée, "
                    "ni le candidat déclaré absent, qu'à partir de cette heure-là."
                )
                % {
                    "day": timezone.localtime(soutenance.starts_at).strftime("%d/%m/%Y"),
                    "time": timezone.localtime(soutenance.starts_at).strftime("%H h %M"),
                }
            )
        if presented:
            parsed = grid_points(soutenance.grid_version, points or {}, complete=True)
            for criterion_id, value in parsed.items():
                SoutenanceScore.objects.create(
                    soutenance=soutenance, criterion_id=criterion_id, points=value
                )
            soutenance.total = sum(parsed.values(), Decimal(0))
            memoire.mark_soutenance()
            memoire.save()
        soutenance.presented = presented
        soutenance.comment = comment
        soutenance.marked_by, soutenance.marked_at = actor, clock.now()
        soutenance.save()
        audit_record(
            actor=actor,
            action="soutenance.mark",
            obj=memoire,
            candidate=memoire.enrolment.candidate,
            before={"state": Memoire.State.SOUTENANCE_SCHEDULED},
            after={
                "state": memoire.state,
                "presented": presented,
                "total": None if soutenance.total is None else str(soutenance.total),
            },
        )
    return soutenance
