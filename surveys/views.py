"""The surveys' screens: the candidate's contact data and consent, a survey's personal link,
and the staff's response rates, answers and exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import confirmed, is_centre_staff
from accounts.confirm import Confirmation, confirmation_page
from accounts.listing import paginate, query_without
from accounts.models import Role
from audit import clock
from documents.exports import EXPORT_TYPES
from documents.views import export_response
from surveys import exports, selectors, services
from surveys.forms import AnswerForm, ContactForm
from surveys.models import WAVE_MONTHS, FollowUp, SurveyWave
from surveys.templatetags.surveys import survey_url


def _form_error(form, error: services.SurveyError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


# --- The candidate ----------------------------------------------------------------------------


@login_required
def mine(request):
    """The candidate confirms or corrects their contact data and gives or withdraws consent."""
    user = request.user
    if not user.has_role(Role.CANDIDAT):
        raise PermissionDenied
    follow_ups = list(
        FollowUp.objects.filter(enrolment__candidate=user)
        .select_related("enrolment__cohort", "establishment")
        .prefetch_related("waves")
        .order_by("-certified_on", "pk")
    )
    form = None
    if follow_ups:
        consent = follow_ups[0].consent
        form = ContactForm(
            request.POST or None,
            initial={
                "email": user.email,
                "phone": user.phone,
                "consent": consent if consent != FollowUp.Consent.PENDING else None,
            },
        )
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.contact_confirm(
                    actor=user, email=data["email"], phone=data["phone"], consent=data["consent"]
                )
            except services.SurveyError as error:
                _form_error(form, error)
            else:
                messages.success(request, _("Vos coordonnées et votre choix sont enregistrés."))
                return redirect("surveys:mine")
    elif request.method == "POST":
        raise PermissionDenied
    today = clock.today()
    waves = [
        {
            "wave": wave,
            "open": services.wave_open(wave, on=today),
            "url": survey_url(wave) if services.wave_open(wave, on=today) else "",
            "stopped": follow_up.consent == FollowUp.Consent.REFUSED,
        }
        for follow_up in follow_ups
        for wave in follow_up.waves.all()
    ]
    return render(
        request,
        "surveys/mine.html",
        {"follow_ups": follow_ups, "form": form, "waves": waves},
    )


# --- A survey's personal link (no sign-in) --------------------------------------------------


def _wave_or_404(token: str) -> SurveyWave:
    wave = services.wave_by_token(token)
    if wave is None:
        raise Http404
    return wave


def _withdraw_confirmation() -> Confirmation:
    return Confirmation(
        key="retrait",
        title=_("Ne plus recevoir d'enquêtes ?"),
        summary=[
            _("Vous ne recevrez plus aucune enquête d'insertion ni aucun rappel."),
            _(
                "L'intitulé de poste et l'employeur que vous avez déjà indiqués seront effacés ; "
                "votre situation restera comptée, sans votre nom, dans les statistiques de "
                "votre promotion."
            ),
        ],
        confirm_label=_("Retirer mon accord"),
        danger=True,
    )


def _closed(request):
    return render(request, "surveys/closed.html", status=410)


@never_cache
def answer(request, token):
    """The survey behind a personal link: its four questions, and the withdrawal of consent."""
    wave = _wave_or_404(token)
    if not services.wave_open(wave, on=clock.today()):
        return _closed(request)
    form = AnswerForm(
        request.POST or None,
        initial={
            "status": wave.status or None,
            "job_title": wave.job_title,
            "employer": wave.employer,
            "job_link": wave.job_link or None,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(wave=wave, **form.cleaned_data)
        except services.SurveyError as error:
            _form_error(form, error)
        else:
            return render(request, "surveys/thanks.html", {"months": wave.months})
    return render(
        request,
        "surveys/answer.html",
        {
            "wave": wave,
            "form": form,
            "closes": services.closes_text(wave),
            "withdraw": _withdraw_confirmation(),
        },
    )


@never_cache
@require_POST
def withdraw(request, token):
    """Withdraw consent from a survey's link, once confirmed."""
    wave = _wave_or_404(token)
    if not services.wave_open(wave, on=clock.today()):
        return _closed(request)
    if not confirmed(request):
        back = reverse("surveys:answer", args=[token])
        return confirmation_page(request, _withdraw_confirmation(), back=back)
    services.survey_withdraw(wave=wave)
    return render(request, "surveys/withdrawn.html")


# --- The staff --------------------------------------------------------------------------------


def _staff_only(request, fmt: str | None = None) -> None:
    if not is_centre_staff(request.user):
        raise PermissionDenied
    if fmt is not None and fmt not in EXPORT_TYPES:
        raise Http404


@login_required
def staff(request):
    """Response rates per establishment and per cohort, and the answers, within the reader's
    establishments."""
    _staff_only(request)
    user = request.user
    establishments = paginate(
        request, selectors.surveyed_establishments(user), param="etablissements"
    )
    cohorts = paginate(request, selectors.surveyed_cohorts(user), param="promotions")
    answers = paginate(request, selectors.answers(user))
    return render(
        request,
        "surveys/staff.html",
        {
            "establishments": establishments,
            "establishment_rows": selectors.establishment_rates(establishments.object_list),
            "establishments_query": query_without(request, "etablissements"),
            "cohorts": cohorts,
            "cohort_rows": selectors.cohort_rates(cohorts.object_list),
            "cohorts_query": query_without(request, "promotions"),
            "answers": answers,
            "answers_query": query_without(request),
            "wave_months": WAVE_MONTHS,
        },
    )


@login_required
def answers_export(request, fmt):
    _staff_only(request, fmt)
    return export_response(exports.answers_table(request.user), fmt=fmt, name="enquetes-insertion")


@login_required
def rates_export(request, fmt):
    _staff_only(request, fmt)
    return export_response(exports.rates_table(request.user), fmt=fmt, name="enquetes-taux")
