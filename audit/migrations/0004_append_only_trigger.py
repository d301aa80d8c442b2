# On PostgreSQL, refuse UPDATE, DELETE and TRUNCATE on the audit table, whoever sends them.
# The one exception is the redaction (audit/redaction.py): with the transaction-local setting
# preuves.audit_redaction = 'on', an UPDATE may replace a not-yet-redacted row's personal fields
# by the marker, null its before/after, clear its salt and set redacted_at — and nothing else.
# SQLite has no such trigger: the ORM refuses these writes (AuditEventQuerySet), and
# `manage.py verify_audit` detects any change made behind its back.

from django.db import migrations

TABLE = "workflow_auditevent"
MARKER = "Supprimé (durée de conservation écoulée)"

CREATE = f"""
CREATE OR REPLACE FUNCTION preuves_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
        AND coalesce(current_setting('preuves.audit_redaction', true), '') = 'on'
        AND OLD.redacted_at IS NULL
        AND NEW.redacted_at IS NOT NULL
        AND NEW.object_repr = '{MARKER}'
        AND NEW.reason = '{MARKER}'
        AND NEW.before IS NULL
        AND NEW.after IS NULL
        AND NEW.content_salt = ''
        AND (NEW.id, NEW.at, NEW.action, NEW.actor_id, NEW.candidate_id, NEW.object_type_id,
             NEW.object_id, NEW.personal_digest, NEW.previous_hash, NEW.hash)
            IS NOT DISTINCT FROM
            (OLD.id, OLD.at, OLD.action, OLD.actor_id, OLD.candidate_id, OLD.object_type_id,
             OLD.object_id, OLD.personal_digest, OLD.previous_hash, OLD.hash)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Personal data leaves old rows only through audit.redaction.audit_redact.';
END;
$$;
CREATE TRIGGER preuves_audit_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION preuves_audit_append_only();
CREATE TRIGGER preuves_audit_no_truncate
    BEFORE TRUNCATE ON {TABLE}
    FOR EACH STATEMENT EXECUTE FUNCTION preuves_audit_append_only();
"""

DROP = f"""
DROP TRIGGER IF EXISTS preuves_audit_no_truncate ON {TABLE};
DROP TRIGGER IF EXISTS preuves_audit_append_only ON {TABLE};
DROP FUNCTION IF EXISTS preuves_audit_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_chain_existing_rows"),
    ]

    operations = [
        migrations.RunPython(create_trigger, drop_trigger, elidable=False),
    ]
