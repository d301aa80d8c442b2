"""One piece of background work and what the page shows of it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition


class Job(ConcurrentTransitionMixin, models.Model):
    """Heavy work run by the worker: queued, running, then done or failed.

    ``key`` names what the job does (``documents.pv:s12``): while a job with that key is queued
    or running, starting it again gives back that job. A finished job stays as the record of
    its outcome; starting the key again makes a new one (handlers are idempotent).
    """

    class State(models.TextChoices):
        QUEUED = "queued", _("en attente")
        RUNNING = "running", _("en cours")
        DONE = "done", _("terminé")
        FAILED = "failed", _("échoué")

    UNFINISHED = (State.QUEUED, State.RUNNING)

    kind = models.CharField(_("nature"), max_length=64)
    key = models.CharField(_("clé"), max_length=200)
    establishment = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("établissement"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    params = models.JSONField(_("paramètres"), default=dict, blank=True)
    state = FSMField(_("état"), default=State.QUEUED, choices=State.choices, protected=True)
    done = models.PositiveIntegerField(_("fait"), default=0)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=255, blank=True)
    result = models.JSONField(_("résultat"), default=dict, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    attempts = models.PositiveIntegerField(_("tentatives"), default=0)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    finished_at = models.DateTimeField(_("fini le"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)

    establishment_path = "establishment"

    class Meta:
        verbose_name = _("travail en arrière-plan")
        verbose_name_plural = _("travaux en arrière-plan")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(state__in=["queued", "running"]),
                name="jobs_job_one_unfinished_per_key",
            )
        ]
        indexes = [
            models.Index(fields=["key", "-id"], name="jobs_job_key_latest"),
            models.Index(fields=["state", "heartbeat_at"], name="jobs_job_state_heartbeat"),
            models.Index(fields=["kind"], name="jobs_job_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key} ({self.get_state_display()})"

    @property
    def finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.state == self.State.DONE else None
        return min(100, self.done * 100 // self.total)

    @transition(field=state, source=[State.QUEUED, State.RUNNING], target=State.RUNNING)
    def start(self):
        """Begin (or take over, after a crash) the work."""

    @transition(field=state, source=State.RUNNING, target=State.DONE)
    def finish(self):
        pass

    @transition(field=state, source=[State.QUEUED, State.RUNNING], target=State.FAILED)
    def fail(self):
        pass


class WorkerHeartbeat(models.Model):
    """A running worker's last sign of life (``manage.py jobs_worker`` writes it every few
    seconds); ``/readyz`` is unready when no worker has shown one recently."""

    worker = models.CharField(_("processus de travail"), max_length=200, unique=True)
    hostname = models.CharField(_("machine"), max_length=255)
    pid = models.PositiveIntegerField(_("numéro de processus"))
    started_at = models.DateTimeField(_("démarré le"))
    beat_at = models.DateTimeField(_("dernier signe de vie"))

    class Meta:
        verbose_name = _("signe de vie d'un processus de travail")
        verbose_name_plural = _("signes de vie des processus de travail")
        ordering = ["-beat_at", "id"]
        indexes = [models.Index(fields=["-beat_at", "id"], name="jobs_heartbeat_latest")]

    def __str__(self) -> str:
        return f"{self.worker} ({self.beat_at:%Y-%m-%d %H:%M:%S})"
