"""Repeating the year (redoublement, RULES.md §4): the candidate follows again, in a later
cohort of the same title, the modules of the blocs not validated and sits all their module
and bloc evaluations again.

**Model**: a new ``Enrolment`` in the later cohort (its own CC marks, épreuves, portfolios —
new attempts in every sense) linked to the previous one by a ``Redoublement`` record, which
keeps the blocs repeated and those carried over. The results read the previous enrolment's
decisions as earlier decisions, so a validated bloc is carried over and never re-evaluated.
After a fraud every bloc is repeated and nothing is carried.
"""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from accounts.models import Enrolment
from audit import clock
from audit.trail import audit_record
from portfolio.models import Memoire, Portfolio
from rules import eligibility
from rules.engine import bloc_sort_key
from workflow.errors import WorkflowError, refuse_future_date
from workflow.jury.falsification import falsification_ban_check
from workflow.jury.results import earlier_decisions
from workflow.jury.retakes import retake_basis
from workflow.jury.second_chances import practice_validated
from workflow.models import Redoublement, RetakeRegistration


def _plan(enrolment):
    """Return (basis decision, repeated bloc numbers, carried bloc numbers)."""
    decisions = list(earlier_decisions(enrolment))
    if not decisions:
        return None, [], []
    basis = decisions[-1]
    numbers = [str(b.number) for b in enrolment.cohort.title.blocs.order_by("number")]
    if basis.fraud:
        return basis, numbers, []
    validated = {str(n) for d in decisions if not d.fraud for n in d.validated_blocs}
    carried = sorted(validated & set(numbers), key=bloc_sort_key)
    return basis, [n for n in numbers if n not in validated], carried


def redoublement_eligibility(*, enrolment, cohort, request_date: date) -> eligibility.Eligibility:
    """Return whether ``enrolment``'s candidate may repeat the year in ``cohort``."""
    if cohort.title_id != enrolment.cohort.title_id or cohort.pk == enrolment.cohort_id:
        return eligibility.Eligibility(
            False, _("Choisissez une autre promotion du même titre."), None
        )
    if Redoublement.objects.filter(previous=enrolment).exists():
        return eligibility.Eligibility(
            False, _("Ce candidat a déjà demandé un redoublement pour cette inscription."), None
        )
    if Enrolment.objects.filter(candidate=enrolment.candidate_id, cohort=cohort).exists():
        return eligibility.Eligibility(
            False, _("Ce candidat est déjà inscrit dans la promotion %(c)s.") % {"c": cohort}, None
        )
    basis, repeated, _carried = _plan(enrolment)
    if basis is None:
        return eligibility.Eligibility(
            False, _("Aucune décision de jury : il n'y a rien à repasser."), None
        )
    if not repeated:
        return eligibility.Eligibility(
            False, _("Tous les blocs sont validés : il n'y a pas de redoublement."), None
        )
    failed_on = basis.session.date
    if not basis.fraud:
        blocs = {str(b.number): b for b in enrolment.cohort.title.blocs.all()}
        retaken = set(
            RetakeRegistration.objects.filter(enrolment=enrolment, decision__fraud=False)
            .values_list("bloc__number", flat=True)
            .distinct()
        )
        already = [n for n in repeated if int(n) in retaken]
        if already:
            return eligibility.Eligibility(
                False,
                _(
                    "Bloc(s) %(blocs)s déjà repassé(s) en rattrapage : un seul rattrapage est "
                    "permis par bloc."
                )
                % {"blocs": ", ".join(already)},
                None,
            )
        failed_on = min(retake_basis(enrolment, blocs[n]).session.date for n in repeated)
    return eligibility.redoublement(
        failed_on=failed_on,
        request_date=request_date,
        training_start=cohort.training_start,
        fraud=basis.fraud,
    )


def redoublement_register(*, actor, enrolment, cohort, request_date: date) -> Redoublement:
    """Enrol the candidate in ``cohort`` to follow again the blocs not validated."""
    if not (
        staff_may(actor, enrolment, Duty.CERTIFICATION)
        and staff_may(actor, cohort, Duty.CERTIFICATION)
    ):
        raise WorkflowError(
            _(
                "Seul le responsable du processus de certification de l'établissement enregistre "
                "un redoublement, dans une promotion de son établissement."
            )
        )
    today = clock.today()
    refuse_future_date(request_date, field="request_date", today=today)
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        falsification_ban_check(enrolment.candidate, on=today)
        answer = redoublement_eligibility(
            enrolment=enrolment, cohort=cohort, request_date=request_date
        )
        if not answer:
            raise WorkflowError(answer.reason)
        basis, repeated, carried = _plan(enrolment)
        new = Enrolment.objects.create(
            candidate=enrolment.candidate,
            cohort=cohort,
            route=enrolment.route,
            company=enrolment.company,
            tutor=enrolment.tutor,
        )
        redoublement = Redoublement.objects.create(
            previous=enrolment,
            enrolment=new,
            decision=basis,
            repeated_blocs=repeated,
            carried_blocs=carried,
            request_date=request_date,
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        if new.route == Enrolment.Route.PORTEFEUILLE:
            for bloc in cohort.title.blocs.filter(number__in=[int(n) for n in repeated]):
                Portfolio.objects.create(enrolment=new, bloc=bloc)
        if basis.fraud or not practice_validated(basis):
            # The practice is presented again too; a validated one is carried with its marks.
            Memoire.objects.create(enrolment=new, subject="")
        audit_record(
            actor=actor,
            action="redoublement.register",
            obj=redoublement,
            candidate=enrolment.candidate,
            after={
                "cohort": cohort.pk,
                "enrolment": new.pk,
                "repeated_blocs": repeated,
                "carried_blocs": carried,
                "request_date": request_date.isoformat(),
            },
            reason=answer.reason,
        )
    return redoublement
