"""Every irreversible action of the jury and the centre is confirmed: without ``confirmed=1``
the view changes nothing and shows what would happen, with the button that confirms; with it,
the action is done."""

from datetime import date

import pytest
from django.urls import reverse

from audit.models import Notification
from tests.factories import STAFF_ROLES, EstablishmentFactory, UserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    JURY_EVENING,
    clock_move,
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    seated_session,
    session_with_candidate,
)
from tests.workflow.jury.test_session_dates import closed_session, composed_session
from tests.workflow.jury.test_stored_results import deliberating_session, make_incomplete
from workflow.jury import fraud
from workflow.models import FraudReport, JurySession, Soutenance, TutorEvaluation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


def _post(client, user, url, data):
    client.force_login(user)
    return client.post(url, data)


def _asks(response, title: str) -> str:
    """Assert the answer is the confirmation page (nothing done); return its text."""
    body = response.content.decode()
    assert response.status_code == 200
    assert title in body and "Rien n'a encore été fait" in body
    assert 'name="confirmed" value="1"' in body
    return body


def test_publishing_says_who_learns_what_and_how_many_emails_before_it_is_done(client):
    session, members, actor, enrolment = closed_session()
    url = reverse("jury:staff_session", args=[session.pk])
    body = _asks(_post(client, actor, url, {"action": "publish"}), "Publier les résultats ?")
    assert "1 candidat(s) voient leur résultat : Certification totale (titre) : 1." in body
    assert str(enrolment.candidate) in body and "1 e-mail(s) partent" in body
    assert 'type="hidden" name="action" value="publish"' in body
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED
    response = _post(client, actor, url, {"action": "publish", "confirmed": "1"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.state == JurySession.State.PUBLISHED


def test_the_absent_candidate_is_confirmed_before_the_soutenance_is_closed_unmarked(client):
    session, members, _actor, enrolment = composed_session()
    clock_move(JURY_EVENING)
    soutenance = session.soutenances.get()
    url = reverse("jury:soutenance_mark", args=[session.pk, soutenance.pk])
    body = _asks(
        _post(client, members["pro1"], url, {"action": "absent"}),
        f"Déclarer {enrolment.candidate} absent(e) ?",
    )
    assert "aucune note" in body and 'name="action" value="absent"' in body
    assert Soutenance.objects.get(pk=soutenance.pk).marked_at is None
    response = _post(client, members["pro1"], url, {"action": "absent", "confirmed": "1"})
    assert response.status_code == 302
    soutenance.refresh_from_db()
    assert soutenance.marked_at is not None and soutenance.presented is False


def test_convocations_say_how_many_emails_leave_before_they_leave(client):
    session, _members, actor, _enrolment = composed_session()
    url = reverse("jury:staff_session", args=[session.pk])
    body = _asks(
        _post(client, actor, url, {"action": "convocations"}), "Envoyer les convocations ?"
    )
    assert "1 e-mail(s) de convocation partent maintenant" in body
    assert not Notification.objects.filter(template="convocation").exists()
    _post(client, actor, url, {"action": "convocations", "confirmed": "1"})
    assert Notification.objects.filter(template="convocation").count() == 1
    body = _asks(
        _post(client, actor, url, {"action": "convocations"}), "Envoyer les convocations ?"
    )
    assert "0 e-mail(s)" in body and "1 candidat(s) déjà convoqué(s)" in body


def test_opening_the_deliberation_is_confirmed(client):
    session, members, _actor, _enrolment = composed_session()
    clock_move(JURY_EVENING)
    url = reverse("jury:session_open", args=[session.pk])
    body = _asks(_post(client, members["president"], url, {}), "Ouvrir la délibération ?")
    assert "évaluations des tuteurs" in body
    session.refresh_from_db()
    assert session.state == JurySession.State.COMPOSED


def test_closing_says_which_decisions_the_undecided_get_before_it_freezes_them(client):
    session, members, _actor, _enrolment = session_with_candidate()
    url = reverse("jury:deliberation", args=[session.pk])
    body = _asks(_post(client, members["president"], url, {"action": "close"}), "Clore")
    assert "0 décision(s) enregistrée(s) par le jury" in body
    assert "1 candidat(s) sans décision reçoivent la décision calculée" in body
    session.refresh_from_db()
    assert session.state == JurySession.State.DELIBERATING
    _post(client, members["president"], url, {"action": "close", "confirmed": "1"})
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED


def test_establishing_a_fraud_is_confirmed_and_dismissing_is_not(client):
    session, members, actor, enrolment = session_with_candidate()
    report = fraud.fraud_report_record(
        actor=actor,
        enrolment=enrolment,
        occurred_on=date(2027, 3, 15),
        facts="Téléphone",
        signature=FraudReport.Signature.COUNTERSIGNED,
    )
    url = reverse("jury:deliberation", args=[session.pk])
    client.force_login(members["president"])
    page = client.get(url)
    assert f'data-confirm="fraud-{report.pk}-dialog"' in page.content.decode()
    data = {"action": "fraud_confirm", "report": report.pk}
    body = _asks(_post(client, members["president"], url, data), "Établir la fraude")
    assert "invalidée" in body
    report.refresh_from_db()
    assert report.state == FraudReport.State.RECORDED
    _post(client, members["president"], url, {**data, "confirmed": "1"})
    report.refresh_from_db()
    assert report.state == FraudReport.State.CONFIRMED


def test_a_confirmation_is_refused_to_whoever_may_not_act(client):
    session, members, actor, _enrolment = closed_session()
    url = reverse("jury:deliberation", args=[session.pk])
    response = _post(client, members["pro1"], url, {"action": "close", "confirmed": "1"})
    assert response.status_code == 403
    elsewhere = UserFactory(
        roles=STAFF_ROLES, roles__establishment=EstablishmentFactory(name="CCI Grenoble")
    )
    assert _post(client, elsewhere, url, {"action": "publish"}).status_code == 404
    staff_url = reverse("jury:staff_session", args=[session.pk])
    assert _post(client, elsewhere, staff_url, {"action": "publish"}).status_code == 404
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED


def test_closing_tells_what_still_blocks_it(client):
    complete, incomplete = ready_enrolment(), ready_enrolment()
    session, members, _actor = deliberating_session([complete, incomplete])
    make_incomplete(incomplete)
    url = reverse("jury:deliberation", args=[session.pk])
    client.force_login(members["president"])
    body = _asks(client.post(url, {"action": "close"}), "Clore")
    assert "Clôture impossible pour l&#x27;instant : 1 dossier(s) incomplet(s)" in body
    assert "1 candidat(s) sans décision reçoivent la décision calculée" in body


def test_inviting_the_tutor_says_who_gets_the_email_before_it_leaves(client):
    enrolment = ready_enrolment(tutor_full=False)
    TutorEvaluation.objects.filter(enrolment=enrolment).delete()
    actor = UserFactory(roles=STAFF_ROLES, roles__establishment=enrolment.cohort.establishment)
    url = reverse("jury:staff_candidate", args=[enrolment.pk])
    body = _asks(_post(client, actor, url, {"action": "tutor"}), "Inviter le tuteur ?")
    assert enrolment.tutor.email in body
    assert not TutorEvaluation.objects.filter(enrolment=enrolment).exists()
    _post(client, actor, url, {"action": "tutor", "confirmed": "1"})
    assert TutorEvaluation.objects.filter(enrolment=enrolment).exists()
