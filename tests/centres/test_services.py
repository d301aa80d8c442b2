"""The back office's services: allowed, refused outside the actor's establishments, audited."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from accounts.models import Accompaniment, Invitation, Organisation, Role, TrainingLink, User
from audit.models import AuditEvent
from centres import services
from centres.models import PoolRecord
from tests.centres.helpers import auditor, other_establishment, responsable, trainer_of
from tests.factories import (
    CohortFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    UserFactory,
    rncp_title,
)

pytestmark = pytest.mark.django_db

BASE_URL = "https://preuves.example/"


def create_cohort(actor, establishment, name="Promotion 2026"):
    return services.cohort_create(
        actor=actor,
        establishment=establishment,
        title=rncp_title(),
        name=name,
        training_start=date(2025, 9, 1),
        training_end=date(2026, 6, 30),
        training_hours=Decimal("931"),
        memoire_deadline=date(2026, 9, 30),
    )


def test_a_responsable_creates_a_cohort_and_the_audit_records_it():
    establishment = EstablishmentFactory()
    cohort = create_cohort(responsable(establishment), establishment)
    assert cohort.establishment == establishment and cohort.sponsor is None
    assert AuditEvent.objects.get(action="cohort_created").object_id == str(cohort.pk)


def test_a_sponsored_establishment_records_its_sponsor_on_its_first_two_cohorts_only():
    sponsor = other_establishment()
    establishment = EstablishmentFactory(name="CCI Formation Annecy")
    Organisation.objects.filter(pk=establishment.pk).update(sponsor=sponsor)
    actor = responsable(establishment)
    sponsors = [create_cohort(actor, establishment, f"P{n}").sponsor for n in range(3)]
    assert sponsors == [sponsor, sponsor, None]


def test_a_cohort_of_another_establishment_is_refused():
    with pytest.raises(PermissionDenied):
        create_cohort(responsable(), other_establishment())


def test_the_auditor_cannot_create_a_cohort():
    with pytest.raises(PermissionDenied):
        create_cohort(auditor(), EstablishmentFactory())


def test_a_cohort_ending_before_it_starts_is_refused_on_the_end_date():
    with pytest.raises(services.BackOfficeError) as refused:
        services.cohort_create(
            actor=responsable(),
            establishment=EstablishmentFactory(),
            title=rncp_title(),
            name="P",
            training_start=date(2026, 9, 1),
            training_end=date(2026, 6, 30),
            training_hours=Decimal("931"),
        )
    assert refused.value.field == "training_end"


def test_a_candidate_s_own_end_of_training_is_set_audited_and_used_for_the_window():
    enrolment = EnrolmentFactory()
    services.enrolment_training_end_set(
        actor=responsable(), enrolment=enrolment, training_end=date(2026, 12, 15)
    )
    enrolment.refresh_from_db()
    assert enrolment.effective_training_end == date(2026, 12, 15)
    event = AuditEvent.objects.get(action="enrolment_training_end_set")
    assert event.candidate == enrolment.candidate
    assert event.after == {"training_end": "2026-12-15"}


def test_a_training_link_needs_a_trainer_of_the_establishment():
    cohort = CohortFactory()
    module = cohort.title.blocs.get(number=1).modules.first()
    stranger = trainer_of(other_establishment())
    with pytest.raises(services.BackOfficeError) as refused:
        services.training_link_add(
            actor=responsable(), cohort=cohort, module=module, trainer=stranger
        )
    assert refused.value.field == "trainer"


def test_a_training_link_is_added_once_and_removed_with_an_audit_row():
    cohort = CohortFactory()
    actor = responsable()
    module = cohort.title.blocs.get(number=1).modules.first()
    trainer = trainer_of(cohort.establishment)
    link = services.training_link_add(actor=actor, cohort=cohort, module=module, trainer=trainer)
    with pytest.raises(services.BackOfficeError):
        services.training_link_add(actor=actor, cohort=cohort, module=module, trainer=trainer)
    services.training_link_remove(actor=actor, link=link)
    assert not TrainingLink.objects.exists()
    assert (
        AuditEvent.objects.filter(
            action__in=["training_link_added", "training_link_removed"]
        ).count()
        == 2
    )


def test_a_tutor_is_created_with_a_new_company_of_the_establishment_and_invited():
    establishment = EstablishmentFactory()
    tutor = services.person_create(
        actor=responsable(establishment),
        establishment=establishment,
        role=Role.TUTEUR,
        email="Tuteur@Exemple.fr",
        first_name="Hélène",
        last_name="Faure",
        new_company="Hôtel des Célestins",
        base_url=BASE_URL,
    )
    assert tutor.email == "tuteur@exemple.fr" and not tutor.has_usable_password()
    assert tutor.employer.establishment == establishment
    assert tutor.user_roles.get().establishment == establishment
    assert Invitation.objects.usable().filter(user=tutor).exists()
    assert AuditEvent.objects.filter(action="person_created").exists()


def test_a_jury_member_joins_the_national_pool_recorded_by_the_establishment():
    establishment = EstablishmentFactory()
    member = services.person_create(
        actor=responsable(establishment),
        establishment=establishment,
        role=Role.JURY,
        email="jure@exemple.fr",
        first_name="Marc",
        last_name="Roche",
        years_in_target_jobs=Decimal("6.5"),
        last_active_in_target_jobs=date(2025, 12, 1),
    )
    assert member.user_roles.get().establishment is None
    assert PoolRecord.objects.get(user=member).establishment == establishment
    assert member.years_in_target_jobs == Decimal("6.5")


def test_a_jury_member_without_experience_is_refused():
    with pytest.raises(services.BackOfficeError) as refused:
        services.person_create(
            actor=responsable(),
            establishment=EstablishmentFactory(),
            role=Role.JURY,
            email="jure@exemple.fr",
            first_name="Marc",
            last_name="Roche",
        )
    assert refused.value.field == "years_in_target_jobs"


def test_a_duplicate_email_is_refused_in_french_on_the_email_field():
    UserFactory(email="deja@exemple.fr")
    with pytest.raises(services.BackOfficeError) as refused:
        services.person_create(
            actor=responsable(),
            establishment=EstablishmentFactory(),
            role=Role.FORMATEUR,
            email="DEJA@exemple.fr",
            first_name="A",
            last_name="B",
        )
    assert refused.value.field == "email" and "existe déjà" in refused.value.message


def test_the_address_of_an_account_with_a_password_cannot_be_changed():
    establishment = EstablishmentFactory()
    trainer = trainer_of(establishment)
    with pytest.raises(services.BackOfficeError):
        services.person_update(
            actor=responsable(establishment),
            person=trainer,
            email="autre@exemple.fr",
            first_name=trainer.first_name,
            last_name=trainer.last_name,
        )


def test_an_accompaniment_and_a_conflict_are_recorded_and_removed_with_audit_rows():
    enrolment = EnrolmentFactory()
    actor = responsable()
    accompanist = trainer_of(enrolment.cohort.establishment)
    evaluator = UserFactory(roles=[Role.EVALUATEUR])
    accompaniment = services.accompaniment_record(
        actor=actor, candidate=enrolment.candidate, accompanist=accompanist, description="VAE"
    )
    conflict = services.conflict_record(
        actor=actor, candidate=enrolment.candidate, evaluator=evaluator, reason="Ancien collègue"
    )
    services.accompaniment_remove(actor=actor, accompaniment=accompaniment)
    services.conflict_remove(actor=actor, conflict=conflict)
    assert not Accompaniment.objects.exists()
    actions = set(
        AuditEvent.objects.filter(candidate=enrolment.candidate).values_list("action", flat=True)
    )
    assert actions == {
        "accompaniment_recorded",
        "accompaniment_removed",
        "conflict_recorded",
        "conflict_removed",
    }


def test_an_accompaniment_for_another_establishment_s_candidate_is_refused():
    enrolment = EnrolmentFactory(cohort=CohortFactory(establishment=other_establishment()))
    with pytest.raises(PermissionDenied):
        services.accompaniment_record(
            actor=responsable(), candidate=enrolment.candidate, accompanist=UserFactory()
        )


def _passwordless(**kwargs):
    user = UserFactory(**kwargs)
    user.set_unusable_password()
    user.save()
    return user


def test_bulk_invitation_mails_each_account_without_password_once_and_no_one_else(
    django_capture_on_commit_callbacks,
):
    establishment = EstablishmentFactory()
    cohort = CohortFactory(establishment=establishment)
    without = [
        EnrolmentFactory(cohort=cohort, candidate=_passwordless(roles=[Role.CANDIDAT])).candidate
        for _ in range(3)
    ]
    with_password = EnrolmentFactory(cohort=cohort).candidate
    elsewhere = EnrolmentFactory(
        cohort=CohortFactory(establishment=other_establishment()),
        candidate=_passwordless(roles=[Role.CANDIDAT]),
    ).candidate
    # The factory's tutors have passwords: they are not invited either.
    with django_capture_on_commit_callbacks(execute=True):
        count = services.invitations_send_all(
            actor=responsable(establishment), establishment=establishment, base_url=BASE_URL
        )
    assert count == 3
    assert sorted(message.to[0] for message in mail.outbox) == sorted(u.email for u in without)
    assert with_password.email not in {m.to[0] for m in mail.outbox}
    assert elsewhere.email not in {m.to[0] for m in mail.outbox}
    assert AuditEvent.objects.filter(action="invitation_sent").count() == 3
    assert AuditEvent.objects.get(action="invitations_sent_in_bulk").after == {"count": 3}
    # A second run sends nothing: every link is still usable.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.invitations_send_all(
            actor=responsable(establishment), establishment=establishment, base_url=BASE_URL
        )
    assert again == 0 and len(mail.outbox) == 3


def test_revoking_stops_the_usable_invitation():
    establishment = EstablishmentFactory()
    candidate = EnrolmentFactory(
        cohort=CohortFactory(establishment=establishment),
        candidate=_passwordless(roles=[Role.CANDIDAT]),
    ).candidate
    actor = responsable(establishment)
    services.invitation_resend(actor=actor, person=candidate, base_url=BASE_URL)
    assert services.invitation_revoke(actor=actor, person=candidate) == 1
    assert not Invitation.objects.usable().filter(user=candidate).exists()


def test_inviting_someone_of_another_establishment_is_refused():
    candidate = EnrolmentFactory(
        cohort=CohortFactory(establishment=other_establishment())
    ).candidate
    with pytest.raises(PermissionDenied):
        services.invitation_resend(actor=responsable(), person=candidate, base_url=BASE_URL)
    assert User.objects.filter(invitations__isnull=False).count() == 0
