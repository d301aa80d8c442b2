"""What the surveys' tests share: the clock set to a day, a certified candidate."""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time
from unittest import mock

from django.utils import timezone

from accounts.models import Role
from audit import clock
from tests.factories import (
    EnrolmentFactory,
    EstablishmentFactory,
    JuryDecisionFactory,
    JurySessionFactory,
    UserFactory,
)
from workflow.models import JurySession

# The jury of the tests: 15 March 2027 (a Monday). Its waves, hand-computed: 6 months →
# 15 September 2027, 12 months → 15 March 2028, 24 months → 15 March 2029.
JURY_DAY = date(2027, 3, 15)


def noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


@contextlib.contextmanager
def on_day(day: date):
    """Run the application's clock at noon on ``day`` until the block ends."""
    with mock.patch.object(clock, "now", lambda: noon(day)):
        yield


def certified(*, establishment=None, outcome="total", session=None, **candidate):
    """Return a published decision certifying a new candidate (the jury on ``JURY_DAY``)."""
    establishment = establishment or EstablishmentFactory()
    session = session or JurySessionFactory(
        establishment=establishment, date=JURY_DAY, state=JurySession.State.PUBLISHED
    )
    enrolment = EnrolmentFactory(
        candidate=UserFactory(roles=[Role.CANDIDAT], **candidate),
        cohort__establishment=session.establishment,
    )
    return JuryDecisionFactory(session=session, enrolment=enrolment, outcome=outcome)
