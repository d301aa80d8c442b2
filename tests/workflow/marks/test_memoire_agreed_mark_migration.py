"""Workflow 0013 gives the mémoires marked before double marking their written mark in
``agreed_mark``, by the reader's former rule: the latest submitted scoring, else the mark the
staff entered."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from portfolio.models import Memoire
from tests.factories import EvaluatorFactory, MemoireFactory, StaffFactory
from tests.workflow.helpers import assign_and_accept, score
from workflow.marks.exam_marks import memoire_written_mark_enter

migration = importlib.import_module("workflow.migrations.0013_memoire_agreed_mark")
pytestmark = pytest.mark.django_db


def test_existing_memoires_get_their_written_mark_and_others_keep_theirs():
    staff = StaffFactory()
    scored, entered, settled, waiting = (MemoireFactory() for _ in range(4))
    score(assign_and_accept(scored, EvaluatorFactory(), staff), Decimal(100))
    assign_and_accept(entered, EvaluatorFactory(), staff)
    memoire_written_mark_enter(actor=staff, memoire=entered, points=Decimal("80.5"))
    score(assign_and_accept(settled, EvaluatorFactory(), staff), Decimal(90))
    assign_and_accept(waiting, EvaluatorFactory(), staff)
    # As before 0013: no agreed mark anywhere, but one the migration must not overwrite.
    Memoire.objects.exclude(pk=settled.pk).update(agreed_mark=None)
    Memoire.objects.filter(pk=settled.pk).update(agreed_mark=Decimal(91))

    migration.fill_agreed_marks(apps, None)

    marks = dict(Memoire.objects.values_list("pk", "agreed_mark"))
    assert marks == {
        scored.pk: Decimal(100),
        entered.pk: Decimal("80.5"),
        settled.pk: Decimal(91),
        waiting.pk: None,
    }
