"""Retakes (RULES.md §4): a non-validated bloc, once, within 5 years, as a new attempt.

The tutor's mark is kept (it belongs to the enrolment, not to the attempt) and validated blocs
are carried over by ``workflow.jury.results``. Every yes or no comes from ``rules.eligibility``.
"""

from datetime import date

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from accounts.models import Enrolment
from audit import clock
from audit.trail import audit_record
from portfolio.models import Portfolio
from rules import eligibility
from workflow.admission import enrolled_bloc_ids
from workflow.errors import WorkflowError
from workflow.jury.falsification import falsification_ban_check
from workflow.jury.results import earlier_decisions
from workflow.models import (
    BlocExamMark,
    JustifiedAbsenceRetake,
    Redoublement,
    RetakeRegistration,
)


def next_attempt(enrolment, bloc) -> int:
    """Return the number of the next attempt at ``bloc``: one past every attempt recorded."""
    attempts = [
        model.objects.filter(enrolment=enrolment, bloc=bloc).aggregate(m=Max("attempt"))["m"]
        for model in (Portfolio, BlocExamMark, RetakeRegistration, JustifiedAbsenceRetake)
    ]
    return max(a or 1 for a in attempts) + 1


def bloc_repeated(enrolment, bloc) -> bool:
    """Return whether the candidate repeated the year for ``bloc`` (its single retake), from
    the enrolment that repeated or from the new one."""
    number = str(bloc.number)
    for blocs in Redoublement.objects.filter(
        Q(previous=enrolment) | Q(enrolment=enrolment)
    ).values_list("repeated_blocs", flat=True):
        if number in blocs:
            return True
    return False


def retake_basis(enrolment, bloc):
    """Return the decision a retake of ``bloc`` follows, or None when there is no decision.

    After a fraud it is the last decision (the whole session is sat again). Otherwise it is the
    first decision, fraud aside, that did not validate the bloc: the 5 years to retake it count
    from that session, not from any later decision about other blocs.
    """
    decisions = list(earlier_decisions(enrolment))
    if not decisions:
        return None
    last = decisions[-1]
    if last.fraud:
        return last
    number = str(bloc.number)
    failed = (d for d in decisions if not d.fraud and number not in d.validated_blocs)
    return next(failed, last)


def bloc_retake_eligibility(*, enrolment, bloc, evaluation_date: date, on: date):
    """Return whether the candidate may register on ``on`` to retake ``bloc``, with the reason."""
    if bloc.pk not in enrolled_bloc_ids(enrolment):
        return eligibility.Eligibility(
            False,
            _("Ce candidat n'est pas inscrit au bloc %(n)s : il n'a pas de rattrapage à y passer.")
            % {"n": bloc.number},
            None,
        )
    basis = retake_basis(enrolment, bloc)
    if basis is None:
        return eligibility.Eligibility(
            False, _("Aucune décision de jury : il n'y a rien à repasser."), None
        )
    if basis.fraud:
        waiting = eligibility.fraud_retake(fraud_decision_date=basis.session.date, on=on)
        if not waiting:
            return waiting
        return eligibility.retake_registration(evaluation_date=evaluation_date, registered_on=on)
    number = str(bloc.number)
    validated = any(
        number in d.validated_blocs for d in earlier_decisions(enrolment) if not d.fraud
    )
    retakes_taken = RetakeRegistration.objects.filter(
        enrolment=enrolment, bloc=bloc, decision__fraud=False
    ).count() + int(bloc_repeated(enrolment, bloc))
    answer = eligibility.bloc_retake(
        failed_on=basis.session.date,
        on=on,
        bloc_validated=validated,
        retakes_taken=retakes_taken,
    )
    if not answer:
        return answer
    return eligibility.retake_registration(evaluation_date=evaluation_date, registered_on=on)


def bloc_retake_register(*, actor, enrolment, bloc, evaluation_date: date) -> RetakeRegistration:
    """Register a bloc retake as a new attempt (a new draft portfolio on the portfolio route)."""
    if not staff_may(actor, enrolment, Duty.CERTIFICATION):
        raise WorkflowError(
            _(
                "Seul le responsable du processus de certification de l'établissement enregistre "
                "un rattrapage."
            )
        )
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        on = clock.today()
        falsification_ban_check(enrolment.candidate, on=on)
        answer = bloc_retake_eligibility(
            enrolment=enrolment, bloc=bloc, evaluation_date=evaluation_date, on=on
        )
        if not answer:
            raise WorkflowError(answer.reason)
        attempt = next_attempt(enrolment, bloc)
        registration = RetakeRegistration.objects.create(
            enrolment=enrolment,
            bloc=bloc,
            attempt=attempt,
            decision=retake_basis(enrolment, bloc),
            evaluation_date=evaluation_date,
            registered_on=on,
            registered_by=actor,
        )
        portfolio = None
        if enrolment.route == Enrolment.Route.PORTEFEUILLE:
            # The retake's own window: from today to its evaluation (not the cohort's window).
            portfolio = Portfolio.objects.create(
                enrolment=enrolment,
                bloc=bloc,
                attempt=attempt,
                retake_registered_on=on,
                retake_evaluation_date=evaluation_date,
            )
        audit_record(
            actor=actor,
            action="retake.register",
            obj=registration,
            candidate=enrolment.candidate,
            after={
                "bloc": bloc.number,
                "attempt": attempt,
                "evaluation_date": evaluation_date.isoformat(),
                "portfolio": portfolio.pk if portfolio else None,
            },
            reason=answer.reason,
        )
    return registration
