"""What the back office reads, always within the establishments the user may see.

Every function takes the set ``staff_establishments`` returned (a frozenset of ids, or
``EVERYWHERE`` for the certifier) so that a list and a single object obey the same scope.
"""

from __future__ import annotations

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.http import Http404

from accounts.access import EVERYWHERE, Duty, staff_establishments, staff_scope
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
from centres.models import PoolRecord
from referentiel.models import Module

LOCAL_ROLES = (Role.FORMATEUR, Role.TUTEUR, Role.CANDIDAT)
POOL_ROLES = (Role.EVALUATEUR, Role.JURY)


def establishments_for(user, duty: Duty = Duty.READ):
    """Return the establishments ``user`` may choose on a form, by name."""
    scope = staff_establishments(user, duty)
    establishments = Organisation.objects.filter(kind=Organisation.Kind.ETABLISSEMENT)
    if scope is EVERYWHERE:
        return establishments.order_by("name")
    return establishments.filter(pk__in=scope).order_by("name")


def _within(scope, field: str) -> Q:
    return Q() if scope is EVERYWHERE else Q(**{f"{field}__in": scope})


# --- Cohorts --------------------------------------------------------------------------------


def cohorts(user, duty: Duty = Duty.READ):
    rows = Cohort.objects.select_related("title", "establishment", "sponsor").annotate(
        enrolment_count=Count("enrolments")
    )
    return staff_scope(rows, user, duty).order_by("-training_start", "name", "pk")


def cohort_enrolments(cohort: Cohort):
    return (
        Enrolment.objects.filter(cohort=cohort)
        .select_related("candidate", "company", "tutor")
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )


def cohort_link_grid(cohort: Cohort) -> list[tuple[Module, list[TrainingLink]]]:
    """Return each module of the cohort's title with the training links recorded for it."""
    modules = Module.objects.filter(bloc__title_id=cohort.title_id).select_related("bloc")
    links: dict[int, list[TrainingLink]] = {}
    for link in (
        TrainingLink.objects.filter(cohort=cohort)
        .select_related("trainer")
        .order_by("trainer__last_name", "trainer__first_name")
    ):
        links.setdefault(link.module_id, []).append(link)
    return [
        (module, links.get(module.pk, [])) for module in modules.order_by("bloc__number", "order")
    ]


def establishment_trainers(establishment_id: int):
    """Return the trainers the establishment recorded (or who already taught one of its cohorts)."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(
                pk__in=UserRole.objects.filter(
                    role=Role.FORMATEUR, establishment_id=establishment_id
                ).values("user")
            )
            | Q(
                pk__in=TrainingLink.objects.filter(
                    cohort__establishment_id=establishment_id
                ).values("trainer")
            )
        )
        .order_by("last_name", "first_name")
    )


# --- People ---------------------------------------------------------------------------------


def _local_people(scope) -> Q:
    if scope is EVERYWHERE:
        return Q(pk__in=UserRole.objects.filter(role__in=LOCAL_ROLES).values("user"))
    if not scope:
        return Q(pk__in=[])
    return (
        Q(
            pk__in=UserRole.objects.filter(role__in=LOCAL_ROLES, establishment__in=scope).values(
                "user"
            )
        )
        | Q(pk__in=Enrolment.objects.filter(cohort__establishment__in=scope).values("candidate"))
        | Q(pk__in=Enrolment.objects.filter(cohort__establishment__in=scope).values("tutor"))
        | Q(pk__in=TrainingLink.objects.filter(cohort__establishment__in=scope).values("trainer"))
    )


def _recorded_pool(scope) -> Q:
    if scope is EVERYWHERE:
        return Q(pk__in=UserRole.objects.filter(role__in=POOL_ROLES).values("user"))
    if not scope:
        return Q(pk__in=[])
    return Q(pk__in=PoolRecord.objects.filter(establishment__in=scope).values("user"))


def _people(q: Q):
    return (
        User.objects.filter(q)
        .select_related("employer")
        .prefetch_related("user_roles")
        .order_by("last_name", "first_name", "pk")
    )


def local_people(user, *, role: str = ""):
    """Return the trainers, tutors and candidates of ``user``'s establishments."""
    rows = _people(_local_people(staff_establishments(user, Duty.READ)))
    if role:
        rows = rows.filter(pk__in=UserRole.objects.filter(role=role).values("user"))
    return rows


def national_pool(*, role: str = "", user=None):
    """Return the evaluators and jury members of the national pool, visible to every centre.

    With ``user``, mark ``recorded_here`` the people one of their establishments recorded.
    """
    roles = [role] if role else POOL_ROLES
    rows = _people(Q(pk__in=UserRole.objects.filter(role__in=roles).values("user")))
    if user is not None:
        scope = staff_establishments(user, Duty.MANAGE)
        recorded = PoolRecord.objects.filter(user=OuterRef("pk"))
        if scope is not EVERYWHERE:
            recorded = recorded.filter(establishment__in=scope)
        rows = rows.annotate(recorded_here=Exists(recorded))
    return rows


def editable_person_or_404(user, pk: int) -> User:
    """Return a person ``user`` may correct: one of theirs, or a pool member they recorded."""
    scope = staff_establishments(user, Duty.MANAGE)
    person = (
        User.objects.filter(_local_people(scope) | _recorded_pool(scope))
        .select_related("employer")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404
    return person


def person_establishment(user, person: User) -> int | None:
    """Return the id of one establishment of ``user`` the person belongs to (for the audit)."""
    scope = staff_establishments(user, Duty.MANAGE)
    grants = person.user_roles.exclude(establishment=None).values_list(
        "establishment_id", flat=True
    )
    records = person.pool_records.values_list("establishment_id", flat=True)
    for establishment_id in [*grants, *records]:
        if establishment_id in scope:
            return establishment_id
    return None


def establishment_companies(establishment_id: int):
    """Return the companies the establishment recorded or that employ its candidates."""
    return (
        Organisation.objects.filter(kind=Organisation.Kind.ENTREPRISE)
        .filter(
            Q(establishment_id=establishment_id)
            | Q(
                pk__in=Enrolment.objects.filter(cohort__establishment_id=establishment_id).values(
                    "company"
                )
            )
        )
        .order_by("name")
    )


def establishment_candidates(scope):
    return User.objects.filter(
        pk__in=Enrolment.objects.filter(_within(scope, "cohort__establishment")).values("candidate")
    ).order_by("last_name", "first_name")


def accompanists(scope):
    """Return who may be recorded as accompanist: the establishment's people and the pool."""
    return User.objects.filter(
        _local_people(scope) | Q(pk__in=UserRole.objects.filter(role__in=POOL_ROLES).values("user"))
    ).order_by("last_name", "first_name")


def pool_evaluators():
    return national_pool().order_by("last_name", "first_name")


# --- VAE accompaniments and declared conflicts ----------------------------------------------


def _candidates_of(scope) -> Q:
    return Q(
        candidate_id__in=Enrolment.objects.filter(_within(scope, "cohort__establishment")).values(
            "candidate"
        )
    )


def accompaniments(user, duty: Duty = Duty.READ):
    scope = staff_establishments(user, duty)
    return (
        Accompaniment.objects.filter(_candidates_of(scope))
        .select_related("accompanist", "candidate")
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )


def conflicts(user, duty: Duty = Duty.READ):
    scope = staff_establishments(user, duty)
    return (
        ConflictDeclaration.objects.filter(_candidates_of(scope))
        .select_related("evaluator", "candidate")
        .order_by("candidate__last_name", "candidate__first_name", "pk")
    )


# --- Invitations ----------------------------------------------------------------------------


def _invitable(scope) -> Q:
    return _local_people(scope) | (
        Q(pk__in=PoolRecord.objects.filter(establishment__in=scope).values("user"))
        if scope is not EVERYWHERE
        else _recorded_pool(scope)
    )


def invitable_accounts(scope, *, not_signed_in: bool = False):
    """Return the establishments' active accounts with their latest invitation's dates."""
    latest = Invitation.objects.filter(user=OuterRef("pk")).order_by("-created_at", "-pk")
    rows = User.objects.filter(_invitable(scope), is_active=True).annotate(
        invited_at=Subquery(latest.values("created_at")[:1]),
        invitation_expires_at=Subquery(latest.values("expires_at")[:1]),
        invitation_used_at=Subquery(latest.values("used_at")[:1]),
    )
    if not_signed_in:
        rows = rows.filter(last_login__isnull=True)
    return rows.order_by("last_name", "first_name", "pk")


def accounts_without_password(scope):
    """Return the accounts to invite in bulk: no password and no invitation still usable."""
    return (
        User.objects.filter(_invitable(scope), is_active=True)
        .filter(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .exclude(pk__in=Invitation.objects.usable().values("user"))
        .order_by("last_name", "first_name", "pk")
    )


def invitable_account_or_404(user, pk: int, duty: Duty = Duty.MANAGE) -> User:
    person = User.objects.filter(_invitable(staff_establishments(user, duty)), pk=pk).first()
    if person is None:
        raise Http404
    return person
