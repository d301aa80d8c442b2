"""What candidates bring: a portfolio of evidence per bloc, and the mémoire.

The states and their allowed moves are declared here with django-fsm; every move is made by one
service function (``portfolio.services``, and those of ``workflow.evaluation`` and
``workflow.jury``) that locks the row, checks who is acting, records the audit event and queues
notifications after commit.
"""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


def evidence_upload_to(instance, filename: str) -> str:
    # Random names only: the uploaded name is kept as cleaned metadata, never as a path.
    return f"evidence/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


def thumbnail_upload_to(instance, filename: str) -> str:
    return f"thumbnails/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


def memoire_upload_to(instance, filename: str) -> str:
    return f"memoires/{uuid.uuid4().hex[:2]}/{uuid.uuid4().hex}"


class ScanStatus(models.TextChoices):
    NOT_SCANNED = "not_scanned", _("Non analysé (aucun antivirus configuré)")
    CLEAN = "clean", _("Sain")
    PENDING = "pending", _("En attente d'analyse")
    INFECTED = "infected", _("Infecté")


class StoredFile(models.Model):
    """Fields shared by every file a candidate hands in."""

    file = models.FileField(_("fichier"), max_length=255)
    original_name = models.CharField(_("nom d'origine"), max_length=200)
    kind = models.CharField(_("type de contenu"), max_length=20)
    content_type = models.CharField(_("type MIME"), max_length=120)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    scan_status = models.CharField(
        _("analyse antivirus"), max_length=20, choices=ScanStatus.choices
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)
    # The version of portfolio.filetypes' checks the file passed (0: stored before they were
    # versioned); a PDF is previewed inline only when it passed the current ones.
    checks_version = models.PositiveSmallIntegerField(_("version des vérifications"), default=0)

    class Meta:
        abstract = True

    @property
    def is_submittable(self) -> bool:
        return self.scan_status in {ScanStatus.CLEAN, ScanStatus.NOT_SCANNED}


class Manifest(models.Model):
    """The frozen record of a submission: every file's name, size, type and SHA-256."""

    content = models.JSONField(_("contenu"))
    digest = models.CharField(_("empreinte du manifeste"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("manifeste de dépôt")
        verbose_name_plural = _("manifestes de dépôt")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"], name="manifest_created_at_idx"),
        ]

    def __str__(self):
        return _("Manifeste %(digest)s") % {"digest": self.digest[:12]}


class Portfolio(ConcurrentTransitionMixin, models.Model):
    """One version of one attempt at proving one bloc with evidence."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Déposé")
        RETURNED = "returned", _("Renvoyé pour compléments")
        ADMISSIBLE = "admissible", _("Recevable")
        ASSIGNED = "assigned", _("Affecté à un évaluateur")
        UNDER_EVALUATION = "under_evaluation", _("En cours d'évaluation")
        EVALUATED = "evaluated", _("Évalué")
        SECOND_EVALUATION = "second_evaluation", _("Seconde évaluation")
        RECONCILIATION = "reconciliation", _("Conciliation des notes")
        RECONCILED = "reconciled", _("Note arrêtée")
        READY_FOR_JURY = "ready_for_jury", _("Prêt pour le jury")
        DECIDED = "decided", _("Décidé par le jury")
        WITHDRAWN = "withdrawn", _("Retiré")
        NOT_SUBMITTED = "not_submitted", _("Non déposé (délai dépassé)")
        INVALIDATED = "invalidated", _("Invalidé (fraude)")

    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="portfolios",
    )
    bloc = models.ForeignKey(
        "referentiel.Bloc", verbose_name=_("bloc"), on_delete=models.PROTECT, related_name="+"
    )
    attempt = models.PositiveSmallIntegerField(_("tentative"), default=1)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("version en cours"), default=True)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("version précédente"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_version",
    )
    state = FSMField(_("état"), default=State.DRAFT, choices=State.choices, protected=True)
    window_extended_until = models.DateField(_("délai prolongé jusqu'au"), null=True, blank=True)
    extension_reason = models.CharField(_("motif de la prolongation"), max_length=300, blank=True)
    # A retake attempt's own window (RULES.md §4 ruling): from its registration to its
    # evaluation date, instead of the cohort's 3 to 6 months after training.
    retake_registered_on = models.DateField(_("inscrit au rattrapage le"), null=True, blank=True)
    retake_evaluation_date = models.DateField(
        _("date de l'évaluation du rattrapage"), null=True, blank=True
    )
    return_reason = models.TextField(_("motif du renvoi"), blank=True)
    declaration_text = models.TextField(_("déclaration sur l'honneur"), blank=True)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    manifest = models.OneToOneField(
        Manifest, null=True, blank=True, on_delete=models.PROTECT, related_name="portfolio"
    )
    grid_version = models.ForeignKey(
        "referentiel.GridVersion",
        verbose_name=_("version de grille"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    agreed_mark = models.DecimalField(
        _("note retenue (points d'épreuve)"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    double_marking_reason = models.CharField(
        _("motif de la double correction"), max_length=200, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("portefeuille de preuves")
        verbose_name_plural = _("portefeuilles de preuves")
        ordering = ["enrolment_id", "bloc_id", "attempt", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "bloc", "attempt", "version"], name="portfolio_unique_version"
            ),
            models.UniqueConstraint(
                fields=["enrolment", "bloc", "attempt"],
                condition=models.Q(is_active=True),
                name="portfolio_one_active_version",
            ),
        ]
        indexes = [
            models.Index(fields=["state"], name="portfolio_state_idx"),
            models.Index(fields=["is_active"], name="portfolio_is_active_idx"),
            models.Index(fields=["attempt"], name="portfolio_attempt_idx"),
            # The staff's list filters on the state and sorts on the submission date.
            models.Index(fields=["state", "submitted_at"], name="portfolio_state_submitted"),
        ]

    def __str__(self):
        return _("%(candidate)s — Bloc %(number)s (v%(version)s)") % {
            "candidate": self.enrolment.candidate,
            "number": self.bloc.number,
            "version": self.version,
        }

    @property
    def is_editable(self) -> bool:
        return self.is_active and self.state == self.State.DRAFT

    # --- Transitions. No side effects here: the services do the work around them. ---
    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=State.DRAFT, target=State.NOT_SUBMITTED)
    def close_window(self):
        pass

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED], target=State.WITHDRAWN)
    def withdraw(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.RETURNED)
    def return_for_changes(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.ADMISSIBLE)
    def declare_admissible(self):
        pass

    @transition(field=state, source=State.ADMISSIBLE, target=State.ASSIGNED)
    def assign(self):
        pass

    @transition(field=state, source=State.ASSIGNED, target=State.ADMISSIBLE)
    def unassign(self):
        pass

    @transition(field=state, source=State.ASSIGNED, target=State.UNDER_EVALUATION)
    def start_evaluation(self):
        pass

    @transition(field=state, source=State.UNDER_EVALUATION, target=State.EVALUATED)
    def complete_evaluation(self):
        pass

    @transition(field=state, source=State.EVALUATED, target=State.UNDER_EVALUATION)
    def reopen_evaluation(self):
        pass

    @transition(field=state, source=State.EVALUATED, target=State.SECOND_EVALUATION)
    def require_second_evaluation(self):
        pass

    # A mark settled by one evaluator, before the jury decides, that a later CC mark brings
    # near a threshold (``workflow.evaluation.reevaluation``).
    @transition(
        field=state, source=[State.EVALUATED, State.READY_FOR_JURY], target=State.SECOND_EVALUATION
    )
    def recall_for_second_evaluation(self):
        pass

    @transition(field=state, source=State.SECOND_EVALUATION, target=State.RECONCILIATION)
    def second_evaluation_done(self):
        pass

    @transition(
        field=state,
        source=[State.SECOND_EVALUATION, State.RECONCILIATION],
        target=State.RECONCILED,
    )
    def reconcile(self):
        pass

    @transition(
        field=state, source=[State.EVALUATED, State.RECONCILED], target=State.READY_FOR_JURY
    )
    def mark_ready_for_jury(self):
        pass

    @transition(field=state, source=State.READY_FOR_JURY, target=State.DECIDED)
    def decide(self):
        pass

    @transition(
        field=state,
        source=[s for s in State.values if s not in {"invalidated", "withdrawn"}],
        target=State.INVALIDATED,
    )
    def invalidate(self):
        pass


class EvidenceItem(StoredFile):
    portfolio = models.ForeignKey(
        Portfolio, verbose_name=_("portefeuille"), on_delete=models.PROTECT, related_name="items"
    )
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    work_date = models.DateField(_("date de réalisation"), null=True, blank=True)
    competencies = models.ManyToManyField(
        "referentiel.Competency", verbose_name=_("compétences démontrées"), related_name="+"
    )
    thumbnail = models.FileField(_("vignette"), max_length=255, blank=True)
    thumbnail_type = models.CharField(_("type MIME de la vignette"), max_length=40, blank=True)

    establishment_path = "portfolio__enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("preuve")
        verbose_name_plural = _("preuves")
        ordering = ["portfolio_id", "uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "sha256"], name="evidence_unique_hash")
        ]
        indexes = [
            models.Index(fields=["portfolio", "uploaded_at"], name="evidence_portfolio_upload_idx"),
            models.Index(fields=["kind"], name="evidence_kind_idx"),
            models.Index(fields=["scan_status"], name="evidence_scan_status_idx"),
        ]

    def __str__(self):
        return self.title


class Memoire(ConcurrentTransitionMixin, StoredFile):
    """The mémoire (written report) of the professional practice, one row per version."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Déposé")
        ASSIGNED = "assigned", _("Affecté à un évaluateur")
        SECOND_EVALUATION = "second_evaluation", _("Seconde évaluation")
        RECONCILIATION = "reconciliation", _("Conciliation des notes")
        WRITTEN_MARKED = "written_marked", _("Écrit noté")
        SOUTENANCE_SCHEDULED = "soutenance_scheduled", _("Soutenance programmée")
        SOUTENANCE_MARKED = "soutenance_marked", _("Soutenance notée")
        NOT_SUBMITTED = "not_submitted", _("Non déposé (délai dépassé)")
        INVALIDATED = "invalidated", _("Invalidé (fraude)")

    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="memoires",
    )
    attempt = models.PositiveSmallIntegerField(_("tentative"), default=1)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_active = models.BooleanField(_("version en cours"), default=True)
    subject = models.CharField(_("problématique"), max_length=300)
    state = FSMField(_("état"), default=State.DRAFT, choices=State.choices, protected=True)
    declaration_text = models.TextField(_("déclaration sur l'honneur"), blank=True)
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)
    manifest = models.OneToOneField(
        Manifest, null=True, blank=True, on_delete=models.PROTECT, related_name="memoire"
    )
    # The written mark (out of 125) once settled: the single evaluator's, the mean of two close
    # ones, the one the staff kept on reconciling, or the one they entered.
    agreed_mark = models.DecimalField(
        _("note retenue de l'écrit"), max_digits=7, decimal_places=3, null=True, blank=True
    )
    double_marking_reason = models.CharField(
        _("motif de la double correction"), max_length=200, blank=True
    )
    # The file fields of StoredFile are blank until the candidate uploads the document.
    file = models.FileField(_("fichier"), max_length=255, blank=True)
    original_name = models.CharField(_("nom d'origine"), max_length=200, blank=True)
    kind = models.CharField(_("type de contenu"), max_length=20, blank=True)
    content_type = models.CharField(_("type MIME"), max_length=120, blank=True)
    size = models.PositiveBigIntegerField(_("taille (octets)"), null=True, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64, blank=True)
    scan_status = models.CharField(
        _("analyse antivirus"), max_length=20, choices=ScanStatus.choices, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("mémoire")
        verbose_name_plural = _("mémoires")
        ordering = ["enrolment_id", "attempt", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "attempt", "version"], name="memoire_unique_version"
            ),
            models.UniqueConstraint(
                fields=["enrolment", "attempt"],
                condition=models.Q(is_active=True),
                name="memoire_one_active_version",
            ),
        ]
        indexes = [
            models.Index(fields=["state"], name="memoire_state_idx"),
            models.Index(fields=["is_active"], name="memoire_is_active_idx"),
            models.Index(fields=["state", "submitted_at"], name="memoire_state_submitted"),
        ]

    def __str__(self):
        return _("Mémoire — %(candidate)s") % {"candidate": self.enrolment.candidate}

    @property
    def is_editable(self) -> bool:
        return self.is_active and self.state == self.State.DRAFT

    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=State.DRAFT, target=State.NOT_SUBMITTED)
    def close_window(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.ASSIGNED)
    def assign(self):
        pass

    @transition(field=state, source=State.ASSIGNED, target=State.SUBMITTED)
    def unassign(self):
        pass

    @transition(field=state, source=State.ASSIGNED, target=State.WRITTEN_MARKED)
    def mark_written(self):
        pass

    @transition(field=state, source=State.WRITTEN_MARKED, target=State.ASSIGNED)
    def reopen_written(self):
        pass

    @transition(field=state, source=State.ASSIGNED, target=State.SECOND_EVALUATION)
    def require_second_evaluation(self):
        pass

    @transition(field=state, source=State.SECOND_EVALUATION, target=State.RECONCILIATION)
    def second_evaluation_done(self):
        pass

    @transition(
        field=state,
        source=[State.SECOND_EVALUATION, State.RECONCILIATION],
        target=State.WRITTEN_MARKED,
    )
    def reconcile(self):
        pass

    @transition(field=state, source=State.WRITTEN_MARKED, target=State.SOUTENANCE_SCHEDULED)
    def schedule_soutenance(self):
        pass

    @transition(field=state, source=State.SOUTENANCE_SCHEDULED, target=State.SOUTENANCE_MARKED)
    def mark_soutenance(self):
        pass

    @transition(
        field=state,
        source=[s for s in State.values if s != "invalidated"],
        target=State.INVALIDATED,
    )
    def invalidate(self):
        pass
