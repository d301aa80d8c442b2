"""The search and filters of the centre's lists of candidates and of a candidate's history,
declared once (django-filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.access import staff_scope
from accounts.models import Cohort
from audit.clock import today
from audit.labels import Kind, codes_of_kind
from workflow.evaluation.filters import SortedFilterSet, name_search
from workflow.models import JurySession
from workflow.widgets import DateInput


def _own_cohorts(request):
    return (
        staff_scope(Cohort.objects, request.user).order_by("name")
        if request
        else Cohort.objects.none()
    )


class EnrolmentFilter(SortedFilterSet):
    """Find an enrolment by its candidate's name or e-mail, or by cohort."""

    q = django_filters.CharFilter(
        label=_("Rechercher un candidat"), method=name_search("candidate")
    )
    cohorte = django_filters.ModelChoiceFilter(
        field_name="cohort",
        label=_("Promotion"),
        queryset=_own_cohorts,
        empty_label=_("Toutes les promotions"),
    )


class _HistoryForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("du"), data.get("au")
        if start and end and start > end:
            self.add_error("au", _("Choisissez une date de fin égale ou postérieure au début."))
        return data


class HistoryFilter(django_filters.FilterSet):
    """Narrow a history to one kind of action and a range of days (both ends included)."""

    type = django_filters.ChoiceFilter(
        label=_("Type d'action"),
        choices=[(k, label) for k, label in Kind.choices if k != Kind.OTHER],
        empty_label=_("Toutes les actions"),
        method="of_kind",
    )
    du = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=_("Du"), widget=DateInput()
    )
    au = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=_("Au"), widget=DateInput()
    )

    class Meta:
        form = _HistoryForm

    def of_kind(self, queryset, name, value):
        return queryset.filter(action__in=codes_of_kind(value))


UPCOMING = "a_venir"
PAST = "passees"


class SessionFilter(SortedFilterSet):
    """The sessions to come or past, by state."""

    # Reached by the link of the home pages' count, shown as a notice rather than a field.
    link_only = ("quand",)

    quand = django_filters.ChoiceFilter(
        label=_("Date"),
        choices=((UPCOMING, _("À venir")), (PAST, _("Passées"))),
        empty_label=_("Toutes les dates"),
        method="when",
    )
    etat = django_filters.ChoiceFilter(
        field_name="state",
        label=_("État"),
        choices=JurySession.State.choices,
        empty_label=_("Tous les états"),
    )

    def when(self, queryset, name, value):
        if value == UPCOMING:
            return queryset.filter(date__gte=today())
        if value == PAST:
            return queryset.filter(date__lt=today())
        return queryset


class ReadyFilter(SortedFilterSet):
    """Find a candidate among those who may join a session."""

    q = django_filters.CharFilter(
        label=_("Rechercher un candidat"), method=name_search("candidate")
    )
