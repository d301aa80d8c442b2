import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_issueddocument_establishment")]

    operations = [
        migrations.AlterField(
            model_name="issueddocument",
            name="establishment",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
                verbose_name="établissement",
            ),
        ),
    ]
