from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_establishments_data")]

    operations = [
        migrations.AddConstraint(
            model_name="userrole",
            constraint=models.UniqueConstraint(
                condition=models.Q(("establishment__isnull", False)),
                fields=("user", "role", "establishment"),
                name="user_role_unique_per_establishment",
            ),
        ),
        migrations.AddConstraint(
            model_name="userrole",
            constraint=models.UniqueConstraint(
                condition=models.Q(("establishment__isnull", True)),
                fields=("user", "role"),
                name="user_role_unique",
            ),
        ),
        migrations.AddConstraint(
            model_name="userrole",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("role__in", ["responsable_certification", "responsable_evaluation"]),
                        _negated=True,
                    ),
                    ("establishment__isnull", False),
                    _connector="OR",
                ),
                name="user_role_responsable_has_establishment",
            ),
        ),
        migrations.AddConstraint(
            model_name="userrole",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("role__in", ["administrateur", "auditeur", "evaluateur", "jury"]),
                        _negated=True,
                    ),
                    ("establishment__isnull", True),
                    _connector="OR",
                ),
                name="user_role_national_has_no_establishment",
            ),
        ),
    ]
