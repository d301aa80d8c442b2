"""The search and sort of the back office's lists, declared once (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from workflow.evaluation.filters import SortedFilterSet, name_search


class CohortFilter(SortedFilterSet):
    q = django_filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=_("Rechercher une promotion")
    )
    tri = django_filters.OrderingFilter(
        label=_("Trier par"),
        fields=(("training_start", "debut"), ("name", "nom")),
        choices=(
            ("-debut", _("Début de formation (la plus récente d'abord)")),
            ("debut", _("Début de formation (la plus ancienne d'abord)")),
            ("nom", _("Nom (A → Z)")),
        ),
        empty_label=None,
    )


class CandidateFilter(SortedFilterSet):
    """Find a row by its candidate's name or e-mail (enrolments, accompaniments, conflicts)."""

    q = django_filters.CharFilter(
        label=_("Rechercher un candidat"), method=name_search("candidate")
    )


class PersonFilter(SortedFilterSet):
    q = django_filters.CharFilter(label=_("Rechercher une personne"), method=name_search(""))
