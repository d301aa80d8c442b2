"""The exam day's papers: a candidate's convocation to an épreuve and the sitting's attendance
sheet (émargement), rendered to PDF when asked for.

The staff read them for their establishments' sittings (another's is a 404); a candidate reads
their own convocation once it was sent (anyone else's, or one not sent, is a 404). The sheet is
the staff's only.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import staff_object_or_404
from audit import clock
from documents.access import staff_may_use
from documents.pdf import render_pdf
from workflow.centre.sittings import (
    candidate_minutes,
    extra_time_ids,
    sitting_candidates,
    sitting_event,
)
from workflow.jury.accommodations import accommodations_texts
from workflow.models import EpreuveConvocation, EpreuveSitting

_SITTINGS = EpreuveSitting.objects.select_related(
    "epreuve__bloc", "cohort__establishment", "cohort__title"
)


def _sitting_facts(sitting) -> dict:
    return {
        "title_code": sitting.cohort.title.code,
        "title_name": sitting.cohort.title.name,
        "epreuve": sitting.epreuve,
        "cohort": sitting.cohort.name,
        "establishment": sitting.cohort.establishment.name,
        "starts_at": timezone.localtime(sitting.starts_at),
        "base_minutes": sitting.base_minutes,
        "ends_at": timezone.localtime(sitting.ends_at()),
        "room": sitting.room,
        "remote": sitting.remote,
        "printed_on": clock.today(),
    }


def sitting_convocation_data(sitting, enrolment) -> dict:
    """Return what the candidate's convocation states: the épreuve, the day, the start, the end
    with the extra third when granted, the room, the accommodations, the identity reminder."""
    minutes = candidate_minutes(sitting, enrolment, extra_time_ids([enrolment]))
    candidate = enrolment.candidate
    return {
        **_sitting_facts(sitting),
        "candidate": {
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "email": candidate.email,
            "birth_date": candidate.birth_date,
        },
        "minutes": minutes,
        "extra_minutes": minutes - sitting.base_minutes,
        "ends_at": timezone.localtime(sitting.ends_at(minutes)),
        "accommodations": accommodations_texts([enrolment])[enrolment.pk],
    }


def sitting_sheet_data(sitting) -> dict:
    """Return the attendance sheet: every candidate with their end time and accommodations."""
    enrolments = list(sitting_candidates(sitting))
    extra_ids = extra_time_ids(enrolments)
    texts = accommodations_texts(enrolments)
    rows = []
    for enrolment in enrolments:
        minutes = candidate_minutes(sitting, enrolment, extra_ids)
        rows.append(
            {
                "last_name": enrolment.candidate.last_name,
                "first_name": enrolment.candidate.first_name,
                "birth_date": enrolment.candidate.birth_date,
                "ends_at": timezone.localtime(sitting.ends_at(minutes)),
                "extra_minutes": minutes - sitting.base_minutes,
                "accommodations": texts[enrolment.pk],
            }
        )
    return {**_sitting_facts(sitting), "rows": rows}


def candidate_convocations(user):
    """Return the candidate's convocations to épreuves, by date (one query)."""
    return (
        EpreuveConvocation.objects.filter(enrolment__candidate=user)
        .select_related("sitting__epreuve", "enrolment")
        .order_by("sitting__starts_at", "pk")
    )


def candidate_sitting_events(user) -> list:
    """Return the calendar events of the candidate's convocations to épreuves."""
    return [
        sitting_event(c.sitting, c.enrolment, c.duration_minutes)
        for c in candidate_convocations(user)
    ]


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def sitting_convocation(request, sitting_pk, enrolment_pk):
    """The candidate's convocation to an épreuve (PDF)."""
    if staff_may_use(request.user):
        sitting = staff_object_or_404(_SITTINGS, request.user, pk=sitting_pk)
        enrolment = get_object_or_404(sitting_candidates(sitting), pk=enrolment_pk)
    else:
        convocation = get_object_or_404(
            EpreuveConvocation.objects.select_related("enrolment__candidate"),
            sitting_id=sitting_pk,
            enrolment_id=enrolment_pk,
            enrolment__candidate=request.user,
        )
        sitting, enrolment = _SITTINGS.get(pk=sitting_pk), convocation.enrolment
    content = render_pdf(
        "documents/sitting_convocation.html", sitting_convocation_data(sitting, enrolment)
    )
    return _pdf(content, f"convocation-{sitting.epreuve.code}.pdf")


@login_required
def sitting_sheet(request, sitting_pk):
    """The sitting's attendance sheet (PDF), for the staff."""
    if not staff_may_use(request.user):
        raise PermissionDenied
    sitting = staff_object_or_404(_SITTINGS, request.user, pk=sitting_pk)
    content = render_pdf("documents/sitting_sheet.html", sitting_sheet_data(sitting))
    return _pdf(content, f"emargement-{sitting.epreuve.code}.pdf")
