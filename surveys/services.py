"""What changes a follow-up: its opening, the candidate's contact data and consent, answers.

Consent is asked, not presumed: a survey goes out only to a candidate who agreed. Withdrawing it
(at any time, signed in or from a survey's link) stops every e-mail at once and erases the free
text of the answers already given (job title, employer), which could identify the candidate;
their situation and the link of their job with the title stay, anonymous in the cohort's
figures, so that the response rates already reported do not change. Every change of consent and
every answer writes an audit line; the audit keeps no free text, so the erasure is complete.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from audit import clock
from audit.notifications import notify
from audit.trail import audit_record
from rules.eligibility import add_months, fr_date
from surveys import tokens
from surveys.models import WAVE_MONTHS, FollowUp, SurveyWave
from workflow.models import JuryDecision, JurySession

# The outcomes that open a follow-up: a certification, total or by blocs.
CERTIFIED = (JuryDecision.Outcome.TOTAL, JuryDecision.Outcome.PARTIAL)


class SurveyError(Exception):
    """A change refused for a reason the user can fix; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# --- Opening: at the publication of the results ---------------------------------------------


def wave_dates(certified_on: date, months: int) -> tuple[date, date]:
    """Return a wave's due date and the day its link closes (not included)."""
    due_on = add_months(certified_on, months)
    return due_on, due_on + timedelta(days=settings.PREUVES_SURVEY_OPEN_DAYS)


def follow_ups_open() -> int:
    """Open the follow-up of every certified candidate of a published session who has none;
    each is asked once to confirm their contact data and consent. Return how many opened."""
    decisions = (
        JuryDecision.objects.filter(
            session__state=JurySession.State.PUBLISHED,
            outcome__in=CERTIFIED,
            enrolment__survey_follow_up__isnull=True,
        )
        .select_related("session", "enrolment__candidate")
        .order_by("session__date", "pk")
    )
    opened, seen = 0, set()
    for decision in decisions.iterator(chunk_size=200):
        if decision.enrolment_id in seen:  # a retake's later decision: the first one counts
            continue
        seen.add(decision.enrolment_id)
        opened += follow_up_open(decision=decision) is not None
    return opened


def follow_up_open(*, decision: JuryDecision) -> FollowUp | None:
    """Open the follow-up of ``decision``'s candidate with its three waves; None if another run
    opened it meanwhile."""
    try:
        with transaction.atomic():
            follow_up = FollowUp.objects.create(
                enrolment=decision.enrolment,
                decision=decision,
                establishment_id=decision.session.establishment_id,
                certified_on=decision.session.date,
                created_at=clock.now(),
            )
            waves = []
            for months in WAVE_MONTHS:
                due_on, closes_on = wave_dates(follow_up.certified_on, months)
                nonce = tokens.nonce_new()
                waves.append(
                    SurveyWave(
                        follow_up=follow_up,
                        months=months,
                        due_on=due_on,
                        closes_on=closes_on,
                        nonce=nonce,
                        token_digest=tokens.token_digest(tokens.token_of(nonce)),
                    )
                )
            SurveyWave.objects.bulk_create(waves)
            candidate = decision.enrolment.candidate
            notify(
                key=f"surveys.confirm:{follow_up.pk}",
                recipient=candidate,
                template="survey_confirm",
                context={"candidate": str(candidate), "path": reverse("surveys:mine")},
            )
    except IntegrityError:
        return None
    return follow_up


# --- The candidate's contact data and consent -----------------------------------------------


def _consent_set(*, actor, follow_up: FollowUp, consent: str) -> None:
    if consent == follow_up.consent:
        return
    before = follow_up.consent
    follow_up.consent = consent
    follow_up.consent_changed_at = clock.now()
    follow_up.save(update_fields=["consent", "consent_changed_at"])
    if consent == FollowUp.Consent.REFUSED:
        follow_up.waves.filter(answered_at__isnull=False, anonymised_at__isnull=True).update(
            job_title="", employer="", anonymised_at=clock.now()
        )
    audit_record(
        actor=actor,
        action="survey.consent_give"
        if consent == FollowUp.Consent.GIVEN
        else "survey.consent_refuse",
        obj=follow_up,
        candidate=follow_up.enrolment.candidate,
        before={"consent": before},
        after={"consent": consent},
    )


def contact_confirm(*, actor: User, email: str, phone: str, consent: str) -> list[FollowUp]:
    """Record the candidate's confirmed (or corrected) e-mail and phone and their consent, for
    every follow-up they have; return them."""
    if consent not in (FollowUp.Consent.GIVEN, FollowUp.Consent.REFUSED):
        raise SurveyError(_("Indiquez si vous acceptez les enquêtes."), "consent")
    email = User.objects.normalize_email(email.strip()).lower()
    phone = phone.strip()
    with transaction.atomic():
        follow_ups = list(
            FollowUp.objects.select_for_update()
            .filter(enrolment__candidate=actor)
            .select_related("enrolment__candidate")
            .order_by("pk")
        )
        if not follow_ups:
            raise PermissionDenied
        user = User.objects.select_for_update().get(pk=actor.pk)
        if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
            raise SurveyError(
                _(
                    "Cette adresse e-mail est déjà celle d'un autre compte : indiquez une "
                    "adresse personnelle qui vous est propre."
                ),
                "email",
            )
        before = {"email": user.email, "phone": user.phone}
        user.email, user.phone = email, phone
        user.save(update_fields=["email", "phone"])
        now = clock.now()
        for follow_up in follow_ups:
            follow_up.confirmed_at = now
            follow_up.save(update_fields=["confirmed_at"])
            audit_record(
                actor=actor,
                action="survey.contact_confirm",
                obj=follow_up,
                candidate=user,
                before=before,
                after={"email": email, "phone": phone},
            )
            _consent_set(actor=actor, follow_up=follow_up, consent=consent)
    actor.email, actor.phone = email, phone
    return follow_ups


# --- A survey's personal link ---------------------------------------------------------------


def wave_by_token(token: str) -> SurveyWave | None:
    """Return the survey whose link carries ``token`` once it has been sent, else None."""
    return (
        SurveyWave.objects.select_related("follow_up__enrolment__candidate")
        .filter(token_digest=tokens.token_digest(token), messages_sent__gte=1)
        .first()
    )


def wave_open(wave: SurveyWave, *, on: date) -> bool:
    """Return whether ``wave`` takes answers on ``on``: sent, consent given, not yet closed."""
    return (
        wave.messages_sent >= 1
        and wave.follow_up.consent == FollowUp.Consent.GIVEN
        and wave.due_on <= on < wave.closes_on
    )


def survey_answer(
    *, wave: SurveyWave, status: str, job_title: str = "", employer: str = "", job_link: str = ""
) -> SurveyWave:
    """Record the candidate's answer (a second answer corrects the first while the link is
    open); the candidate is the actor, authenticated by the link."""
    employed = status == SurveyWave.Status.EMPLOYED
    job_title, employer = job_title.strip(), employer.strip()
    if status not in SurveyWave.Status.values:
        raise SurveyError(_("Indiquez votre situation actuelle."), "status")
    if employed and not job_title:
        raise SurveyError(_("Indiquez l'intitulé de votre poste."), "job_title")
    if employed and not employer:
        raise SurveyError(_("Indiquez le nom de votre employeur."), "employer")
    if employed and job_link not in SurveyWave.JobLink.values:
        raise SurveyError(_("Indiquez le lien entre votre emploi et le titre."), "job_link")
    with transaction.atomic():
        wave = (
            SurveyWave.objects.select_for_update(of=("self",))
            .select_related("follow_up__enrolment__candidate")
            .get(pk=wave.pk)
        )
        if not wave_open(wave, on=clock.today()):
            raise SurveyError(_("Cette enquête est close : votre réponse n'a pas été enregistrée."))
        before = {"status": wave.status, "job_link": wave.job_link} if wave.answered_at else None
        wave.status = status
        wave.job_title = job_title if employed else ""
        wave.employer = employer if employed else ""
        wave.job_link = job_link if employed else ""
        wave.answered_at = clock.now()
        wave.save()
        candidate = wave.follow_up.enrolment.candidate
        audit_record(
            actor=candidate,
            action="survey.answer",
            obj=wave,
            candidate=candidate,
            before=before,
            after={"months": wave.months, "status": wave.status, "job_link": wave.job_link},
        )
    return wave


def survey_withdraw(*, wave: SurveyWave) -> FollowUp:
    """Withdraw the consent of ``wave``'s candidate from its link: no more surveys."""
    with transaction.atomic():
        follow_up = (
            FollowUp.objects.select_for_update(of=("self",))
            .select_related("enrolment__candidate")
            .get(pk=wave.follow_up_id)
        )
        _consent_set(
            actor=follow_up.enrolment.candidate,
            follow_up=follow_up,
            consent=FollowUp.Consent.REFUSED,
        )
    return follow_up


def closes_text(wave: SurveyWave) -> str:
    """Return the last day the link answers, the French way."""
    return fr_date(wave.closes_on - timedelta(days=1))
