"""Give every mémoire marked before double marking its written mark in ``agreed_mark``: the
latest submitted scoring of a completed assignment, else the mark the staff entered (the
reader's rule until now)."""

from django.db import migrations


def fill_agreed_marks(apps, schema_editor):
    Memoire = apps.get_model("portfolio", "Memoire")
    Scoring = apps.get_model("workflow", "Scoring")
    MemoireWrittenMark = apps.get_model("workflow", "MemoireWrittenMark")
    marks = {}
    scorings = (
        Scoring.objects.filter(
            assignment__memoire__isnull=False,
            assignment__state="completed",
            state="submitted",
        )
        .order_by("assignment__memoire_id", "-submitted_at")
        .values_list("assignment__memoire_id", "total")
    )
    for memoire_id, total in scorings:
        marks.setdefault(memoire_id, total)
    for memoire_id, points in MemoireWrittenMark.objects.values_list("memoire_id", "points"):
        marks.setdefault(memoire_id, points)
    unset = Memoire.objects.filter(pk__in=list(marks), agreed_mark__isnull=True)
    for pk in unset.values_list("pk", flat=True):
        Memoire.objects.filter(pk=pk).update(agreed_mark=marks[pk])


class Migration(migrations.Migration):
    dependencies = [
        ("portfolio", "0006_memoire_double_marking"),
        ("workflow", "0012_ccmark_version"),
    ]

    operations = [migrations.RunPython(fill_agreed_marks, migrations.RunPython.noop)]
