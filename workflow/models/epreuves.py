"""Marks of the épreuves route, one per épreuve, on the épreuve's grid, and the marked papers."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portfolio.models import StoredFile


class EpreuveMark(ConcurrentTransitionMixin, models.Model):
    """One candidate's mark at one épreuve of a bloc, for one attempt, on the épreuve's grid.

    The centre's staff assign an independent examiner; the examiner fills the grid version the
    mark is pinned to (frozen from then on) and submits it. Once every épreuve of the bloc has a
    submitted mark, their sum is the bloc's ``BlocExamMark``.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("En cours de notation")
        SUBMITTED = "submitted", _("Remise")

    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="epreuve_marks",
    )
    epreuve = models.ForeignKey(
        "referentiel.Epreuve",
        verbose_name=_("épreuve"),
        on_delete=models.PROTECT,
        related_name="marks",
    )
    attempt = models.PositiveSmallIntegerField(_("tentative"), default=1)
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("correcteur"),
        on_delete=models.PROTECT,
        related_name="epreuve_marks",
    )
    grid_version = models.ForeignKey(
        "referentiel.GridVersion",
        verbose_name=_("version de grille"),
        on_delete=models.PROTECT,
        related_name="epreuve_marks",
    )
    state = FSMField(_("état"), default=State.DRAFT, choices=State.choices, protected=True)
    comment = models.TextField(_("appréciation générale"), blank=True)
    total = models.DecimalField(
        _("note de l'épreuve"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    assigned_at = models.DateTimeField(_("affectée le"))
    submitted_at = models.DateTimeField(_("remise le"), null=True, blank=True)

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("note d'épreuve")
        verbose_name_plural = _("notes d'épreuves")
        ordering = ["enrolment_id", "epreuve_id", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "epreuve", "attempt"], name="epreuve_mark_unique_attempt"
            )
        ]
        indexes = [
            models.Index(fields=["state"], name="epreuve_mark_state_idx"),
            models.Index(fields=["examiner", "state"], name="epreuve_mark_examiner_state"),
            models.Index(fields=["epreuve", "attempt"], name="epreuve_mark_epreuve_attempt"),
        ]

    def __str__(self):
        return _("%(epreuve)s — %(candidate)s") % {
            "epreuve": self.epreuve.code,
            "candidate": self.enrolment.candidate,
        }

    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.DRAFT)
    def reopen(self):
        pass


class EpreuveScore(models.Model):
    """The points of one criterion of an épreuve mark's grid."""

    mark = models.ForeignKey(EpreuveMark, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "referentiel.GridCriterion",
        verbose_name=_("critère"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("note de critère (épreuve)")
        verbose_name_plural = _("notes de critère (épreuves)")
        ordering = ["mark_id", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["mark", "criterion"], name="epreuve_score_unique"),
            models.CheckConstraint(
                condition=models.Q(points__gte=0), name="epreuve_score_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.criterion.label}: {self.points}"


class EpreuvePaper(StoredFile):
    """A marked written paper of an épreuve, scanned and uploaded, kept with its mark.

    Kept at least one year like every marked paper (RULES.md §6); only the establishment's
    staff, the examiner and the candidate's jury may download it.
    """

    mark = models.ForeignKey(
        EpreuveMark,
        verbose_name=_("note d'épreuve"),
        on_delete=models.PROTECT,
        related_name="papers",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    establishment_path = "mark__enrolment__cohort__establishment"

    @property
    def audit_candidate(self):
        """The candidate whose paper this is (named on the rescan's audit line)."""
        return self.mark.enrolment.candidate

    class Meta:
        verbose_name = _("copie d'épreuve")
        verbose_name_plural = _("copies d'épreuves")
        ordering = ["mark_id", "uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["mark", "sha256"], name="epreuve_paper_unique_file")
        ]
        indexes = [
            models.Index(fields=["uploaded_at"], name="epreuve_paper_uploaded_idx"),
            models.Index(fields=["mark", "uploaded_at"], name="epreuve_paper_mark_uploaded"),
        ]

    def __str__(self):
        return f"{self.mark}: {self.original_name}"
