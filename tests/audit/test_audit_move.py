"""The audit trail and the notifications moved from the workflow app to the audit app: the rows
written before the move are still there after it, read through the new models."""

import pytest
from django.contrib.contenttypes.models import ContentType as LiveContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audit.models import AuditEvent, Notification
from tests.factories import UserFactory

BEFORE = [("workflow", "0003_merge_20261128_0731"), ("audit", None)]


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_read_after_it():
    user = UserFactory(email="avant.le.deplacement@example.org")
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    old_apps = executor.migrate(BEFORE).apps
    OldEvent = old_apps.get_model("workflow", "AuditEvent")
    OldNotification = old_apps.get_model("workflow", "Notification")
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    ContentType.objects.get_or_create(app_label="workflow", model="auditevent")
    ContentType.objects.filter(app_label="audit").delete()
    OldEvent.objects.create(at=timezone.now(), action="before.move", actor_id=user.pk, reason="r")
    OldNotification.objects.create(key="before-move", recipient_id=user.pk, template="t")

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    event = AuditEvent.objects.get(action="before.move")
    assert (event.actor, event.reason) == (user, "r")
    assert Notification.objects.get(key="before-move").recipient == user
    LiveContentType.objects.clear_cache()
    assert LiveContentType.objects.filter(app_label="audit", model="auditevent").exists()
    assert not LiveContentType.objects.filter(app_label="workflow", model="auditevent").exists()


def test_the_tables_keep_their_names():
    assert AuditEvent._meta.db_table == "workflow_auditevent"
    assert Notification._meta.db_table == "workflow_notification"
    assert AuditEvent._meta.app_label == Notification._meta.app_label == "audit"
