"""The admission and positionnement screen: who may open it and change what, French errors."""

import pytest
from django.urls import reverse

from accounts.models import Enrolment, Role
from tests.centres.helpers import auditor, other_establishment, responsable
from tests.factories import EnrolmentFactory, ExemptionFactory, UserFactory, rncp_title

pytestmark = pytest.mark.django_db


def url(enrolment):
    return reverse("centres:enrolment_admission", args=[enrolment.cohort_id, enrolment.pk])


def test_the_screen_shows_status_route_blocs_and_exemptions(client):
    enrolment = EnrolmentFactory(status=Enrolment.Status.DEMANDEUR_EMPLOI)
    ExemptionFactory(enrolment=enrolment, reason="Titre professionnel SAMS")
    client.force_login(responsable(enrolment.cohort.establishment))
    page = client.get(url(enrolment)).content.decode()
    assert "Demandeur d&#x27;emploi" in page
    assert "Inscrit pour le titre complet." in page
    assert "Titre professionnel SAMS" in page


def test_a_responsable_enrols_a_job_seeker_for_two_blocs(client):
    enrolment = EnrolmentFactory()
    client.force_login(responsable(enrolment.cohort.establishment))
    b1, b2 = rncp_title().blocs.filter(number__in=[1, 2]).order_by("number")
    response = client.post(
        url(enrolment),
        {
            "action": "admission",
            "admission-status": "demandeur_emploi",
            "admission-route": "portefeuille",
            "admission-blocs": [b1.pk, b2.pk],
        },
    )
    assert response.status_code == 302
    enrolment.refresh_from_db()
    assert enrolment.status == "demandeur_emploi"
    assert sorted(b.number for b in enrolment.blocs.all()) == [1, 2]


def test_an_apprentice_on_the_portfolio_route_gets_a_french_message(client):
    enrolment = EnrolmentFactory()
    client.force_login(responsable(enrolment.cohort.establishment))
    response = client.post(
        url(enrolment),
        {"action": "admission", "admission-status": "apprenti", "admission-route": "portefeuille"},
    )
    assert response.status_code == 200
    assert "choisissez la voie des épreuves ou corrigez le statut" in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == "salarie"


def test_an_exemption_is_recorded_through_the_screen_and_a_missing_reason_explained(client):
    enrolment = EnrolmentFactory()
    client.force_login(responsable(enrolment.cohort.establishment))
    response = client.post(url(enrolment), {"action": "exemption", "exemption-practice": "on"})
    assert response.status_code == 200 and "Ce champ est obligatoire" in response.content.decode()
    response = client.post(
        url(enrolment),
        {
            "action": "exemption",
            "exemption-practice": "on",
            "exemption-reason": "Expérience d'assistante de direction (5 ans)",
        },
    )
    assert response.status_code == 302
    assert enrolment.exemptions.get().practice


def test_the_candidate_record_shows_the_exemption(client):
    enrolment = EnrolmentFactory()
    ExemptionFactory(enrolment=enrolment, reason="Licence professionnelle")
    client.force_login(responsable(enrolment.cohort.establishment))
    page = client.get(reverse("jury:staff_candidate", args=[enrolment.pk])).content.decode()
    assert "Licence professionnelle" in page


@pytest.mark.parametrize("who", ["candidate", "tutor", "evaluator"])
def test_people_outside_the_staff_are_refused(client, who):
    enrolment = EnrolmentFactory()
    user = {
        "candidate": lambda: enrolment.candidate,
        "tutor": lambda: enrolment.tutor,
        "evaluator": lambda: UserFactory(roles=[Role.EVALUATEUR]),
    }[who]()
    client.force_login(user)
    assert client.get(url(enrolment)).status_code == 403


def test_another_centre_gets_a_404(client):
    enrolment = EnrolmentFactory()
    client.force_login(responsable(other_establishment()))
    assert client.get(url(enrolment)).status_code == 404
    response = client.post(url(enrolment), {"action": "admission", "admission-status": "apprenti"})
    assert response.status_code == 404


def test_the_auditor_reads_but_may_not_change(client):
    enrolment = EnrolmentFactory()
    client.force_login(auditor())
    page = client.get(url(enrolment))
    assert page.status_code == 200 and "Enregistrer l&#x27;admission" not in page.content.decode()
    response = client.post(
        url(enrolment),
        {"action": "admission", "admission-status": "apprenti", "admission-route": "epreuves"},
    )
    assert response.status_code == 403
    response = client.post(url(enrolment), {"action": "exemption", "exemption-reason": "x"})
    assert response.status_code == 403


def test_the_responsable_of_certification_alone_may_not_record_an_exemption(client):
    enrolment = EnrolmentFactory()
    client.force_login(
        UserFactory(
            roles=[Role.RESPONSABLE_CERTIFICATION],
            roles__establishment=enrolment.cohort.establishment,
        )
    )
    response = client.post(
        url(enrolment), {"action": "exemption", "exemption-practice": "on", "exemption-reason": "x"}
    )
    assert response.status_code == 403
    assert not enrolment.exemptions.exists()


def test_an_exemption_recorded_by_mistake_is_withdrawn_with_a_reason(client):
    from audit.models import AuditEvent

    enrolment = EnrolmentFactory()
    exemption = ExemptionFactory(enrolment=enrolment, reason="Erreur de saisie")
    client.force_login(responsable(enrolment.cohort.establishment))
    post = {"action": "exemption_remove", "exemption_remove-exemption": exemption.pk}
    response = client.post(url(enrolment), post)
    assert response.status_code == 200 and "Ce champ est obligatoire" in response.content.decode()
    response = client.post(url(enrolment), {**post, "exemption_remove-reason": "Doublon"})
    assert response.status_code == 302
    assert not enrolment.exemptions.exists()
    event = AuditEvent.objects.get(action="exemption.remove")
    assert event.reason == "Doublon" and event.before["reason"] == "Erreur de saisie"


def test_another_candidates_exemption_is_not_withdrawn_through_this_one(client):
    enrolment = EnrolmentFactory()
    other = ExemptionFactory(enrolment=EnrolmentFactory(cohort=enrolment.cohort))
    client.force_login(responsable(enrolment.cohort.establishment))
    response = client.post(
        url(enrolment),
        {
            "action": "exemption_remove",
            "exemption_remove-exemption": other.pk,
            "exemption_remove-reason": "x",
        },
    )
    assert response.status_code == 200
    assert "Cette dispense n&#x27;existe plus" in response.content.decode()
    other.refresh_from_db()


def test_the_auditor_may_not_withdraw_an_exemption(client):
    exemption = ExemptionFactory()
    client.force_login(auditor())
    response = client.post(
        url(exemption.enrolment),
        {
            "action": "exemption_remove",
            "exemption_remove-exemption": exemption.pk,
            "exemption_remove-reason": "x",
        },
    )
    assert response.status_code == 403
    exemption.refresh_from_db()
