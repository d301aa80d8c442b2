"""Staff exports in CSV and XLSX: the same cells in both, checked one by one."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import Enrolment, Role
from documents import exports
from portfolio.models import Memoire, Portfolio
from tests.factories import CohortFactory, EnrolmentFactory, UserFactory
from workflow.models import Assignment

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 28)


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def assign(evaluator, staff, *, portfolio=None, memoire=None, state="proposed", due):
    return Assignment.objects.create(
        evaluator=evaluator, portfolio=portfolio, memoire=memoire, state=state,
        assigned_by=staff, assigned_at=timezone.now(), due_date=due,
    )  # fmt: skip


def test_workload_counts_each_evaluators_assignments(staff):
    cohort = CohortFactory()
    bloc1, bloc2 = cohort.title.blocs.order_by("number")[:2]
    francoise = UserFactory(first_name="Françoise", last_name="Aubert", roles=[Role.EVALUATEUR])
    bruno = UserFactory(first_name="Bruno", last_name="Lemoine", roles=[Role.EVALUATEUR])
    enrolments = [EnrolmentFactory(cohort=cohort) for _ in range(3)]
    p = [Portfolio.objects.create(enrolment=e, bloc=bloc1) for e in enrolments]
    memoire = Memoire.objects.create(enrolment=enrolments[0], subject="Dématérialisation")
    assign(francoise, staff, portfolio=p[0], state="accepted", due=TODAY - timedelta(days=1))
    assign(francoise, staff, portfolio=p[1], state="proposed", due=TODAY + timedelta(days=10))
    assign(francoise, staff, memoire=memoire, state="accepted", due=TODAY + timedelta(days=3))
    assign(francoise, staff, portfolio=p[2], state="completed", due=TODAY - timedelta(days=30))
    assign(bruno, staff, portfolio=Portfolio.objects.create(enrolment=enrolments[1], bloc=bloc2),
           state="declined", due=TODAY)  # fmt: skip
    table = exports.workload_table(today=TODAY)
    rows = {row[0]: dict(zip(table.headings, row, strict=True)) for row in table.rows}
    aubert = rows["Aubert"]
    assert (aubert["proposées"], aubert["acceptées"], aubert["remises"], aubert["refusées"]) == (
        1, 2, 1, 0,
    )  # fmt: skip
    assert aubert["en cours"] == 3
    assert (aubert["dont portefeuilles"], aubert["dont mémoires"]) == (2, 1)
    assert aubert["en retard"] == 1
    assert aubert["prochaine échéance"] == TODAY - timedelta(days=1)
    lemoine = rows["Lemoine"]
    assert (lemoine["refusées"], lemoine["en cours"], lemoine["prochaine échéance"]) == (
        1, 0, None,
    )  # fmt: skip


def test_csv_and_xlsx_hold_the_same_cells(client, staff):
    cohort = CohortFactory(name="Promotion Lumière")
    enrolment = EnrolmentFactory(
        cohort=cohort,
        candidate=UserFactory(first_name="Anaïs", last_name="Légaré", roles=[Role.CANDIDAT]),
    )
    EnrolmentFactory(cohort=cohort, route=Enrolment.Route.EPREUVES)
    Portfolio.objects.create(enrolment=enrolment, bloc=cohort.title.blocs.get(number=2))
    client.force_login(staff)
    csv_rows = read_csv(
        client.get(reverse("documents:cohort_progress_export", args=[cohort.pk, "csv"])).content
    )
    xlsx_rows = read_xlsx(
        client.get(reverse("documents:cohort_progress_export", args=[cohort.pk, "xlsx"])).content
    )
    assert csv_rows[0] == [
        "nom", "prénom", "e-mail", "voie", "entreprise", "tuteur",
        "bloc 1", "bloc 2", "bloc 3", "bloc 4", "mémoire", "dernière décision du jury",
    ]  # fmt: skip
    assert [[cell or "" for cell in row] for row in xlsx_rows] == csv_rows
    anais = next(row for row in csv_rows if row[0] == "Légaré")
    assert anais[6] == "pas de portefeuille"
    assert anais[7] == "Brouillon (tentative 1)"
    assert anais[10] == "pas de mémoire"
    apprentice = next(row for row in csv_rows[1:] if row[0] != "Légaré")
    assert apprentice[6:10] == ["épreuves"] * 4


@pytest.mark.parametrize("role", [Role.CANDIDAT, Role.EVALUATEUR, Role.JURY, Role.FORMATEUR])
def test_exports_are_for_the_staff_only(client, role):
    cohort = CohortFactory()
    client.force_login(UserFactory(roles=[role]))
    assert client.get(reverse("documents:workload_export", args=["csv"])).status_code == 403
    url = reverse("documents:cohort_progress_export", args=[cohort.pk, "xlsx"])
    assert client.get(url).status_code == 403


def test_an_unknown_export_format_is_not_found(client, staff):
    client.force_login(staff)
    assert client.get(reverse("documents:workload_export", args=["pdf"])).status_code == 404
    assert client.get(reverse("documents:index")).status_code == 200
