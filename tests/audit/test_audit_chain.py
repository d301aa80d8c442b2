"""The audit trail's hash chain: the canonical form, the chaining on insert, and verify_audit
catching a row changed, removed or emptied behind the application's back (raw SQL; on
PostgreSQL with the append-only trigger switched off for the tampering only)."""

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit import chain, clock
from audit.models import AuditEvent
from audit.trail import audit_record
from tests.factories import UserFactory

PARIS = ZoneInfo("Europe/Paris")


def tamper(sql, params=()):
    """Run ``sql`` on the audit table as an intruder owning it would: on PostgreSQL, with the
    trigger off for this statement only."""
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgresql:
            # ALTER TABLE waits for no deferred foreign-key check of the test's own inserts.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE workflow_auditevent DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if postgresql:
            cursor.execute("ALTER TABLE workflow_auditevent ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def verify_output(capsys) -> str:
    call_command("verify_audit")
    return capsys.readouterr().out


def verify_failure() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert failure.value.returncode == 1
    return str(failure.value)


@pytest.fixture
def three_rows(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 3, 9, 14, 30, 5, 123456, PARIS))
    actor = UserFactory()
    return [
        audit_record(
            actor=actor,
            action=f"test.step{i}",
            obj=actor,
            candidate=actor,
            before={"state": "draft", "n": i},
            after={"state": "sent", "note": "Réunion avec Mme Faure"},
            reason=f"Motif {i}",
        )
        for i in (1, 2, 3)
    ]


def test_canonical_json_is_sorted_compact_ascii_and_writes_each_number_one_way():
    value = {"b": [1, 1.0, 1e20, 0.1, 1e-7, -0.0, True, None], "a": "é\n", "c": {"z": 1, "y": 2}}
    assert chain.canonical_json(value) == (
        '{"a":"\\u00e9\\n","b":[1,1,100000000000000000000,0.1,0.0000001,0,true,null],'
        '"c":{"y":2,"z":1}}'
    )
    with pytest.raises(ValueError):
        chain.canonical_json(float("nan"))


def test_a_row_hash_is_the_sha256_of_the_documented_array():
    at = datetime(2026, 3, 9, 14, 30, 5, 123456, PARIS)
    text = (
        '["preuves-audit/1","' + "0" * 64 + '","2026-03-09T13:30:05.123456Z","x.y",7,null,'
        '12,"42","' + "d" * 64 + '"]'
    )
    assert (
        chain.row_hash(
            previous_hash=chain.GENESIS,
            at=at,
            action="x.y",
            actor_id=7,
            candidate_id=None,
            object_type_id=12,
            object_id="42",
            personal_digest="d" * 64,
        )
        == hashlib.sha256(text.encode()).hexdigest()
    )


@pytest.mark.django_db
def test_each_row_chains_to_the_one_before_and_the_chain_verifies(three_rows, capsys):
    first, second, third = (AuditEvent.objects.get(pk=row.pk) for row in three_rows)
    assert first.previous_hash == chain.GENESIS
    assert second.previous_hash == first.hash and third.previous_hash == second.hash
    assert len({first.content_salt, second.content_salt, third.content_salt}) == 3
    assert verify_output(capsys) == (
        f"Journal d'audit intègre : 3 ligne(s) dont 0 effacée(s), dernière empreinte "
        f"{third.hash}.\n"
    )


@pytest.mark.django_db
def test_json_as_the_database_gives_it_back_still_verifies(capsys):
    audit_record(
        actor=None,
        action="test.json",
        before={1: (1.0, 2.5e20, 1e-9), "texte": "ligne\u2028 «  »\t"},
        after=[{"b": 1, "a": [None, False]}],
    )
    assert "1 ligne(s)" in verify_output(capsys)


@pytest.mark.django_db
def test_the_orm_refuses_every_bulk_change_of_the_trail(three_rows):
    rows = AuditEvent.objects.filter(pk=three_rows[0].pk)
    for change in (
        lambda: rows.update(reason="réécrit"),
        rows.delete,
        lambda: AuditEvent.objects.bulk_create([AuditEvent(at=clock.now(), action="x")]),
        lambda: AuditEvent.objects.bulk_update(three_rows, ["reason"]),
        three_rows[0].save,
        three_rows[0].delete,
    ):
        with pytest.raises(ValueError, match="append-only|one by one"):
            change()
    assert AuditEvent.objects.get(pk=three_rows[0].pk).reason == "Motif 1"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sql", "broken", "problem"),
    [
        ("UPDATE workflow_auditevent SET reason = 'Motif réécrit' WHERE id = %s", 1, "contenu"),
        ("UPDATE workflow_auditevent SET after = NULL WHERE id = %s", 1, "contenu"),
        ("UPDATE workflow_auditevent SET action = 'test.other' WHERE id = %s", 1, "empreinte"),
        ("UPDATE workflow_auditevent SET actor_id = NULL WHERE id = %s", 1, "empreinte"),
        ("UPDATE workflow_auditevent SET at = at - interval '1 day' WHERE id = %s", 1, "empreinte"),
        ("DELETE FROM workflow_auditevent WHERE id = %s", 2, "précédente"),
        (
            "UPDATE workflow_auditevent SET redacted_at = at, before = NULL, after = NULL, "
            "content_salt = '', object_repr = 'Supprimé (durée de conservation écoulée)', "
            "reason = 'Supprimé (durée de conservation écoulée)' WHERE id = %s",
            1,
            "hors de la procédure",
        ),
    ],
    ids=["reason", "after", "action", "actor", "time", "deleted", "emptied"],
)
def test_verify_audit_names_the_first_broken_row(three_rows, sql, broken, problem):
    if "interval" in sql and connection.vendor == "sqlite":
        sql = sql.replace("at - interval '1 day'", "datetime(at, '-1 day')")
    tamper(sql, [three_rows[1].pk])
    named = AuditEvent.objects.get(pk=three_rows[broken].pk)
    message = verify_failure()
    assert message.startswith("Journal d'audit altéré : 1 ligne(s) en défaut sur ")
    assert f"ligne {named.pk} ({chain.utc_text(named.at)}, {named.action}) — " in message
    assert problem in message


@pytest.mark.django_db
def test_the_chain_is_rebuilt_only_by_recomputing_every_later_hash(three_rows, capsys):
    # Changing a row and its own hash still breaks the next row's link: only rewriting the
    # whole tail passes, and that changes the last hash, which the operator keeps elsewhere.
    head = verify_output(capsys).split()[-1]
    row = AuditEvent.objects.get(pk=three_rows[1].pk)
    tamper(
        "UPDATE workflow_auditevent SET action = 'test.forged', hash = %s WHERE id = %s",
        [
            chain.row_hash(
                previous_hash=row.previous_hash,
                at=row.at,
                action="test.forged",
                actor_id=row.actor_id,
                candidate_id=row.candidate_id,
                object_type_id=row.object_type_id,
                object_id=row.object_id,
                personal_digest=row.personal_digest,
            ),
            row.pk,
        ],
    )
    message = verify_failure()
    assert f"ligne {three_rows[2].pk} " in message and "précédente" in message
    assert head == f"{three_rows[2].hash}."
