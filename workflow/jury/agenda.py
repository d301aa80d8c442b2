"""A convocation as a calendar event: the same UID in the e-mail's attachment and in the
candidate's feed, so a calendar that has both shows one event."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from audit import ics


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
