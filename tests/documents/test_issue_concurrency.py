"""Twenty requests for the same document at the same moment: one document, one reference, one
stored file.

Real concurrency needs row locks, which SQLite does not have: these tests run on PostgreSQL.
"""

from decimal import Decimal

import pytest
from django.test import Client

from documents import services
from documents.models import IssuedDocument, ReferenceCounter
from tests.races import needs_row_locks, run_together
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    session_with_candidate,
)
from workflow.jury import deliberation

pytestmark = [
    pytest.mark.usefixtures("jury_timeline"),
    needs_row_locks,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("referentiel_reloaded"),
]

RACERS = 20


def race(call, n=RACERS):
    """Run ``call`` in ``n`` threads released together; return their results."""
    results = run_together([lambda index=index: call(index) for index in range(n)])
    failures = [r for r in results if r is None or isinstance(r, Exception)]
    assert not failures, f"a racer did not finish cleanly: {failures!r}"
    return results


@pytest.fixture
def closed(tmp_path):
    enrolment = ready_enrolment(written=Decimal(0), tutor_full=False)
    session, members, staff, enrolment = session_with_candidate(enrolment)
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    session.refresh_from_db()
    return session, staff, enrolment


def stored_documents(tmp_path):
    return [p for p in (tmp_path / "media" / "documents").rglob("*") if p.is_file()]


def test_twenty_simultaneous_requests_issue_one_certificat(closed, tmp_path, caplog):
    session, staff, enrolment = closed
    documents = race(
        lambda _i: services.certificat_issue(
            session=session, enrolment=enrolment, bloc_number="1", actor=staff
        )
    )
    assert len({document.pk for document in documents}) == 1
    assert len({document.reference for document in documents}) == 1
    assert IssuedDocument.objects.filter(kind="certificat_bloc").count() == 1
    assert ReferenceCounter.objects.get(prefix="CB").last == 1
    assert len(stored_documents(tmp_path)) == 1
    # The lock made them wait for each other: none got as far as the unique key.
    assert "lost a race" not in caplog.text


def test_twenty_simultaneous_requests_constitute_one_archive(closed, tmp_path):
    session, staff, _enrolment = closed
    documents = race(lambda _i: services.session_archive_issue(session=session, actor=staff))
    assert len({document.reference for document in documents}) == 1
    # The archive holds the procès-verbal, issued once too.
    assert IssuedDocument.objects.filter(kind="archive").count() == 1
    assert IssuedDocument.objects.filter(kind="proces_verbal").count() == 1
    assert ReferenceCounter.objects.get(prefix="ARC").last == 1
    assert ReferenceCounter.objects.get(prefix="PV").last == 1
    assert len(stored_documents(tmp_path)) == 2


def test_twenty_simultaneous_posts_issue_one_releve(closed, tmp_path):
    from django.urls import reverse

    session, staff, enrolment = closed
    url = reverse("documents:result", args=[session.pk, enrolment.pk, "releve"])
    clients = [Client() for _i in range(RACERS)]
    for client in clients:
        client.force_login(staff)
    answers = race(lambda i: clients[i].post(url))
    assert {answer.status_code for answer in answers} == {302}
    assert len({answer.url for answer in answers}) == 1
    assert IssuedDocument.objects.filter(kind="releve").count() == 1
    assert ReferenceCounter.objects.get(prefix="RN").last == 1
    assert len(stored_documents(tmp_path)) == 1
