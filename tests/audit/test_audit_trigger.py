"""On PostgreSQL the database itself refuses to rewrite the audit trail: UPDATE, DELETE and
TRUNCATE fail whoever sends them, except the one redaction; simultaneous appends never chain to
the same row. The chain of rows written before it existed is computed by a migration."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit import chain, clock
from audit.models import AuditEvent
from audit.trail import audit_record
from tests.factories import UserFactory
from tests.races import run_together

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the append-only trigger and the advisory lock are PostgreSQL's; SQLite has neither",
)


def refused(sql, params=()):
    """Run ``sql`` in a savepoint; return the database's refusal message (fail if accepted)."""
    with pytest.raises(DatabaseError) as refusal, transaction.atomic():
        with connection.cursor() as cursor:
            # TRUNCATE waits for no deferred foreign-key check of the test's own inserts.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql, params)
    return str(refusal.value)


@pytest.fixture
def row():
    return audit_record(actor=UserFactory(), action="test.row", reason="Motif", after={"a": 1})


@postgresql_only
@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE workflow_auditevent SET reason = 'réécrit' WHERE id = %s",
        "UPDATE workflow_auditevent SET hash = hash WHERE id = %s",
        "DELETE FROM workflow_auditevent WHERE id = %s",
        "TRUNCATE workflow_auditevent CASCADE",
    ],
    ids=["update", "same-value-update", "delete", "truncate"],
)
def test_the_trigger_refuses_update_delete_and_truncate(row, sql):
    message = refused(sql, [row.pk] if "%s" in sql else [])
    assert "the audit trail is append-only" in message
    assert AuditEvent.objects.filter(pk=row.pk, reason="Motif").exists()


@postgresql_only
@pytest.mark.django_db
def test_the_redaction_setting_lets_through_only_a_redaction(row):
    marker = chain.REDACTED
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('preuves.audit_redaction', 'on', true)")
    # The setting is on, but these are not redactions: a field outside the personal ones
    # changes, the salt stays, or a row is removed.
    for sql in [
        "UPDATE workflow_auditevent SET action = 'x', reason = %s, object_repr = %s, "
        "before = NULL, after = NULL, content_salt = '', redacted_at = now() WHERE id = %s",
        "UPDATE workflow_auditevent SET reason = %s, object_repr = %s, before = NULL, "
        "after = NULL, redacted_at = now() WHERE id = %s",
        "UPDATE workflow_auditevent SET reason = %s, object_repr = %s, before = NULL, "
        "after = NULL, content_salt = '' WHERE id = %s",
    ]:
        assert "append-only" in refused(sql, [marker, marker, row.pk])
    assert "append-only" in refused("DELETE FROM workflow_auditevent WHERE id = %s", [row.pk])
    # The ORM's own redaction update, without the setting, is refused too.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('preuves.audit_redaction', 'off', true)")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=row.pk)._redact(at=clock.now())
    assert AuditEvent.objects.get(pk=row.pk).reason == "Motif"


@postgresql_only
@pytest.mark.django_db
def test_the_test_database_has_the_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'workflow_auditevent'::regclass "
            "AND NOT tgisinternal ORDER BY tgname"
        )
        names = [name for (name,) in cursor.fetchall()]
    assert names == ["preuves_audit_append_only", "preuves_audit_no_truncate"]


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_appends_make_one_unbroken_chain(capsys):
    actors = [UserFactory() for _ in range(50)]

    def append(actor):
        with transaction.atomic():
            audit_record(actor=actor, action="test.race", reason=actor.email)
            audit_record(actor=actor, action="test.race.second", reason=actor.email)

    results = run_together([lambda actor=actor: append(actor) for actor in actors], timeout=120)
    failures = [r for r in results if isinstance(r, Exception)]
    assert not failures
    previous = list(AuditEvent.objects.order_by("pk").values_list("previous_hash", flat=True))
    assert len(previous) == 100 and len(set(previous)) == 100
    call_command("verify_audit")
    assert "100 ligne(s) dont 0 effacée(s)" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_the_migration_chains_the_rows_written_before_the_chain(capsys):
    user = UserFactory()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    old_apps = executor.migrate([("audit", "0002_chain_columns")]).apps
    OldEvent = old_apps.get_model("audit", "AuditEvent")
    for n in range(3):
        OldEvent.objects.create(
            at=timezone.now(), action=f"before.chain{n}", actor_id=user.pk, after={"n": n}
        )
    assert set(OldEvent.objects.values_list("hash", flat=True)) == {""}

    MigrationExecutor(connection).migrate(latest)

    rows = list(AuditEvent.objects.order_by("pk"))
    assert rows[0].previous_hash == chain.GENESIS
    assert [r.previous_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    audit_record(actor=user, action="after.chain")
    call_command("verify_audit")
    assert "4 ligne(s)" in capsys.readouterr().out
