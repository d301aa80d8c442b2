"""The CC grid: cells typed the French way, saved one by one with their version (conflicts
shown), the page without JavaScript saving every valid cell, and who may open it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role, TrainingLink
from audit.models import AuditEvent
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    EvaluatorFactory,
    UserFactory,
)
from workflow.marks import cc, cc_grid
from workflow.models import CCMark

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("11,5", (Decimal("11.5"), 20, "")),
        (" 11.5 ", (Decimal("11.5"), 20, "")),
        ("ai", (None, 20, "unjustified")),
        ("AJ", (None, 20, "justified")),
        ("24/30", (Decimal(24), 30, "")),
        ("", None),
    ],
)
def test_a_cell_reads_marks_the_french_way_and_absences(text, parsed):
    assert cc_grid.parse_cell(text, 20) == parsed


@pytest.mark.parametrize(
    ("text", "message"),
    [("abc", "saisissez une note"), ("21", "entre 0 et 20"), ("12,333", "2 décimales")],
)
def test_a_cell_that_is_not_a_mark_says_what_to_type(text, message):
    with pytest.raises(ValueError, match=message):
        cc_grid.parse_cell(text, 20)


@pytest.fixture
def setting():
    enrolment = EnrolmentFactory(candidate__last_name="Abel")
    cohort = enrolment.cohort
    module = cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=[Role.FORMATEUR])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=cohort)
    return enrolment, module, trainer


def _cell(client, enrolment, module, value, version=0, label="1", sur=20):
    url = reverse("jury:cc_grid_cell", args=[enrolment.cohort_id, module.pk])
    data = {"enrolment": enrolment.pk, "label": label, "sur": sur, "value": value}
    return client.post(url, {**data, "version": version})


def test_a_cell_is_saved_as_11_5_and_answers_its_new_version(client, setting):
    enrolment, module, trainer = setting
    client.force_login(trainer)
    answer = _cell(client, enrolment, module, "11,5")
    assert answer.status_code == 200
    assert answer.json() == {"value": "11,5", "version": 1}
    assert CCMark.objects.get().mark == Decimal("11.5")
    assert _cell(client, enrolment, module, "12", version=1).json() == {"value": "12", "version": 2}
    assert AuditEvent.objects.filter(action="cc_mark.enter").count() == 2


def test_a_save_against_a_newer_value_is_refused_with_the_other_value(client, setting):
    enrolment, module, trainer = setting
    cc.cc_mark_enter(actor=trainer, enrolment=enrolment, module=module, mark=Decimal(14), out_of=20)
    client.force_login(trainer)
    answer = _cell(client, enrolment, module, "9", version=0)
    assert answer.status_code == 409
    assert answer.json()["theirs"] == "14" and answer.json()["version"] == 1
    assert CCMark.objects.get().mark == Decimal(14)
    # Overwriting: the same value sent again at the version now read.
    assert _cell(client, enrolment, module, "9", version=1).status_code == 200
    assert CCMark.objects.get().mark == Decimal(9)


def test_an_invalid_cell_answers_a_french_message_and_writes_nothing(client, setting):
    enrolment, module, trainer = setting
    client.force_login(trainer)
    answer = _cell(client, enrolment, module, "25")
    assert answer.status_code == 400
    assert "entre 0 et 20" in answer.json()["error"]
    assert not CCMark.objects.exists()


def test_an_emptied_cell_removes_the_mark_and_is_audited(client, setting):
    enrolment, module, trainer = setting
    cc.cc_mark_enter(actor=trainer, enrolment=enrolment, module=module, mark=Decimal(14), out_of=20)
    client.force_login(trainer)
    assert _cell(client, enrolment, module, "", version=1).json() == {"value": "", "version": 0}
    assert not CCMark.objects.exists()
    assert AuditEvent.objects.filter(action="cc_mark.remove").count() == 1


def test_the_page_without_javascript_saves_every_valid_cell_and_lists_the_others(client, setting):
    enrolment, module, trainer = setting
    second = EnrolmentFactory(cohort=enrolment.cohort, candidate__last_name="Bernard")
    third = EnrolmentFactory(cohort=enrolment.cohort, candidate__last_name="Claude")
    cc.cc_mark_enter(actor=trainer, enrolment=third, module=module, mark=Decimal(7), out_of=20)
    client.force_login(trainer)
    url = reverse("jury:cc_grid", args=[enrolment.cohort_id, module.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "col-0": "1",
        "sur-0": "20",
        f"c-{enrolment.pk}-0": "11,5",
        f"v-{enrolment.pk}-0": "0",
        f"c-{second.pk}-0": "vingt",
        f"v-{second.pk}-0": "0",
        f"c-{third.pk}-0": "7",
        f"v-{third.pk}-0": "1",
    }
    answer = client.post(url, data)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert "Bernard" in body and "saisissez une note" in body
    assert 'value="vingt"' in body  # the typed value is kept for correction
    assert CCMark.objects.get(enrolment=enrolment).mark == Decimal("11.5")
    assert CCMark.objects.get(enrolment=third).version == 1  # unchanged: not rewritten
    assert not CCMark.objects.filter(enrolment=second).exists()


def test_the_page_shows_the_columns_and_a_new_one_asked_for(client, setting):
    enrolment, module, trainer = setting
    for label, out_of in (("2", 30), ("10", 10)):
        cc.cc_mark_enter(
            actor=trainer,
            enrolment=enrolment,
            module=module,
            label=label,
            mark=Decimal(5),
            out_of=out_of,
        )
    client.force_login(trainer)
    url = reverse("jury:cc_grid", args=[enrolment.cohort_id, module.pk])
    page = client.get(url, {"evaluation": "Oral", "sur": "10"})
    labels = [(c.label, c.out_of) for _i, c in page.context["columns"]]
    assert labels == [("2", 30), ("10", 10), ("Oral", 10)]


def test_the_grid_shows_fifty_candidates_a_page(client, setting):
    enrolment, module, trainer = setting
    for _ in range(50):
        EnrolmentFactory(cohort=enrolment.cohort)
    client.force_login(trainer)
    url = reverse("jury:cc_grid", args=[enrolment.cohort_id, module.pk])
    assert len(client.get(url).context["rows"]) == 50
    assert len(client.get(url, {"page": 2}).context["rows"]) == 1


# --- Who may open the grid ---------------------------------------------------------------------


def _outsiders(enrolment, module):
    grenoble = EstablishmentFactory(name="CFA de Grenoble")
    other_centre = CohortFactory(establishment=grenoble)
    far_trainer = UserFactory(roles=[Role.FORMATEUR])
    TrainingLink.objects.create(trainer=far_trainer, module=module, cohort=other_centre)
    other_cohort_trainer = UserFactory(roles=[Role.FORMATEUR])
    TrainingLink.objects.create(
        trainer=other_cohort_trainer,
        module=module,
        cohort=CohortFactory(establishment=enrolment.cohort.establishment),
    )
    return {
        "trainer of another centre": far_trainer,
        "trainer of another cohort": other_cohort_trainer,
        "candidate": enrolment.candidate,
        "evaluator": EvaluatorFactory(),
        "responsable de certification": UserFactory(
            roles=[Role.RESPONSABLE_CERTIFICATION],
            roles__establishment=enrolment.cohort.establishment,
        ),
        "staff of another centre": UserFactory(
            roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=grenoble
        ),
    }


def test_everyone_else_gets_404_on_the_grid_its_cells_and_the_import(client, setting):
    enrolment, module, _trainer = setting
    cohort = enrolment.cohort
    for who, user in _outsiders(enrolment, module).items():
        client.force_login(user)
        for name in ("cc_grid", "cc_import", "trainer_marks"):
            assert (
                client.get(reverse(f"jury:{name}", args=[cohort.pk, module.pk])).status_code == 404
            ), (who, name)
        assert _cell(client, enrolment, module, "12").status_code == 404, who
        url = reverse("jury:cc_import_confirm", args=[cohort.pk, module.pk])
        assert client.post(url, {"token": "x"}).status_code == 404, who
    assert not CCMark.objects.exists()


def test_the_responsable_devaluation_of_the_centre_enters_marks_too(client, setting):
    enrolment, module, _trainer = setting
    staff = UserFactory(
        roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=enrolment.cohort.establishment
    )
    client.force_login(staff)
    url = reverse("jury:cc_grid", args=[enrolment.cohort_id, module.pk])
    assert client.get(url).status_code == 200
    assert _cell(client, enrolment, module, "13").status_code == 200
    assert CCMark.objects.get().entered_by == staff


def test_a_module_without_cc_has_no_grid(client, setting):
    enrolment, _module, trainer = setting
    module = enrolment.cohort.title.blocs.get(number=3).modules.get(code="M3.5")
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=enrolment.cohort)
    client.force_login(trainer)
    url = reverse("jury:cc_grid", args=[enrolment.cohort_id, module.pk])
    assert client.get(url).status_code == 404


def test_without_javascript_a_conflict_keeps_both_values_until_the_trainer_saves_again(
    client, setting
):
    enrolment, module, trainer = setting
    client.force_login(trainer)
    url = reverse("jury:cc_grid", args=[enrolment.cohort_id, module.pk])
    cc.cc_mark_enter(actor=trainer, enrolment=enrolment, module=module, mark=Decimal(14), out_of=20)
    data = {"col-0": "1", "sur-0": "20", f"c-{enrolment.pk}-0": "9", f"v-{enrolment.pk}-0": "0"}
    page = client.post(url, data)
    body = page.content.decode()
    assert "modifiée entre-temps" in body and "« 14 »" in body
    assert 'value="9"' in body and f'name="v-{enrolment.pk}-0" value="1"' in body
    assert CCMark.objects.get().mark == Decimal(14)
    assert client.post(url, {**data, f"v-{enrolment.pk}-0": "1"}).status_code == 302
    assert CCMark.objects.get().mark == Decimal(9)
