"""Second chances besides the bloc retake (RULES.md §4): the retake offered after a justified
absence, and the professional practice retaken after experience. Every yes or no comes from
``rules.eligibility``; every registration is refused during a falsification ban."""

from datetime import date

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from accounts.models import Enrolment
from audit import clock
from audit.trail import audit_record
from portfolio.models import Memoire
from rules import eligibility
from workflow.errors import WorkflowError, refuse_future_date
from workflow.jury.falsification import falsification_ban_check
from workflow.jury.results import current_exam_mark, earlier_decisions
from workflow.jury.retakes import next_attempt
from workflow.models import JuryDecision, JustifiedAbsenceRetake, PracticeRetake


def _require_certification(actor, enrolment, what: str) -> None:
    if not staff_may(actor, enrolment, Duty.CERTIFICATION):
        raise WorkflowError(
            _(
                "Seul le responsable du processus de certification de l'établissement enregistre "
                "%(what)s."
            )
            % {"what": what}
        )


# --- Retake after a justified absence -------------------------------------------------------


def absence_retake_eligibility(
    *, enrolment, bloc, request_date: date, retake_date: date
) -> eligibility.Eligibility:
    """Return whether a retake on ``retake_date`` may be offered for an absence from ``bloc``."""
    mark = current_exam_mark(enrolment, bloc)
    if mark is None or mark.presented:
        return eligibility.Eligibility(
            False,
            _(
                "Le candidat n'est pas noté absent aux épreuves du bloc %(n)s : enregistrez "
                "d'abord sa note d'épreuves « non présenté »."
            )
            % {"n": bloc.number},
            None,
        )
    if JustifiedAbsenceRetake.objects.filter(
        enrolment=enrolment, bloc=bloc, attempt__gt=mark.attempt
    ).exists():
        return eligibility.Eligibility(
            False,
            _("Un rattrapage est déjà prévu pour cette absence au bloc %(n)s.")
            % {"n": bloc.number},
            None,
        )
    return eligibility.justified_absence_retake(request_date=request_date, retake_date=retake_date)


def absence_retake_register(
    *,
    actor,
    enrolment,
    bloc,
    justification: str,
    justification_date: date,
    request_date: date,
    retake_date: date,
) -> JustifiedAbsenceRetake:
    """Offer a retake after a justified absence from a bloc's épreuves, within 6 months of the
    candidate's written request; it is a new attempt that leaves the bloc's retake unused."""
    _require_certification(actor, enrolment, _("un rattrapage pour absence justifiée"))
    if justification not in JustifiedAbsenceRetake.Justification.values:
        raise WorkflowError(
            _(
                "Le motif doit être un certificat médical, un arrêt de travail ou un cas de "
                "force majeure justifié."
            ),
            field_errors={"justification": [_("Choisissez le justificatif.")]},
        )
    today = clock.today()
    refuse_future_date(request_date, field="request_date", today=today)
    if justification_date > request_date:
        raise WorkflowError(
            _("Le justificatif (%(j)s) doit dater d'avant la demande écrite (%(r)s).")
            % {
                "j": eligibility.fr_date(justification_date),
                "r": eligibility.fr_date(request_date),
            },
            field_errors={"justification_date": [_("Après la demande.")]},
        )
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        falsification_ban_check(enrolment.candidate, on=today)
        answer = absence_retake_eligibility(
            enrolment=enrolment, bloc=bloc, request_date=request_date, retake_date=retake_date
        )
        if not answer:
            raise WorkflowError(answer.reason, field_errors={"retake_date": [answer.reason]})
        retake = JustifiedAbsenceRetake.objects.create(
            enrolment=enrolment,
            bloc=bloc,
            attempt=next_attempt(enrolment, bloc),
            justification=justification,
            justification_date=justification_date,
            request_date=request_date,
            retake_date=retake_date,
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="absence_retake.register",
            obj=retake,
            candidate=enrolment.candidate,
            after={
                "bloc": bloc.number,
                "attempt": retake.attempt,
                "justification": justification,
                "justification_date": justification_date.isoformat(),
                "request_date": request_date.isoformat(),
                "retake_date": retake_date.isoformat(),
            },
            reason=answer.reason,
        )
    return retake


# --- Professional practice retaken after experience ------------------------------------------


def practice_basis(enrolment) -> JuryDecision | None:
    """Return the last decision, fraud aside, when it did not validate the practice."""
    decisions = [d for d in earlier_decisions(enrolment) if not d.fraud]
    if not decisions:
        return None
    return decisions[-1]


def practice_validated(decision) -> bool:
    """Return whether ``decision`` validated the professional practice."""
    return decision.outcome == JuryDecision.Outcome.TOTAL or bool(
        (decision.computed or {}).get("practice", {}).get("passed")
    )


def practice_retake_eligibility(
    *, enrolment, experience_start: date, experience_end: date, on: date
) -> eligibility.Eligibility:
    """Return whether the practice may be retaken on ``on`` with the proven experience."""
    basis = practice_basis(enrolment)
    if basis is None:
        return eligibility.Eligibility(
            False, _("Aucune décision de jury : il n'y a rien à reprendre."), None
        )
    if PracticeRetake.objects.filter(enrolment=enrolment, decision=basis).exists():
        return eligibility.Eligibility(
            False,
            _("Une reprise de la pratique professionnelle est déjà enregistrée après ce jury."),
            None,
        )
    proven_until = eligibility.add_months(
        experience_start, eligibility.PRACTICE_RETAKE_EXPERIENCE_MONTHS
    )
    if experience_end < proven_until:
        return eligibility.Eligibility(
            False,
            _(
                "L'expérience justifiée du %(start)s au %(end)s fait moins de 3 mois : le "
                "justificatif doit couvrir au moins jusqu'au %(until)s."
            )
            % {
                "start": eligibility.fr_date(experience_start),
                "end": eligibility.fr_date(experience_end),
                "until": eligibility.fr_date(proven_until),
            },
            proven_until,
        )
    return eligibility.practice_retake(
        decision_date=basis.session.date,
        on=on,
        experience_start=experience_start,
        practice_validated=practice_validated(basis),
    )


def practice_retake_register(
    *, actor, enrolment, experience_start: date, experience_end: date, experience_proof: str
) -> PracticeRetake:
    """Register the practice retake: a new mémoire attempt on a professional problem, the
    experience's proof and dates recorded."""
    _require_certification(actor, enrolment, _("une reprise de la pratique professionnelle"))
    proof = " ".join((experience_proof or "").split())
    if not proof:
        raise WorkflowError(
            _("Indiquez le justificatif de l'expérience (attestation d'employeur, contrat…)."),
            field_errors={"experience_proof": [_("Obligatoire.")]},
        )
    today = clock.today()
    refuse_future_date(experience_end, field="experience_end", today=today)
    if experience_start >= experience_end:
        raise WorkflowError(
            _("Le début de l'expérience doit précéder sa fin."),
            field_errors={"experience_start": [_("Après la fin.")]},
        )
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        falsification_ban_check(enrolment.candidate, on=today)
        answer = practice_retake_eligibility(
            enrolment=enrolment,
            experience_start=experience_start,
            experience_end=experience_end,
            on=today,
        )
        if not answer:
            raise WorkflowError(answer.reason)
        retake = PracticeRetake.objects.create(
            enrolment=enrolment,
            decision=practice_basis(enrolment),
            experience_start=experience_start,
            experience_end=experience_end,
            experience_proof=proof,
            registered_on=today,
            recorded_by=actor,
            recorded_at=clock.now(),
        )
        attempt = (
            Memoire.objects.filter(enrolment=enrolment).aggregate(m=Max("attempt"))["m"] or 0
        ) + 1
        memoire = Memoire.objects.create(enrolment=enrolment, attempt=attempt, subject="")
        audit_record(
            actor=actor,
            action="practice_retake.register",
            obj=retake,
            candidate=enrolment.candidate,
            after={
                "experience_start": experience_start.isoformat(),
                "experience_end": experience_end.isoformat(),
                "memoire": memoire.pk,
                "attempt": attempt,
            },
            reason=answer.reason,
        )
    return retake
