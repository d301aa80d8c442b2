"""Workflow 0006 rewrites what decisions stored before issue 12 show, never what they decided."""

import copy
import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps

from rules import engine
from tests.documents.decisions import stored_decision
from tests.factories import STAFF_ROLES, JurySessionFactory, UserFactory
from workflow.models import JuryDecision, JurySession

pytestmark = pytest.mark.django_db
migration = importlib.import_module("workflow.migrations.0006_redisplay_stored_decisions")


def case(*, fraud=False) -> engine.Case:
    # 100 + 87.5 + 87.5 + 75 + 66.95 + 45 + 40.05 × 0.95 = 499.9975: no title.
    blocs = {
        "1": engine.BlocResult(cc=D(40), exam=D(60)),
        "2": engine.BlocResult(cc=D(35), exam=D("52.5")),
        "3": engine.BlocResult(cc=D(35), exam=D("52.5")),
        "4": engine.BlocResult(cc=D(30), exam=D(45)),
    }
    practice = engine.PracticeResult(
        written=D("66.95"), oral=D(45), tutor=D("40.05"), absence_pct=D(2)
    )
    return engine.Case(blocs=blocs, practice=practice, fraud=fraud)


def as_stored_before(decision: JuryDecision, **changes) -> dict:
    """Rewrite a decision's snapshot as the rounding half up wrote it, with ``changes``."""
    old = copy.deepcopy(decision.computed)
    old["points_total_display"] = "500"
    old["reasons"] = [*old["reasons"][:-3], "Total : 500/1000 (minimum 500/1000 non atteint)"]
    for key, value in changes.items():
        old[key] = value
    JuryDecision.objects.filter(pk=decision.pk).update(computed=old)
    return old


def test_figures_and_reasons_are_rewritten_and_the_decision_kept():
    session = JurySessionFactory(state=JurySession.State.CLOSED)
    decision = stored_decision(session, case(), UserFactory(roles=STAFF_ROLES))
    fresh = copy.deepcopy(decision.computed)
    old = as_stored_before(decision)

    migration.redisplay(apps, None)

    decision.refresh_from_db()
    assert decision.computed == fresh != old
    assert decision.computed["points_total_display"] == "499,99"
    assert "Total : 499,99/1000 (minimum 500/1000 non atteint)" in decision.computed["reasons"]
    assert decision.outcome == "partial"


def test_under_fraud_no_bloc_stays_passed():
    session = JurySessionFactory(state=JurySession.State.CLOSED)
    decision = stored_decision(session, case(fraud=True), UserFactory(roles=STAFF_ROLES))
    old = copy.deepcopy(decision.computed)
    for bloc in old["blocs"].values():
        bloc["passed"] = True
    old["reasons"] = ["Bloc 1 : 8/20, seuil de validation du bloc atteint (10/20)"]
    JuryDecision.objects.filter(pk=decision.pk).update(computed=old)

    migration.redisplay(apps, None)

    decision.refresh_from_db()
    assert not any(bloc["passed"] for bloc in decision.computed["blocs"].values())
    assert len(decision.computed["reasons"]) == 1 and "Fraude" in decision.computed["reasons"][0]


def test_a_decision_whose_inputs_cannot_be_read_is_left_alone():
    session = JurySessionFactory(state=JurySession.State.CLOSED)
    decision = stored_decision(session, case(), UserFactory(roles=STAFF_ROLES))
    old = as_stored_before(decision, inputs={"blocs": {}})

    migration.redisplay(apps, None)

    decision.refresh_from_db()
    assert decision.computed == old
