from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_userrole_constraints"),
        ("workflow", "0007_merge_same_day_absences"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="absencerecord",
            constraint=models.UniqueConstraint(
                fields=("enrolment", "date", "justified"), name="absence_unique_day_kind"
            ),
        ),
    ]
