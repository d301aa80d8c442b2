"""What the back office's tests share: a responsable per establishment, an auditor, a trainer."""

from accounts.models import Role
from tests.factories import STAFF_ROLES, EstablishmentFactory, UserFactory


def responsable(establishment=None, **kwargs):
    return UserFactory(
        roles=STAFF_ROLES, roles__establishment=establishment or EstablishmentFactory(), **kwargs
    )


def other_establishment():
    return EstablishmentFactory(name="CCI Formation Grenoble")


def auditor():
    return UserFactory(roles=[Role.AUDITEUR])


def trainer_of(establishment, **kwargs):
    from accounts.models import UserRole

    trainer = UserFactory(**kwargs)
    UserRole.objects.create(user=trainer, role=Role.FORMATEUR, establishment=establishment)
    return trainer
