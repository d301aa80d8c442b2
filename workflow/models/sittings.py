"""The épreuves route's exam day: each épreuve's sitting for a cohort, the candidates'
convocations to it, and their attendance (présent, absent justifié, absent non justifié)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EpreuveSitting(models.Model):
    """An épreuve sat by a cohort's épreuves-route candidates: when, how long, where.

    A remote sitting needs the certifier's agreement, recorded here (who, when, its reference).
    """

    cohort = models.ForeignKey(
        "accounts.Cohort",
        verbose_name=_("promotion"),
        on_delete=models.PROTECT,
        related_name="epreuve_sittings",
    )
    epreuve = models.ForeignKey(
        "referentiel.Epreuve",
        verbose_name=_("épreuve"),
        on_delete=models.PROTECT,
        related_name="sittings",
    )
    starts_at = models.DateTimeField(_("début"))
    base_minutes = models.PositiveSmallIntegerField(_("durée réglementaire (minutes)"))
    room = models.CharField(_("salle"), max_length=200)
    remote = models.BooleanField(_("à distance"), default=False)
    remote_agreed_by = models.CharField(
        _("accord du certificateur donné par"), max_length=200, blank=True
    )
    remote_agreed_on = models.DateField(
        _("accord du certificateur donné le"), null=True, blank=True
    )
    remote_agreement_reference = models.CharField(
        _("référence de l'accord du certificateur"), max_length=100, blank=True
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    scheduled_at = models.DateTimeField(_("programmée le"))

    establishment_path = "cohort__establishment"

    class Meta:
        verbose_name = _("passage d'épreuve")
        verbose_name_plural = _("passages d'épreuve")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "epreuve"], name="epreuve_sitting_unique")
        ]
        indexes = [
            models.Index(fields=["starts_at"], name="epreuve_sitting_starts_idx"),
            models.Index(fields=["remote"], name="epreuve_sitting_remote_idx"),
        ]

    def __str__(self):
        return f"{self.epreuve.code} — {self.cohort.name} — {self.starts_at:%d/%m/%Y}"

    def ends_at(self, minutes: int | None = None):
        """Return when the sitting ends after ``minutes`` (the regular duration by default)."""
        return self.starts_at + timedelta(minutes=self.base_minutes if minutes is None else minutes)


class EpreuveConvocation(models.Model):
    """A candidate's convocation to a sitting, sent once (the e-mail's date is the proof)."""

    sitting = models.ForeignKey(
        EpreuveSitting, on_delete=models.PROTECT, related_name="convocations"
    )
    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.PROTECT, related_name="epreuve_convocations"
    )
    # The duration the candidate was convoked for: the extra third included when granted.
    duration_minutes = models.PositiveSmallIntegerField(_("durée convoquée (minutes)"))
    sent_on = models.DateField(_("envoyée le"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    establishment_path = "sitting__cohort__establishment"

    class Meta:
        verbose_name = _("convocation à une épreuve")
        verbose_name_plural = _("convocations aux épreuves")
        ordering = ["sitting_id", "enrolment_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "enrolment"], name="epreuve_convocation_unique"
            )
        ]
        indexes = [models.Index(fields=["sent_on"], name="epreuve_convocation_sent_idx")]

    def __str__(self):
        return f"{self.sitting} — {self.enrolment.candidate}"


class EpreuveAttendance(models.Model):
    """Whether a candidate sat an épreuve; an absence, justified or not, makes the bloc
    non-presented. A justified absence keeps its kind and date (a retake reads them)."""

    class Status(models.TextChoices):
        PRESENT = "present", _("Présent")
        ABSENT_JUSTIFIED = "absent_justified", _("Absent justifié")
        ABSENT_UNJUSTIFIED = "absent_unjustified", _("Absent non justifié")

    class Justification(models.TextChoices):
        MEDICAL_CERTIFICATE = "medical_certificate", _("Certificat médical")
        SICK_LEAVE = "sick_leave", _("Arrêt de travail")
        FORCE_MAJEURE = "force_majeure", _("Cas de force majeure dûment justifié")

    ABSENT = (Status.ABSENT_JUSTIFIED, Status.ABSENT_UNJUSTIFIED)

    sitting = models.ForeignKey(
        EpreuveSitting, on_delete=models.PROTECT, related_name="attendances"
    )
    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.PROTECT, related_name="epreuve_attendances"
    )
    status = models.CharField(_("présence"), max_length=20, choices=Status.choices)
    justification_kind = models.CharField(
        _("justificatif"), max_length=20, choices=Justification.choices, blank=True
    )
    justification_date = models.DateField(_("date du justificatif"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("saisie le"))

    establishment_path = "sitting__cohort__establishment"

    class Meta:
        verbose_name = _("présence à une épreuve")
        verbose_name_plural = _("présences aux épreuves")
        ordering = ["sitting_id", "enrolment_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sitting", "enrolment"], name="epreuve_attendance_unique"
            )
        ]
        indexes = [models.Index(fields=["status"], name="epreuve_attendance_status_idx")]

    def __str__(self):
        return f"{self.sitting} — {self.enrolment.candidate} — {self.get_status_display()}"

    @property
    def absent(self) -> bool:
        return self.status in self.ABSENT

    @classmethod
    def words(cls, values: dict) -> list[str]:
        """Return the épreuve, the status and the justification an audit line records, in
        words (the history's reading)."""
        status = dict(cls.Status.choices).get(values.get("status"))
        justification = dict(cls.Justification.choices).get(values.get("justification_kind"))
        return [str(w) for w in (values.get("epreuve"), status, justification) if w]


def attendance_absent(enrolment, epreuve) -> bool:
    """Return whether ``enrolment`` was recorded absent (justified or not) at ``epreuve``: its
    mark is not entered, the bloc is non-presented."""
    return EpreuveAttendance.objects.filter(
        enrolment=enrolment, sitting__epreuve=epreuve, status__in=EpreuveAttendance.ABSENT
    ).exists()
