# The audit trail and the notifications moved here from the workflow app. Their tables keep
# their names and their rows: this migration only tells Django's state where the models live.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ("auditevent", "notification")


def content_types_move(apps, schema_editor, *, source="workflow", target="audit"):
    """Carry the two models' content types (and so their permissions) over to the new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=target, model=model).exists():
            ContentType.objects.filter(app_label=source, model=model).update(app_label=target)


def content_types_move_back(apps, schema_editor):
    content_types_move(apps, schema_editor, source="audit", target="workflow")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('workflow', '0003_merge_20261128_0731'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name='AuditEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(db_index=True, verbose_name='date')),
                        ('action', models.CharField(db_index=True, max_length=60, verbose_name='action')),
                        ('object_id', models.CharField(blank=True, max_length=64)),
                        ('object_repr', models.CharField(blank=True, max_length=300, verbose_name='objet')),
                        ('before', models.JSONField(blank=True, null=True, verbose_name='avant')),
                        ('after', models.JSONField(blank=True, null=True, verbose_name='après')),
                        ('reason', models.TextField(blank=True, verbose_name='motif')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='acteur')),
                        ('candidate', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='candidat concerné')),
                        ('object_type', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='contenttypes.contenttype')),
                    ],
                    options={
                        'verbose_name': "événement d'audit",
                        'verbose_name_plural': "journal d'audit",
                        'ordering': ['-at', '-pk'],
                        'db_table': 'workflow_auditevent',
                        'indexes': [models.Index(fields=['object_type', 'object_id'], name='workflow_au_object__2ff67a_idx')],
                    },
                ),
                migrations.CreateModel(
                    name='Notification',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=200, unique=True, verbose_name="clé d'événement")),
                        ('template', models.CharField(max_length=100, verbose_name='modèle')),
                        ('context', models.JSONField(default=dict, verbose_name='contexte')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='créée le')),
                        ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='envoyée le')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to=settings.AUTH_USER_MODEL, verbose_name='destinataire')),
                    ],
                    options={
                        'verbose_name': 'notification',
                        'verbose_name_plural': 'notifications',
                        'ordering': ['-created_at'],
                        'db_table': 'workflow_notification',
                    },
                ),
            ],
        ),
        migrations.RunPython(content_types_move, content_types_move_back),
    ]
