"""Builders shared by the jury, tutoring and results tests."""

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from accounts.models import Enrolment
from audit import clock
from tests.factories import (
    STAFF_ROLES,
    DraftMemoireFactory,
    DraftPortfolioFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    JurySessionFactory,
    JuryUserFactory,
    UserFactory,
)
from workflow.jury import deliberation, sessions, soutenances
from workflow.marks import tutoring
from workflow.models import CCMark, JuryMember, MemoireWrittenMark

PARIS = ZoneInfo("Europe/Paris")
# The jury's timeline. The factory session sits on 15/03/2027 (last exam on 01/03/2027, results
# due by 12/04/2027). A candidate ready for it finished training on 30/11/2026: their portfolio
# window runs from 28/02/2027 to 30/05/2027, around the session.
SESSION_DATE = date(2027, 3, 15)
READY_TRAINING_END = date(2026, 11, 30)
BEFORE_THE_JURY = datetime(2027, 2, 1, 10, 0, tzinfo=PARIS)  # convocations go a month ahead
JURY_EVENING = datetime(2027, 3, 15, 18, 0, tzinfo=PARIS)  # the soutenances are over


class TimelineClock:
    """What ``audit.clock.now`` reads in these tests: a moment the tests move forward."""

    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


@contextmanager
def jury_clock(moment=BEFORE_THE_JURY):
    """Run the application's clock from ``moment`` until the block ends; return that clock."""
    with mock.patch.object(clock, "now", TimelineClock(moment)) as timeline:
        yield timeline


@pytest.fixture
def jury_timeline(monkeypatch):
    """Start the test before the jury (``BEFORE_THE_JURY``); ``session_with_candidate`` moves it
    to the jury's evening. Import it into a module and use it (``usefixtures``) to run there.

    Through ``monkeypatch``, so that a test patching the clock with it too gets it back in order.
    """
    timeline = TimelineClock(BEFORE_THE_JURY)
    monkeypatch.setattr(clock, "now", timeline)
    return timeline


def clock_move(moment):
    """Move the application's clock to ``moment`` (inside ``jury_clock`` or ``jury_timeline``)."""
    if not isinstance(clock.now, TimelineClock):
        raise RuntimeError("Run this on the jury's clock: the jury_timeline fixture or jury_clock.")
    clock.now.moment = moment


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hash test passwords cheaply: these tests create many users. Import it into a module."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def staff(establishment=None):
    """Return someone holding both responsables' roles (in the suite's default establishment)."""
    return UserFactory(roles=STAFF_ROLES, roles__establishment=establishment)


def fill_cc(enrolment, *, ratio=Decimal("0.6"), by=None):
    """Give every CC module of the title a single mark on 20 at ``ratio``."""
    by = by or staff()
    for bloc in enrolment.cohort.title.blocs.all():
        for module in bloc.modules.filter(cc_points__gt=0):
            CCMark.objects.create(
                enrolment=enrolment,
                module=module,
                mark=Decimal(20) * ratio,
                out_of=20,
                entered_by=by,
                entered_at=timezone.now(),
            )


def submit_tutor(enrolment, *, points_each=None, by=None):
    """Invite, fill and submit the tutor grid; return the evaluation."""
    actor = by or staff(enrolment.cohort.establishment)
    evaluation = tutoring.tutor_evaluation_invite(actor=actor, enrolment=enrolment)
    criteria = list(evaluation.grid_version.criteria.all())
    points = {
        c.pk: (c.max_points if points_each is None else min(points_each, c.max_points))
        for c in criteria
    }
    tutoring.tutor_evaluation_save(actor=enrolment.tutor, evaluation=evaluation, points=points)
    return tutoring.tutor_evaluation_submit(actor=enrolment.tutor, evaluation=evaluation)


def ready_enrolment(*, exam_ratio=Decimal("0.6"), written=Decimal(80), tutor_full=True, **kw):
    """Return an enrolment whose four portfolios, mémoire and tutor grid are ready for a jury
    (on the portfolio route, training over in time for the factory session)."""
    kw.setdefault("route", Enrolment.Route.PORTEFEUILLE)
    kw.setdefault("training_end", READY_TRAINING_END)
    enrolment = EnrolmentFactory(**kw)
    for bloc in enrolment.cohort.title.blocs.all():
        DraftPortfolioFactory(
            enrolment=enrolment,
            bloc=bloc,
            state="ready_for_jury",
            agreed_mark=Decimal(bloc.exam_points) * exam_ratio,
        )
    memoire = DraftMemoireFactory(enrolment=enrolment, state="written_marked")
    MemoireWrittenMark.objects.create(
        memoire=memoire, points=written, entered_by=staff(), entered_at=timezone.now()
    )
    fill_cc(enrolment)
    submit_tutor(enrolment, points_each=None if tutor_full else Decimal(0))
    return enrolment


# The seats of a regular jury, by the keys ``seated_session`` returns its members under.
SEATS = {
    "president": JuryMember.Role.PRESIDENT,
    "pro1": JuryMember.Role.PROFESSIONAL,
    "pro2": JuryMember.Role.PROFESSIONAL,
    "cci": JuryMember.Role.CCI_REPRESENTATIVE,
}


def seated_session(*, establishment=None, **kw):
    """Return a planned session with a regular jury seated, and its members by role."""
    session = JurySessionFactory(establishment=establishment or EstablishmentFactory(), **kw)
    actor = staff()
    members = {
        "president": JuryUserFactory(),
        "pro1": JuryUserFactory(),
        "pro2": JuryUserFactory(),
        "cci": JuryUserFactory(),
    }
    for key, user in members.items():
        sessions.jury_member_add(actor=actor, session=session, user=user, role=SEATS[key])
    return session, members, actor


def session_with_candidate(enrolment=None, *, soutenance_points=None):
    """Return (session, members, staff, enrolment) deliberating with a marked soutenance; the
    clock is then on the jury's evening (``JURY_EVENING``)."""
    enrolment = enrolment or ready_enrolment()
    session, members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    sessions.jury_session_compose(actor=actor, session=session)
    soutenance = soutenances.soutenance_schedule(
        actor=actor,
        session=session,
        enrolment=enrolment,
        starts_at=datetime(2027, 3, 15, 9, 0, tzinfo=PARIS),
        base_minutes=45,
    )
    clock_move(JURY_EVENING)
    criteria = list(soutenance.grid_version.criteria.all())
    points = {c.pk: soutenance_points or c.max_points * Decimal("0.6") for c in criteria}
    soutenances.soutenance_mark(actor=members["pro1"], soutenance=soutenance, points=points)
    deliberation.jury_deliberation_open(actor=members["president"], session=session)
    session.refresh_from_db()
    return session, members, actor, enrolment
