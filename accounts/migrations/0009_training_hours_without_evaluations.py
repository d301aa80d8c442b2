"""A cohort's training time excludes evaluation time: 588 h by default, not 931 h.

RULES.md §3 (ruling on the base of the assiduity share): « temps de formation » is the training
time the cohort schedules, without the bloc evaluations; the 931 h total volume includes them.
A cohort still at exactly the old default (931 h) took it unchanged, so it becomes 588 h; a
cohort with any other figure recorded its own and keeps it. Reversed, cohorts at 588 h go back to
931 h (a cohort that recorded 588 h itself before this migration cannot be told apart: it was
then equal to the figure this migration sets).
"""

from decimal import Decimal

from django.db import migrations, models

OLD_DEFAULT = Decimal("931")
NEW_DEFAULT = Decimal("588")


def to_training_time(apps, schema_editor):
    Cohort = apps.get_model("accounts", "Cohort")
    Cohort.objects.filter(training_hours=OLD_DEFAULT).update(training_hours=NEW_DEFAULT)


def to_total_volume(apps, schema_editor):
    Cohort = apps.get_model("accounts", "Cohort")
    Cohort.objects.filter(training_hours=NEW_DEFAULT).update(training_hours=OLD_DEFAULT)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_list_indexes")]

    operations = [
        migrations.AlterField(
            model_name="cohort",
            name="training_hours",
            field=models.DecimalField(
                decimal_places=1,
                default=Decimal("588"),
                max_digits=6,
                verbose_name="heures de formation",
            ),
        ),
        migrations.RunPython(to_training_time, to_total_volume),
    ]
