"""Every model has a French admin page with filters and search; workflow records are read-only."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = ["accounts", "referentiel", "portfolio", "workflow", "documents"]


def project_models():
    for label in PROJECT_APPS:
        yield from apps.get_app_config(label).get_models()


@pytest.mark.parametrize("model", list(project_models()), ids=lambda m: m.__name__)
def test_every_model_is_in_the_admin_with_filters_and_search(model):
    model_admin = admin.site._registry.get(model)
    assert model_admin is not None, model
    assert model_admin.list_filter, model
    assert model_admin.search_fields, model


@pytest.mark.parametrize("model", list(project_models()), ids=lambda m: m.__name__)
def test_every_admin_list_page_opens_in_french(client, model):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url)
    assert response.status_code == 200
    assert 'lang="fr"' in response.content.decode()


def test_workflow_records_cannot_be_edited_in_the_admin(rf):
    from audit.models import AuditEvent
    from workflow.models import Scoring

    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    for model in (AuditEvent, Scoring):
        model_admin = admin.site._registry[model]
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
