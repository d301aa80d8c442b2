"""Jury sessions: members, candidates, soutenances, decisions, fraud, retakes, accommodations."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


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
    late_publication_reason = models.TextField(
        _("motif de la publication tardive"),
        blank=True,
        help_text=_(
            "Obligatoire quand les résultats sont publiés plus de 6 semaines après la "
            "dernière épreuve."
        ),
    )

    establishment_path = "establishment"

    class Meta:
        verbose_name = _("session de jury")
        verbose_name_plural = _("sessions de jury")
        ordering = ["-date"]
        indexes = [
            models.Index(fields=["establishment", "date"], name="jurysession_est_date"),
            models.Index(fields=["date"], name="jury_session_date_idx"),
            models.Index(fields=["state"], name="jury_session_state_idx"),
        ]

    def __str__(self):
        return _("Jury du %(date)s — %(place)s") % {
            "date": f"{self.date:%d/%m/%Y}",
            "place": self.place,
        }

    # Transitions; the services in workflow.jury check the actor, lock, audit and notify.
    @transition(field=state, source=State.PLANNED, target=State.COMPOSED)
    def compose(self):
        pass

    @transition(field=state, source=State.COMPOSED, target=State.PLANNED)
    def reopen_composition(self):
        pass

    @transition(field=state, source=State.COMPOSED, target=State.DELIBERATING)
    def open_deliberation(self):
        pass

    @transition(field=state, source=State.DELIBERATING, target=State.CLOSED)
    def close(self):
        pass

    @transition(field=state, source=State.CLOSED, target=State.PUBLISHED)
    def publish(self):
        pass


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

    establishment_path = "session__establishment"

    class Meta:
        verbose_name = _("membre du jury")
        verbose_name_plural = _("membres du jury")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="jury_member_unique")
        ]
        indexes = [
            models.Index(fields=["role"], name="jury_member_role_idx"),
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
    # The jury's date is outside the candidate's window (RULES.md §2): why the staff let them in.
    derogation_reason = models.TextField(_("motif de la dérogation au délai"), blank=True)
    derogation_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The engine's decision on the marks as they stand, kept for the deliberation screen (see
    # workflow/jury/computed.py): ``stale`` until recomputed after any of its inputs changed.
    # Recording, closing and the documents never read it: they decide on fresh marks.
    computed = models.JSONField(_("décision calculée"), null=True, blank=True, editable=False)
    missing = models.JSONField(_("pièces manquantes"), default=list, blank=True, editable=False)
    computed_outcome = models.CharField(max_length=20, blank=True, editable=False)
    computed_points = models.DecimalField(
        max_digits=12, decimal_places=4, null=True, blank=True, editable=False
    )
    referred = models.BooleanField(default=False, editable=False)
    # The assiduity penalty awaits the pedagogical team's agreement (workflow/marks/assiduity.py).
    penalty_pending = models.BooleanField(default=False, editable=False)
    fraud = models.BooleanField(default=False, editable=False)
    near_threshold = models.BooleanField(default=False, editable=False)
    # The jury's recorded decision departs from the computed one (JuryDecision.is_override).
    overridden = models.BooleanField(default=False, editable=False)
    stale = models.BooleanField(default=True, editable=False)
    computed_at = models.DateTimeField(null=True, blank=True, editable=False)

    establishment_path = "session__establishment"

    class Meta:
        verbose_name = _("candidat de la session")
        verbose_name_plural = _("candidats de la session")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="session_candidate_unique"
            )
        ]
        indexes = [
            models.Index(fields=["session", "stale"], name="session_cand_stale_idx"),
            models.Index(fields=["session", "computed_outcome"], name="session_cand_outcome_idx"),
        ]

    def __str__(self):
        return f"{self.enrolment} @ {self.session}"


# --- Tutor evaluation, continuous assessment, attendance, jury results (issue 5) ----------


class Soutenance(models.Model):
    """A candidate's soutenance before a jury session: its slot and the jury's mark (/75)."""

    session = models.ForeignKey(JurySession, on_delete=models.PROTECT, related_name="soutenances")
    memoire = models.ForeignKey(
        "portfolio.Memoire", on_delete=models.PROTECT, related_name="soutenances"
    )
    starts_at = models.DateTimeField(_("heure de passage"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"))
    base_minutes = models.PositiveSmallIntegerField(_("durée réglementaire (minutes)"))
    presented = models.BooleanField(_("candidat présent"), default=True)
    grid_version = models.ForeignKey(
        "referentiel.GridVersion", on_delete=models.PROTECT, related_name="+"
    )
    total = models.DecimalField(
        _("note de soutenance"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    comment = models.TextField(_("appréciation"), blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    marked_at = models.DateTimeField(_("notée le"), null=True, blank=True)

    establishment_path = "session__establishment"

    class Meta:
        verbose_name = _("soutenance")
        verbose_name_plural = _("soutenances")
        ordering = ["session_id", "starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "memoire"], name="soutenance_unique")
        ]
        indexes = [
            models.Index(fields=["session", "starts_at"], name="soutenance_session_start_idx"),
            models.Index(fields=["presented"], name="soutenance_presented_idx"),
        ]

    def __str__(self):
        return _("Soutenance — %(candidate)s") % {"candidate": self.memoire.enrolment.candidate}


class SoutenanceScore(models.Model):
    soutenance = models.ForeignKey(Soutenance, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "referentiel.GridCriterion", on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("note de critère (soutenance)")
        verbose_name_plural = _("notes de critère (soutenance)")
        constraints = [
            models.UniqueConstraint(
                fields=["soutenance", "criterion"], name="soutenance_score_unique_criterion"
            )
        ]

    def __str__(self):
        return f"{self.criterion.label}: {self.points}"


class JuryDecision(models.Model):
    """The jury's decision for one candidate: the engine's result and what the jury decided."""

    class Outcome(models.TextChoices):
        TOTAL = "total", _("Certification totale (titre)")
        PARTIAL = "partial", _("Certification partielle (blocs)")
        NONE = "none", _("Attestation de suivi de formation")

    session = models.ForeignKey(JurySession, on_delete=models.PROTECT, related_name="decisions")
    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.PROTECT, related_name="jury_decisions"
    )
    computed = models.JSONField(_("décision calculée"))
    outcome = models.CharField(_("décision"), max_length=10, choices=Outcome.choices)
    validated_blocs = models.JSONField(_("blocs validés"), default=list)
    override_motive = models.TextField(_("motif de la décision du jury"), blank=True)
    fraud = models.BooleanField(_("fraude établie"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistrée le"))

    establishment_path = "session__establishment"

    class Meta:
        verbose_name = _("décision du jury")
        verbose_name_plural = _("décisions du jury")
        ordering = ["session_id", "enrolment_id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="jury_decision_unique")
        ]
        indexes = [
            models.Index(fields=["outcome"], name="jury_decision_outcome_idx"),
            models.Index(fields=["fraud"], name="jury_decision_fraud_idx"),
        ]

    def __str__(self):
        return f"{self.enrolment.candidate}: {self.get_outcome_display()}"

    @property
    def is_override(self) -> bool:
        """Return whether the jury's decision differs from the computed one (a motive alone,
        given on a case referred to the jury, is not a departure)."""
        computed = self.computed or {}
        return self.outcome != computed.get("outcome") or [
            str(number) for number in self.validated_blocs
        ] != [str(number) for number in computed.get("validated_blocs", [])]


class FraudReport(models.Model):
    """A proctor's report of fraud, countersigned by the candidate or marked as refused."""

    class Signature(models.TextChoices):
        COUNTERSIGNED = "countersigned", _("Contresigné par le candidat")
        REFUSED = "refused", _("Le candidat a refusé de signer")

    class State(models.TextChoices):
        RECORDED = "recorded", _("Enregistré")
        CONFIRMED = "confirmed", _("Fraude établie par le jury")
        DISMISSED = "dismissed", _("Écarté par le jury")

    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.PROTECT, related_name="fraud_reports"
    )
    occurred_on = models.DateField(_("date des faits"))
    facts = models.TextField(_("faits constatés"))
    signature = models.CharField(
        _("signature du candidat"), max_length=20, choices=Signature.choices
    )
    state = models.CharField(
        _("état"), max_length=20, choices=State.choices, default=State.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("enregistré le"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidé le"), null=True, blank=True)
    session = models.ForeignKey(
        JurySession, null=True, blank=True, on_delete=models.PROTECT, related_name="fraud_reports"
    )

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("procès-verbal de fraude")
        verbose_name_plural = _("procès-verbaux de fraude")
        ordering = ["-recorded_at"]
        indexes = [
            models.Index(fields=["recorded_at"], name="fraud_report_recorded_at_idx"),
            models.Index(fields=["state"], name="fraud_report_state_idx"),
            models.Index(fields=["signature"], name="fraud_report_signature_idx"),
        ]

    def __str__(self):
        return _("Fraude — %(candidate)s (%(date)s)") % {
            "candidate": self.enrolment.candidate,
            "date": f"{self.occurred_on:%d/%m/%Y}",
        }


class RetakeRegistration(models.Model):
    """A registration to retake one non-validated bloc, as a new attempt."""

    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.PROTECT, related_name="retakes"
    )
    bloc = models.ForeignKey("referentiel.Bloc", on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField(_("tentative"))
    decision = models.ForeignKey(JuryDecision, on_delete=models.PROTECT, related_name="retakes")
    evaluation_date = models.DateField(_("date de l'évaluation du bloc"))
    registered_on = models.DateField(_("inscrit le"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("inscription au rattrapage")
        verbose_name_plural = _("inscriptions au rattrapage")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "bloc", "attempt"], name="retake_unique_attempt"
            )
        ]

    def __str__(self):
        return _("Rattrapage bloc %(number)s — %(candidate)s") % {
            "number": self.bloc.number,
            "candidate": self.enrolment.candidate,
        }


class Accommodation(models.Model):
    """A disability accommodation granted to a candidate (RULES.md §5)."""

    class Kind(models.TextChoices):
        EXTRA_TIME = "extra_time", _("Tiers-temps (préparation et passage)")
        BREAKS = "breaks", _("Pauses avec temps compensatoire")
        SECRETARY = "secretary", _("Secrétaire (lecture, écriture sous dictée)")
        INTERPRETER = "interpreter", _("Interprète")
        WORKSTATION = "workstation", _("Poste de travail adapté")
        ORAL_FOR_WRITTEN = "oral_for_written", _("Oral en remplacement d'un écrit")

    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.PROTECT, related_name="accommodations"
    )
    kind = models.CharField(_("aménagement"), max_length=20, choices=Kind.choices)
    details = models.CharField(_("précisions"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("saisi le"))

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("aménagement d'épreuve")
        verbose_name_plural = _("aménagements d'épreuve")
        ordering = ["enrolment_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "kind"], name="accommodation_unique")
        ]
        indexes = [
            models.Index(fields=["kind"], name="accommodation_kind_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.enrolment.candidate}"
