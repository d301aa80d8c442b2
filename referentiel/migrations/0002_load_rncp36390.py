from django.db import migrations


def load(apps, schema_editor):
    from referentiel.loader import load_title, read_data

    load_title(read_data(), get_model=apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("referentiel", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
