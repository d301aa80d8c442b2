"""The pedagogical team's decision on the assiduity penalty; the stored results gain its
pending flag.

Every stored result of a session still deciding is marked stale: its absence share now reads the
team's decision (and the cohorts' training time changed in accounts 0009), so it is recomputed
before the deliberation screen reads it. Reversed, nothing to undo (a stale result is a cache).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


DECIDED_SESSION_STATES = ("closed", "published")


def results_mark_stale(apps, schema_editor):
    SessionCandidate = apps.get_model("workflow", "SessionCandidate")
    SessionCandidate.objects.exclude(session__state__in=DECIDED_SESSION_STATES).update(stale=True)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0009_training_hours_without_evaluations'),
        ('workflow', '0013_memoire_agreed_mark'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='sessioncandidate',
            name='penalty_pending',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.CreateModel(
            name='AssiduityDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('agreed', 'Pénalité appliquée'), ('waived', 'Pénalité levée')], max_length=10, verbose_name='décision')),
                ('unjustified_hours', models.DecimalField(decimal_places=2, max_digits=7, verbose_name="heures d'absence injustifiée retenues")),
                ('training_hours', models.DecimalField(decimal_places=1, max_digits=6, verbose_name='heures de formation retenues')),
                ('penalty_pct', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name='pénalité proposée (%)')),
                ('reason', models.TextField(blank=True, verbose_name='motif')),
                ('decided_at', models.DateTimeField(verbose_name='décidée le')),
                ('decided_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('enrolment', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='assiduity_decision', to='accounts.enrolment', verbose_name='inscription')),
            ],
            options={
                'verbose_name': "décision d'assiduité",
                'verbose_name_plural': "décisions d'assiduité",
                'ordering': ['-decided_at', 'id'],
                'indexes': [models.Index(fields=['kind'], name='assiduity_kind_idx'), models.Index(fields=['decided_at'], name='assiduity_decided_at_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'waived'), _negated=True), models.Q(('reason', ''), _negated=True), _connector='OR'), name='assiduity_waiver_has_reason'), models.CheckConstraint(condition=models.Q(('training_hours__gt', 0)), name='assiduity_training_hours_positive')],
            },
        ),
        migrations.RunPython(results_mark_stale, migrations.RunPython.noop),
    ]
