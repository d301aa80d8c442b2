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


class Role(models.TextChoices):
    CANDIDAT = "candidat", _("Candidat")
    FORMATEUR = "formateur", _("Formateur")
    EVALUATEUR = "evaluateur", _("Évaluateur")
    TUTEUR = "tuteur", _("Tuteur")
    RESPONSABLE = "responsable", _("Responsable du centre")
    JURY = "jury", _("Membre de jury")
    ADMINISTRATEUR = "administrateur", _("Administrateur (certificateur)")


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


class Organisation(models.Model):
    class Kind(models.TextChoices):
        ETABLISSEMENT = "etablissement", _("Établissement de formation")
        ENTREPRISE = "entreprise", _("Entreprise")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "kind"], name="organisation_unique_name_kind")
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

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name

    @property
    def role_set(self) -> set[str]:
        if not hasattr(self, "_role_cache"):
            self._role_cache = set(self.user_roles.values_list("role", flat=True))
        return self._role_cache

    def has_role(self, role: str) -> bool:
        return role in self.role_set


class UserRole(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="user_roles")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("rôle")
        verbose_name_plural = _("rôles")
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="user_role_unique")]

    def __str__(self):
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
        _("heures de formation"), max_digits=6, decimal_places=1, default=Decimal("931")
    )
    memoire_deadline = models.DateField(_("date limite du mémoire"), null=True, blank=True)

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

    def __str__(self):
        return self.name


class Enrolment(models.Model):
    class Route(models.TextChoices):
        EPREUVES = "epreuves", _("Épreuves (apprentis)")
        PORTEFEUILLE = "portefeuille", _("Portefeuille de preuves (salariés)")

    candidate = models.ForeignKey(
        User, verbose_name=_("candidat"), on_delete=models.PROTECT, related_name="enrolments"
    )
    cohort = models.ForeignKey(
        Cohort, verbose_name=_("promotion"), on_delete=models.PROTECT, related_name="enrolments"
    )
    route = models.CharField(_("voie"), max_length=20, choices=Route.choices)
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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["cohort", "candidate__last_name", "candidate__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "cohort"], name="enrolment_unique")
        ]

    def __str__(self):
        return f"{self.candidate} — {self.cohort}"


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
