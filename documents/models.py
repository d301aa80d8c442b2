"""Official documents issued by the centre, recorded so that any copy can be checked later."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audit.indexes import prefix_search_index


def issued_upload_to(instance, filename: str) -> str:
    # Random names only: a document's path says nothing about whom it concerns.
    return f"documents/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class IssuedDocument(models.Model):
    """One PDF or archive issued by the centre: its reference, its bytes' SHA-256, its file."""

    class Kind(models.TextChoices):
        CONVOCATION = "convocation", _("Convocation")
        PROCES_VERBAL = "proces_verbal", _("Procès-verbal du jury")
        RELEVE = "releve", _("Relevé de notes")
        CERTIFICAT_BLOC = "certificat_bloc", _("Certificat de bloc")
        ATTESTATION = "attestation", _("Attestation de suivi de formation")
        ARCHIVE = "archive", _("Archive de session")

    # Reference prefixes: "PV-2026-000123".
    PREFIXES = {
        Kind.CONVOCATION: "CONV",
        Kind.PROCES_VERBAL: "PV",
        Kind.RELEVE: "RN",
        Kind.CERTIFICAT_BLOC: "CB",
        Kind.ATTESTATION: "ASF",
        Kind.ARCHIVE: "ARC",
    }
    # What a candidate may download about themselves, once the session's results are published.
    RESULT_KINDS = (Kind.RELEVE, Kind.CERTIFICAT_BLOC, Kind.ATTESTATION)

    reference = models.CharField(_("référence"), max_length=30, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    session = models.ForeignKey(
        "workflow.JurySession",
        verbose_name=_("session de jury"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        verbose_name=_("inscription"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_documents",
    )
    # The establishment the document belongs to (its session's, or its candidate's cohort's).
    establishment = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("établissement"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    bloc = models.ForeignKey(
        "referentiel.Bloc",
        verbose_name=_("bloc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("fichier"), max_length=255, upload_to=issued_upload_to, blank=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256 du fichier"), max_length=64, db_index=True)
    content_digest = models.CharField(_("empreinte des données"), max_length=64)
    # Kind, session, candidate, bloc and content digest: one document per set of facts, held
    # by the database. Empty (NULL) only on a copy issued twice before the key existed.
    issue_key = models.CharField(
        _("clé d'émission"), max_length=150, unique=True, null=True, blank=True, editable=False
    )
    # The document in force in its place (same kind, session, candidate and bloc) when this one
    # no longer is: a later issue on changed facts, or the original of a copy issued twice.
    superseded_by = models.ForeignKey(
        "self",
        verbose_name=_("remplacé par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("émis le"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("émis par"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    file_deleted_at = models.DateTimeField(
        _("fichier supprimé le (durée de conservation)"), null=True, blank=True
    )

    establishment_path = "establishment"

    class Meta:
        verbose_name = _("document émis")
        verbose_name_plural = _("documents émis")
        ordering = ["-issued_at", "-pk"]
        indexes = [
            models.Index(fields=["kind", "session", "enrolment", "bloc"]),
            models.Index(fields=["issued_at"], name="issued_doc_issued_at_idx"),
            prefix_search_index("reference", name="issued_doc_upper_ref_idx"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.get_kind_display()}"

    @property
    def is_duplicate(self) -> bool:
        """Return whether this is a second copy of the same facts (issued before the key)."""
        return self.superseded_by is not None and (
            self.superseded_by.content_digest == self.content_digest
        )

    @property
    def short_digest(self) -> str:
        return self.content_digest[:12]

    @property
    def filename(self) -> str:
        extension = "zip" if self.kind == self.Kind.ARCHIVE else "pdf"
        return f"{self.reference}.{extension}"


class ReferenceCounter(models.Model):
    """The last number given to a kind of document in a year (references never repeat)."""

    prefix = models.CharField(_("préfixe"), max_length=10)
    year = models.PositiveSmallIntegerField(_("année"))
    last = models.PositiveIntegerField(_("dernier numéro"), default=0)

    class Meta:
        verbose_name = _("compteur de références")
        verbose_name_plural = _("compteurs de références")
        constraints = [
            models.UniqueConstraint(fields=["prefix", "year"], name="reference_counter_unique")
        ]
        indexes = [
            models.Index(fields=["year"], name="ref_counter_year_idx"),
        ]

    def __str__(self):
        return f"{self.prefix}-{self.year}: {self.last}"


class CalendarFeed(models.Model):
    """A candidate's private calendar address: whoever holds the token reads their deadlines
    and convocations, without a session (calendar applications have none). Renewing the token
    revokes the address given before."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("utilisateur"),
        on_delete=models.CASCADE,
        related_name="calendar_feed",
    )
    token = models.CharField(_("jeton"), max_length=64, unique=True)
    renewed_at = models.DateTimeField(_("renouvelé le"), db_index=True)

    class Meta:
        verbose_name = _("agenda privé")
        verbose_name_plural = _("agendas privés")

    def __str__(self):
        return _("Agenda de %(user)s") % {"user": self.user}
