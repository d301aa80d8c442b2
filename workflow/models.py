"""Records shared by every part of the workflow: the audit trail and the notifications."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class AuditEvent(models.Model):
    """One append-only line of the audit trail: who did what to which object, and why."""

    at = models.DateTimeField(_("date"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acteur"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("objet"), max_length=300, blank=True)
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("candidat concerné"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    before = models.JSONField(_("avant"), null=True, blank=True)
    after = models.JSONField(_("après"), null=True, blank=True)
    reason = models.TextField(_("motif"), blank=True)

    class Meta:
        verbose_name = _("événement d'audit")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        # The trail is append-only: an existing line is never rewritten.
        if self.pk is not None:
            raise ValueError("AuditEvent rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("AuditEvent rows are append-only.")


class Notification(models.Model):
    """An e-mail owed to someone for one event; the unique key makes it go out once only."""

    key = models.CharField(_("clé d'événement"), max_length=200, unique=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    template = models.CharField(_("modèle"), max_length=100)
    context = models.JSONField(_("contexte"), default=dict)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    sent_at = models.DateTimeField(_("envoyée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.template} → {self.recipient}"


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

    class Meta:
        verbose_name = _("session de jury")
        verbose_name_plural = _("sessions de jury")
        ordering = ["-date"]

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

    class Meta:
        verbose_name = _("membre du jury")
        verbose_name_plural = _("membres du jury")
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="jury_member_unique")
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

    class Meta:
        verbose_name = _("candidat de la session")
        verbose_name_plural = _("candidats de la session")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="session_candidate_unique"
            )
        ]

    def __str__(self):
        return f"{self.enrolment} @ {self.session}"


# --- Tutor evaluation, continuous assessment, attendance, jury results (issue 5) ----------


class TutorEvaluation(ConcurrentTransitionMixin, models.Model):
    """The company tutor's mark on the 50-point grid, for one enrolment and attempt.

    The mark stays as the tutor gave it: the absence penalty is applied by the rules engine at
    decision time.
    """

    class State(models.TextChoices):
        INVITED = "invited", _("Invitation envoyée")
        IN_PROGRESS = "in_progress", _("En cours de saisie")
        SUBMITTED = "submitted", _("Remise")
        LOCKED = "locked", _("Verrouillée (jury)")

    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="tutor_evaluations",
    )
    attempt = models.PositiveSmallIntegerField(_("tentative"), default=1)
    tutor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tuteur"),
        on_delete=models.PROTECT,
        related_name="tutor_evaluations",
    )
    grid_version = models.ForeignKey(
        "referentiel.GridVersion",
        verbose_name=_("version de grille"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    state = FSMField(_("état"), default=State.INVITED, choices=State.choices, protected=True)
    comment = models.TextField(_("appréciation générale"), blank=True)
    total = models.DecimalField(
        _("note du tuteur"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    invited_at = models.DateTimeField(_("invitée le"))
    submitted_at = models.DateTimeField(_("remise le"), null=True, blank=True)
    locked_at = models.DateTimeField(_("verrouillée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("évaluation du tuteur")
        verbose_name_plural = _("évaluations des tuteurs")
        ordering = ["enrolment", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "attempt"], name="tutor_evaluation_unique_attempt"
            )
        ]

    def __str__(self):
        return _("Évaluation tuteur — %(candidate)s") % {"candidate": self.enrolment.candidate}

    @transition(field=state, source=State.INVITED, target=State.IN_PROGRESS)
    def start(self):
        pass

    @transition(field=state, source=State.IN_PROGRESS, target=State.SUBMITTED)
    def submit(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.IN_PROGRESS)
    def reopen(self):
        pass

    @transition(field=state, source=State.SUBMITTED, target=State.LOCKED)
    def lock(self):
        pass


class TutorScore(models.Model):
    evaluation = models.ForeignKey(TutorEvaluation, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(
        "referentiel.GridCriterion", on_delete=models.PROTECT, related_name="+"
    )
    points = models.DecimalField(_("points"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("note de critère (tuteur)")
        verbose_name_plural = _("notes de critère (tuteur)")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "criterion"], name="tutor_score_unique_criterion"
            )
        ]

    def __str__(self):
        return f"{self.criterion.label}: {self.points}"


class CCMark(models.Model):
    """One continuous-assessment evaluation of a module, for one enrolment."""

    class Absence(models.TextChoices):
        NONE = "", _("Présent")
        UNJUSTIFIED = "unjustified", _("Absence injustifiée (0)")
        JUSTIFIED = "justified", _("Absence justifiée (non comptée)")

    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="cc_marks",
    )
    module = models.ForeignKey(
        "referentiel.Module", verbose_name=_("module"), on_delete=models.PROTECT, related_name="+"
    )
    label = models.CharField(_("évaluation"), max_length=60, default="1")
    mark = models.DecimalField(_("note"), max_digits=5, decimal_places=2, null=True, blank=True)
    out_of = models.PositiveSmallIntegerField(
        _("sur"), choices=[(10, "10"), (20, "20"), (30, "30")]
    )
    absence = models.CharField(
        _("absence"), max_length=20, choices=Absence.choices, blank=True, default=""
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("saisie le"))

    class Meta:
        verbose_name = _("note de contrôle continu")
        verbose_name_plural = _("notes de contrôle continu")
        ordering = ["enrolment", "module__bloc__number", "module__order", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module", "label"], name="cc_mark_unique_evaluation"
            )
        ]

    def __str__(self):
        return f"{self.module.code} {self.label} — {self.enrolment.candidate}"


class AbsenceRecord(models.Model):
    """Training time missed by a candidate, justified or not (assiduité)."""

    class Justification(models.TextChoices):
        NONE = "", _("Aucune (absence injustifiée)")
        MEDICAL = "medical", _("Certificat médical")
        SICK_LEAVE = "sick_leave", _("Arrêt de travail")
        FORCE_MAJEURE = "force_majeure", _("Force majeure documentée")
        EMPLOYER = "employer", _("Convocation de l'employeur")
        OTHER = "other", _("Autre justificatif")

    enrolment = models.ForeignKey(
        "accounts.Enrolment",
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="absences",
    )
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("heures"), max_digits=5, decimal_places=2)
    justified = models.BooleanField(_("justifiée"), default=False)
    justification = models.CharField(
        _("justificatif"), max_length=20, choices=Justification.choices, blank=True
    )
    note = models.CharField(_("remarque"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("saisie le"))

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["enrolment", "date"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="absence_hours_positive")
        ]

    def __str__(self):
        return f"{self.enrolment.candidate} {self.date:%d/%m/%Y} {self.hours} h"


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

    class Meta:
        verbose_name = _("soutenance")
        verbose_name_plural = _("soutenances")
        ordering = ["session", "starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "memoire"], name="soutenance_unique")
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


class BlocExamMark(models.Model):
    """The épreuves mark of a bloc for a candidate on the épreuves route, entered by staff."""

    enrolment = models.ForeignKey(
        "accounts.Enrolment", on_delete=models.PROTECT, related_name="exam_marks"
    )
    bloc = models.ForeignKey("referentiel.Bloc", on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveSmallIntegerField(_("tentative"), default=1)
    points = models.DecimalField(
        _("points d'épreuve"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    presented = models.BooleanField(_("présenté"), default=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("saisie le"))

    class Meta:
        verbose_name = _("note d'épreuves de bloc")
        verbose_name_plural = _("notes d'épreuves de bloc")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "bloc", "attempt"], name="bloc_exam_mark_unique"
            )
        ]

    def __str__(self):
        return _("Bloc %(number)s — %(candidate)s") % {
            "number": self.bloc.number,
            "candidate": self.enrolment.candidate,
        }


class MemoireWrittenMark(models.Model):
    """The mémoire's written mark (/125) when it is not read from an evaluator's scoring."""

    memoire = models.OneToOneField(
        "portfolio.Memoire", on_delete=models.PROTECT, related_name="written_mark_record"
    )
    points = models.DecimalField(_("note de l'écrit"), max_digits=6, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("saisie le"))

    class Meta:
        verbose_name = _("note écrite du mémoire")
        verbose_name_plural = _("notes écrites des mémoires")

    def __str__(self):
        return f"{self.memoire}: {self.points}"


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

    class Meta:
        verbose_name = _("décision du jury")
        verbose_name_plural = _("décisions du jury")
        ordering = ["session", "enrolment"]
        constraints = [
            models.UniqueConstraint(fields=["session", "enrolment"], name="jury_decision_unique")
        ]

    def __str__(self):
        return f"{self.enrolment.candidate}: {self.get_outcome_display()}"

    @property
    def is_override(self) -> bool:
        return bool(self.override_motive)


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

    class Meta:
        verbose_name = _("procès-verbal de fraude")
        verbose_name_plural = _("procès-verbaux de fraude")
        ordering = ["-recorded_at"]

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

    class Meta:
        verbose_name = _("aménagement d'épreuve")
        verbose_name_plural = _("aménagements d'épreuve")
        ordering = ["enrolment", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "kind"], name="accommodation_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.enrolment.candidate}"


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
        ordering = ["assignment__rank", "created_at"]

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
        ordering = ["scoring", "criterion__order"]
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

    class Meta:
        verbose_name = _("conciliation de notes")
        verbose_name_plural = _("conciliations de notes")
        ordering = ["-decided_at"]

    def __str__(self):
        return f"{self.portfolio}: {self.agreed_mark} ({self.get_method_display()})"
