"""Many e-mails queued at once: a fixed number of queries, each key recorded once, sent after
commit."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import Notification
from audit.notifications import notify, notify_many
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def messages(users, prefix="k"):
    return [
        {
            "key": f"{prefix}:{user.pk}",
            "recipient": user,
            "template": "results_published",
            "context": {"candidate": str(user), "outcome": "Certification totale", "date": "x"},
        }
        for user in users
    ]


def test_queuing_many_e_mails_takes_the_same_queries_for_two_or_twenty():
    counts = []
    for size in (2, 20):
        users = UserFactory.create_batch(size)
        with CaptureQueriesContext(connection) as captured:
            assert len(notify_many(messages(users, prefix=f"s{size}"))) == size
        counts.append(len(captured))
    assert counts[0] == counts[1], counts


def test_each_key_is_recorded_once_and_mailed_after_commit(django_capture_on_commit_callbacks):
    users = UserFactory.create_batch(3)
    notify(**messages(users[:1])[0])
    nobody = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert len(notify_many(messages([*users, nobody]))) == 2
    assert mail.outbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in users[1:])
    assert notify_many(messages(users)) == []
    assert Notification.objects.filter(key__startswith="k:").count() == 3
