"""Every change the centre's back office makes: one function each, one transaction, one audit row.

Each function checks that ``actor`` may manage the establishment concerned (either responsable
there, or a national administrator) and raises ``PermissionDenied`` otherwise, so a script or a
future screen cannot skip the rule. A domain problem the user can fix raises ``BackOfficeError``
with the form field concerned and a French message.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts import services as account_services
from accounts.access import Duty, staff_establishments
from accounts.models import (
    Accompaniment,
    Cohort,
    ConflictDeclaration,
    Enrolment,
    Invitation,
    Organisation,
    Role,
    TrainingLink,
    User,
    UserRole,
)
from audit import clock
from audit.trail import audit_record
from centres import selectors
from centres.models import PoolRecord
from referentiel.models import Module, Title

# An establishment opening a new cycle is sponsored for its first cohorts (RULES §6).
SPONSORED_COHORTS = 2
PERSON_ROLES = (Role.FORMATEUR, Role.TUTEUR, Role.EVALUATEUR, Role.JURY)


class BackOfficeError(Exception):
    """A change refused for a reason the user can fix; ``field`` names the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _require_manage(actor: User, establishment_id: int | None) -> None:
    if establishment_id is None or establishment_id not in staff_establishments(actor, Duty.MANAGE):
        raise PermissionDenied


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- Cohorts --------------------------------------------------------------------------------


def _cohort_snapshot(cohort: Cohort) -> dict:
    return {
        "title": cohort.title.code,
        "name": cohort.name,
        "training_start": _day(cohort.training_start),
        "training_end": _day(cohort.training_end),
        "training_hours": str(cohort.training_hours),
        "memoire_deadline": _day(cohort.memoire_deadline),
        "sponsor": cohort.sponsor_id,
    }


def _check_dates(training_start: date, training_end: date, memoire_deadline: date | None):
    if training_end <= training_start:
        raise BackOfficeError(
            _("La fin de formation doit suivre le début : corrigez l'une des deux dates."),
            "training_end",
        )
    if memoire_deadline and memoire_deadline < training_start:
        raise BackOfficeError(
            _("La date limite du mémoire précède le début de formation : corrigez-la."),
            "memoire_deadline",
        )


def cohort_create(
    *,
    actor: User,
    establishment: Organisation,
    title: Title,
    name: str,
    training_start: date,
    training_end: date,
    training_hours: Decimal,
    memoire_deadline: date | None = None,
) -> Cohort:
    """Create a cohort; the first cohorts of a sponsored establishment record its sponsor."""
    _require_manage(actor, establishment.pk)
    _check_dates(training_start, training_end, memoire_deadline)
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=establishment.pk)
        sponsor = None
        if locked.sponsor_id and locked.cohorts.count() < SPONSORED_COHORTS:
            sponsor = locked.sponsor
        cohort = Cohort.objects.create(
            title=title,
            establishment=locked,
            sponsor=sponsor,
            name=name,
            training_start=training_start,
            training_end=training_end,
            training_hours=training_hours,
            memoire_deadline=memoire_deadline,
        )
        audit_record(
            actor=actor, action="cohort_created", obj=cohort, after=_cohort_snapshot(cohort)
        )
    return cohort


def cohort_update(
    *,
    actor: User,
    cohort: Cohort,
    name: str,
    training_start: date,
    training_end: date,
    training_hours: Decimal,
    memoire_deadline: date | None = None,
) -> Cohort:
    """Change a cohort's name, dates and hours (its title and establishment stay)."""
    _require_manage(actor, cohort.establishment_id)
    _check_dates(training_start, training_end, memoire_deadline)
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().select_related("title").get(pk=cohort.pk)
        before = _cohort_snapshot(cohort)
        cohort.name = name
        cohort.training_start = training_start
        cohort.training_end = training_end
        cohort.training_hours = training_hours
        cohort.memoire_deadline = memoire_deadline
        cohort.save()
        audit_record(
            actor=actor,
            action="cohort_updated",
            obj=cohort,
            before=before,
            after=_cohort_snapshot(cohort),
        )
    return cohort


def enrolment_training_end_set(
    *, actor: User, enrolment: Enrolment, training_end: date | None
) -> Enrolment:
    """Set the candidate's own end of training; None falls back to the cohort's."""
    cohort = enrolment.cohort
    _require_manage(actor, cohort.establishment_id)
    if training_end is not None and training_end <= cohort.training_start:
        raise BackOfficeError(
            _(
                "La fin de formation du candidat doit suivre le début de la promotion "
                "(%(date)s) : corrigez la date."
            )
            % {"date": cohort.training_start.strftime("%d/%m/%Y")},
            "training_end",
        )
    with transaction.atomic():
        enrolment = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        before = _day(enrolment.training_end)
        enrolment.training_end = training_end
        enrolment.save(update_fields=["training_end"])
        audit_record(
            actor=actor,
            action="enrolment_training_end_set",
            obj=enrolment,
            candidate=enrolment.candidate,
            before={"training_end": before},
            after={"training_end": _day(training_end)},
        )
    return enrolment


# --- Training links -------------------------------------------------------------------------


def training_link_add(
    *, actor: User, cohort: Cohort, module: Module, trainer: User
) -> TrainingLink:
    """Record that ``trainer`` taught ``module`` to ``cohort``."""
    _require_manage(actor, cohort.establishment_id)
    if module.bloc.title_id != cohort.title_id:
        raise BackOfficeError(_("Ce module n'appartient pas au titre de la promotion."), "module")
    if not selectors.establishment_trainers(cohort.establishment_id).filter(pk=trainer.pk).exists():
        raise BackOfficeError(
            _("Choisissez un formateur de l'établissement (ajoutez-le dans « Personnes »)."),
            "trainer",
        )
    with transaction.atomic():
        if TrainingLink.objects.filter(trainer=trainer, module=module, cohort=cohort).exists():
            raise BackOfficeError(
                _("%(trainer)s est déjà enregistré(e) pour ce module.") % {"trainer": trainer},
                "trainer",
            )
        link = TrainingLink.objects.create(trainer=trainer, module=module, cohort=cohort)
        audit_record(
            actor=actor,
            action="training_link_added",
            obj=link,
            after={"trainer": trainer.pk, "module": module.code, "cohort": cohort.pk},
        )
    return link


def training_link_remove(*, actor: User, link: TrainingLink) -> None:
    _require_manage(actor, link.cohort.establishment_id)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="training_link_removed",
            obj=link.cohort,
            before={
                "trainer": link.trainer_id,
                "module": link.module.code,
                "cohort": link.cohort_id,
            },
        )
        link.delete()


# --- People ---------------------------------------------------------------------------------


def _person_snapshot(person: User) -> dict:
    return {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "phone": person.phone,
        "employer": person.employer_id,
        "years_in_target_jobs": (
            str(person.years_in_target_jobs) if person.years_in_target_jobs is not None else None
        ),
        "last_active_in_target_jobs": _day(person.last_active_in_target_jobs),
    }


def _company(establishment: Organisation, company: Organisation | None, new_company: str):
    if company is not None:
        return company
    name = " ".join(new_company.split())
    if not name:
        return None
    existing = Organisation.objects.filter(
        kind=Organisation.Kind.ENTREPRISE, name__iexact=name
    ).first()
    if existing is not None:
        return existing
    return Organisation.objects.create(
        name=name, kind=Organisation.Kind.ENTREPRISE, establishment=establishment
    )


def _check_jury(role: str, years, last_active) -> None:
    if role != Role.JURY:
        return
    if years is None:
        raise BackOfficeError(
            _("Indiquez les années d'exercice des métiers visés : elles fondent l'éligibilité."),
            "years_in_target_jobs",
        )
    if last_active is None:
        raise BackOfficeError(
            _("Indiquez la date de la dernière activité dans les métiers visés."),
            "last_active_in_target_jobs",
        )


def person_create(
    *,
    actor: User,
    establishment: Organisation,
    role: str,
    email: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    company: Organisation | None = None,
    new_company: str = "",
    years_in_target_jobs: Decimal | None = None,
    last_active_in_target_jobs: date | None = None,
    base_url: str = "",
) -> User:
    """Create an account with one role, recorded by ``establishment``; invite it if ``base_url``.

    Trainers and tutors carry the establishment on their role; evaluators and jury members
    join the national pool and the establishment keeps a ``PoolRecord`` of them.
    """
    _require_manage(actor, establishment.pk)
    if role not in PERSON_ROLES:
        raise BackOfficeError(_("Choisissez l'un des rôles proposés."), "role")
    email = email.strip().lower()
    _check_jury(role, years_in_target_jobs, last_active_in_target_jobs)
    if role == Role.TUTEUR and company is None and not new_company.strip():
        raise BackOfficeError(
            _("Choisissez l'entreprise du tuteur ou saisissez le nom d'une nouvelle entreprise."),
            "company",
        )
    if User.objects.filter(email__iexact=email).exists():
        raise BackOfficeError(
            _("Un compte existe déjà avec l'adresse « %(email)s » : cherchez-le dans la liste.")
            % {"email": email},
            "email",
        )
    try:
        with transaction.atomic():
            employer = _company(establishment, company, new_company)
            person = User.objects.create_user(
                email=email,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                phone=phone.strip(),
                employer=employer,
                years_in_target_jobs=years_in_target_jobs,
                last_active_in_target_jobs=last_active_in_target_jobs,
            )
            if role in selectors.POOL_ROLES:
                UserRole.objects.create(user=person, role=role)
                PoolRecord.objects.create(user=person, establishment=establishment)
            else:
                UserRole.objects.create(user=person, role=role, establishment=establishment)
            audit_record(
                actor=actor,
                action="person_created",
                obj=person,
                after={**_person_snapshot(person), "role": role, "establishment": establishment.pk},
            )
            if base_url:
                _invite(actor=actor, person=person, base_url=base_url)
    except IntegrityError as clash:
        raise BackOfficeError(
            _("Un compte existe déjà avec l'adresse « %(email)s ».") % {"email": email}, "email"
        ) from clash
    return person


def person_update(
    *,
    actor: User,
    person: User,
    email: str,
    first_name: str,
    last_name: str,
    phone: str = "",
    company: Organisation | None = None,
    new_company: str = "",
    years_in_target_jobs: Decimal | None = None,
    last_active_in_target_jobs: date | None = None,
) -> User:
    """Correct a person's record. The address of an account in use cannot change here."""
    establishment_id = selectors.person_establishment(actor, person)
    _require_manage(actor, establishment_id)
    email = email.strip().lower()
    if email != person.email and person.has_usable_password():
        raise BackOfficeError(
            _(
                "Ce compte a déjà un mot de passe : la personne change elle-même son adresse, "
                "ou le certificateur le fait."
            ),
            "email",
        )
    if User.objects.filter(email__iexact=email).exclude(pk=person.pk).exists():
        raise BackOfficeError(
            _("Un autre compte utilise déjà l'adresse « %(email)s ».") % {"email": email}, "email"
        )
    if person.has_role(Role.JURY):
        _check_jury(Role.JURY, years_in_target_jobs, last_active_in_target_jobs)
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        before = _person_snapshot(person)
        establishment = Organisation.objects.get(pk=establishment_id)
        person.email = email
        person.first_name = first_name.strip()
        person.last_name = last_name.strip()
        person.phone = phone.strip()
        person.employer = _company(establishment, company, new_company) or person.employer
        person.years_in_target_jobs = years_in_target_jobs
        person.last_active_in_target_jobs = last_active_in_target_jobs
        person.save()
        audit_record(
            actor=actor,
            action="person_updated",
            obj=person,
            before=before,
            after=_person_snapshot(person),
        )
    return person


# --- VAE accompaniments and declared conflicts ----------------------------------------------


def _candidate_establishment(actor: User, candidate: User) -> int | None:
    scope = staff_establishments(actor, Duty.MANAGE)
    for establishment_id in candidate.enrolments.values_list("cohort__establishment_id", flat=True):
        if establishment_id in scope:
            return establishment_id
    return None


def accompaniment_record(
    *, actor: User, candidate: User, accompanist: User, description: str = ""
) -> Accompaniment:
    """Record that ``accompanist`` accompanied ``candidate`` (they may not evaluate them)."""
    _require_manage(actor, _candidate_establishment(actor, candidate))
    if accompanist.pk == candidate.pk:
        raise BackOfficeError(_("Un candidat ne s'accompagne pas lui-même."), "accompanist")
    with transaction.atomic():
        if Accompaniment.objects.filter(accompanist=accompanist, candidate=candidate).exists():
            raise BackOfficeError(_("Cet accompagnement est déjà enregistré."), "accompanist")
        accompaniment = Accompaniment.objects.create(
            accompanist=accompanist, candidate=candidate, description=description.strip()
        )
        audit_record(
            actor=actor,
            action="accompaniment_recorded",
            obj=accompaniment,
            candidate=candidate,
            after={"accompanist": accompanist.pk, "description": accompaniment.description},
        )
    return accompaniment


def accompaniment_remove(*, actor: User, accompaniment: Accompaniment) -> None:
    candidate = accompaniment.candidate
    _require_manage(actor, _candidate_establishment(actor, candidate))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="accompaniment_removed",
            obj=candidate,
            candidate=candidate,
            before={
                "accompanist": accompaniment.accompanist_id,
                "description": accompaniment.description,
            },
        )
        accompaniment.delete()


def conflict_record(
    *, actor: User, candidate: User, evaluator: User, reason: str
) -> ConflictDeclaration:
    """Record a conflict of interest an evaluator or jury member declared about a candidate."""
    _require_manage(actor, _candidate_establishment(actor, candidate))
    if not reason.strip():
        raise BackOfficeError(_("Indiquez le motif déclaré."), "reason")
    with transaction.atomic():
        if ConflictDeclaration.objects.filter(evaluator=evaluator, candidate=candidate).exists():
            raise BackOfficeError(_("Ce conflit est déjà enregistré."), "evaluator")
        conflict = ConflictDeclaration.objects.create(
            evaluator=evaluator, candidate=candidate, reason=reason.strip(), declared_at=clock.now()
        )
        audit_record(
            actor=actor,
            action="conflict_recorded",
            obj=conflict,
            candidate=candidate,
            after={"evaluator": evaluator.pk, "reason": conflict.reason},
        )
    return conflict


def conflict_remove(*, actor: User, conflict: ConflictDeclaration) -> None:
    candidate = conflict.candidate
    _require_manage(actor, _candidate_establishment(actor, candidate))
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="conflict_removed",
            obj=candidate,
            candidate=candidate,
            before={"evaluator": conflict.evaluator_id, "reason": conflict.reason},
        )
        conflict.delete()


# --- Invitations ----------------------------------------------------------------------------


def _invite(*, actor: User, person: User, base_url: str) -> None:
    account_services.invitation_send(user=person, created_by=actor, base_url=base_url)
    audit_record(actor=actor, action="invitation_sent", obj=person)


def invitations_send_all(*, actor: User, establishment: Organisation, base_url: str) -> int:
    """Invite every account of the establishment that has no password and no usable link.

    One e-mail each, sent once the transaction commits; return how many were invited.
    """
    _require_manage(actor, establishment.pk)
    with transaction.atomic():
        people = list(selectors.accounts_without_password(frozenset({establishment.pk})))
        for person in people:
            _invite(actor=actor, person=person, base_url=base_url)
        audit_record(
            actor=actor,
            action="invitations_sent_in_bulk",
            obj=establishment,
            after={"count": len(people)},
        )
    return len(people)


def invitation_resend(*, actor: User, person: User, base_url: str) -> None:
    """Send a fresh link; the earlier unused ones stop working."""
    _require_account(actor, person)
    if not person.is_active:
        raise BackOfficeError(_("Ce compte est désactivé : aucune invitation ne peut partir."))
    with transaction.atomic():
        _invite(actor=actor, person=person, base_url=base_url)


def invitation_revoke(*, actor: User, person: User) -> int:
    """Make the person's unused invitations stop working; return how many were revoked."""
    _require_account(actor, person)
    with transaction.atomic():
        revoked = Invitation.objects.usable().filter(user=person).update(expires_at=clock.now())
        audit_record(actor=actor, action="invitation_revoked", obj=person, after={"count": revoked})
    return revoked


def _require_account(actor: User, person: User) -> None:
    scope = staff_establishments(actor, Duty.MANAGE)
    if not scope or not selectors.invitable_accounts(scope).filter(pk=person.pk).exists():
        raise PermissionDenied
