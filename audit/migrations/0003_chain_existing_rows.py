# Chain the rows written before the chain existed, in primary-key order, from the genesis hash.
# Their salt is drawn now; their content is what the table holds at this moment.

from django.db import migrations

from audit import chain


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    rows = AuditEvent.objects.using(schema_editor.connection.alias).order_by("pk")
    previous = chain.GENESIS
    batch = []
    for event in rows.iterator(chunk_size=1000):
        chain.seal(event, previous)
        previous = event.hash
        batch.append(event)
        if len(batch) == 1000:
            _save(AuditEvent, batch, schema_editor)
    _save(AuditEvent, batch, schema_editor)


def _save(AuditEvent, batch, schema_editor):
    fields = ["content_salt", "personal_digest", "previous_hash", "hash"]
    AuditEvent.objects.using(schema_editor.connection.alias).bulk_update(batch, fields)
    batch.clear()


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0002_chain_columns"),
    ]

    operations = [
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop, elidable=False),
    ]
