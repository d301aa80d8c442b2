"""Builders of the second-chance tests: a decided session, the clock on a given day."""

from datetime import date, datetime

from django.utils import timezone

from accounts.models import Enrolment
from audit import clock
from tests.factories import EnrolmentFactory, JuryDecisionFactory, JurySessionFactory, StaffFactory

# The failed session: hand-computed dates below count from it.
FAILED_ON = date(2027, 3, 15)


def at(monkeypatch, day: date) -> None:
    """Put the application's clock at noon on ``day``."""
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, 12, 0))
    monkeypatch.setattr(clock, "now", lambda: moment)


def decided(enrolment=None, *, on=FAILED_ON, validated=("1", "3", "4"), fraud=False, **kw):
    """Return a frozen jury decision (its session closed) on ``enrolment``."""
    enrolment = enrolment or EnrolmentFactory(**kw)
    session = JurySessionFactory(
        date=on, last_exam_date=on, state="closed", establishment=enrolment.cohort.establishment
    )
    return JuryDecisionFactory(
        session=session,
        enrolment=enrolment,
        validated_blocs=[] if fraud else list(validated),
        computed={
            "inputs": {
                "blocs": {n: {"cc": "60", "exam": "90", "presented": True} for n in validated}
            }
        },
        outcome="none" if fraud else "partial",
        fraud=fraud,
    )


def epreuves_enrolment(**kw):
    return EnrolmentFactory(route=Enrolment.Route.EPREUVES, **kw)


def certifier():
    """Return the certification staff of the suite's default establishment."""
    return StaffFactory()
