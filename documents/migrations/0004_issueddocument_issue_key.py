import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0003_issueddocument_establishment_required")]

    operations = [
        migrations.AddField(
            model_name="issueddocument",
            name="issue_key",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=150,
                null=True,
                verbose_name="clé d'émission",
            ),
        ),
        migrations.AddField(
            model_name="issueddocument",
            name="superseded_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="documents.issueddocument",
                verbose_name="remplacé par",
            ),
        ),
    ]
