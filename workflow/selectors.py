"""Reads for the certification workflow."""

from decimal import Decimal

from referentiel.models import Title
from workflow import rules


def title_rules(title: Title) -> rules.TitleRules:
    """Return the certification rules of a title, every number taken from the référentiel."""
    blocs = tuple(
        rules.BlocRules(
            number=str(bloc.number),
            cc_max=Decimal(bloc.cc_points),
            exam_max=Decimal(bloc.exam_points),
            minimum_on_20=bloc.minimum_on_20,
            validation_on_20=bloc.validation_on_20,
        )
        for bloc in title.blocs.order_by("number")
    )
    practice = rules.PracticeRules(
        written_max=Decimal(title.practice_written_points),
        oral_max=Decimal(title.practice_oral_points),
        tutor_max=Decimal(title.practice_tutor_points),
        minimum_on_20=title.practice_minimum_on_20,
    )
    return rules.TitleRules(
        blocs=blocs,
        practice=practice,
        total_points=Decimal(title.total_points),
        pass_points=Decimal(title.pass_points),
    )


def title_rules_for_code(code: str) -> rules.TitleRules:
    """Return the certification rules of the title with this RNCP code."""
    return title_rules(Title.objects.get(code=code))
