"""The procès-verbal names the establishment's two responsables (règlement §5 and §7)."""

import pytest

from accounts.models import Role, UserRole
from documents import selectors, services
from tests.documents.conftest import pdf_text
from tests.documents.test_result_documents import decided  # noqa: F401
from tests.factories import EstablishmentFactory, UserFactory
from tests.workflow.jury.helpers import fast_passwords, jury_timeline  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


def grant(session, role, first_name, last_name):
    user = UserFactory(first_name=first_name, last_name=last_name)
    UserRole.objects.create(user=user, role=role, establishment_id=session.establishment_id)
    return user


def test_the_proces_verbal_names_both_responsables(decided):  # noqa: F811
    session = decided["session"]
    UserRole.objects.filter(establishment_id=session.establishment_id).delete()
    grant(session, Role.RESPONSABLE_CERTIFICATION, "Claire", "Vautrin")
    grant(session, Role.RESPONSABLE_EVALUATION, "Marc", "Olivier")
    other = EstablishmentFactory(name="CCI Formation Grenoble")
    UserRole.objects.create(
        user=UserFactory(first_name="Paul", last_name="Ailleurs"),
        role=Role.RESPONSABLE_EVALUATION,
        establishment=other,
    )
    assert selectors.pv_responsables(session) == {
        "certification": ["Claire Vautrin"],
        "evaluation": ["Marc Olivier"],
    }
    document = services.proces_verbal_issue(session=session, actor=decided["staff"])
    text = pdf_text(document.file.read())
    # The facts print as a list of terms then a list of values.
    assert "Responsable du processus de certification Responsable du processus d'évaluation" in text
    assert "Claire Vautrin Marc Olivier" in text
    assert "Ailleurs" not in text


def test_a_responsable_not_designated_is_said_so(decided):  # noqa: F811
    session = decided["session"]
    UserRole.objects.filter(
        establishment_id=session.establishment_id, role=Role.RESPONSABLE_EVALUATION
    ).delete()
    assert selectors.pv_responsables(session)["evaluation"] == []
    document = services.proces_verbal_issue(session=session, actor=decided["staff"])
    assert "non désigné" in pdf_text(document.file.read())
