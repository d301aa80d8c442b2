"""The staff withdraw an accommodation or delete an absence entered by mistake, with a reason."""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.factories import EnrolmentFactory, UserFactory
from tests.workflow.jury.helpers import fast_passwords, staff  # noqa: F401
from workflow.errors import WorkflowError
from workflow.jury import accommodations
from workflow.marks import attendance
from workflow.models import AbsenceRecord, Accommodation

pytestmark = pytest.mark.django_db

ROLES = ["candidat", "tuteur", "formateur", "jury", "evaluateur"]


def _accommodation(enrolment=None, kind="extra_time"):
    return accommodations.accommodation_record(
        actor=staff(), enrolment=enrolment or EnrolmentFactory(), kind=kind, details="Dyslexie"
    )


def _absence(enrolment=None, hours="3.5"):
    enrolment = enrolment or EnrolmentFactory()
    return attendance.absence_record(
        actor=staff(),
        enrolment=enrolment,
        date=enrolment.cohort.training_start,
        hours=Decimal(hours),
        justified=False,
    )


# --- The services ----------------------------------------------------------------------------


def test_the_staff_remove_an_accommodation_and_the_audit_keeps_what_it_was():
    accommodation = _accommodation()
    candidate = accommodation.enrolment.candidate
    actor = staff()
    accommodations.accommodation_remove(
        actor=actor, accommodation=accommodation, reason="Saisi pour le mauvais candidat"
    )
    assert not Accommodation.objects.exists()
    event = AuditEvent.objects.get(action="accommodation.remove")
    assert event.actor == actor and event.candidate == candidate
    assert event.before == {"kind": "extra_time", "details": "Dyslexie"}
    assert event.reason == "Saisi pour le mauvais candidat"


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_may_not_remove_an_accommodation(role):
    accommodation = _accommodation()
    with pytest.raises(WorkflowError) as refused:
        accommodations.accommodation_remove(
            actor=UserFactory(roles=[role]), accommodation=accommodation, reason="Erreur"
        )
    assert (
        refused.value.message
        == "Seul le responsable du processus d'évaluation retire un aménagement."
    )
    assert Accommodation.objects.filter(pk=accommodation.pk).exists()


def test_an_accommodation_is_not_removed_without_a_reason():
    accommodation = _accommodation()
    with pytest.raises(WorkflowError, match="Indiquez le motif du retrait."):
        accommodations.accommodation_remove(actor=staff(), accommodation=accommodation, reason=" ")
    assert Accommodation.objects.exists() and not AuditEvent.objects.filter(
        action="accommodation.remove"
    )


def test_the_staff_delete_an_absence_and_the_audit_keeps_what_it_was():
    record = _absence()
    candidate = record.enrolment.candidate
    actor = staff()
    attendance.absence_delete(actor=actor, record=record, reason="Doublon")
    assert not AbsenceRecord.objects.exists()
    event = AuditEvent.objects.get(action="absence.delete")
    assert event.actor == actor and event.candidate == candidate
    assert event.before == {
        "date": record.enrolment.cohort.training_start.isoformat(),
        "hours": "3.50",
    }
    assert event.reason == "Doublon"


def test_deleting_an_unjustified_absence_lowers_the_unjustified_share():
    record = _absence()
    assert attendance.unjustified_hours(record.enrolment) == Decimal("3.5")
    attendance.absence_delete(actor=staff(), record=record, reason="Doublon")
    assert attendance.unjustified_hours(record.enrolment) == 0


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_may_not_delete_an_absence(role):
    record = _absence()
    with pytest.raises(WorkflowError) as refused:
        attendance.absence_delete(actor=UserFactory(roles=[role]), record=record, reason="Erreur")
    assert refused.value.message == "Seul le personnel du centre modifie les absences."
    assert AbsenceRecord.objects.filter(pk=record.pk).exists()


def test_an_absence_is_not_deleted_without_a_reason():
    record = _absence()
    with pytest.raises(WorkflowError, match="Indiquez pourquoi cette absence est supprimée."):
        attendance.absence_delete(actor=staff(), record=record, reason="")
    assert AbsenceRecord.objects.exists()


# --- The staff candidate screen --------------------------------------------------------------


def _remove_url(accommodation, enrolment=None):
    return reverse(
        "jury:staff_accommodation_remove",
        args=[(enrolment or accommodation.enrolment).pk, accommodation.pk],
    )


def _delete_url(record, enrolment=None):
    return reverse(
        "jury:staff_absence_delete", args=[(enrolment or record.enrolment).pk, record.pk]
    )


def test_the_candidate_screen_lists_a_remove_button_naming_each_item(client):
    enrolment = EnrolmentFactory()
    accommodation = _accommodation(enrolment)
    record = _absence(enrolment)
    client.force_login(staff())
    body = client.get(reverse("jury:staff_candidate", args=[enrolment.pk])).content.decode()
    assert f'action="{_remove_url(accommodation)}"' in body
    assert f'action="{_delete_url(record)}"' in body
    assert 'name="csrfmiddlewaretoken"' in body
    assert f'<label for="accommodation-{accommodation.pk}-reason">Motif du retrait' in body
    assert (
        'Retirer<span class="visually-hidden"> l\'aménagement « Tiers-temps (préparation et '
        "passage) »</span>" in body
    )
    day = enrolment.cohort.training_start.strftime("%d/%m/%Y")
    assert f'Supprimer<span class="visually-hidden"> l\'absence du {day} (3,50 h)</span>' in body


def test_the_staff_remove_an_accommodation_from_the_screen(client):
    accommodation = _accommodation()
    client.force_login(staff())
    response = client.post(_remove_url(accommodation), {"reason": "Saisi par erreur"})
    assert response.status_code == 302
    assert response.url == reverse("jury:staff_candidate", args=[accommodation.enrolment.pk])
    assert not Accommodation.objects.exists()
    assert AuditEvent.objects.get(action="accommodation.remove").reason == "Saisi par erreur"
    assert "Aménagement retiré." in client.get(response.url).content.decode()


def test_the_staff_delete_an_absence_from_the_screen(client):
    record = _absence()
    client.force_login(staff())
    response = client.post(_delete_url(record), {"reason": "Doublon"})
    assert response.status_code == 302
    assert not AbsenceRecord.objects.exists()
    assert AuditEvent.objects.get(action="absence.delete").reason == "Doublon"
    assert "Absence supprimée." in client.get(response.url).content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_other_roles_may_not_remove_from_the_screen(client, role):
    accommodation, record = _accommodation(), _absence()
    client.force_login(UserFactory(roles=[role]))
    assert client.post(_remove_url(accommodation), {"reason": "x"}).status_code == 403
    assert client.post(_delete_url(record), {"reason": "x"}).status_code == 403
    assert Accommodation.objects.exists() and AbsenceRecord.objects.exists()


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    accommodation, record = _accommodation(), _absence()
    for url in (_remove_url(accommodation), _delete_url(record)):
        response = client.post(url, {"reason": "x"})
        assert response.status_code == 302 and "next=" in response.url
    assert Accommodation.objects.exists() and AbsenceRecord.objects.exists()


def test_an_item_of_another_candidate_is_not_found_through_this_candidate(client):
    accommodation, record = _accommodation(), _absence()
    other = EnrolmentFactory()
    client.force_login(staff())
    assert client.post(_remove_url(accommodation, other), {"reason": "x"}).status_code == 404
    assert client.post(_delete_url(record, other), {"reason": "x"}).status_code == 404
    assert Accommodation.objects.exists() and AbsenceRecord.objects.exists()


def test_a_get_removes_nothing(client):
    accommodation, record = _accommodation(), _absence()
    client.force_login(staff())
    assert client.get(_remove_url(accommodation), {"reason": "x"}).status_code == 405
    assert client.get(_delete_url(record), {"reason": "x"}).status_code == 405
    assert Accommodation.objects.exists() and AbsenceRecord.objects.exists()


def test_without_a_reason_nothing_is_removed_and_the_staff_are_told_why(client):
    accommodation, record = _accommodation(), _absence()
    client.force_login(staff())
    response = client.post(_remove_url(accommodation), {"reason": "  "}, follow=True)
    assert "Indiquez le motif du retrait." in response.content.decode()
    response = client.post(_delete_url(record), {}, follow=True)
    assert "Indiquez pourquoi cette absence est supprimée." in response.content.decode()
    assert Accommodation.objects.exists() and AbsenceRecord.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["accommodation.remove", "absence.delete"])
