"""The tutor, trainer, staff, jury and candidate screens: what each role sees and may do."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import TrainingLink
from tests.factories import EnrolmentFactory, JuryUserFactory, UserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    JURY_EVENING,
    clock_move,
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    session_with_candidate,
    staff,
)
from workflow.jury import deliberation
from workflow.marks import tutoring
from workflow.models import CCMark, JurySession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


def _client(client, user):
    client.force_login(user)
    return client


def test_the_tutor_sees_only_their_candidates_and_submits_the_grid_on_one_screen(client):
    enrolment = EnrolmentFactory()
    evaluation = tutoring.tutor_evaluation_invite(actor=staff(), enrolment=enrolment)
    other = tutoring.tutor_evaluation_invite(actor=staff(), enrolment=EnrolmentFactory())
    c = _client(client, enrolment.tutor)
    page = c.get(reverse("jury:tutor_home"))
    assert page.status_code == 200
    body = page.content.decode()
    assert str(enrolment.candidate) in body and str(other.enrolment.candidate) not in body
    assert c.get(reverse("jury:tutor_evaluation", args=[other.pk])).status_code == 403
    data = {f"c{c_.pk}": str(c_.max_points) for c_ in evaluation.grid_version.criteria.all()}
    response = c.post(
        reverse("jury:tutor_evaluation", args=[evaluation.pk]),
        {**data, "comment": "Très bonne alternante", "action": "submit", "confirmed": "1"},
    )
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.state == "submitted" and evaluation.total == Decimal(50)


def test_a_trainer_imports_a_csv_and_sees_the_line_errors(client):
    enrolment = EnrolmentFactory()
    module = enrolment.cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    trainer = UserFactory(roles=["formateur"])
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=enrolment.cohort)
    c = _client(client, trainer)
    url = reverse("jury:cc_import", args=[enrolment.cohort.pk, module.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("notes.csv", b"email;note;sur\nx@y.fr;12;20\n", "text/csv")
    page = c.post(url, {"file": bad})
    assert page.status_code == 200
    assert "x@y.fr n&#x27;est pas inscrit" in page.content.decode()
    assert CCMark.objects.count() == 0
    good = SimpleUploadedFile(
        "notes.csv", f"email;note;sur\n{enrolment.candidate.email};12;20\n".encode(), "text/csv"
    )
    token = c.post(url, {"file": good}).context["confirm_form"].initial["token"]
    confirm = reverse("jury:cc_import_confirm", args=[enrolment.cohort.pk, module.pk])
    assert c.post(confirm, {"token": token}).status_code == 302
    assert CCMark.objects.get().mark == Decimal(12)


def test_a_trainer_not_linked_to_the_module_gets_404(client):
    enrolment = EnrolmentFactory()
    module = enrolment.cohort.title.blocs.get(number=1).modules.get(code="M1.1")
    c = _client(client, UserFactory(roles=["formateur"]))
    url = reverse("jury:trainer_marks", args=[enrolment.cohort.pk, module.pk])
    assert c.get(url).status_code == 404


@pytest.mark.parametrize("role", ["candidat", "tuteur", "formateur", "jury", "evaluateur"])
def test_staff_screens_refuse_other_roles(client, role):
    enrolment = EnrolmentFactory()
    session, *_ = session_with_candidate()
    c = _client(client, UserFactory(roles=[role]))
    for url in (
        reverse("jury:staff_dashboard"),
        reverse("jury:staff_session", args=[session.pk]),
        reverse("jury:staff_candidate", args=[enrolment.pk]),
    ):
        assert c.get(url).status_code == 403


def test_a_jury_member_of_another_session_sees_nothing_of_this_one(client):
    session, *_ = session_with_candidate()
    c = _client(client, JuryUserFactory())
    assert c.get(reverse("jury:session", args=[session.pk])).status_code == 403
    assert c.get(reverse("jury:deliberation", args=[session.pk])).status_code == 403


def test_the_deliberation_screen_shows_the_computed_decision_and_closes(client):
    session, members, actor, enrolment = session_with_candidate()
    c = _client(client, members["president"])
    page = c.get(reverse("jury:deliberation", args=[session.pk]))
    body = page.content.decode()
    assert "Certification totale (titre)" in body
    detail = c.get(reverse("jury:deliberation_candidate", args=[session.pk, enrolment.pk]))
    assert "Certification totale : le titre est obtenu" in detail.content.decode()
    c.post(reverse("jury:deliberation", args=[session.pk]), {"action": "close"})
    session.refresh_from_db()
    assert session.state == JurySession.State.DELIBERATING  # not confirmed
    c.post(reverse("jury:deliberation", args=[session.pk]), {"action": "close", "confirmed": "1"})
    session.refresh_from_db()
    assert session.state == JurySession.State.CLOSED


def test_a_professional_member_may_not_post_decisions(client):
    session, members, actor, enrolment = session_with_candidate()
    c = _client(client, members["pro1"])
    response = c.post(
        reverse("jury:deliberation", args=[session.pk]), {"action": "close", "confirmed": "1"}
    )
    assert response.status_code == 403


def test_candidate_results_are_shown_only_after_publication(client):
    session, members, actor, enrolment = session_with_candidate()
    c = _client(client, enrolment.candidate)
    url = reverse("jury:candidate_results")
    assert "pas encore publiés" in c.get(url).content.decode()
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    body = c.get(url).content.decode()
    assert "pas encore publiés" in body and "Bloc 1 : 12/20" not in body
    deliberation.jury_results_publish(actor=actor, session=session)
    body = c.get(url).content.decode()
    assert "Certification totale (titre)" in body and "Bloc 1 : 12/20" in body


def test_another_candidate_never_sees_someone_elses_results(client):
    session, members, actor, enrolment = session_with_candidate()
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    deliberation.jury_results_publish(actor=actor, session=session)
    other = EnrolmentFactory()
    body = _client(client, other.candidate).get(reverse("jury:candidate_results")).content
    assert "Bloc 1 : 12/20" not in body.decode()


def test_staff_screens_render_for_staff(client):
    session, members, actor, enrolment = session_with_candidate()
    c = _client(client, actor)
    assert c.get(reverse("jury:staff_dashboard")).status_code == 200
    assert c.get(reverse("jury:staff_session", args=[session.pk])).status_code == 200
    page = c.get(reverse("jury:staff_candidate", args=[enrolment.pk]))
    assert page.status_code == 200
    response = c.post(
        reverse("jury:staff_candidate", args=[enrolment.pk]),
        {
            "action": "absence",
            "absence-date": "2025-10-01",
            "absence-hours": "3",
            "absence-justification": "",
        },
    )
    assert response.status_code == 302
    assert enrolment.absences.count() == 1


def test_home_links_each_role_to_its_screen(client):
    user = UserFactory(roles=["tuteur", "formateur", "candidat"])
    body = _client(client, user).get(reverse("accounts:home")).content.decode()
    assert reverse("jury:tutor_home") in body
    assert reverse("jury:trainer_home") in body
    assert reverse("jury:candidate_results") in body
    assert 'data-role="tuteur"' in body


def test_a_voting_member_marks_the_soutenance_and_only_the_president_sees_accommodations(client):
    from datetime import datetime

    from django.utils import timezone

    from tests.workflow.jury.helpers import seated_session
    from workflow.jury import accommodations, sessions, soutenances

    enrolment = ready_enrolment()
    session, members, actor = seated_session()
    accommodations.accommodation_record(
        actor=actor, enrolment=enrolment, kind="workstation", details="Clavier adapté"
    )
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    sessions.jury_session_compose(actor=actor, session=session)
    soutenance = soutenances.soutenance_schedule(
        actor=actor,
        session=session,
        enrolment=enrolment,
        starts_at=timezone.make_aware(datetime(2027, 3, 15, 14, 0)),
        base_minutes=45,
    )
    clock_move(JURY_EVENING)  # the soutenance has taken place
    url = reverse("jury:session", args=[session.pk])
    assert "Clavier adapté" in _client(client, members["president"]).get(url).content.decode()
    client.logout()
    c = _client(client, members["pro2"])
    assert "Clavier adapté" not in c.get(url).content.decode()
    mark_url = reverse("jury:soutenance_mark", args=[session.pk, soutenance.pk])
    data = {f"c{x.pk}": str(x.max_points) for x in soutenance.grid_version.criteria.all()}
    assert c.post(mark_url, {**data, "action": "mark"}).status_code == 302
    soutenance.refresh_from_db()
    assert soutenance.total == Decimal(75)
    client.logout()
    assert _client(client, enrolment.candidate).get(mark_url).status_code == 403
