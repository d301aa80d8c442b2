"""A convocation as a calendar event: the same UID in the e-mail's attachment and in the
candidate's feed, so a calendar that has both shows one event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from audit import clock, ics
from audit.models import Notification
from rules import eligibility
from workflow.models import SessionCandidate


def convocation_path(session, enrolment) -> str:
    """Return the path of the candidate's convocation document."""
    return reverse("documents:convocation", args=[session.pk, enrolment.pk])


def convocation_event(session, enrolment, soutenance=None) -> ics.Event:
    """Return the event of ``enrolment``'s convocation to ``session``: the soutenance's slot
    when it is scheduled, else the whole day of the jury."""
    if soutenance is not None:
        start = soutenance.starts_at
        end = start + timedelta(minutes=soutenance.duration_minutes)
        summary = _("Soutenance devant le jury de certification (RNCP 36390)")
    else:
        start, end = session.date, None
        summary = _("Jury de certification (RNCP 36390)")
    url = f"{settings.PREUVES_SITE_URL}{convocation_path(session, enrolment)}"
    return ics.Event(
        uid=f"convocation-{session.pk}-{enrolment.pk}@preuves",
        summary=summary,
        start=start,
        end=end,
        location=session.place,
        description=_("Votre convocation : %(url)s\nMunissez-vous d'une pièce d'identité.")
        % {"url": url},
        url=url,
    )


def convocation_key(session, enrolment) -> str:
    """Return the key of ``enrolment``'s convocation e-mail to ``session`` (sent once)."""
    return f"convocation:{session.pk}:{enrolment.pk}"


def convocations_sent(session):
    """Return the convocation e-mails recorded for ``session`` (keyed by ``convocation_key``)."""
    return Notification.objects.filter(key__startswith=f"convocation:{session.pk}:")


def convocation_last_day(exam_date: date) -> date:
    """Return the last day a convocation to an épreuve or a jury on ``exam_date`` may be sent."""
    return eligibility.convocation(exam_date=exam_date, sent_on=clock.today()).key_date


@dataclass(frozen=True)
class ConvocationStatus:
    """Where the convocations to an épreuve or a jury stand: the last day to send them (one
    month before), how many candidates are still owed one, and whether that day has passed with
    some still owed (« non convoqué(s) à temps »)."""

    deadline: date
    owed: int
    late: bool

    @classmethod
    def of_counts(cls, *, exam_date: date, candidates: int, convoked: int) -> ConvocationStatus:
        deadline = convocation_last_day(exam_date)
        owed = max(candidates - convoked, 0)
        return cls(deadline=deadline, owed=owed, late=bool(owed) and clock.today() > deadline)


def session_convocation_status(session) -> ConvocationStatus:
    """Return where the convocations to the jury ``session`` stand (two counts)."""
    return ConvocationStatus.of_counts(
        exam_date=session.date,
        candidates=SessionCandidate.objects.filter(session=session).count(),
        convoked=convocations_sent(session).count(),
    )
