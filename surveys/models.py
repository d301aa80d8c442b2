"""A certified candidate's placement follow-up and its three survey waves."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# The waves: months after the jury's date (RULES.md §6: surveys for at least 2 years).
WAVE_MONTHS = (6, 12, 24)


class FollowUp(models.Model):
    """One certified enrolment's follow-up: its contact data confirmation and consent."""

    class Consent(models.TextChoices):
        PENDING = "pending", _("Pas encore exprimé")
        GIVEN = "given", _("Accepte les enquêtes")
        REFUSED = "refused", _("Refuse les enquêtes")

    enrolment = models.OneToOneField(
        "accounts.Enrolment",
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="survey_follow_up",
    )
    decision = models.ForeignKey(
        "workflow.JuryDecision",
        verbose_name=_("décision du jury"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    establishment = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("établissement"), on_delete=models.PROTECT
    )
    certified_on = models.DateField(_("date de certification"), db_index=True)
    consent = models.CharField(
        _("accord pour les enquêtes"),
        max_length=10,
        choices=Consent.choices,
        default=Consent.PENDING,
        db_index=True,
    )
    consent_changed_at = models.DateTimeField(_("accord modifié le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("coordonnées confirmées le"), null=True, blank=True)
    created_at = models.DateTimeField(_("ouvert le"))

    establishment_path = "establishment"

    class Meta:
        verbose_name = _("suivi d'insertion")
        verbose_name_plural = _("suivis d'insertion")
        ordering = ["-certified_on", "pk"]
        indexes = [
            models.Index(fields=["establishment", "certified_on"], name="followup_est_date"),
        ]

    def __str__(self):
        return str(self.enrolment.candidate)


class SurveyWave(models.Model):
    """One survey (6, 12 or 24 months after the jury): its personal link, e-mails and answer.

    The link's token is derived from ``nonce`` with the secret key (``surveys.tokens``): the
    database holds the nonce and the token's SHA-256, never a working link.
    """

    class Status(models.TextChoices):
        EMPLOYED = "employed", _("En emploi")
        JOB_SEEKER = "job_seeker", _("En recherche d'emploi")
        TRAINING = "training", _("En formation")
        OTHER = "other", _("Autre situation")

    class JobLink(models.TextChoices):
        TARGET = "target", _("Emploi visé par le titre")
        RELATED = "related", _("Emploi proche du titre")
        UNRELATED = "unrelated", _("Emploi sans lien avec le titre")

    follow_up = models.ForeignKey(
        FollowUp, verbose_name=_("suivi"), on_delete=models.CASCADE, related_name="waves"
    )
    months = models.PositiveSmallIntegerField(
        _("mois après la certification"), choices=[(m, m) for m in WAVE_MONTHS], db_index=True
    )
    due_on = models.DateField(_("date d'envoi"), db_index=True)
    closes_on = models.DateField(_("lien ouvert jusqu'au (exclu)"))
    nonce = models.CharField(max_length=64, unique=True, editable=False)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    # 0: nothing sent yet; 1: the invitation; 2 and more: the reminders.
    messages_sent = models.PositiveSmallIntegerField(_("e-mails envoyés"), default=0)
    last_sent_at = models.DateTimeField(_("dernier envoi"), null=True, blank=True)
    answered_at = models.DateTimeField(_("répondu le"), null=True, blank=True, db_index=True)
    status = models.CharField(_("situation"), max_length=12, choices=Status.choices, blank=True)
    job_title = models.CharField(_("intitulé du poste"), max_length=200, blank=True)
    employer = models.CharField(_("employeur"), max_length=200, blank=True)
    job_link = models.CharField(
        _("lien avec le titre"), max_length=10, choices=JobLink.choices, blank=True
    )
    anonymised_at = models.DateTimeField(_("anonymisé le"), null=True, blank=True)

    establishment_path = "follow_up__establishment"

    class Meta:
        verbose_name = _("enquête d'insertion")
        verbose_name_plural = _("enquêtes d'insertion")
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["follow_up", "months"], name="survey_wave_unique")
        ]

    def __str__(self):
        return _("Enquête à %(months)s mois") % {"months": self.months}
