# The audit trail and the notifications now belong to the audit app (audit/migrations/0001):
# remove them from this app's state only; their tables and rows stay where they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('workflow', '0003_merge_20261128_0731'),
        ('audit', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.DeleteModel(name='AuditEvent'),
                migrations.DeleteModel(name='Notification'),
            ],
        ),
    ]
