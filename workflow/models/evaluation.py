"""Evaluators on files: assignments, scorings on the national grid, reconciliations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


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
        indexes = [
            models.Index(fields=["assigned_at"], name="assignment_assigned_at_idx"),
            models.Index(fields=["state"], name="assignment_state_idx"),
            models.Index(fields=["rank"], name="assignment_rank_idx"),
            models.Index(fields=["due_date"], name="assignment_due_date_idx"),
            # The evaluator's queue (by due date) and the overdue assignments of the dashboard.
            models.Index(fields=["evaluator", "due_date"], name="assignment_evaluator_due"),
            models.Index(fields=["state", "due_date"], name="assignment_state_due"),
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
        ordering = ["assignment_id"]
        indexes = [
            models.Index(fields=["state"], name="scoring_state_idx"),
        ]

    def __str__(self):
        return _("Notation de %(assignment)s") % {"assignment": self.assignment}

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
        ordering = ["scoring_id", "criterion_id"]
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

    establishment_path = "portfolio__enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("conciliation de notes")
        verbose_name_plural = _("conciliations de notes")
        ordering = ["-decided_at"]
        indexes = [
            models.Index(fields=["decided_at"], name="reconciliation_decided_at_idx"),
            models.Index(fields=["method"], name="reconciliation_method_idx"),
        ]

    def __str__(self):
        return f"{self.portfolio}: {self.agreed_mark} ({self.get_method_display()})"
