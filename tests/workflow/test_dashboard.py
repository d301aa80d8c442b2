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
    client.force_login(EvaluatorFactory())
    assert client.get(reverse("jury:staff_dashboard")).status_code in {403, 404}


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
    bands = dict((row[0], row[1]) for row in results.rows)
    assert sum(int(count) for count in bands.values()) == 2
    rates = dashboard.session_pass_rate_chart(session).rows
    assert [row[1] for row in rates] == ["100\u202f%", "50\u202f%", "100\u202f%", "50\u202f%"]


def test_session_without_decisions_has_no_chart():
    session = JurySessionFactory()
    assert dashboard.session_results_chart(session) is None
    assert dashboard.session_pass_rate_chart(session) is None
