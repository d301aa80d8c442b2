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


class Scoring(ConcurrentTransitionMixin, models.Model):
    """One evaluator's scoring of one portfolio or mémoire, on the grid version it is pinned to."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Remise")

    assignment = models.OneToOneField(
        Assignment, verbose_name=_("affectation"), on_delete=models.PROTECT, related_name="scoring"
    )
    grid_version = models.ForeignKey(
        "referentiel.GridVersion",
        verbose_name=_("version de grille"),
        on_delete=models.PROTECT,
        related_name="scorings",
    )
    state = FSMField(_("état"), default=State.DRAFT, choices=State.choices, protected=True)
    overall_comment = models.TextField(_("appréciation générale"), blank=True)
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2, default=0)
    submitted_at = models.DateTimeField(_("remise le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notation")
        verbose_name_plural = _("notations")
        ordering = ["assignment__rank", "created_at"]

    def __str__(self):
        return f"Notation de {self.assignment}"

    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.DRAFT)
    def reopen(self):
        pass


class CriterionScore(models.Model):
    """The points given to one criterion of the grid, with the comment and the evidence used."""

    scoring = models.ForeignKey(Scoring, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "referentiel.GridCriterion",
        verbose_name=_("critère"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("commentaire"), blank=True)
    evidence = models.ManyToManyField(
        "portfolio.EvidenceItem", verbose_name=_("preuves retenues"), blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("note par critère")
        verbose_name_plural = _("notes par critère")
        ordering = ["scoring", "criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["scoring", "criterion"], name="criterion_score_unique"),
            models.CheckConstraint(
                condition=models.Q(points__isnull=True) | models.Q(points__gte=0),
                name="criterion_score_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.criterion.label}: {self.points}"


class Reconciliation(models.Model):
    """How a double-marked portfolio's agreed mark was reached; both scorings stay on record."""

    class Method(models.TextChoices):
        MEAN = "mean", _("Moyenne des deux notes (écart dans la tolérance)")
        FIRST = "first", _("Note de la première évaluation retenue")
        SECOND = "second", _("Note de la seconde évaluation retenue")
        AGREED = "agreed", _("Note arrêtée par le centre")

    portfolio = models.ForeignKey(
        "portfolio.Portfolio", on_delete=models.PROTECT, related_name="reconciliations"
    )
    first_mark = models.DecimalField(_("première note"), max_digits=7, decimal_places=2)
    second_mark = models.DecimalField(_("seconde note"), max_digits=7, decimal_places=2)
    method = models.CharField(_("mode"), max_length=10, choices=Method.choices)
    agreed_mark = models.DecimalField(_("note retenue"), max_digits=7, decimal_places=3)
    justification = models.TextField(_("justification"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("arrêtée par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("arrêtée le"))

    class Meta:
        verbose_name = _("conciliation de notes")
        verbose_name_plural = _("conciliations de notes")
        ordering = ["-decided_at"]

    def __str__(self):
        return f"{self.portfolio}: {self.agreed_mark} ({self.get_method_display()})"
