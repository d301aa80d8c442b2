"""The network moved into the data (accounts 0002, documents 0002): the rows written before are
all carried into it, and the migration runs backwards."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from accounts.models import Organisation, Role, UserRole
from documents.models import IssuedDocument

BEFORE = [("accounts", "0001_initial"), ("documents", "0001_initial")]


def _old_world(apps):
    """Write, through the models as they were, a network of one establishment."""
    Organisation = apps.get_model("accounts", "Organisation")
    User = apps.get_model("accounts", "User")
    UserRole = apps.get_model("accounts", "UserRole")
    Cohort = apps.get_model("accounts", "Cohort")
    Enrolment = apps.get_model("accounts", "Enrolment")
    Title = apps.get_model("referentiel", "Title")
    JurySession = apps.get_model("workflow", "JurySession")
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    school = Organisation.objects.create(name="CCI Formation Annecy", kind="etablissement")
    company = Organisation.objects.create(name="Fromagerie Reblochon", kind="entreprise")
    unused = Organisation.objects.create(name="Scierie du Semnoz", kind="entreprise")

    def person(email, role, employer=None):
        user = User.objects.create(
            email=email, first_name="P", last_name=email, employer=employer,
            date_joined=timezone.now(),
        )  # fmt: skip
        UserRole.objects.create(user=user, role=role)
        return user

    local = person("locale@example.org", "responsable", employer=school)
    roaming = person("itinerante@example.org", "responsable")
    person("admin@example.org", "administrateur")
    candidate = person("candidate@example.org", "candidat")
    cohort = Cohort.objects.create(
        title=Title.objects.get(code="36390"), establishment=school, name="Promo Annecy",
        training_start=date(2025, 9, 1), training_end=date(2026, 6, 30),
    )  # fmt: skip
    enrolment = Enrolment.objects.create(
        candidate=candidate, cohort=cohort, route="portefeuille", company=company
    )
    session = JurySession.objects.create(
        title=cohort.title, establishment=school, date=date(2026, 11, 20), place="Annecy"
    )
    common = {"size": 1, "sha256": "a" * 64, "content_digest": "b" * 64}
    IssuedDocument.objects.create(
        reference="PV-2026-000001", kind="proces_verbal", session=session,
        issued_at=timezone.now(), **common,
    )  # fmt: skip
    IssuedDocument.objects.create(
        reference="RN-2026-000001", kind="releve", enrolment=enrolment,
        issued_at=timezone.now(), **common,
    )  # fmt: skip
    return school, local.pk, roaming.pk, company.pk, unused.pk


@pytest.mark.django_db(transaction=True)
def test_every_existing_row_lands_in_the_network_and_the_way_back_restores_the_old_role():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    old_apps = executor.migrate(BEFORE).apps
    school, local, roaming, company, unused = _old_world(old_apps)

    MigrationExecutor(connection).migrate(latest)

    certifier = Organisation.objects.get(kind=Organisation.Kind.CERTIFICATEUR)
    assert certifier.name == "CCI France"
    assert Organisation.objects.get(pk=school.pk).certifier == certifier
    for user_id in (local, roaming):
        grants = set(UserRole.objects.filter(user_id=user_id).values_list("role", "establishment"))
        assert grants == {
            (Role.RESPONSABLE_EVALUATION, school.pk),
            (Role.RESPONSABLE_CERTIFICATION, school.pk),
        }
    assert not UserRole.objects.filter(role="responsable").exists()
    assert UserRole.objects.get(user__email="admin@example.org").establishment is None
    assert Organisation.objects.get(pk=company).establishment_id == school.pk
    assert Organisation.objects.get(pk=unused).establishment_id == school.pk
    assert sorted(IssuedDocument.objects.values_list("reference", "establishment")) == [
        ("PV-2026-000001", school.pk),
        ("RN-2026-000001", school.pk),
    ]

    old_apps = MigrationExecutor(connection).migrate(BEFORE).apps
    OldRole = old_apps.get_model("accounts", "UserRole")
    assert set(OldRole.objects.filter(role="responsable").values_list("user_id", flat=True)) == {
        local,
        roaming,
    }
    MigrationExecutor(connection).migrate(latest)


@pytest.mark.django_db(transaction=True)
def test_a_responsable_with_no_establishment_anywhere_gets_a_default_one():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    old_apps = executor.migrate(BEFORE).apps
    User = old_apps.get_model("accounts", "User")
    user = User.objects.create(
        email="seule@example.org", first_name="S", last_name="S", date_joined=timezone.now()
    )
    old_apps.get_model("accounts", "UserRole").objects.create(user=user, role="responsable")

    MigrationExecutor(connection).migrate(latest)

    default = Organisation.objects.get(name="Établissement par défaut")
    assert default.kind == Organisation.Kind.ETABLISSEMENT
    assert default.certifier.kind == Organisation.Kind.CERTIFICATEUR
    grants = UserRole.objects.filter(user_id=user.pk)
    assert set(grants.values_list("establishment", flat=True)) == {default.pk}
