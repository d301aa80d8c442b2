"""Fixtures for the documents tests: a jury session with candidates, files in a temp folder."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from accounts.models import Role
from tests.factories import STAFF_ROLES, EnrolmentFactory, UserFactory, rncp_title
from workflow.models import JurySession, SessionCandidate


def pdf_text(content: bytes) -> str:
    """Return the text of every page of a PDF, white space (table cells wrap) made single."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def response_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture(autouse=True)
def _media(local_storage):
    """Keep issued files in a temporary folder."""
    return local_storage


@pytest.fixture
def staff():
    return UserFactory(
        email="responsable@exemple.fr", first_name="Nathalie", last_name="Roussel",
        roles=STAFF_ROLES,
    )  # fmt: skip


@pytest.fixture
def jury_session(db):
    from tests.factories import EstablishmentFactory

    return JurySession.objects.create(
        title=rncp_title(),
        establishment=EstablishmentFactory(),
        date=date(2026, 11, 28),
        place="Salle Lumière, 32 quai Perrache, Lyon",
    )


@pytest.fixture
def candidate_entry(jury_session):
    enrolment = EnrolmentFactory(
        candidate=UserFactory(
            email="anais.legare@exemple.fr", first_name="Anaïs", last_name="Légaré",
            birth_date=date(1998, 3, 5), roles=[Role.CANDIDAT],
        ),
    )  # fmt: skip
    return SessionCandidate.objects.create(session=jury_session, enrolment=enrolment)
