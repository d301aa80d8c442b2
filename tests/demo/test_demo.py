"""The demo centre: believable, idempotent, and every printed login reaches its home."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Enrolment, Role, TrainingLink, User
from demo.build import DEMO_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage")]


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


def test_demo_builds_a_cohort_of_thirty_on_both_routes():
    run_demo()
    enrolments = Enrolment.objects.all()
    assert enrolments.count() == 30
    assert {e.route for e in enrolments} == {"portefeuille", "epreuves"}
    assert User.objects.with_role(Role.JURY).count() == 4
    assert User.objects.with_role(Role.EVALUATEUR).count() >= 3
    assert TrainingLink.objects.count() == 23


def demo_state():
    from audit.models import AuditEvent, Notification
    from portfolio.models import EvidenceItem, Portfolio
    from workflow.models import Assignment, CCMark, TutorEvaluation

    return {
        "users": User.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "links": TrainingLink.objects.count(),
        "portfolios": sorted(Portfolio.objects.values_list("pk", "state")),
        "items": EvidenceItem.objects.count(),
        "assignments": Assignment.objects.count(),
        "cc": CCMark.objects.count(),
        "tutor": sorted(TutorEvaluation.objects.values_list("pk", "state")),
        "audit": AuditEvent.objects.count(),
        "mails": Notification.objects.count(),
    }


def test_demo_moves_part_of_the_cohort_through_the_real_services():
    from portfolio.models import Portfolio

    run_demo()
    states = list(Portfolio.objects.values_list("state", flat=True))
    assert states.count("draft") == 18 * 4 - 3
    assert {"submitted", "admissible", "assigned"} <= set(states)
    evaluator = User.objects.get(email="evaluateur@demo.preuves.fr")
    assert evaluator.assignments.get().state == "proposed"


def test_demo_twice_changes_nothing():
    run_demo()
    before = demo_state()
    run_demo()
    assert demo_state() == before


def test_every_printed_login_reaches_its_role_home(client):
    output = run_demo()
    emails = [word for word in output.split() if word.endswith("@demo.preuves.fr")]
    assert len(emails) == len(Role)
    for email in emails:
        client.logout()
        response = client.post("/", {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        home = client.get(reverse("accounts:home"))
        role = User.objects.get(email=email).user_roles.first().role
        assert f'data-role="{role}"' in home.content.decode()
