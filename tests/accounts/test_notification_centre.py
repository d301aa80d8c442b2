"""The notification centre lists the e-mails a user was sent: their own only, unread first marked,
read one by one or all at once; the unread count costs one query on every page."""

import pytest
from django.urls import reverse

from audit.models import Notification
from tests.factories import NotificationFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def returned(recipient, n: int) -> Notification:
    return NotificationFactory(
        key=f"test:{recipient.pk}:{n}",
        recipient=recipient,
        template="portfolio_returned",
        context={"target": f"portefeuille du bloc {n}", "reason": "x", "path": "/accueil/"},
    )


def test_the_list_shows_ones_own_notifications_with_their_subject_and_link(client):
    me, other = UserFactory(), UserFactory()
    mine = returned(me, 1)
    theirs = returned(other, 2)
    client.force_login(me)
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert f'data-notification="{mine.pk}"' in page
    assert f'data-notification="{theirs.pk}"' not in page
    assert 'href="/accueil/"' in page
    assert 'Notifications (1<span class="visually-hidden"> non lue</span>)' in page


def test_marking_one_read_and_all_read(client):
    me = UserFactory()
    first, second = returned(me, 1), returned(me, 2)
    client.force_login(me)
    client.post(reverse("accounts:notification_read", args=[first.pk]))
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None
    client.post(reverse("accounts:notifications_read_all"))
    assert not Notification.objects.filter(recipient=me, read_at__isnull=True).exists()
    page = client.get(reverse("accounts:notifications")).content.decode()
    assert "Aucune notification non lue." in page and "Notifications (" not in page


def test_someone_elses_notification_cannot_be_marked_read(client):
    other = UserFactory()
    theirs = returned(other, 1)
    client.force_login(StaffFactory())
    assert client.post(reverse("accounts:notification_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.post(reverse("accounts:notifications_read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_list_is_paginated_and_its_queries_do_not_grow(client):
    me = UserFactory()
    client.force_login(me)
    for n in range(3):
        returned(me, n)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:notifications"))
    for n in range(3, 45):
        returned(me, n)
    with CaptureQueriesContext(connection) as many:
        page = client.get(reverse("accounts:notifications")).content.decode()
    assert len(few) == len(many)
    assert page.count("data-notification=") == 20
    assert "Page suivante" in page
