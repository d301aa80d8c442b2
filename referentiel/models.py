"""The certification's structure as data: title, blocs, modules, competencies, épreuves, grids."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Title(models.Model):
    code = models.CharField(_("code RNCP"), max_length=20, unique=True)
    name = models.CharField(_("intitulé"), max_length=300)
    total_points = models.PositiveIntegerField(_("total des points"))
    pass_points = models.PositiveIntegerField(_("points pour obtenir le titre"))
    training_hours = models.DecimalField(
        _("heures de formation"), max_digits=6, decimal_places=1, default=Decimal("588")
    )
    practice_name = models.CharField(
        _("intitulé de la pratique professionnelle"),
        max_length=200,
        default="Pratique professionnelle",
    )
    practice_written_points = models.PositiveIntegerField(_("points du mémoire (écrit)"))
    practice_oral_points = models.PositiveIntegerField(_("points de la soutenance (oral)"))
    practice_tutor_points = models.PositiveIntegerField(_("points de l'évaluation tuteur"))
    practice_minimum_on_20 = models.DecimalField(
        _("minimum de la pratique professionnelle (sur 20)"), max_digits=4, decimal_places=2
    )

    class Meta:
        verbose_name = _("titre")
        verbose_name_plural = _("titres")
        ordering = ["code"]
        indexes = [
            models.Index(fields=["total_points"], name="title_total_points_idx"),
        ]

    def __str__(self):
        return f"RNCP {self.code} — {self.name}"

    @property
    def practice_points(self) -> int:
        return self.practice_written_points + self.practice_oral_points + self.practice_tutor_points


class Bloc(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="blocs")
    number = models.PositiveSmallIntegerField(_("numéro"))
    name = models.CharField(_("intitulé"), max_length=300)
    short_name = models.CharField(_("intitulé court"), max_length=120, blank=True)
    hours = models.DecimalField(_("heures"), max_digits=6, decimal_places=1)
    cc_points = models.PositiveIntegerField(_("points de contrôle continu"))
    exam_points = models.PositiveIntegerField(_("points des épreuves"))
    minimum_on_20 = models.DecimalField(
        _("note éliminatoire en dessous de (sur 20)"), max_digits=4, decimal_places=2
    )
    validation_on_20 = models.DecimalField(
        _("note de validation (sur 20)"), max_digits=4, decimal_places=2
    )

    class Meta:
        verbose_name = _("bloc de compétences")
        verbose_name_plural = _("blocs de compétences")
        ordering = ["title_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["title", "number"], name="bloc_unique_number")
        ]

    def __str__(self):
        return _("Bloc %(number)s — %(name)s") % {
            "number": self.number,
            "name": self.short_name or self.name,
        }

    @property
    def points(self) -> int:
        return self.cc_points + self.exam_points


class Module(models.Model):
    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="modules")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("intitulé"), max_length=300)
    hours = models.DecimalField(_("heures"), max_digits=6, decimal_places=1)
    cc_points = models.PositiveIntegerField(_("points de contrôle continu"), default=0)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["bloc_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["bloc", "code"], name="module_unique_code")]
        indexes = [
            models.Index(fields=["bloc", "order"], name="module_bloc_order_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Competency(models.Model):
    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="competencies")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("énoncé"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["bloc_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bloc", "code"], name="competency_unique_code")
        ]
        indexes = [
            models.Index(fields=["bloc", "order"], name="competency_bloc_order_idx"),
        ]

    def __str__(self):
        return self.code

    @property
    def short_text(self) -> str:
        head = self.text.split(",")[0]
        return head if len(head) <= 140 else head[:139] + "…"


class EvaluationCriterion(models.Model):
    """A row of the référentiel's "CRITÈRES D'ÉVALUATION" column, for a group of competencies."""

    bloc = models.ForeignKey(Bloc, on_delete=models.CASCADE, related_name="criteria")
    label = models.CharField(_("critère"), max_length=300)
    indicators = models.TextField(_("indicateurs"), blank=True)
    competencies = models.ManyToManyField(Competency, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("critère d'évaluation")
        verbose_name_plural = _("critères d'évaluation")
        ordering = ["bloc_id", "order", "id"]
        indexes = [
            models.Index(fields=["bloc", "order"], name="eval_criterion_bloc_order_idx"),
        ]

    def __str__(self):
        return self.label

    @property
    def indicator_list(self) -> list[str]:
        return [line for line in self.indicators.splitlines() if line.strip()]


class Epreuve(models.Model):
    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="epreuves")
    bloc = models.ForeignKey(
        Bloc, null=True, blank=True, on_delete=models.CASCADE, related_name="epreuves"
    )
    code = models.CharField(_("code"), max_length=20)
    name = models.TextField(_("intitulé"))
    points = models.PositiveIntegerField(_("points"))
    duration = models.CharField(_("durée"), max_length=40, blank=True)
    competencies = models.ManyToManyField(Competency, blank=True, related_name="epreuves")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("épreuve")
        verbose_name_plural = _("épreuves")
        ordering = ["title_id", "bloc_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["title", "code"], name="epreuve_unique_code")
        ]
        indexes = [
            models.Index(fields=["title", "bloc", "order"], name="epreuve_title_bloc_order_idx"),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Grid(models.Model):
    """An evaluation grid; its criteria live in immutable-once-used versions."""

    class Kind(models.TextChoices):
        PORTFOLIO = "portfolio", _("Portefeuille de preuves d'un bloc")
        EPREUVE = "epreuve", _("Épreuve")
        MEMOIRE = "memoire", _("Mémoire (écrit)")
        SOUTENANCE = "soutenance", _("Soutenance (oral)")
        TUTOR = "tutor", _("Grille d'activités et de compétences (tuteur)")

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="grids")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    bloc = models.ForeignKey(
        Bloc, null=True, blank=True, on_delete=models.CASCADE, related_name="grids"
    )
    epreuve = models.ForeignKey(
        Epreuve, null=True, blank=True, on_delete=models.CASCADE, related_name="grids"
    )
    name = models.CharField(_("intitulé"), max_length=300)
    points = models.PositiveIntegerField(_("points en jeu"))

    class Meta:
        verbose_name = _("grille d'évaluation")
        verbose_name_plural = _("grilles d'évaluation")
        ordering = ["title_id", "kind", "bloc_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["title", "kind"],
                condition=models.Q(bloc__isnull=True, epreuve__isnull=True),
                name="grid_unique_practice_target",
            ),
            models.UniqueConstraint(
                fields=["title", "kind", "bloc"],
                condition=models.Q(bloc__isnull=False, epreuve__isnull=True),
                name="grid_unique_bloc_target",
            ),
            models.UniqueConstraint(
                fields=["epreuve"],
                condition=models.Q(epreuve__isnull=False),
                name="grid_unique_epreuve_target",
            ),
        ]
        indexes = [
            models.Index(fields=["title", "kind", "bloc"], name="grid_title_kind_bloc_idx"),
            models.Index(fields=["kind"], name="grid_kind_idx"),
        ]

    def __str__(self):
        return self.name

    def current_version(self) -> "GridVersion | None":
        return self.versions.order_by("-number").first()


class GridVersion(models.Model):
    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(auto_now_add=True)
    frozen_at = models.DateTimeField(_("figée le"), null=True, blank=True)
    note = models.CharField(_("note de version"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("version de grille")
        verbose_name_plural = _("versions de grille")
        ordering = ["grid_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "number"], name="grid_version_unique")
        ]

    def __str__(self):
        return f"{self.grid} — v{self.number}"

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def total_points(self) -> Decimal:
        return sum((c.max_points for c in self.criteria.all()), Decimal(0))


class GridCriterion(models.Model):
    version = models.ForeignKey(GridVersion, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("critère"), max_length=300)
    indicators = models.TextField(_("indicateurs"), blank=True)
    max_points = models.DecimalField(_("points maximum"), max_digits=6, decimal_places=2)
    competencies = models.ManyToManyField(Competency, blank=True, related_name="grid_criteria")

    class Meta:
        verbose_name = _("critère de grille")
        verbose_name_plural = _("critères de grille")
        ordering = ["version_id", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_points__gt=0), name="grid_criterion_positive"
            )
        ]
        indexes = [
            models.Index(fields=["version", "order"], name="grid_criterion_order_idx"),
        ]

    def __str__(self):
        return f"{self.label} (/{self.max_points})"
