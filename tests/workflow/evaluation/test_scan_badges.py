"""Everyone who sees a file sees when it was not scanned, is held, or was found infected."""

import pytest
from django.urls import reverse

from portfolio.models import ScanStatus
from tests.factories import EvidenceItemFactory
from tests.workflow.helpers import assign_and_accept

pytestmark = pytest.mark.django_db

LABELS = {
    ScanStatus.NOT_SCANNED: "Non analysé (aucun antivirus configuré)",
    ScanStatus.PENDING: "En attente d&#x27;analyse",
    ScanStatus.INFECTED: "Infecté",
}


@pytest.mark.parametrize("status", list(LABELS))
def test_the_candidate_the_evaluator_and_the_staff_see_the_scan_status(
    client, admissible, staff, evaluator, status
):
    item = EvidenceItemFactory(portfolio=admissible, title="Tableau de bord", scan_status=status)
    EvidenceItemFactory(portfolio=admissible, title="Procédure signée")  # clean: no badge
    assignment = assign_and_accept(admissible, evaluator, staff)
    pages = {
        admissible.enrolment.candidate: reverse("portfolio:detail", args=[admissible.pk]),
        evaluator: reverse("workflow:scoring", args=[assignment.pk]),
        staff: reverse("workflow:staff-portfolio", args=[admissible.pk]),
    }
    for user, url in pages.items():
        client.force_login(user)
        page = client.get(url).content.decode()
        assert page.count("data-scan=") == 1, url
        assert f'data-scan="{item.scan_status}"' in page, url
        assert LABELS[status] in page, url


def test_a_clean_file_carries_no_scan_badge(client, admissible, staff):
    EvidenceItemFactory(portfolio=admissible, scan_status=ScanStatus.CLEAN)
    client.force_login(staff)
    page = client.get(reverse("workflow:staff-portfolio", args=[admissible.pk])).content.decode()
    assert "data-scan=" not in page
