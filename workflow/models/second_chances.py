"""Second chances besides the bloc retake (RULES.md §4): the retake after a justified absence,
the repeated year, the professional practice retaken after experience, and the falsification
sanction that bars a candidate from registering for 10 years."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JustifiedAbsenceRetake(models.Model):
    """A retake offered after a justified absence from a bloc's épreuves (a new attempt that
    does not use up the bloc's single retake)."""

    class Justification(models.TextChoices):
        MEDICAL = "medical", _("Certificat médical")
        SICK_LEAVE = "sick_leave", _("Arrêt de travail")
        FORCE_MAJEURE = "force_majeure", _("Cas de force majeure justifié")

    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.PROTECT, related_name="absence_retakes"
    )
    bloc = models.ForeignKey("referentiel.Bloc", on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField(_("tentative"))
    justification = models.CharField(
        _("justificatif"), max_length=20, choices=Justification.choices
    )
    justification_date = models.DateField(_("date du justificatif"))
    request_date = models.DateField(_("date de la demande écrite du candidat"))
    retake_date = models.DateField(_("date du rattrapage"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistré le"))

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("rattrapage pour absence justifiée")
        verbose_name_plural = _("rattrapages pour absence justifiée")
        ordering = ["-request_date", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "bloc", "attempt"], name="absence_retake_unique_attempt"
            )
        ]
        indexes = [
            models.Index(fields=["justification"], name="absence_retake_kind_idx"),
            models.Index(fields=["request_date"], name="absence_retake_request_idx"),
        ]

    def __str__(self):
        return _("Rattrapage (absence justifiée) bloc %(number)s — %(candidate)s") % {
            "number": self.bloc.number,
            "candidate": self.enrolment.candidate,
        }


class Redoublement(models.Model):
    """A repeated year: the candidate follows again, in a later cohort, the modules of the blocs
    not validated. The new cohort gets its own enrolment (new CC marks and bloc evaluations);
    the blocs validated before are carried over from the previous enrolment's decision."""

    previous = models.OneToOneField(
        "accounts.Enrolment",
        verbose_name=_("inscription précédente"),
        on_delete=models.PROTECT,
        related_name="redoublement",
    )
    enrolment = models.OneToOneField(
        "accounts.Enrolment",
        verbose_name=_("nouvelle inscription"),
        on_delete=models.PROTECT,
        related_name="repeats",
    )
    decision = models.ForeignKey(
        "workflow.JuryDecision", on_delete=models.PROTECT, related_name="redoublements"
    )
    repeated_blocs = models.JSONField(_("blocs suivis à nouveau"), default=list)
    carried_blocs = models.JSONField(_("blocs validés conservés"), default=list)
    request_date = models.DateField(_("date de la demande écrite"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistré le"))

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("redoublement")
        verbose_name_plural = _("redoublements")
        ordering = ["-request_date", "-pk"]
        indexes = [
            models.Index(fields=["request_date"], name="redoublement_request_idx"),
        ]

    def __str__(self):
        return _("Redoublement — %(candidate)s (%(cohort)s)") % {
            "candidate": self.enrolment.candidate,
            "cohort": self.enrolment.cohort,
        }


class PracticeRetake(models.Model):
    """The professional practice retaken with a file on a professional problem, after at least
    3 months of relevant experience (its proof dates recorded), within 5 years."""

    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.PROTECT, related_name="practice_retakes"
    )
    decision = models.ForeignKey(
        "workflow.JuryDecision", on_delete=models.PROTECT, related_name="practice_retakes"
    )
    experience_start = models.DateField(_("début de l'expérience professionnelle"))
    experience_end = models.DateField(_("fin de l'expérience (date du justificatif)"))
    experience_proof = models.CharField(_("justificatif de l'expérience"), max_length=300)
    registered_on = models.DateField(_("inscrit le"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistré le"))

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("reprise de la pratique professionnelle")
        verbose_name_plural = _("reprises de la pratique professionnelle")
        ordering = ["-registered_on", "-pk"]
        indexes = [
            models.Index(fields=["registered_on"], name="practice_retake_registered_idx"),
        ]

    def __str__(self):
        return _("Reprise de la pratique professionnelle — %(candidate)s") % {
            "candidate": self.enrolment.candidate
        }


class FalsificationSanction(models.Model):
    """Falsification of results: the candidate may not register for the network's diplomas
    for 10 years from the sanction's date."""

    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("candidat"),
        on_delete=models.PROTECT,
        related_name="falsification_sanctions",
    )
    establishment = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("établissement"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    sanctioned_on = models.DateField(_("date de la sanction"))
    facts = models.TextField(_("faits établis"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistré le"))

    establishment_path = "establishment"

    class Meta:
        verbose_name = _("sanction pour falsification")
        verbose_name_plural = _("sanctions pour falsification")
        ordering = ["-sanctioned_on", "-pk"]
        indexes = [
            models.Index(fields=["sanctioned_on"], name="falsification_sanctioned_idx"),
        ]

    def __str__(self):
        return _("Falsification — %(candidate)s (%(date)s)") % {
            "candidate": self.candidate,
            "date": f"{self.sanctioned_on:%d/%m/%Y}",
        }
