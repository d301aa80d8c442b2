"""What the positionnement decides before training: exemptions (RULES §2, source §4)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Exemption(models.Model):
    """An exemption granted at the positionnement, with who decided it, when and why.

    It records the decision and shows it on the candidate's record; the marks the jury decides
    on are those entered for the candidate (the rules engine's contract is unchanged).
    """

    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="exemptions",
    )
    practice = models.BooleanField(_("épreuve professionnelle"), default=False)
    blocs = models.ManyToManyField(
        "referentiel.Bloc", verbose_name=_("épreuves de bloc"), blank=True, related_name="+"
    )
    modules = models.ManyToManyField(
        "referentiel.Module", verbose_name=_("modules"), blank=True, related_name="+"
    )
    reason = models.CharField(_("motif ou équivalence"), max_length=300)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("décidé par"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("décidé le"))

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("dispense (positionnement)")
        verbose_name_plural = _("dispenses (positionnement)")
        ordering = ["enrolment_id", "decided_at", "id"]
        indexes = [
            models.Index(fields=["decided_at"], name="exemption_decided_at_idx"),
            models.Index(fields=["enrolment", "decided_at"], name="exemption_enrolment_idx"),
        ]

    def __str__(self):
        return f"{self.enrolment.candidate} — {self.reason}"
