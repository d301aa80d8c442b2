"""The daily send: open the follow-ups of newly published results, send the surveys due and
their reminders (``manage.py surveys_send``, from cron or the worker).

Each survey counts the e-mails it has had (``messages_sent``: 1 the invitation, 2 and more the
reminders). A run works out from the dates how many it should have had by today, and under the
survey's row lock raises the count and records one e-mail keyed by the survey and that count: a
second run, simultaneous or not, finds the count reached (and the key taken), so no survey or
reminder is ever mailed twice. A run missed for a few days sends one e-mail, not the backlog.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from audit import clock
from audit.notifications import notify
from surveys.models import FollowUp, SurveyWave
from surveys.services import closes_text, follow_ups_open


def messages_due(*, due_on: date, on: date, reminder_days: list[int]) -> int:
    """Return how many e-mails a survey due on ``due_on`` should have had by ``on``: none
    before its date, the invitation on it, then one more on each reminder day."""
    if on < due_on:
        return 0
    return 1 + sum(1 for days in reminder_days if on >= due_on + timedelta(days=days))


@dataclass
class SendReport:
    opened: int = 0
    invitations: int = 0
    reminders: int = 0


def surveys_send(*, on: date | None = None) -> SendReport:
    """Open the new follow-ups, then send every survey and reminder due on ``on`` (today)."""
    on = on or clock.today()
    report = SendReport(opened=follow_ups_open())
    due = SurveyWave.objects.filter(
        follow_up__consent=FollowUp.Consent.GIVEN,
        answered_at__isnull=True,
        due_on__lte=on,
        closes_on__gt=on,
        messages_sent__lte=len(settings.PREUVES_SURVEY_REMINDER_DAYS),
    ).order_by("due_on", "pk")
    for pk in due.values_list("pk", flat=True).iterator(chunk_size=500):
        sent = wave_send(wave_pk=pk, on=on)
        if sent == INVITATION:
            report.invitations += 1
        elif sent == REMINDER:
            report.reminders += 1
    return report


INVITATION, REMINDER = "invitation", "reminder"


def wave_send(*, wave_pk: int, on: date) -> str:
    """Send the e-mail that survey ``wave_pk`` is due on ``on``, if any; return ``INVITATION``
    (the survey's first e-mail, however late), ``REMINDER``, or "" when nothing was due or it
    was already sent."""
    with transaction.atomic():
        wave = (
            SurveyWave.objects.select_for_update(of=("self",))
            .select_related("follow_up__enrolment__candidate")
            .filter(pk=wave_pk)
            .first()
        )
        if (
            wave is None
            or wave.answered_at is not None
            or wave.follow_up.consent != FollowUp.Consent.GIVEN
            or on >= wave.closes_on
        ):
            return ""
        due = messages_due(
            due_on=wave.due_on, on=on, reminder_days=settings.PREUVES_SURVEY_REMINDER_DAYS
        )
        if wave.messages_sent >= due:
            return ""
        reminder = wave.messages_sent > 0
        wave.messages_sent = due
        wave.last_sent_at = clock.now()
        wave.save(update_fields=["messages_sent", "last_sent_at"])
        candidate = wave.follow_up.enrolment.candidate
        notify(
            key=f"surveys.wave:{wave.pk}:{due}",
            recipient=candidate,
            template="survey_wave",
            context={
                "candidate": str(candidate),
                "wave": wave.pk,
                "months": wave.months,
                "reminder": reminder,
                "closes": closes_text(wave),
            },
        )
    return REMINDER if reminder else INVITATION
