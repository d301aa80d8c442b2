"""The candidate's calendar: deadlines and convocations as an iCalendar feed.

The feed's address carries a random token (``CalendarFeed``) so that calendar applications
subscribe without a session; renewing it revokes the old address at once. The page that shows
the address, and the renewal, are the candidate's own; the feed answers 404 to a wrong token.
"""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import confirmed
from accounts.models import Role
from audit import clock, ics
from audit.trail import audit_record
from documents.models import CalendarFeed
from documents.sittings import candidate_sitting_events
from portfolio.models import Memoire, Portfolio
from portfolio.services import portfolio_deadline
from workflow.jury.agenda import convocation_event
from workflow.models import JurySession, SessionCandidate, Soutenance


def calendar_feed_renew(*, user) -> CalendarFeed:
    """Give ``user`` a new feed token (the old address stops answering); return the feed."""
    with transaction.atomic():
        feed, created = CalendarFeed.objects.select_for_update().get_or_create(
            user=user, defaults={"token": secrets.token_urlsafe(32), "renewed_at": clock.now()}
        )
        if not created:
            feed.token = secrets.token_urlsafe(32)
            feed.renewed_at = clock.now()
            feed.save(update_fields=["token", "renewed_at"])
        audit_record(
            actor=user,
            action="calendar_feed.create" if created else "calendar_feed.renew",
            obj=feed,
            candidate=user,
        )
    return feed


def candidate_events(user) -> list[ics.Event]:
    """Return the candidate's deadlines (all day) and convocations (to a jury, to an épreuve),
    in five queries."""
    events = []
    for portfolio in (
        Portfolio.objects.filter(
            enrolment__candidate=user, is_active=True, state=Portfolio.State.DRAFT
        )
        .select_related("bloc", "enrolment__cohort")
        .order_by("enrolment_id", "bloc__number", "attempt")
    ):
        number = portfolio.bloc.number
        events.append(
            ics.Event(
                uid=f"depot-bloc-{portfolio.enrolment_id}-{number}-{portfolio.attempt}@preuves",
                summary=_("Date limite de dépôt du portefeuille du bloc %(n)s") % {"n": number},
                start=portfolio_deadline(portfolio),
            )
        )
    for memoire in Memoire.objects.filter(
        enrolment__candidate=user,
        is_active=True,
        state=Memoire.State.DRAFT,
        enrolment__cohort__memoire_deadline__isnull=False,
    ).select_related("enrolment__cohort"):
        events.append(
            ics.Event(
                uid=f"depot-memoire-{memoire.enrolment_id}-{memoire.attempt}@preuves",
                summary=_("Date limite de dépôt du mémoire"),
                start=memoire.enrolment.cohort.memoire_deadline,
            )
        )
    entries = list(
        SessionCandidate.objects.filter(enrolment__candidate=user)
        .exclude(session__state=JurySession.State.PLANNED)
        .select_related("session", "enrolment")
        .order_by("session__date", "pk")
    )
    soutenances = {
        (s.session_id, s.memoire.enrolment_id): s
        for s in Soutenance.objects.filter(
            session__in=[e.session_id for e in entries], memoire__enrolment__candidate=user
        ).select_related("memoire")
    }
    for entry in entries:
        soutenance = soutenances.get((entry.session_id, entry.enrolment_id))
        events.append(convocation_event(entry.session, entry.enrolment, soutenance))
    return events + candidate_sitting_events(user)


def _candidate_only(user) -> None:
    if not user.has_role(Role.CANDIDAT):
        raise PermissionDenied


@login_required
def calendar_page(request):
    """Show the candidate's private calendar address, with the button that renews it."""
    _candidate_only(request.user)
    feed = CalendarFeed.objects.filter(user=request.user).first()
    url = ""
    if feed is not None:
        url = request.build_absolute_uri(reverse("documents:agenda_feed", args=[feed.token]))
    return render(
        request,
        "documents/agenda.html",
        {"feed": feed, "url": url, "asking": request.method == "POST"},
    )


@login_required
@require_POST
def calendar_renew(request):
    """Create the address, or renew it once confirmed (the old one stops answering)."""
    _candidate_only(request.user)
    exists = CalendarFeed.objects.filter(user=request.user).exists()
    if exists and not confirmed(request):
        return calendar_page(request)
    calendar_feed_renew(user=request.user)
    messages.success(
        request,
        _("Votre nouvelle adresse d'agenda est prête ; l'ancienne ne répond plus.")
        if exists
        else _("Votre adresse d'agenda est prête."),
    )
    return redirect("documents:agenda")


def calendar_feed(request, token):
    """The feed itself, for calendar applications: no session, the token is the key."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404
    body = ics.calendar(
        candidate_events(feed.user), name=_("Preuves — mes échéances"), now=clock.now()
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="preuves.ics"'
    response["Cache-Control"] = "private, max-age=900"
    return response
