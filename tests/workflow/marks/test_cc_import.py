"""The CC import: a preview of every change before anything is written, then all or nothing on
confirmation; every encoding a spreadsheet writes."""

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import TrainingLink
from audit.models import AuditEvent
from tests.factories import EnrolmentFactory, UserFactory
from workflow.errors import WorkflowError
from workflow.marks import cc, cc_import
from workflow.models import CCMark

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    enrolment = EnrolmentFactory(candidate__first_name="Éloïse", candidate__last_name="Œuvray")
    cohort = enrolment.cohort
    module = cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=["formateur"])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=cohort)
    return enrolment, module, trainer


def _preview(setting, content, filename="notes.csv"):
    enrolment, module, trainer = setting
    return cc_import.cc_import_preview(
        actor=trainer, module=module, cohort=enrolment.cohort, content=content, filename=filename
    )


def _apply(setting, preview):
    enrolment, module, trainer = setting
    return cc_import.cc_import_apply(
        actor=trainer, module=module, cohort=enrolment.cohort, entries=preview.entries
    )


def test_the_preview_shows_new_changed_and_unchanged_marks_and_writes_nothing(setting):
    enrolment, module, trainer = setting
    second = EnrolmentFactory(cohort=enrolment.cohort)
    third = EnrolmentFactory(cohort=enrolment.cohort)
    for who, mark in ((second, 10), (third, 12)):
        cc.cc_mark_enter(actor=trainer, enrolment=who, module=module, mark=Decimal(mark), out_of=20)
    content = (
        "email;note;sur;absence\n"
        f"{enrolment.candidate.email};14,5;20;\n"
        f"{second.candidate.email.upper()};11;20;\n"
        f"{third.candidate.email};12;20;\n"
    ).encode()
    before = list(CCMark.objects.order_by("pk").values_list("mark", "version"))
    preview = _preview(setting, content)
    assert preview.ok
    assert [(c.line, c.kind, c.old, c.new) for c in preview.changes] == [
        (2, "new", "", "14,5 / 20"),
        (3, "changed", "10 / 20", "11 / 20"),
        (4, "unchanged", "12 / 20", "12 / 20"),
    ]
    assert list(CCMark.objects.order_by("pk").values_list("mark", "version")) == before
    counts = _apply(setting, preview)
    assert counts == {"new": 1, "changed": 1, "unchanged": 1}
    assert CCMark.objects.get(enrolment=enrolment).mark == Decimal("14.5")
    assert CCMark.objects.get(enrolment=second).mark == Decimal(11)
    assert AuditEvent.objects.filter(action="cc_mark.import").count() == 1
    again = _preview(setting, content)
    assert {c.kind for c in again.changes} == {"unchanged"} and not again.writes_anything


def test_a_confirmation_against_marks_changed_since_the_preview_writes_nothing(setting):
    enrolment, module, trainer = setting
    second = EnrolmentFactory(cohort=enrolment.cohort)
    content = (
        f"email;note;sur\n{enrolment.candidate.email};14;20\n{second.candidate.email};9;20\n"
    ).encode()
    preview = _preview(setting, content)
    cc.cc_mark_enter(actor=trainer, enrolment=second, module=module, mark=Decimal(3), out_of=20)
    with pytest.raises(WorkflowError, match="changé depuis l'aperçu"):
        _apply(setting, preview)
    assert list(CCMark.objects.values_list("enrolment_id", "mark")) == [(second.pk, Decimal(3))]


def test_errors_are_given_by_line_and_column_and_nothing_is_offered_to_write(setting):
    enrolment, _module, _trainer = setting
    content = (
        "email;note;sur;absence\n"
        f"{enrolment.candidate.email};12;20;\n"
        "inconnu@exemple.fr;12;20;\n"
        f"{enrolment.candidate.email};21;15;\n"
        ";abc;20;peut-être\n"
    ).encode()
    preview = _preview(setting, content)
    errors = {(e.line, e.column): e.message for e in preview.errors}
    assert "inconnu@exemple.fr n'est pas inscrit" in errors[(3, "email")]
    assert "Barème « 15 »" in errors[(4, "sur")]
    assert "Déjà présent ligne 2" in errors[(4, "email")]
    assert "manquante" in errors[(5, "email")]
    assert "illisible" in errors[(5, "note")]
    assert "peut-être" in errors[(5, "absence")]
    assert not CCMark.objects.exists()


def test_a_bad_header_is_reported_on_line_one(setting):
    preview = _preview(setting, b"mail;note\nx;1\n")
    assert {(e.line, e.column) for e in preview.errors} == {(1, "email"), (1, "sur"), (1, "mail")}


ENCODINGS = [
    pytest.param(lambda text: text.encode("cp1252"), id="windows-1252"),
    pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="utf-8-bom"),
    pytest.param(lambda text: text.encode(), id="utf-8"),
]


@pytest.mark.parametrize("encode", ENCODINGS)
def test_each_encoding_a_spreadsheet_writes_is_read(setting, encode):
    enrolment, _module, _trainer = setting
    text = (
        "email;note;sur;absence;evaluation\r\n"
        f"{enrolment.candidate.email};11,5;20;;Œuvre écrite\r\n"
        f"{enrolment.candidate.email};;20;AI;Oral été\r\n"
    )
    preview = _preview(setting, encode(text))
    assert preview.ok, preview.errors
    assert [(c.label, c.new) for c in preview.changes] == [
        ("Œuvre écrite", "11,5 / 20"),
        ("Oral été", "AI"),
    ]
    _apply(setting, preview)
    assert set(CCMark.objects.values_list("label", flat=True)) == {"Œuvre écrite", "Oral été"}


def test_an_xlsx_file_is_read_with_its_numbers(setting):
    enrolment, _module, _trainer = setting
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["email", "note", "sur"])
    sheet.append([enrolment.candidate.email, 13.25, 20])
    buffer = io.BytesIO()
    workbook.save(buffer)
    preview = _preview(setting, buffer.getvalue(), "notes.xlsx")
    assert preview.ok and preview.changes[0].new == "13,25 / 20"


# --- The pages -------------------------------------------------------------------------------


def _upload(content: bytes, name="notes.csv"):
    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_the_trainer_previews_then_confirms_and_only_then_marks_are_written(client, setting):
    enrolment, module, trainer = setting
    client.force_login(trainer)
    url = reverse("jury:cc_import", args=[enrolment.cohort.pk, module.pk])
    content = f"email;note;sur\n{enrolment.candidate.email};15,5;20\n".encode("cp1252")
    page = client.post(url, {"file": _upload(content)})
    assert page.status_code == 200
    body = page.content.decode()
    assert "15,5 / 20" in body and "nouvelle" in body and "Œuvray" in body
    assert not CCMark.objects.exists()
    token = page.context["confirm_form"].initial["token"]
    confirm = reverse("jury:cc_import_confirm", args=[enrolment.cohort.pk, module.pk])
    answer = client.post(confirm, {"token": token})
    assert answer.status_code == 302
    assert CCMark.objects.get().mark == Decimal("15.5")


def test_a_tampered_or_replayed_confirmation_writes_nothing(client, setting):
    enrolment, module, trainer = setting
    client.force_login(trainer)
    url = reverse("jury:cc_import", args=[enrolment.cohort.pk, module.pk])
    content = f"email;note;sur\n{enrolment.candidate.email};15;20\n".encode()
    token = client.post(url, {"file": _upload(content)}).context["confirm_form"].initial["token"]
    confirm = reverse("jury:cc_import_confirm", args=[enrolment.cohort.pk, module.pk])
    client.post(confirm, {"token": token[:-2] + "xx"})
    assert not CCMark.objects.exists()
    other = UserFactory(roles=["formateur"])
    TrainingLink.objects.create(trainer=other, module=module, cohort=enrolment.cohort)
    client.force_login(other)
    client.post(confirm, {"token": token})
    assert not CCMark.objects.exists()


def test_a_page_with_errors_offers_no_confirmation(client, setting):
    enrolment, module, trainer = setting
    client.force_login(trainer)
    url = reverse("jury:cc_import", args=[enrolment.cohort.pk, module.pk])
    page = client.post(url, {"file": _upload(b"email;note;sur\nx@y.fr;12;20\n")})
    assert "confirm_form" not in page.context
    assert "Ligne" in page.content.decode() and "x@y.fr" in page.content.decode()


def test_a_confirmation_after_a_change_in_between_is_refused_with_a_message(client, setting):
    enrolment, module, trainer = setting
    client.force_login(trainer)
    url = reverse("jury:cc_import", args=[enrolment.cohort.pk, module.pk])
    content = f"email;note;sur\n{enrolment.candidate.email};15;20\n".encode()
    token = client.post(url, {"file": _upload(content)}).context["confirm_form"].initial["token"]
    cc.cc_mark_enter(actor=trainer, enrolment=enrolment, module=module, mark=Decimal(4), out_of=20)
    confirm = reverse("jury:cc_import_confirm", args=[enrolment.cohort.pk, module.pk])
    page = client.post(confirm, {"token": token}, follow=True)
    assert "Les notes ont changé depuis" in page.content.decode()
    assert CCMark.objects.get().mark == Decimal(4)
