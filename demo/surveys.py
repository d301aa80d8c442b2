"""The demo's placement surveys, each event at its date through the real services.

The certified of the two published Lyon seasons get their follow-up the day after publication
and confirm their contact data within days (one refuses the surveys). The season before last
was certified about 13 months ago: its six-month survey went out, was reminded and answered;
its twelve-month survey went out about a month ago, two have answered and one link is still
open, so the staff's figures show real response rates.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from accounts.models import Cohort
from audit import clock
from demo.season import _at, _moment
from surveys.models import FollowUp, SurveyWave
from surveys.sending import wave_send
from surveys.services import contact_confirm, follow_up_open, survey_answer
from workflow.models import JurySession

# What each certified of the season before last answers, per wave (None: no answer), and the
# day they answer, counted from the wave's date.
ANSWERS = {
    6: [
        (2, {"status": "job_seeker"}),
        (
            9,
            {
                "status": "employed",
                "job_title": "Assistante de gestion",
                "employer": "Transports Rhodaniens",
                "job_link": "target",
            },
        ),
        None,
    ],
    12: [
        (
            1,
            {
                "status": "employed",
                "job_title": "Office manager",
                "employer": "Imprimerie des Canuts",
                "job_link": "target",
            },
        ),
        (
            4,
            {
                "status": "employed",
                "job_title": "Assistant administratif et commercial",
                "employer": "Lumière Événements",
                "job_link": "related",
            },
        ),
        None,
    ],
}


def _published(cohort: Cohort) -> JurySession | None:
    return (
        JurySession.objects.filter(
            state=JurySession.State.PUBLISHED, decisions__enrolment__cohort=cohort
        )
        .distinct()
        .first()
    )


def _follow_ups(session: JurySession, *, one_refuses: bool) -> list[FollowUp]:
    """Open the follow-ups of ``session``'s certified the day after publication; each confirms
    their contact data two days later (the last one refuses the surveys if ``one_refuses``)."""
    opened = timezone.localdate(session.published_at) + timedelta(days=1)
    with _at(_moment(opened, 8)):
        for decision in session.decisions.select_related("session", "enrolment__candidate"):
            if decision.outcome in ("total", "partial"):
                follow_up_open(decision=decision)
    follow_ups = list(
        FollowUp.objects.filter(decision__session=session)
        .select_related("enrolment__candidate")
        .order_by("pk")
    )
    with _at(_moment(opened + timedelta(days=2), 10)):
        for index, follow_up in enumerate(follow_ups):
            candidate = follow_up.enrolment.candidate
            contact_confirm(
                actor=candidate,
                email=candidate.email,
                phone=f"06 12 34 56 {10 + index}",
                consent="refused" if one_refuses and index == len(follow_ups) - 1 else "given",
            )
    return list(FollowUp.objects.filter(pk__in=[f.pk for f in follow_ups]).order_by("pk"))


def _wave_played(wave: SurveyWave, answer) -> None:
    """Send ``wave`` and its reminders at their dates up to today, and its answer if any."""
    today = clock.today()
    answer_day = wave.due_on + timedelta(days=answer[0]) if answer else None
    reminders = settings.PREUVES_SURVEY_REMINDER_DAYS
    days = [wave.due_on, *(wave.due_on + timedelta(days=d) for d in reminders)]
    for day in days:
        if day > today or (answer_day and answer_day < day):
            break
        with _at(_moment(day, 7)):
            wave_send(wave_pk=wave.pk, on=day)
    if answer_day and answer_day <= today:
        with _at(_moment(answer_day, 19)):
            wave.refresh_from_db()
            survey_answer(wave=wave, **answer[1])


def surveys_demo(*, older: Cohort, previous: Cohort) -> None:
    """Give both past seasons their follow-ups, and the older one its answered surveys."""
    sessions = [_published(cohort) for cohort in (older, previous)]
    if None in sessions or FollowUp.objects.filter(decision__session__in=sessions).exists():
        return
    older_session, previous_session = sessions
    follow_ups = _follow_ups(older_session, one_refuses=False)
    _follow_ups(previous_session, one_refuses=True)
    consenting = [f for f in follow_ups if f.consent == FollowUp.Consent.GIVEN]
    for months, answers in ANSWERS.items():
        for follow_up, answer in zip(consenting, answers, strict=False):
            _wave_played(follow_up.waves.get(months=months), answer)
