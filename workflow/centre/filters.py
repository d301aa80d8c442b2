"""The search and filters of the centre's lists of candidates, declared once (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.access import staff_scope
from accounts.models import Cohort
from workflow.evaluation.filters import SortedFilterSet, name_search


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
