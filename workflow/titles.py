"""The rules engine's view of a title: every number taken from the référentiel."""

from __future__ import annotations

from decimal import Decimal

from referentiel.models import Title
from rules import engine


def title_rules(title: Title) -> engine.TitleRules:
    """Return the certification rules of a title, every number taken from the référentiel."""
    blocs = tuple(
        engine.BlocRules(
            number=str(bloc.number),
            cc_max=Decimal(bloc.cc_points),
            exam_max=Decimal(bloc.exam_points),
            minimum_on_20=bloc.minimum_on_20,
            validation_on_20=bloc.validation_on_20,
        )
        for bloc in title.blocs.order_by("number")
    )
    practice = engine.PracticeRules(
        written_max=Decimal(title.practice_written_points),
        oral_max=Decimal(title.practice_oral_points),
        tutor_max=Decimal(title.practice_tutor_points),
        minimum_on_20=title.practice_minimum_on_20,
    )
    return engine.TitleRules(
        blocs=blocs,
        practice=practice,
        total_points=Decimal(title.total_points),
        pass_points=Decimal(title.pass_points),
    )


def title_rules_for_code(code: str) -> engine.TitleRules:
    """Return the certification rules of the title with this RNCP code."""
    return title_rules(Title.objects.get(code=code))
