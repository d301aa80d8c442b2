"""The marked papers of the épreuves: uploaded by the examiner or the staff, checked like any
file, downloaded only by the establishment's staff, the examiner and the candidate's jury."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEvent
from portfolio.services import stored_name_in_use
from portfolio.services.uploads import stored_file_folders
from tests.factories import (
    EstablishmentFactory,
    EvaluatorFactory,
    JuryMemberFactory,
    SessionCandidateFactory,
    UserFactory,
)
from tests.portfolio import samples
from tests.workflow.evaluation.test_epreuve_marks import assign, epreuves_enrolment, epreuves_of
from tests.workflow.jury.helpers import staff as staff_of
from workflow.errors import WorkflowError
from workflow.evaluation.epreuve_papers import epreuve_paper_upload
from workflow.models import EpreuvePaper

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage")]


def pdf(name="copie.pdf"):
    return SimpleUploadedFile(name, samples.pdf_minimal(), "application/pdf")


def marked():
    enrolment = epreuves_enrolment()
    return assign(enrolment, epreuves_of(enrolment, 3)[0])


def test_the_examiner_uploads_a_marked_paper_stored_like_any_file():
    mark = marked()
    paper = epreuve_paper_upload(actor=mark.examiner, mark=mark, uploaded_file=pdf())
    assert paper.kind == "pdf" and paper.original_name == "copie.pdf"
    assert paper.file.name.startswith("papers/") and stored_name_in_use(paper.file.name)
    assert "papers" in stored_file_folders()  # the orphans' cleanup reads it, and keeps it
    assert AuditEvent.objects.filter(action="epreuve_paper.upload").count() == 1


def test_another_kind_and_the_same_file_twice_are_refused_in_french():
    mark = marked()
    docx = SimpleUploadedFile("copie.docx", samples.docx(), "application/octet-stream")
    with pytest.raises(WorkflowError, match="PDF, JPEG ou PNG"):
        epreuve_paper_upload(actor=mark.examiner, mark=mark, uploaded_file=docx)
    epreuve_paper_upload(actor=mark.examiner, mark=mark, uploaded_file=pdf())
    with pytest.raises(WorkflowError, match="déjà déposée"):
        epreuve_paper_upload(actor=staff_of(), mark=mark, uploaded_file=pdf("encore.pdf"))
    assert EpreuvePaper.objects.count() == 1


@pytest.mark.parametrize("role", ["candidat", "tuteur", "formateur", "jury", "evaluateur"])
def test_other_people_may_not_upload(role):
    mark = marked()
    with pytest.raises(WorkflowError, match="Seuls le centre et le correcteur"):
        epreuve_paper_upload(actor=UserFactory(roles=[role]), mark=mark, uploaded_file=pdf())


def test_the_staff_upload_from_their_list(client):
    mark = marked()
    client.force_login(staff_of())
    url = (
        f"{reverse('workflow:staff-epreuve-marks')}"
        f"?promotion={mark.enrolment.cohort_id}&epreuve={mark.epreuve_id}"
    )
    response = client.post(
        url, {"action": "paper", "mark": mark.pk, f"paper-{mark.pk}-paper": pdf()}, follow=True
    )
    assert "Copie déposée." in response.content.decode()
    paper = EpreuvePaper.objects.get()
    assert reverse("workflow:epreuve-paper", args=[paper.pk]) in response.content.decode()


def test_the_examiner_uploads_from_the_grid_page(client):
    mark = marked()
    client.force_login(mark.examiner)
    url = reverse("workflow:examiner-mark", args=[mark.pk])
    response = client.post(url, {"action": "paper", f"paper-{mark.pk}-paper": pdf()}, follow=True)
    assert "Copie déposée." in response.content.decode()
    refused = client.post(
        url,
        {
            "action": "paper",
            f"paper-{mark.pk}-paper": SimpleUploadedFile("x.zip", samples.zip_archive()),
        },
    )
    assert refused.status_code == 400
    assert EpreuvePaper.objects.count() == 1


def _download(client, user, paper):
    client.force_login(user)
    return client.get(reverse("workflow:epreuve-paper", args=[paper.pk]))


def test_the_staff_the_examiner_and_the_candidates_jury_download_it(client):
    mark = marked()
    paper = epreuve_paper_upload(actor=mark.examiner, mark=mark, uploaded_file=pdf())
    entry = SessionCandidateFactory(enrolment=mark.enrolment)
    juror = JuryMemberFactory(session=entry.session).user
    for user in (staff_of(), mark.examiner, juror, UserFactory(roles=["auditeur"])):
        response = _download(client, user, paper)
        assert response.status_code == 200, user
        assert response["Content-Disposition"].startswith("attachment")
        assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEvent.objects.filter(action="epreuve_paper.download").count() == 4


def test_anyone_else_gets_a_404():
    from django.test import Client

    mark = marked()
    paper = epreuve_paper_upload(actor=mark.examiner, mark=mark, uploaded_file=pdf())
    others = [
        mark.enrolment.candidate,
        EvaluatorFactory(),
        JuryMemberFactory().user,  # another session's
        UserFactory(roles=["tuteur"]),
        staff_of(EstablishmentFactory(name="CCI Ailleurs")),
    ]
    for user in others:
        assert _download(Client(), user, paper).status_code == 404, user
    assert not AuditEvent.objects.filter(action="epreuve_paper.download").exists()
