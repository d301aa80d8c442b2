"""Migrations documents 0004-0006: every document issued before the key gets one, and copies
issued twice stay on record, superseded, without breaking the unique key."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from documents import issuance, selectors
from documents.models import IssuedDocument
from tests.factories import EnrolmentFactory, JurySessionFactory

BEFORE = [("documents", "0003_issueddocument_establishment_required")]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("referentiel_reloaded"),
]


def _old_documents(apps, session, enrolment):
    """Write, as the crawler and the simultaneous requests did, documents issued twice."""
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    start = timezone.make_aware(datetime(2026, 12, 1, 9, 0))
    bloc = session.title.blocs.get(number=1)

    def issue(n, reference, kind, digest, **place):
        return IssuedDocument.objects.create(
            reference=reference, kind=kind, session_id=session.pk,
            establishment_id=session.establishment_id, size=1, sha256=f"{n:064d}",
            content_digest=digest * 64, issued_at=start + timedelta(minutes=n), **place,
        )  # fmt: skip

    certificat = {"enrolment_id": enrolment.pk, "bloc_id": bloc.pk}
    return {
        "CB1": issue(1, "CB-2026-000021", "certificat_bloc", "a", **certificat),
        "CB2": issue(2, "CB-2026-000022", "certificat_bloc", "a", **certificat),
        "CB3": issue(3, "CB-2026-000023", "certificat_bloc", "a", **certificat),
        # The relevé issued again after the facts changed, then its copy.
        "RN1": issue(4, "RN-2026-000001", "releve", "b", enrolment_id=enrolment.pk),
        "RN2": issue(5, "RN-2026-000002", "releve", "c", enrolment_id=enrolment.pk),
        "RN3": issue(6, "RN-2026-000003", "releve", "c", enrolment_id=enrolment.pk),
        "PV": issue(7, "PV-2026-000001", "proces_verbal", "d"),
    }


def test_the_oldest_copy_keeps_the_key_and_the_others_verify_as_copies():
    session = JurySessionFactory()
    enrolment = EnrolmentFactory()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    old = _old_documents(executor.migrate(BEFORE).apps, session, enrolment)

    MigrationExecutor(connection).migrate(latest)

    documents = {key: IssuedDocument.objects.get(pk=row.pk) for key, row in old.items()}
    assert IssuedDocument.objects.count() == 7  # no official record deleted
    bloc = session.title.blocs.get(number=1)
    assert documents["CB1"].issue_key == issuance.issue_key(
        kind="certificat_bloc",
        session_id=session.pk,
        enrolment_id=enrolment.pk,
        bloc_id=bloc.pk,
        digest="a" * 64,
    )
    assert documents["CB1"].superseded_by is None
    for copy in ("CB2", "CB3"):
        assert documents[copy].issue_key is None
        assert documents[copy].superseded_by == documents["CB1"]
        assert documents[copy].is_duplicate
    # The relevé in force is that of the facts issued last; the older facts are superseded.
    assert documents["RN2"].issue_key and documents["RN2"].superseded_by is None
    assert documents["RN1"].superseded_by == documents["RN2"]
    assert not documents["RN1"].is_duplicate
    assert documents["RN3"].issue_key is None and documents["RN3"].is_duplicate
    assert documents["PV"].issue_key.startswith(f"proces_verbal:s{session.pk}:-:-:")
    assert (
        issuance.current_document(
            kind="certificat_bloc", session=session, enrolment=enrolment, bloc=bloc
        )
        == documents["CB1"]
    )

    notice = selectors.document_verification(reference="CB-2026-000023").notice
    assert "émis une seconde fois" in notice and "CB-2026-000021" in notice
    notice = selectors.document_verification(reference="RN-2026-000001").notice
    assert "remplacé par le document RN-2026-000002" in notice

    # And back: the columns go, the documents stay.
    old_apps = MigrationExecutor(connection).migrate(BEFORE).apps
    assert old_apps.get_model("documents", "IssuedDocument").objects.count() == 7
    MigrationExecutor(connection).migrate(latest)
