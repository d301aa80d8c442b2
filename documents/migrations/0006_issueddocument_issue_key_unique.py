from django.db import migrations, models


class Migration(migrations.Migration):
    # Its own migration: PostgreSQL refuses to build an index while the data step's trigger
    # events are pending in the same transaction.
    dependencies = [("documents", "0005_issueddocument_issue_key_data")]

    operations = [
        migrations.AlterField(
            model_name="issueddocument",
            name="issue_key",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=150,
                null=True,
                unique=True,
                verbose_name="clé d'émission",
            ),
        ),
    ]
