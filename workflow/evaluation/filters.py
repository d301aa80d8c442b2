"""The search, filters and sort of the centre's evaluation lists, declared once (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portfolio.models import Memoire, Portfolio
from workflow.evaluation.selectors import needs_evaluator_q, overdue_q

# The « à faire » filters: what the staff's home counts link to.
TO_ASSIGN = "affecter"
OVERDUE = "en_retard"


def name_search(path: str = "enrolment__candidate"):
    """Return a search method keeping the rows whose person (at ``path``; "" for a list of
    people) has every word of the search in their first name, last name or e-mail."""
    prefix = f"{path}__" if path else ""

    def search(queryset, name, value):
        condition = Q()
        for word in value.split():
            condition &= (
                Q(**{f"{prefix}first_name__icontains": word})
                | Q(**{f"{prefix}last_name__icontains": word})
                | Q(**{f"{prefix}email__icontains": word})
            )
        return queryset.filter(condition)

    return search


class SortedFilterSet(django_filters.FilterSet):
    """A FilterSet whose sort always ends on the primary key, so that pages never overlap."""

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        order = queryset.query.order_by or queryset.model._meta.ordering
        return queryset.order_by(*order, "pk")


SORTS = (
    ("submitted_at", "depot"),
    ("enrolment__candidate__last_name", "candidat"),
)
SORT_LABELS = (
    ("depot", _("Dépôt le plus ancien d'abord")),
    ("-depot", _("Dépôt le plus récent d'abord")),
    ("candidat", _("Candidat (A → Z)")),
    ("-candidat", _("Candidat (Z → A)")),
)


class _FileFilter(SortedFilterSet):
    q = django_filters.CharFilter(label=_("Rechercher un candidat"), method=name_search())
    tri = django_filters.OrderingFilter(
        label=_("Trier par"), fields=SORTS, choices=SORT_LABELS, empty_label=None
    )


def state_filter(states) -> django_filters.ChoiceFilter:
    """Return the "état" filter of a list of files in ``states`` (a TextChoices)."""
    return django_filters.ChoiceFilter(
        field_name="state", label=_("État"), choices=states.choices, empty_label=_("Tous les états")
    )


def todo_filter() -> django_filters.ChoiceFilter:
    """Return the "à faire" filter: the files waiting for an evaluator, or overdue."""
    return django_filters.ChoiceFilter(
        label=_("À faire"),
        choices=((TO_ASSIGN, _("À affecter")), (OVERDUE, _("Évaluation en retard"))),
        empty_label=_("Tout"),
        method="todo",
    )


class _TodoFilterMixin:
    # Reached by the links of the home pages' counts, shown as a notice rather than a field.
    link_only = ("a_faire",)

    def todo(self, queryset, name, value):
        if value == TO_ASSIGN:
            return queryset.filter(needs_evaluator_q(queryset.model))
        if value == OVERDUE:
            return queryset.filter(overdue_q(queryset.model))
        return queryset


class PortfolioFilter(_TodoFilterMixin, _FileFilter):
    etat = state_filter(Portfolio.State)
    bloc = django_filters.NumberFilter(field_name="bloc__number", label=_("Bloc (numéro)"))
    a_faire = todo_filter()


class MemoireFilter(_TodoFilterMixin, _FileFilter):
    etat = state_filter(Memoire.State)
    a_faire = todo_filter()
