"""Admission and positionnement: the candidate's status, route and blocs, and exemptions.

The source opens the portfolio route to salaried candidates and job seekers, lets the title be
acquired bloc by bloc, and lets the positionnement exempt salaried candidates and job seekers
(``rules.admission``). Every change is one audited service call.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from accounts.models import Enrolment
from audit import clock
from audit.trail import audit_record
from portfolio.models import Portfolio
from rules import admission
from workflow.errors import WorkflowError
from workflow.models import Exemption


def enrolled_bloc_ids(enrolment: Enrolment) -> frozenset[int]:
    """Return the ids of the blocs the candidate sits (every bloc of the title by default)."""
    listed = frozenset(bloc.pk for bloc in enrolment.blocs.all())
    return listed or frozenset(enrolment.cohort.title.blocs.values_list("pk", flat=True))


def _snapshot(enrolment: Enrolment, bloc_numbers) -> dict:
    return {
        "status": enrolment.status,
        "route": enrolment.route,
        "blocs": sorted(str(n) for n in bloc_numbers),
    }


def enrolment_admission_set(*, actor, enrolment: Enrolment, status: str, route: str, blocs):
    """Record the candidate's status, route and blocs (none listed: the whole title).

    Refuse what the source does not allow, and a change that would drop a portfolio already
    holding evidence or handed in; an empty draft portfolio of a dropped bloc is deleted.
    """
    if not staff_may(actor, enrolment, Duty.MANAGE):
        raise WorkflowError(
            _("Seuls les responsables de l'établissement modifient l'admission d'un candidat.")
        )
    title_blocs = {bloc.pk: bloc for bloc in enrolment.cohort.title.blocs.all()}
    chosen = frozenset(bloc.pk for bloc in blocs)
    if chosen == frozenset(title_blocs):
        chosen = frozenset()  # every bloc listed: the whole title
    error = admission.admission_error(
        status=status,
        route=route,
        blocs=frozenset(str(pk) for pk in chosen),
        title_blocs=frozenset(str(pk) for pk in title_blocs),
    )
    if error == admission.ROUTE_NOT_OPEN:
        raise WorkflowError(
            _(
                "Le portefeuille de preuves est réservé aux candidats salariés ou demandeurs "
                "d'emploi : choisissez la voie des épreuves ou corrigez le statut."
            ),
            field_errors={"route": [_("Voie non ouverte à ce statut.")]},
        )
    if error == admission.UNKNOWN_BLOC:
        raise WorkflowError(_("Choisissez des blocs du titre de la promotion."))
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        before_ids = frozenset(enrolment.blocs.values_list("pk", flat=True)) or frozenset(
            title_blocs
        )
        after_ids = chosen or frozenset(title_blocs)
        before = _snapshot(enrolment, (title_blocs[pk].number for pk in before_ids))
        if route == Enrolment.Route.PORTEFEUILLE:
            _drop_draft_portfolios(actor, enrolment, set(title_blocs) - after_ids)
        elif enrolment.route == Enrolment.Route.PORTEFEUILLE:
            _drop_draft_portfolios(actor, enrolment, None)
        enrolment.status, enrolment.route = status, route
        enrolment.save(update_fields=["status", "route"])
        enrolment.blocs.set([title_blocs[pk] for pk in chosen])
        after = _snapshot(enrolment, (title_blocs[pk].number for pk in after_ids))
        if after != before:
            audit_record(
                actor=actor,
                action="enrolment.admission",
                obj=enrolment,
                candidate=enrolment.candidate,
                before=before,
                after=after,
            )
    return enrolment


def _drop_draft_portfolios(actor, enrolment: Enrolment, bloc_ids) -> None:
    """Delete the empty drafts of the blocs no longer sat by portfolio (``None``: every bloc,
    the route changes to the épreuves); refuse when one holds evidence or was handed in."""
    portfolios = Portfolio.objects.filter(enrolment=enrolment).select_related("bloc")
    if bloc_ids is not None:
        portfolios = portfolios.filter(bloc_id__in=bloc_ids)
    for portfolio in portfolios.order_by("bloc__number", "pk"):
        if portfolio.state != Portfolio.State.DRAFT or portfolio.items.exists():
            raise WorkflowError(
                _(
                    "Le portefeuille du bloc %(n)s contient déjà des preuves ou a été déposé : "
                    "ce bloc reste à présenter par portefeuille."
                )
                % {"n": portfolio.bloc.number}
            )
        audit_record(
            actor=actor,
            action="portfolio.drop",
            obj=portfolio,
            candidate=enrolment.candidate,
            before={"bloc": portfolio.bloc.number, "state": portfolio.state},
        )
        portfolio.delete()


def exemption_record(
    *, actor, enrolment: Enrolment, practice: bool, blocs, modules, reason: str
) -> Exemption:
    """Record an exemption decided at the positionnement: who, when, what and why."""
    if not staff_may(actor, enrolment, Duty.EVALUATION):
        raise WorkflowError(
            _("Seul le responsable du processus d'évaluation enregistre les dispenses.")
        )
    if not admission.may_be_exempted(enrolment.status):
        raise WorkflowError(
            _(
                "Seuls les candidats salariés ou demandeurs d'emploi peuvent être dispensés "
                "au positionnement : corrigez d'abord le statut du candidat."
            )
        )
    reason = reason.strip()
    if not reason:
        raise WorkflowError(
            _("Indiquez le motif ou l'équivalence qui justifie la dispense."),
            field_errors={"reason": [_("Ce champ est obligatoire.")]},
        )
    blocs, modules = list(blocs), list(modules)
    if not (practice or blocs or modules):
        raise WorkflowError(
            _(
                "Choisissez ce dont le candidat est dispensé : épreuve professionnelle, blocs "
                "ou modules."
            )
        )
    title_id = enrolment.cohort.title_id
    if any(b.title_id != title_id for b in blocs) or any(
        m.bloc.title_id != title_id for m in modules
    ):
        raise WorkflowError(_("Choisissez des blocs et des modules du titre de la promotion."))
    with transaction.atomic():
        exemption = Exemption.objects.create(
            enrolment=enrolment,
            practice=practice,
            reason=reason,
            decided_by=actor,
            decided_at=clock.now(),
        )
        exemption.blocs.set(blocs)
        exemption.modules.set(modules)
        audit_record(
            actor=actor,
            action="exemption.record",
            obj=exemption,
            candidate=enrolment.candidate,
            after={
                "practice": practice,
                "blocs": sorted(str(b.number) for b in blocs),
                "modules": sorted(m.code for m in modules),
                "reason": reason,
            },
        )
    return exemption


def exemption_remove(*, actor, exemption: Exemption, reason: str) -> None:
    """Withdraw an exemption recorded by mistake, with the reason (kept in the audit trail)."""
    if not staff_may(actor, exemption, Duty.EVALUATION):
        raise WorkflowError(_("Seul le responsable du processus d'évaluation retire une dispense."))
    reason = reason.strip()
    if not reason:
        raise WorkflowError(
            _("Indiquez pourquoi la dispense est retirée."),
            field_errors={"reason": [_("Ce champ est obligatoire.")]},
        )
    with transaction.atomic():
        exemption = Exemption.objects.select_for_update().get(pk=exemption.pk)
        audit_record(
            actor=actor,
            action="exemption.remove",
            obj=exemption,
            candidate=exemption.enrolment.candidate,
            before={
                "practice": exemption.practice,
                "blocs": sorted(str(b.number) for b in exemption.blocs.all()),
                "modules": sorted(m.code for m in exemption.modules.all()),
                "reason": exemption.reason,
            },
            reason=reason,
        )
        exemption.blocs.clear()
        exemption.modules.clear()
        exemption.delete()


def exemptions_of(enrolment: Enrolment) -> list[Exemption]:
    """Return the candidate's exemptions with what they cover (three queries)."""
    return list(
        Exemption.objects.filter(enrolment=enrolment)
        .select_related("decided_by")
        .prefetch_related("blocs", "modules")
        .order_by("decided_at", "pk")
    )
