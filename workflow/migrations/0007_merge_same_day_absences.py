"""Merge absences recorded twice for one candidate, day and kind before the unique key.

Hours add up, so the unjustified share the rules engine computes does not change; the oldest
record keeps the total and the notes of the others. The constraint itself is added by the next
migration (PostgreSQL refuses an index while this step's trigger events are pending).
"""

from django.db import migrations
from django.db.models import Count


def merge_same_day_absences(apps, schema_editor):
    AbsenceRecord = apps.get_model("workflow", "AbsenceRecord")
    duplicated = (
        AbsenceRecord.objects.values("enrolment_id", "date", "justified")
        .annotate(rows=Count("pk"))
        .filter(rows__gt=1)
    )
    for group in duplicated:
        records = list(
            AbsenceRecord.objects.filter(
                enrolment_id=group["enrolment_id"],
                date=group["date"],
                justified=group["justified"],
            ).order_by("pk")
        )
        kept, others = records[0], records[1:]
        kept.hours = sum((record.hours for record in records), start=kept.hours * 0)
        kept.note = " / ".join(record.note for record in records if record.note)[:300]
        kept.save(update_fields=["hours", "note"])
        AbsenceRecord.objects.filter(pk__in=[record.pk for record in others]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0006_redisplay_stored_decisions"),
    ]

    operations = [
        migrations.RunPython(merge_same_day_absences, migrations.RunPython.noop),
    ]
