"""The national subjects and correction grids the certifier hands to the establishments."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portfolio.models import StoredFile


class ExamSubject(StoredFile):
    """One version of the subject or correction grid of one épreuve for one sitting.

    Confidential (règlement §5): the certifier uploads it; the establishments' responsables of
    the evaluation process read it from the day of the épreuve (``workflow.evaluation.subjects``).
    Replacing it adds a version and keeps the earlier ones for the audit.
    """

    class Part(models.TextChoices):
        SUBJECT = "subject", _("Sujet")
        GRID = "grid", _("Grille de correction ou corrigé")

    epreuve = models.ForeignKey(
        "referentiel.Epreuve",
        verbose_name=_("épreuve"),
        on_delete=models.PROTECT,
        related_name="subjects",
    )
    part = models.CharField(_("document"), max_length=10, choices=Part.choices)
    starts_at = models.DateTimeField(_("début de l'épreuve"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("version en vigueur"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("déposé par"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sujet national confidentiel")
        verbose_name_plural = _("sujets nationaux confidentiels")
        ordering = ["-starts_at", "epreuve_id", "part", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["epreuve", "part", "starts_at", "version"], name="exam_subject_version"
            ),
            models.UniqueConstraint(
                fields=["epreuve", "part", "starts_at"],
                condition=models.Q(is_current=True),
                name="exam_subject_one_current",
            ),
        ]
        indexes = [
            models.Index(
                fields=["-starts_at", "epreuve", "part", "-version"], name="exam_subject_order_idx"
            ),
            models.Index(fields=["part"], name="exam_subject_part_idx"),
            models.Index(fields=["is_current"], name="exam_subject_current_idx"),
        ]

    def __str__(self):
        return f"{self.epreuve.code} — {self.get_part_display()} v{self.version}"
