"""What the staff read of the surveys: response rates per cohort and per establishment, and the
answers, always within the establishments the reader may see (``accounts.access.staff_scope``).

A survey counts as sent once its invitation went out; the response rate is the share of the
surveys sent that were answered. Each table is one query for its page, whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q

from accounts.access import staff_scope
from accounts.models import Cohort, Organisation
from surveys.models import WAVE_MONTHS, FollowUp, SurveyWave


@dataclass
class WaveFigures:
    months: int
    sent: int = 0
    answered: int = 0

    @property
    def rate(self) -> Decimal | None:
        """Return the percentage answered, to the unit (None when nothing was sent)."""
        if not self.sent:
            return None
        return (Decimal(100 * self.answered) / self.sent).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )


@dataclass
class RateRow:
    """One cohort's or establishment's figures: follow-ups, consents, and each wave's."""

    obj: object
    follow_ups: int = 0
    consenting: int = 0
    waves: list[WaveFigures] = field(default_factory=list)


def surveyed_cohorts(user):
    """Return the cohorts with at least one follow-up that ``user`` may read, newest first."""
    return (
        staff_scope(Cohort.objects, user)
        .filter(Exists(FollowUp.objects.filter(enrolment__cohort=OuterRef("pk"))))
        .select_related("establishment")
        .order_by("-training_start", "name", "pk")
    )


def surveyed_establishments(user):
    """Return the establishments with at least one follow-up that ``user`` may read."""
    ids = staff_scope(FollowUp.objects, user).values("establishment_id")
    return Organisation.objects.filter(pk__in=ids).order_by("name", "pk")


def _rates(objects, path: str) -> list[RateRow]:
    """Return one ``RateRow`` per object, its figures read through ``path`` (two queries)."""
    ids = [obj.pk for obj in objects]
    rows = {
        obj.pk: RateRow(obj, waves=[WaveFigures(months) for months in WAVE_MONTHS])
        for obj in objects
    }
    for line in (
        FollowUp.objects.filter(**{f"{path}__in": ids})
        .values(path)
        .annotate(
            total=Count("pk"), consenting=Count("pk", filter=Q(consent=FollowUp.Consent.GIVEN))
        )
        .order_by()
    ):
        row = rows[line[path]]
        row.follow_ups, row.consenting = line["total"], line["consenting"]
    for line in (
        SurveyWave.objects.filter(**{f"follow_up__{path}__in": ids})
        .values(f"follow_up__{path}", "months")
        .annotate(
            sent=Count("pk", filter=Q(messages_sent__gte=1)),
            answered=Count("pk", filter=Q(answered_at__isnull=False)),
        )
        .order_by()
    ):
        figures = rows[line[f"follow_up__{path}"]].waves[WAVE_MONTHS.index(line["months"])]
        figures.sent, figures.answered = line["sent"], line["answered"]
    return [rows[pk] for pk in ids]


def cohort_rates(cohorts) -> list[RateRow]:
    return _rates(list(cohorts), "enrolment__cohort_id")


def establishment_rates(establishments) -> list[RateRow]:
    return _rates(list(establishments), "establishment_id")


def answers(user):
    """Return the answered surveys ``user`` may read, the latest first."""
    return (
        staff_scope(SurveyWave.objects, user)
        .filter(answered_at__isnull=False)
        .select_related(
            "follow_up__enrolment__candidate",
            "follow_up__enrolment__cohort",
            "follow_up__establishment",
        )
        .order_by("-answered_at", "-pk")
    )


def sent_waves(user):
    """Return every survey sent that ``user`` may read, for the export."""
    return (
        staff_scope(SurveyWave.objects, user)
        .filter(messages_sent__gte=1)
        .select_related(
            "follow_up__enrolment__candidate",
            "follow_up__enrolment__cohort",
            "follow_up__establishment",
        )
        .order_by("follow_up__establishment__name", "follow_up__enrolment__cohort_id", "pk")
    )
