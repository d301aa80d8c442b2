"""Marks besides the grids: tutor evaluation, CC, absences, épreuves and the written mark."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


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

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("évaluation du tuteur")
        verbose_name_plural = _("évaluations des tuteurs")
        ordering = ["enrolment_id", "attempt"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "attempt"], name="tutor_evaluation_unique_attempt"
            )
        ]
        indexes = [
            models.Index(fields=["state"], name="tutor_eval_state_idx"),
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
    # Counts the changes: a grid cell read at one version may not overwrite a newer one.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("note de contrôle continu")
        verbose_name_plural = _("notes de contrôle continu")
        ordering = ["enrolment_id", "module_id", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module", "label"], name="cc_mark_unique_evaluation"
            )
        ]
        indexes = [
            models.Index(fields=["absence"], name="cc_mark_absence_idx"),
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

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("absence")
        verbose_name_plural = _("absences")
        ordering = ["enrolment_id", "date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0), name="absence_hours_positive"),
            models.UniqueConstraint(
                fields=["enrolment", "date", "justified"], name="absence_unique_day_kind"
            ),
        ]
        indexes = [
            models.Index(fields=["justified"], name="absence_justified_idx"),
            models.Index(fields=["justification"], name="absence_justification_idx"),
        ]

    def __str__(self):
        return f"{self.enrolment.candidate} {self.date:%d/%m/%Y} {self.hours} h"


class AssiduityDecision(models.Model):
    """The pedagogical team's decision on a candidate's unjustified-absence penalty.

    The penalty applies « après accord préalable de l'équipe pédagogique » (RULES.md §3): the
    engine proposes it from the absences; the team agrees (the proposed band applies) or waives
    it with a reason. The unjustified hours and the training time agreed on are kept, so that a
    proposal that changed since (an absence recorded, deleted or justified later, the cohort's
    training time corrected) no longer matches and is pending again. One row per enrolment,
    replaced by a later decision; each decision is in the audit trail.
    """

    class Kind(models.TextChoices):
        AGREED = "agreed", _("Pénalité appliquée")
        WAIVED = "waived", _("Pénalité levée")

    enrolment = models.OneToOneField(
        "accounts.Enrolment",
        verbose_name=_("inscription"),
        on_delete=models.PROTECT,
        related_name="assiduity_decision",
    )
    kind = models.CharField(_("décision"), max_length=10, choices=Kind.choices)
    unjustified_hours = models.DecimalField(
        _("heures d'absence injustifiée retenues"), max_digits=7, decimal_places=2
    )
    training_hours = models.DecimalField(
        _("heures de formation retenues"), max_digits=6, decimal_places=1
    )
    penalty_pct = models.DecimalField(
        _("pénalité proposée (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("motif"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"))

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("décision d'assiduité")
        verbose_name_plural = _("décisions d'assiduité")
        ordering = ["-decided_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="waived") | ~models.Q(reason=""),
                name="assiduity_waiver_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(training_hours__gt=0), name="assiduity_training_hours_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["kind"], name="assiduity_kind_idx"),
            models.Index(fields=["decided_at"], name="assiduity_decided_at_idx"),
        ]

    def __str__(self):
        return f"{self.enrolment.candidate} — {self.get_kind_display()}"


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

    establishment_path = "enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("note d'épreuves de bloc")
        verbose_name_plural = _("notes d'épreuves de bloc")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "bloc", "attempt"], name="bloc_exam_mark_unique"
            )
        ]
        indexes = [
            models.Index(fields=["presented"], name="exam_mark_presented_idx"),
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

    establishment_path = "memoire__enrolment__cohort__establishment"

    class Meta:
        verbose_name = _("note écrite du mémoire")
        verbose_name_plural = _("notes écrites des mémoires")
        indexes = [
            models.Index(fields=["entered_at"], name="written_mark_entered_at_idx"),
        ]

    def __str__(self):
        return f"{self.memoire}: {self.points}"
