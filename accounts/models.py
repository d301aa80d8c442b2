"""People, organisations, cohorts and the links that decide who may evaluate whom."""

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit import clock
from audit.indexes import prefix_search_index


class Role(models.TextChoices):
    CANDIDAT = "candidat", _("Candidat")
    FORMATEUR = "formateur", _("Formateur")
    EVALUATEUR = "evaluateur", _("Évaluateur")
    TUTEUR = "tuteur", _("Tuteur")
    RESPONSABLE_EVALUATION = "responsable_evaluation", _("Responsable du processus d'évaluation")
    RESPONSABLE_CERTIFICATION = (
        "responsable_certification",
        _("Responsable du processus de certification"),
    )
    JURY = "jury", _("Membre de jury")
    ADMINISTRATEUR = "administrateur", _("Administrateur national (certificateur)")
    AUDITEUR = "auditeur", _("Auditeur national (certificateur, lecture seule)")


# The two responsables of the règlement: granted per establishment, one person may hold both.
ESTABLISHMENT_ROLES = frozenset({Role.RESPONSABLE_EVALUATION, Role.RESPONSABLE_CERTIFICATION})
# The certifier's people see every establishment; the national pool sees what it is granted.
NATIONAL_ROLES = frozenset({Role.ADMINISTRATEUR, Role.AUDITEUR, Role.EVALUATEUR, Role.JURY})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("The e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        user = self._create_user(email, password, **extra_fields)
        UserRole.objects.get_or_create(user=user, role=Role.ADMINISTRATEUR)
        return user

    def with_role(self, role: str):
        return self.filter(user_roles__role=role, is_active=True)

    def responsables_of(self, establishment_id: int, roles=None):
        """Return the active people holding one of ``roles`` (both responsables by default)
        in that establishment."""
        return self.filter(
            is_active=True,
            user_roles__role__in=sorted(roles or ESTABLISHMENT_ROLES),
            user_roles__establishment_id=establishment_id,
        ).distinct()


class Organisation(models.Model):
    """The certifier, its establishments (each a tenant of the application) and companies."""

    class Kind(models.TextChoices):
        CERTIFICATEUR = "certificateur", _("Certificateur")
        ETABLISSEMENT = "etablissement", _("Établissement de formation")
        ENTREPRISE = "entreprise", _("Entreprise")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    certifier = models.ForeignKey(
        "self",
        verbose_name=_("certificateur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="establishments",
        limit_choices_to={"kind": "certificateur"},
    )
    # A new cycle is sponsored by another establishment for its first two cohorts (RULES §6).
    sponsor = models.ForeignKey(
        "self",
        verbose_name=_("établissement parrain (nouveau cycle)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sponsored_establishments",
        limit_choices_to={"kind": "etablissement"},
    )
    # A company belongs to the establishment that recorded it (the certifier sees them all).
    establishment = models.ForeignKey(
        "self",
        verbose_name=_("établissement de rattachement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="companies",
        limit_choices_to={"kind": "etablissement"},
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_unique_name_kind")
        ]
        indexes = [
            models.Index(fields=["kind"], name="organisation_kind_idx"),
        ]

    def __str__(self):
        return self.name


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("adresse e-mail"), unique=True)
    first_name = models.CharField(_("prénom"), max_length=150)
    last_name = models.CharField(_("nom"), max_length=150)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    employer = models.ForeignKey(
        Organisation,
        verbose_name=_("employeur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employees",
    )
    # Jury eligibility (RULES §6): practice of the target jobs and last activity in them.
    years_in_target_jobs = models.DecimalField(
        _("années d'exercice des métiers visés"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
    )
    last_active_in_target_jobs = models.DateField(
        _("dernière activité dans les métiers visés"), null=True, blank=True
    )
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("accès à l'administration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="user_name_idx"),
            # The admin's searches by the start of a name or an e-mail (audit.admin_base).
            prefix_search_index("last_name", name="user_upper_last_name_idx"),
            prefix_search_index("email", name="user_upper_email_idx"),
            models.Index(fields=["is_active"], name="user_is_active_idx"),
            models.Index(fields=["is_staff"], name="user_is_staff_idx"),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name

    def _roles(self) -> dict[str, frozenset[int]]:
        if not hasattr(self, "_role_cache"):
            grants: dict[str, set[int]] = {}
            for role, establishment_id in self.user_roles.values_list("role", "establishment_id"):
                grants.setdefault(role, set())
                if establishment_id is not None:
                    grants[role].add(establishment_id)
            self._role_cache = {role: frozenset(ids) for role, ids in grants.items()}
        return self._role_cache

    @property
    def role_set(self) -> set[str]:
        return set(self._roles())

    def has_role(self, role: str) -> bool:
        return role in self._roles()

    def role_establishments(self, role: str) -> frozenset[int]:
        """Return the establishments where ``user`` holds ``role`` (empty for national roles)."""
        return self._roles().get(role, frozenset())


class UserRole(models.Model):
    """A role granted to a person: the two responsables per establishment, the rest as a whole.

    Trainers, tutors and candidates may carry the establishment that recorded them, so that its
    back office lists them; the certifier's roles and the national pool never carry one.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="user_roles")
    role = models.CharField(_("rôle"), max_length=32, choices=Role.choices)
    establishment = models.ForeignKey(
        Organisation,
        verbose_name=_("établissement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="granted_roles",
        limit_choices_to={"kind": Organisation.Kind.ETABLISSEMENT},
    )

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "establishment"],
                condition=models.Q(establishment__isnull=False),
                name="user_role_unique_per_establishment",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(establishment__isnull=True),
                name="user_role_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(ESTABLISHMENT_ROLES))
                | models.Q(establishment__isnull=False),
                name="user_role_responsable_has_establishment",
            ),
            models.CheckConstraint(
                condition=~models.Q(role__in=sorted(NATIONAL_ROLES))
                | models.Q(establishment__isnull=True),
                name="user_role_national_has_no_establishment",
            ),
        ]
        indexes = [
            models.Index(fields=["role"], name="user_role_role_idx"),
        ]

    def __str__(self):
        if self.establishment_id:
            return f"{self.user} — {self.get_role_display()} ({self.establishment})"
        return f"{self.user} — {self.get_role_display()}"


class Cohort(models.Model):
    title = models.ForeignKey(
        "referentiel.Title", verbose_name=_("titre"), on_delete=models.PROTECT
    )
    establishment = models.ForeignKey(
        Organisation,
        verbose_name=_("établissement"),
        on_delete=models.PROTECT,
        related_name="cohorts",
        limit_choices_to={"kind": Organisation.Kind.ETABLISSEMENT},
    )
    sponsor = models.ForeignKey(
        Organisation,
        verbose_name=_("établissement parrain (nouveau cycle)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsored_cohorts",
        limit_choices_to={"kind": Organisation.Kind.ETABLISSEMENT},
    )
    name = models.CharField(_("nom"), max_length=150)
    training_start = models.DateField(_("début de formation"))
    training_end = models.DateField(_("fin de formation"))
    training_hours = models.DecimalField(
        _("heures de formation"), max_digits=6, decimal_places=1, default=Decimal("588")
    )
    memoire_deadline = models.DateField(_("date limite du mémoire"), null=True, blank=True)

    establishment_path = "establishment"

    class Meta:
        verbose_name = _("promotion")
        verbose_name_plural = _("promotions")
        ordering = ["-training_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(training_end__gt=models.F("training_start")),
                name="cohort_training_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(training_hours__gt=0), name="cohort_training_hours_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["training_start", "name"], name="cohort_start_name_idx"),
            models.Index(fields=["establishment", "name"], name="cohort_establishment_name"),
        ]

    def __str__(self):
        return self.name


class Enrolment(models.Model):
    class Route(models.TextChoices):
        EPREUVES = "epreuves", _("Épreuves (apprentis)")
        PORTEFEUILLE = "portefeuille", _("Portefeuille de preuves (salariés, demandeurs d'emploi)")

    class Status(models.TextChoices):
        """The candidate's situation at admission; the portfolio route and the exemptions of
        the positionnement are open to salaried candidates and job seekers (RULES §2)."""

        SALARIE = "salarie", _("Salarié")
        DEMANDEUR_EMPLOI = "demandeur_emploi", _("Demandeur d'emploi")
        APPRENTI = "apprenti", _("Apprenti ou contrat de professionnalisation")

    candidate = models.ForeignKey(
        User, verbose_name=_("candidat"), on_delete=models.PROTECT, related_name="enrolments"
    )
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("promotion"), on_delete=models.PROTECT, related_name="enrolments"
    )
    route = models.CharField(_("voie"), max_length=20, choices=Route.choices)
    status = models.CharField(
        _("statut du candidat"), max_length=20, choices=Status.choices, default=Status.SALARIE
    )
    # The title is acquired whole or bloc by bloc: no bloc listed means the whole title.
    blocs = models.ManyToManyField(
        "referentiel.Bloc", verbose_name=_("blocs visés"), blank=True, related_name="+"
    )
    company = models.ForeignKey(
        Organisation,
        verbose_name=_("entreprise"),
        on_delete=models.PROTECT,
        related_name="enrolments",
        limit_choices_to={"kind": Organisation.Kind.ENTREPRISE},
    )
    tutor = models.ForeignKey(
        User,
        verbose_name=_("tuteur"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tutored_enrolments",
    )
    # The end of training when it differs from the cohort's (a late start, a break).
    training_end = models.DateField(_("fin de formation du candidat"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    establishment_path = "cohort__establishment"

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["cohort_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "cohort"], name="enrolment_unique")
        ]
        indexes = [
            models.Index(fields=["cohort", "id"], name="enrolment_cohort_id_idx"),
            models.Index(fields=["route"], name="enrolment_route_idx"),
            models.Index(fields=["status"], name="enrolment_status_idx"),
        ]

    def __str__(self):
        return f"{self.candidate} — {self.cohort}"

    @property
    def effective_training_end(self):
        """Return the candidate's own end of training, or the cohort's."""
        return self.training_end or self.cohort.training_end

    @property
    def whole_title(self) -> bool:
        """Return True when the candidate is enrolled for the whole title (no bloc listed)."""
        return not self.blocs.all()


class TrainingLink(models.Model):
    """A trainer taught a module to a cohort: they may not evaluate its candidates."""

    trainer = models.ForeignKey(
        User, verbose_name=_("formateur"), on_delete=models.CASCADE, related_name="training_links"
    )
    module = models.ForeignKey(
        "referentiel.Module", verbose_name=_("module"), on_delete=models.PROTECT
    )
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("promotion"), on_delete=models.CASCADE, related_name="training_links"
    )

    establishment_path = "cohort__establishment"

    class Meta:
        verbose_name = _("intervention de formation")
        verbose_name_plural = _("interventions de formation")
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "module", "cohort"], name="training_link_unique"
            )
        ]

    def __str__(self):
        return f"{self.trainer} — {self.module} — {self.cohort}"


class Accompaniment(models.Model):
    """Someone accompanied a candidate (VAE support, coaching): they may not evaluate them."""

    accompanist = models.ForeignKey(
        User,
        verbose_name=_("accompagnateur"),
        on_delete=models.CASCADE,
        related_name="accompaniments",
    )
    candidate = models.ForeignKey(
        User, verbose_name=_("candidat"), on_delete=models.CASCADE, related_name="accompanied_by"
    )
    description = models.CharField(_("nature de l'accompagnement"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("accompagnement")
        verbose_name_plural = _("accompagnements")
        constraints = [
            models.UniqueConstraint(
                fields=["accompanist", "candidate"], name="accompaniment_unique"
            )
        ]

    def __str__(self):
        return f"{self.accompanist} → {self.candidate}"


class ConflictDeclaration(models.Model):
    """An evaluator's own declaration of a conflict of interest with a candidate."""

    evaluator = models.ForeignKey(
        User, verbose_name=_("évaluateur"), on_delete=models.CASCADE, related_name="conflicts"
    )
    candidate = models.ForeignKey(
        User, verbose_name=_("candidat"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("motif"), max_length=300)
    declared_at = models.DateTimeField(_("déclaré le"), default=timezone.now)

    class Meta:
        verbose_name = _("conflit d'intérêts déclaré")
        verbose_name_plural = _("conflits d'intérêts déclarés")
        constraints = [
            models.UniqueConstraint(fields=["evaluator", "candidate"], name="conflict_unique")
        ]
        indexes = [
            models.Index(fields=["declared_at"], name="conflict_declared_at_idx"),
        ]

    def __str__(self):
        return f"{self.evaluator} ≠ {self.candidate}"


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(used_at__isnull=True, expires_at__gt=clock.now())


class Invitation(models.Model):
    """A single-use, expiring link for an external evaluator or a tutor to set a password.

    Only the SHA-256 of the token is stored, so a database leak gives away no working link.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_digest = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="invitation_created_at_idx"),
            models.Index(fields=["used_at"], name="invitation_used_at_idx"),
        ]

    def __str__(self):
        return f"{self.user} ({self.created_at:%d/%m/%Y})"

    @classmethod
    def issue(cls, *, user, created_by=None) -> tuple["Invitation", str]:
        """Create an invitation and return it with the clear token (shown once, in the link)."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            user=user,
            token_digest=_token_digest(token),
            created_by=created_by,
            expires_at=clock.now() + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        return invitation, token

    @classmethod
    def find_usable(cls, token: str) -> "Invitation | None":
        return (
            cls.objects.usable()
            .select_related("user")
            .filter(token_digest=_token_digest(token))
            .first()
        )


class LoginFailure(models.Model):
    """One failed sign-in, kept for throttling across processes."""

    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("échec de connexion")
        verbose_name_plural = _("échecs de connexion")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.email} {self.at:%d/%m/%Y %H:%M}"


class LoginThrottleLock(models.Model):
    """A row to lock while counting the failures of one account or one address.

    Counting and recording an attempt under this lock makes simultaneous attempts queue, so
    exactly as many passwords are checked as the limit allows.
    """

    key = models.CharField(max_length=300, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("verrou de limitation de connexion")
        verbose_name_plural = _("verrous de limitation de connexion")

    def __str__(self):
        return self.key
