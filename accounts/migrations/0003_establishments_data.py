"""Carry the existing rows into the network (see the functions' docstrings)."""

from django.db import migrations

DEFAULT_CERTIFIER = "CCI France"
DEFAULT_ESTABLISHMENT = "Établissement par défaut"
RESPONSABLES = ("responsable_evaluation", "responsable_certification")


def _default_establishment(Organisation, certifier):
    existing = Organisation.objects.filter(kind="etablissement").order_by("pk").first()
    if existing is not None:
        return existing
    establishment, _ = Organisation.objects.get_or_create(
        name=DEFAULT_ESTABLISHMENT, kind="etablissement", defaults={"certifier": certifier}
    )
    return establishment


def establishments_forwards(apps, schema_editor):
    """Put the network in the data: the certifier, its establishments, per-establishment roles.

    Each former « responsable du centre » holds both responsables' roles in the establishment that
    employs them, or else in the default establishment (the oldest, or one created for them).
    Each company is attached to the establishment of its first enrolment, or the default one.
    """
    Organisation = apps.get_model("accounts", "Organisation")
    UserRole = apps.get_model("accounts", "UserRole")
    Enrolment = apps.get_model("accounts", "Enrolment")
    certifier, _ = Organisation.objects.get_or_create(name=DEFAULT_CERTIFIER, kind="certificateur")
    Organisation.objects.filter(kind="etablissement", certifier__isnull=True).update(
        certifier=certifier
    )
    legacy = list(UserRole.objects.filter(role="responsable").select_related("user__employer"))
    companies = Organisation.objects.filter(kind="entreprise", establishment__isnull=True)
    default = None
    if legacy or companies.exists():
        default = _default_establishment(Organisation, certifier)
    for grant in legacy:
        employer = grant.user.employer
        establishment = employer if employer and employer.kind == "etablissement" else default
        for role in RESPONSABLES:
            UserRole.objects.get_or_create(user=grant.user, role=role, establishment=establishment)
    UserRole.objects.filter(role="responsable").delete()
    for company in companies:
        first = (
            Enrolment.objects.filter(company=company)
            .order_by("pk")
            .select_related("cohort")
            .first()
        )
        company.establishment_id = first.cohort.establishment_id if first else default.pk
        company.save(update_fields=["establishment"])


def establishments_backwards(apps, schema_editor):
    UserRole = apps.get_model("accounts", "UserRole")
    holders = set(UserRole.objects.filter(role__in=RESPONSABLES).values_list("user_id", flat=True))
    UserRole.objects.filter(role__in=RESPONSABLES).delete()
    UserRole.objects.filter(role="auditeur").delete()
    for user_id in holders:
        UserRole.objects.get_or_create(user_id=user_id, role="responsable", establishment=None)



class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_establishments")]

    operations = [
        migrations.RunPython(establishments_forwards, establishments_backwards),
    ]
