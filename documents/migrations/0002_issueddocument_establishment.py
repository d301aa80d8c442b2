import django.db.models.deletion
from django.db import migrations, models


def establishment_fill(apps, schema_editor):
    """Give each issued document the establishment of its session, or of its candidate."""
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    documents = IssuedDocument.objects.select_related("session", "enrolment__cohort")
    for document in documents.iterator():
        if document.session_id is not None:
            document.establishment_id = document.session.establishment_id
        else:
            document.establishment_id = document.enrolment.cohort.establishment_id
        document.save(update_fields=["establishment"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_userrole_constraints"),
        ("documents", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="issueddocument",
            name="establishment",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="accounts.organisation",
                verbose_name="établissement",
            ),
        ),
        migrations.RunPython(establishment_fill, migrations.RunPython.noop),
    ]
