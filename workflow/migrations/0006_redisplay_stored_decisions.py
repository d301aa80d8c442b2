"""Rewrite what stored decisions show by the one display rule (issue 12).

Decisions stored before showed figures rounded half up (499.9975 as « 500 », 69.99/175 as
« 8/20 ») and, under fraud, blocs ``passed`` with reasons claiming thresholds. Their exact
values and the decisions themselves are unchanged: each stored case is decided again by the
rules engine from the inputs the decision kept, and only the shown figures, the ``passed``
flags under fraud and the reasons are replaced — when the engine's outcome and validated
blocs are the same as stored. A decision whose inputs cannot be read again is left as it is.
"""

from decimal import Decimal

from django.db import migrations

from rules import engine, wording


def _title_rules(title) -> engine.TitleRules:
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
    return engine.TitleRules(
        blocs=blocs,
        practice=engine.PracticeRules(
            written_max=Decimal(title.practice_written_points),
            oral_max=Decimal(title.practice_oral_points),
            tutor_max=Decimal(title.practice_tutor_points),
            minimum_on_20=title.practice_minimum_on_20,
        ),
        total_points=Decimal(title.total_points),
        pass_points=Decimal(title.pass_points),
    )


def _case(inputs: dict) -> engine.Case:
    practice = inputs["practice"]
    return engine.Case(
        blocs={
            number: engine.BlocResult(
                cc=Decimal(bloc["cc"]), exam=Decimal(bloc["exam"]), presented=bloc["presented"]
            )
            for number, bloc in inputs["blocs"].items()
        },
        practice=engine.PracticeResult(
            written=Decimal(practice["written"]),
            oral=Decimal(practice["oral"]),
            tutor=Decimal(practice["tutor"]),
            presented=practice["presented"],
            absence_pct=Decimal(practice["absence_pct"]),
        ),
        fraud=bool(inputs.get("fraud", False)),
    )


def redisplayed(computed: dict, rules: engine.TitleRules) -> dict | None:
    """Return the stored snapshot with its shown figures and reasons rewritten, or None."""
    try:
        decision = engine.decide(_case(computed["inputs"]), rules)
    except (KeyError, TypeError, ValueError, ArithmeticError):
        return None
    if decision.outcome != computed.get("engine_outcome", computed.get("outcome")):
        return None
    shown = wording.fr_number
    snapshot = {**computed, "reasons": list(decision.reasons)}
    snapshot["points_total_display"] = shown(decision.points_total)
    snapshot["blocs"] = {}
    for bloc in decision.blocs:
        stored = computed["blocs"].get(bloc.number)
        if stored is None:
            return None
        snapshot["blocs"][bloc.number] = {
            **stored,
            "points_display": shown(bloc.points),
            "on_20_display": shown(bloc.on_20),
            "passed": bloc.passed,
        }
    practice = decision.practice
    snapshot["practice"] = {
        **computed["practice"],
        "points_display": shown(practice.points),
        "on_20_display": shown(practice.on_20),
        "tutor_after_penalty_display": shown(practice.tutor_after_penalty),
        "passed": practice.passed,
    }
    return snapshot


def redisplay(apps, schema_editor):
    JuryDecision = apps.get_model("workflow", "JuryDecision")
    rules_by_title = {}
    decisions = JuryDecision.objects.select_related("session__title").order_by("pk")
    for decision in decisions.iterator(chunk_size=500):
        title = decision.session.title
        if title.pk not in rules_by_title:
            rules_by_title[title.pk] = _title_rules(title)
        snapshot = redisplayed(decision.computed, rules_by_title[title.pk])
        if snapshot is not None and snapshot != decision.computed:
            decision.computed = snapshot
            decision.save(update_fields=["computed"])


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0005_session_dates"),
        ("referentiel", "0001_initial"),
    ]

    operations = [migrations.RunPython(redisplay, migrations.RunPython.noop)]
