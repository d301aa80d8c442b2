"""Workflow 0006 merges absences entered twice for one day and kind, keeping the hours' total."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone

from tests.factories import EnrolmentFactory
from tests.workflow.jury.helpers import staff
from workflow.marks.attendance import unjustified_hours
from workflow.models import AbsenceRecord

migration = importlib.import_module("workflow.migrations.0007_merge_same_day_absences")


@pytest.fixture
def without_the_unique_key(transactional_db):
    """Drop the day-and-kind key as it was before 0007, and put it back afterwards."""
    constraints = AbsenceRecord._meta.constraints
    constraint = next(c for c in constraints if c.name == "absence_unique_day_kind")
    # SQLite rebuilds the table from the model's constraints: leave this one out meanwhile.
    AbsenceRecord._meta.constraints = [c for c in constraints if c is not constraint]
    try:
        with connection.schema_editor() as editor:
            editor.remove_constraint(AbsenceRecord, constraint)
        yield
    finally:
        AbsenceRecord._meta.constraints = constraints
    with connection.schema_editor() as editor:
        editor.add_constraint(AbsenceRecord, constraint)


@pytest.mark.usefixtures("referentiel_reloaded", "without_the_unique_key")
def test_same_day_absences_are_merged_into_the_oldest_with_their_hours_added():
    enrolment = EnrolmentFactory()
    actor = staff()
    day = enrolment.cohort.training_start

    def absence(hours, justified=False, note=""):
        return AbsenceRecord.objects.create(
            enrolment=enrolment,
            date=day,
            hours=Decimal(hours),
            justified=justified,
            justification="medical" if justified else "",
            note=note,
            recorded_by=actor,
            recorded_at=timezone.now(),
        )

    oldest = absence("3", note="matin")
    absence("4", note="après-midi")
    justified = absence("2", justified=True)
    before = unjustified_hours(enrolment)

    migration.merge_same_day_absences(apps, None)

    assert unjustified_hours(enrolment) == before == Decimal(7)
    assert set(AbsenceRecord.objects.values_list("pk", flat=True)) == {oldest.pk, justified.pk}
    oldest.refresh_from_db()
    assert (oldest.hours, oldest.note) == (Decimal(7), "matin / après-midi")
