"""Two daily runs at once (a cron and a worker, or a run started twice) open each follow-up
once and mail each survey and reminder once (on PostgreSQL: SQLite has no row locks)."""

from datetime import date, timedelta

import pytest
from django.core import mail

from audit.models import Notification
from surveys.models import FollowUp
from surveys.sending import surveys_send
from tests.races import needs_row_locks, run_together
from tests.surveys.helpers import JURY_DAY, certified, on_day

pytestmark = [
    needs_row_locks,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("referentiel_reloaded"),
]
SIX = date(2027, 9, 15)
RUNS = 4


def _together(day):
    with on_day(day):
        return run_together([surveys_send] * RUNS)


def test_simultaneous_runs_open_and_mail_each_thing_once():
    decisions = [certified() for _ in range(3)]
    results = _together(JURY_DAY + timedelta(days=1))
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.opened for r in results) == 3
    assert FollowUp.objects.count() == 3
    assert Notification.objects.filter(key__startswith="surveys.confirm").count() == 3
    FollowUp.objects.update(consent=FollowUp.Consent.GIVEN)
    mail.outbox.clear()
    for day, kind in [(SIX, "invitations"), (SIX + timedelta(days=7), "reminders")]:
        results = _together(day)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sum(getattr(r, kind) for r in results) == len(decisions)
    assert Notification.objects.filter(key__startswith="surveys.wave").count() == 6
    assert len(mail.outbox) == 6
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        2 * [d.enrolment.candidate.email for d in decisions]
    )
