"""The centre's dashboard: counts per state, overdue work, workload, and the session's charts."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EvaluatorFactory,
    JurySessionFactory,
    PortfolioFactory,
    StaffFactory,
)
from workflow.centre import dashboard
from workflow.models import JuryDecision

pytestmark = pytest.mark.django_db


def test_state_counts_follow_the_current_versions():
    PortfolioFactory(state="submitted")
    PortfolioFactory(state="submitted")
    PortfolioFactory(state="admissible")
    PortfolioFactory(state="draft", is_active=False)
    assert dashboard.portfolio_state_counts() == [("Déposé", 2), ("Recevable", 1)]


def test_overdue_assignments_are_the_open_ones_past_their_date():
    late = AssignmentFactory(due_date=timezone.localdate() - timedelta(days=1))
    AssignmentFactory(due_date=timezone.localdate() + timedelta(days=3))
    assert list(dashboard.overdue_assignments()) == [late]


def test_dashboard_shows_counts_overdue_work_and_charts(client):
    evaluator = EvaluatorFactory(first_name="Agnès", last_name="Picard")
    AssignmentFactory(evaluator=evaluator, due_date=timezone.localdate() - timedelta(days=2))
    client.force_login(StaffFactory())
    html = client.get(reverse("jury:staff_dashboard")).content.decode()
    assert "Avancement des portefeuilles" in html
    assert "Charge des évaluateurs" in html
    assert html.count("<svg") == 2
    assert "Agnès Picard : 1 en cours, 0 terminée" in html
    assert "en retard" in html


def test_dashboard_is_refused_to_other_roles(client):
    evaluator = EvaluatorFactory(first_name="Agnès", last_name="Picard")
    AssignmentFactory(evaluator=evaluator, due_date=timezone.localdate() - timedelta(days=2))
    client.force_login(evaluator)
    response = client.get(reverse("jury:staff_dashboard"))
    # The view raises PermissionDenied for anyone but the centre's staff.
    assert response.status_code == 403
    html = response.content.decode()
    assert "Avancement des portefeuilles" not in html
    assert "Charge des évaluateurs" not in html
    assert "Agnès Picard" not in html


def _decision(session, points, blocs):
    JuryDecision.objects.create(
        session=session,
        enrolment=EnrolmentFactory(),
        computed={"points_total": str(points)},
        outcome="total" if len(blocs) == 4 else ("partial" if blocs else "none"),
        validated_blocs=blocs,
        recorded_by=StaffFactory(),
        recorded_at=timezone.now(),
    )


def test_session_charts_count_totals_and_blocs_held():
    session = JurySessionFactory()
    _decision(session, Decimal("512.5"), ["1", "2", "3", "4"])
    _decision(session, Decimal("430"), ["1", "3"])
    results = dashboard.session_results_chart(session)
    # Bands of 1000 / 10 = 100 points: 430 falls in [400, 500[, 512.5 in [500, 600[.
    assert results.rows == (
        ("de 0 à moins de 100", "0"),
        ("de 100 à moins de 200", "0"),
        ("de 200 à moins de 300", "0"),
        ("de 300 à moins de 400", "0"),
        ("de 400 à moins de 500", "1"),
        ("de 500 à moins de 600", "1"),
        ("de 600 à moins de 700", "0"),
        ("de 700 à moins de 800", "0"),
        ("de 800 à moins de 900", "0"),
        ("de 900 à 1\u202f000", "0"),
    )
    rates = dashboard.session_pass_rate_chart(session).rows
    assert [row[1] for row in rates] == ["100\u202f%", "50\u202f%", "100\u202f%", "50\u202f%"]


def test_session_totals_fall_in_bands_closed_on_the_left():
    session = JurySessionFactory()
    for points in ["0", "99.99", "100", "499.99", "500", "512.5", "999", "1000"]:
        _decision(session, Decimal(points), [])
    results = dashboard.session_results_chart(session)
    # A band holds [low, low + 100[; the last one also holds 1000, the title's maximum.
    assert results.rows == (
        ("de 0 à moins de 100", "2"),  # 0 and 99.99
        ("de 100 à moins de 200", "1"),  # 100
        ("de 200 à moins de 300", "0"),
        ("de 300 à moins de 400", "0"),
        ("de 400 à moins de 500", "1"),  # 499.99
        ("de 500 à moins de 600", "2"),  # 500 (the pass mark) and 512.5
        ("de 600 à moins de 700", "0"),
        ("de 700 à moins de 800", "0"),
        ("de 800 à moins de 900", "0"),
        ("de 900 à 1\u202f000", "2"),  # 999 and 1000
    )


def test_session_without_decisions_has_no_chart():
    session = JurySessionFactory()
    assert dashboard.session_results_chart(session) is None
    assert dashboard.session_pass_rate_chart(session) is None
