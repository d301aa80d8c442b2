"""A title's training time excludes evaluation time: 588 h (its 23 modules), not 931 h.

RULES.md §3 (ruling on the base of the assiduity share): the 931 h total volume includes the
bloc evaluations. The default a new cohort takes from its title becomes 588 h; a title still at
exactly the old figure (931 h, the data file's until now) becomes 588 h, any other keeps its own.
Reversed, titles at 588 h go back to 931 h.
"""

from decimal import Decimal

from django.db import migrations, models

OLD_DEFAULT = Decimal("931")
NEW_DEFAULT = Decimal("588")


def to_training_time(apps, schema_editor):
    Title = apps.get_model("referentiel", "Title")
    Title.objects.filter(training_hours=OLD_DEFAULT).update(training_hours=NEW_DEFAULT)


def to_total_volume(apps, schema_editor):
    Title = apps.get_model("referentiel", "Title")
    Title.objects.filter(training_hours=NEW_DEFAULT).update(training_hours=OLD_DEFAULT)


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0003_admin_orderings_indexes")]

    operations = [
        migrations.AlterField(
            model_name="title",
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
