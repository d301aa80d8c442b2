"""Personal data leaves old audit rows through one audited path, and the chain still verifies;
the retention run takes it for the rows about the material it destroys."""

from datetime import datetime, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit import chain, clock
from audit.models import AuditEvent
from audit.redaction import audit_redact
from audit.trail import audit_record
from tests.audit.test_audit_chain import tamper
from tests.documents.test_retention import PARIS, TODAY, candidate_with_files, session
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


NOW = datetime(2027, 12, 15, 9, 0, tzinfo=PARIS)


@pytest.fixture
def rows(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    candidate = UserFactory(last_name="Faure")
    first = audit_record(
        actor=candidate,
        action="evidence.upload",
        obj=candidate,
        candidate=candidate,
        after={"title": "Réunion avec Mme Faure", "size": 12},
        reason="Dépôt",
    )
    kept = audit_record(actor=candidate, action="portfolio.submit", after={"state": "submitted"})
    return first, kept


def test_a_redaction_removes_the_personal_fields_and_the_chain_still_verifies(rows, capsys):
    first, kept = rows
    staff = StaffFactory()
    count = audit_redact(
        events=AuditEvent.objects.filter(pk=first.pk), actor=staff, reason="Conservation écoulée"
    )
    assert count == 1
    redacted = AuditEvent.objects.get(pk=first.pk)
    assert (redacted.object_repr, redacted.reason, redacted.before, redacted.after) == (
        chain.REDACTED,
        chain.REDACTED,
        None,
        None,
    )
    assert (redacted.content_salt, redacted.redacted_at) == ("", NOW)
    # Who, when, what and the chain are kept as they were.
    assert (redacted.actor_id, redacted.candidate_id, redacted.action, redacted.at) == (
        first.actor_id,
        first.candidate_id,
        first.action,
        first.at,
    )
    assert (redacted.hash, redacted.personal_digest) == (first.hash, first.personal_digest)
    assert AuditEvent.objects.get(pk=kept.pk).after == {"state": "submitted"}
    record = AuditEvent.objects.get(action=chain.REDACTION_ACTION)
    assert (record.actor, record.reason) == (staff, "Conservation écoulée")
    assert record.after == {"events": [[first.pk, first.pk]], "count": 1}
    call_command("verify_audit")
    assert "3 ligne(s) dont 1 effacée(s)" in capsys.readouterr().out


def test_a_redaction_is_done_once_needs_a_reason_and_spares_the_redaction_rows(rows):
    first, _ = rows
    with pytest.raises(ValueError, match="reason"):
        audit_redact(events=AuditEvent.objects.all(), actor=None, reason=" ")
    assert audit_redact(events=AuditEvent.objects.all(), actor=None, reason="Tout") == 2
    # Again: nothing left to redact, and the redaction row vouching for the others stays.
    assert audit_redact(events=AuditEvent.objects.all(), actor=None, reason="Encore") == 0
    assert AuditEvent.objects.filter(action=chain.REDACTION_ACTION).count() == 1
    assert AuditEvent.objects.get(action=chain.REDACTION_ACTION).after["count"] == 2


def test_the_ranges_of_a_redaction_are_compact_and_sorted():
    assert chain.id_ranges([9, 3, 4, 5, 7, 8, 12]) == [[3, 5], [7, 9], [12, 12]]
    assert chain.id_ranges([]) == []


def test_a_redaction_whose_record_is_tampered_with_is_caught(rows):
    first, _ = rows
    audit_redact(events=AuditEvent.objects.filter(pk=first.pk), actor=None, reason="Motif")
    record = AuditEvent.objects.get(action=chain.REDACTION_ACTION)
    tamper("UPDATE workflow_auditevent SET after = NULL WHERE id = %s", [record.pk])
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    message = str(failure.value)
    assert "2 ligne(s) en défaut" in message
    assert f"ligne {first.pk} " in message and "hors de la procédure d'effacement" in message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_trigger_lets_the_redaction_through_and_switches_it_off_after(rows):
    first, kept = rows
    audit_redact(events=AuditEvent.objects.filter(pk=first.pk), actor=None, reason="Motif")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('preuves.audit_redaction', true)")
        assert cursor.fetchone()[0] == "off"
    assert AuditEvent.objects.get(pk=first.pk).redacted_at is not None


def test_retention_redacts_the_audit_rows_about_the_material_it_destroys(
    monkeypatch, django_capture_on_commit_callbacks, capsys
):
    monkeypatch.setattr(clock, "now", lambda: NOW)
    old = session("published", published_on=TODAY - timedelta(days=400))
    recent = session("published", published_on=TODAY - timedelta(days=100))
    _, item, memoire = candidate_with_files(old, name="Ancien")
    _, kept_item, _ = candidate_with_files(recent, name="Récent")
    uploads = [
        audit_record(actor=None, action="evidence.upload", obj=thing, after={"title": thing.title})
        for thing in (item, kept_item)
    ]
    subject = audit_record(
        actor=None, action="memoire.upload", obj=memoire, after={"subject": memoire.subject}
    )

    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention")

    assert AuditEvent.objects.get(pk=uploads[0].pk).after is None
    assert AuditEvent.objects.get(pk=subject.pk).object_repr == chain.REDACTED
    assert AuditEvent.objects.get(pk=uploads[1].pk).after == {"title": kept_item.title}
    applied = AuditEvent.objects.get(action="retention_applied")
    assert applied.after["audit_rows_redacted"] == 2
    record = AuditEvent.objects.get(action=chain.REDACTION_ACTION)
    assert record.reason == applied.reason
    capsys.readouterr()
    call_command("verify_audit")
    assert "dont 2 effacée(s)" in capsys.readouterr().out


def test_rows_redacted_by_several_redactions_in_scattered_ranges_all_verify(capsys):
    made = [audit_record(actor=None, action=f"test.{n}", reason=f"Motif {n}") for n in range(5)]
    picks = [made[0].pk, made[2].pk, made[4].pk]
    assert audit_redact(events=AuditEvent.objects.filter(pk__in=picks), actor=None, reason="A") == 3
    assert (
        audit_redact(events=AuditEvent.objects.filter(pk=made[3].pk), actor=None, reason="B") == 1
    )
    call_command("verify_audit")
    assert "7 ligne(s) dont 4 effacée(s)" in capsys.readouterr().out
