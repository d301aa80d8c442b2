"""Records shared by every part of the workflow: the audit trail and the notifications."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what to which object, and why."""

    at = models.DateTimeField(_("date"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("objet"), max_length=300, blank=True)
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("candidat concerné"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    before = models.JSONField(_("avant"), null=True, blank=True)
    after = models.JSONField(_("après"), null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        # The trail is append-only: an existing line is never rewritten.
        if self.pk is not None:
            raise ValueError("AuditEvent rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("AuditEvent rows are append-only.")


class Notification(models.Model):
    """An e-mail owed to someone for one event; the unique key makes it go out once only."""

    key = models.CharField(_("clé d'événement"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    template = models.CharField(_("modèle"), max_length=100)
    context = models.JSONField(_("contexte"), default=dict)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.template} → {self.recipient}"


class Assignment(ConcurrentTransitionMixin, models.Model):
    """An evaluator asked to score one portfolio or one mémoire."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposée")
        ACCEPTED = "accepted", _("Acceptée")
        DECLINED = "declined", _("Refusée par l'évaluateur")
        COMPLETED = "completed", _("Évaluation remise")
        WITHDRAWN = "withdrawn", _("Retirée")

    class Rank(models.IntegerChoices):
        FIRST = 1, _("Première évaluation")
        SECOND = 2, _("Seconde évaluation")

    portfolio = models.ForeignKey(
        "portfolio.Portfolio",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    memoire = models.ForeignKey(
        "portfolio.Memoire",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("évaluateur"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    rank = models.PositiveSmallIntegerField(_("rang"), choices=Rank.choices, default=Rank.FIRST)
    state = FSMField(_("état"), default=State.PROPOSED, choices=State.choices, protected=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("affectée le"))
    due_date = models.DateField(_("à rendre le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    declaration_text = models.TextField(_("déclaration d'absence de conflit"), blank=True)
    declined_reason = models.TextField(_("motif du refus"), blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("affectation")
        verbose_name_plural = _("affectations")
        ordering = ["-assigned_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(portfolio__isnull=False, memoire__isnull=True)
                    | models.Q(portfolio__isnull=True, memoire__isnull=False)
                ),
                name="assignment_one_target",
            )
        ]

    def __str__(self):
        return f"{self.evaluator} → {self.target}"

    @property
    def target(self):
        return self.portfolio or self.memoire

    @transition(field=state, source=State.PROPOSED, target=State.ACCEPTED)
    def accept(self):
        pass

    @transition(field=state, source=State.PROPOSED, target=State.DECLINED)
    def decline(self):
        pass

    @transition(field=state, source=State.ACCEPTED, target=State.COMPLETED)
    def complete(self):
        pass

    @transition(field=state, source=State.COMPLETED, target=State.ACCEPTED)
    def reopen(self):
        pass

    @transition(field=state, source=[State.PROPOSED, State.ACCEPTED], target=State.WITHDRAWN)
    def withdraw(self):
        pass


class JurySession(ConcurrentTransitionMixin, models.Model):
    class State(models.TextChoices):
        PLANNED = "planned", _("Planifiée")
        COMPOSED = "composed", _("Jury constitué")
        DELIBERATING = "deliberating", _("En délibération")
        CLOSED = "closed", _("Close (résultats figés)")
        PUBLISHED = "published", _("Résultats publiés")

    title = models.ForeignKey("referentiel.Title", on_delete=models.PROTECT, related_name="+")
    establishment = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("établissement"), on_delete=models.PROTECT
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("lieu"), max_length=200)
    last_exam_date = models.DateField(_("date de la dernière épreuve"), null=True, blank=True)
    state = FSMField(_("état"), default=State.PLANNED, choices=State.choices, protected=True)
    closed_at = models.DateTimeField(_("close le"), null=True, blank=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("session de jury")
        verbose_name_plural = _("sessions de jury")
        ordering = ["-date"]

    def __str__(self):
        return f"Jury du {self.date:%d/%m/%Y} — {self.place}"


class JuryMember(models.Model):
    class Role(models.TextChoices):
        PRESIDENT = "president", _("Président")
        PROFESSIONAL = "professional", _("Professionnel du métier")
        CCI_REPRESENTATIVE = "cci_representative", _("Représentant CCI / établissement")
        OBSERVER = "observer", _("Observateur (établissement parrain)")

    session = models.ForeignKey(JurySession, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="jury_seats"
    )
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("membre du jury")
        verbose_name_plural = _("membres du jury")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="jury_member_unique")
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class SessionCandidate(models.Model):
    """A candidate whose files go before a jury session."""

    session = models.ForeignKey(JurySession, on_delete=models.PROTECT, related_name="candidates")
    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.PROTECT, related_name="jury_entries"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("candidat de la session")
        verbose_name_plural = _("candidats de la session")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="session_candidate_unique"
            )
        ]

    def __str__(self):
        return f"{self.enrolment} @ {self.session}"
