"""Bloc 1's épreuves are the source's three, 50 points each, not one épreuve of 150 points.

The référentiel data now names them (B1-E1 the written report, B1-E2 and B1-E3 the two 3-hour
case studies). Loading it again, idempotently, renames and re-points B1-E1, adds B1-E2 and
B1-E3 with their grids, and gives B1-E1's grid (150 points until now) a new version summing to
its 50 points; the earlier version is kept as it was, frozen or not. Reversed, nothing is done:
the former single épreuve is not rebuilt.
"""

from django.db import migrations


def load(apps, schema_editor):
    from referentiel.loader import load_title, read_data

    load_title(read_data(), get_model=apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0004_training_hours_without_evaluations")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
