"""Load a title's référentiel from its JSON data file, idempotently.

The functions take a ``get_model`` callable so that the data migration can run them on its
historical models and the ``load_referentiel`` command on the current ones.
"""

import json
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from django.apps import apps as global_apps

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_DATA_FILE = DATA_DIR / "rncp36390.json"
CENT = Decimal("0.01")
# The note of a version added when an épreuve's points changed in the data (bloc 1 split in 3).
EPREUVE_RESPLIT_NOTE = "Grille par défaut, points de l'épreuve modifiés par le référentiel"


def read_data(path: Path = DEFAULT_DATA_FILE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def even_split(total: Decimal | int, parts: int) -> list[Decimal]:
    """Return ``parts`` maxima in hundredths that sum exactly to ``total``."""
    if parts <= 0:
        raise ValueError("A grid needs at least one criterion.")
    total = Decimal(total)
    share = (total / parts).quantize(CENT, rounding=ROUND_DOWN)
    shares = [share] * parts
    remainder_cents = int((total - share * parts) / CENT)
    for index in range(remainder_cents):
        shares[index] += CENT
    return shares


def load_title(data: dict, get_model=global_apps.get_model):
    """Create or update the title described by ``data`` and return it; idempotent."""
    Title = get_model("referentiel", "Title")
    Bloc = get_model("referentiel", "Bloc")
    Module = get_model("referentiel", "Module")
    Competency = get_model("referentiel", "Competency")
    Criterion = get_model("referentiel", "EvaluationCriterion")
    Epreuve = get_model("referentiel", "Epreuve")

    practice = data["practice"]
    title, _ = Title.objects.update_or_create(
        code=data["code"],
        defaults={
            "name": data["name"],
            "total_points": data["total_points"],
            "pass_points": data["pass_points"],
            "training_hours": Decimal(str(data.get("training_hours", "588"))),
            "practice_name": practice.get("name", "Pratique professionnelle"),
            "practice_written_points": practice["written_points"],
            "practice_oral_points": practice["oral_points"],
            "practice_tutor_points": practice["tutor_points"],
            "practice_minimum_on_20": Decimal(str(practice["minimum_on_20"])),
        },
    )
    epreuve_order = 0
    for bloc_data in data["blocs"]:
        bloc, _ = Bloc.objects.update_or_create(
            title=title,
            number=bloc_data["number"],
            defaults={
                "name": bloc_data["name"],
                "short_name": bloc_data.get("short_name", ""),
                "hours": Decimal(str(bloc_data["hours"])),
                "cc_points": bloc_data["cc_points"],
                "exam_points": bloc_data["exam_points"],
                "minimum_on_20": Decimal(str(bloc_data["minimum_on_20"])),
                "validation_on_20": Decimal(str(bloc_data["validation_on_20"])),
            },
        )
        for order, module in enumerate(bloc_data["modules"]):
            Module.objects.update_or_create(
                bloc=bloc,
                code=module["code"],
                defaults={
                    "name": module["name"],
                    "hours": Decimal(str(module["hours"])),
                    "cc_points": module["cc_points"],
                    "order": order,
                },
            )
        competencies = {}
        for order, competency in enumerate(bloc_data["competencies"]):
            competencies[competency["code"]], _ = Competency.objects.update_or_create(
                bloc=bloc,
                code=competency["code"],
                defaults={"text": competency["text"], "order": order},
            )
        for order, criterion_data in enumerate(bloc_data["criteria"]):
            criterion, _ = Criterion.objects.update_or_create(
                bloc=bloc,
                order=order,
                defaults={
                    "label": criterion_data["label"],
                    "indicators": "\n".join(criterion_data.get("indicators", [])),
                },
            )
            criterion.competencies.set([competencies[c] for c in criterion_data["competencies"]])
        Criterion.objects.filter(bloc=bloc, order__gte=len(bloc_data["criteria"])).delete()
        for epreuve_data in bloc_data.get("epreuves", []):
            epreuve, _ = Epreuve.objects.update_or_create(
                title=title,
                code=epreuve_data["code"],
                defaults={
                    "bloc": bloc,
                    "name": epreuve_data["name"],
                    "points": epreuve_data["points"],
                    "duration": epreuve_data.get("duration", ""),
                    "order": epreuve_order,
                },
            )
            epreuve_order += 1
            epreuve.competencies.set([competencies[c] for c in epreuve_data["competencies"]])
    _load_default_grids(title, data, get_model)
    return title


def _load_default_grids(title, data: dict, get_model) -> None:
    """Ship one grid per target with an even split of its points; never touch existing versions."""
    Grid = get_model("referentiel", "Grid")
    Criterion = get_model("referentiel", "EvaluationCriterion")

    for bloc in title.blocs.all().order_by("number"):
        rows = [
            (c.label, c.indicators, list(c.competencies.all()))
            for c in Criterion.objects.filter(bloc=bloc).order_by("order")
        ]
        grid, _ = Grid.objects.get_or_create(
            title=title,
            kind="portfolio",
            bloc=bloc,
            epreuve=None,
            defaults={
                "name": f"Portefeuille de preuves — Bloc {bloc.number}",
                "points": bloc.exam_points,
            },
        )
        _first_version(grid, rows, get_model)
        for epreuve in bloc.epreuves.all().order_by("order"):
            covered = set(epreuve.competencies.values_list("pk", flat=True))
            epreuve_rows = [r for r in rows if covered & {c.pk for c in r[2]}] or rows
            grid, _ = Grid.objects.get_or_create(
                epreuve=epreuve,
                defaults={
                    "title": title,
                    "kind": "epreuve",
                    "bloc": bloc,
                    "name": f"Épreuve {epreuve.code}",
                    "points": epreuve.points,
                },
            )
            _first_version(grid, epreuve_rows, get_model)
            _follow_epreuve_points(grid, epreuve, epreuve_rows, get_model)

    practice = data["practice"]
    for kind, key, points, name in (
        ("memoire", "memoire_grid", title.practice_written_points, "Mémoire (écrit)"),
        ("soutenance", "soutenance_grid", title.practice_oral_points, "Soutenance (oral)"),
        (
            "tutor",
            "tutor_grid",
            title.practice_tutor_points,
            "Grille d'activités et de compétences",
        ),
    ):
        rows = [(r["label"], "\n".join(r.get("indicators", [])), []) for r in practice[key]]
        grid, _ = Grid.objects.get_or_create(
            title=title,
            kind=kind,
            bloc=None,
            epreuve=None,
            defaults={"name": name, "points": points},
        )
        _first_version(grid, rows, get_model)


def _follow_epreuve_points(grid, epreuve, rows, get_model) -> None:
    """Bring an épreuve's grid to the épreuve's points after the data changed them.

    The grid's current version is never edited (it may have scored something): when its maxima
    no longer sum to the épreuve's points, a new version with an even split of the rows is added.
    """
    GridVersion = get_model("referentiel", "GridVersion")
    if grid.points != epreuve.points:
        grid.points = epreuve.points
        grid.save(update_fields=["points"])
    current = GridVersion.objects.filter(grid=grid).order_by("-number").first()
    total = sum((c.max_points for c in current.criteria.all()), Decimal(0))
    if total != grid.points:
        _add_version(grid, rows, get_model, number=current.number + 1, note=EPREUVE_RESPLIT_NOTE)


def _first_version(grid, rows, get_model) -> None:
    GridVersion = get_model("referentiel", "GridVersion")
    if GridVersion.objects.filter(grid=grid).exists():
        return
    _add_version(grid, rows, get_model, number=1, note="Grille par défaut")


def _add_version(grid, rows, get_model, *, number: int, note: str) -> None:
    GridVersion = get_model("referentiel", "GridVersion")
    GridCriterion = get_model("referentiel", "GridCriterion")
    version = GridVersion.objects.create(grid=grid, number=number, note=note)
    for order, ((label, indicators, competencies), maximum) in enumerate(
        zip(rows, even_split(grid.points, len(rows)), strict=True)
    ):
        criterion = GridCriterion.objects.create(
            version=version,
            order=order,
            label=label[:300],
            indicators=indicators,
            max_points=maximum,
        )
        criterion.competencies.set(competencies)
