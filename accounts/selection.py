"""The rows a member of the staff ticked on a list, for a bulk action in two steps.

A list's selection form posts the ticked rows' ids as ``ids``; « tout sélectionner sur la page »
posts ``tout`` with the page's ids as ``page_ids``, so that it works without JavaScript too. The
ids are only what the browser says: every bulk action reads them back within the user's scope,
and an id outside it (another establishment's, or no row at all) is refused and listed by its
number alone, so that nothing of another establishment shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext as _

# The most rows one bulk action takes: a page of the list (``accounts.listing.PAGE_SIZE``).
MAX_SELECTED = 50


@dataclass(frozen=True)
class Refusal:
    """A selected row the action leaves out, and why."""

    label: str
    reason: str


def selected_ids(post) -> list[int]:
    """Return the ticked ids of ``post`` in their order, each once; invalid ones left out."""
    raw = post.getlist("page_ids") if post.get("tout") else []
    raw = [*raw, *post.getlist("ids")]
    ids: list[int] = []
    for value in raw:
        try:
            number = int(value)
        except (TypeError, ValueError):
            continue
        if number > 0 and number not in ids:
            ids.append(number)
    return ids


def too_many(ids) -> str | None:
    """Return the message refusing a selection larger than a page, or None."""
    if len(ids) > MAX_SELECTED:
        return _(
            "Sélectionnez au plus %(n)s lignes à la fois (une page de la liste) : "
            "%(count)s sont cochées."
        ) % {"n": MAX_SELECTED, "count": len(ids)}
    return None


def out_of_scope(number: int) -> Refusal:
    """Return the refusal of an id that the user's scope does not hold (told by number only)."""
    return Refusal(
        _("Ligne n° %(n)s") % {"n": number},
        _("Introuvable dans vos établissements : rien n'est fait pour cette ligne."),
    )


def in_scope(queryset, ids) -> tuple[list, list[Refusal]]:
    """Return the rows of ``queryset`` (already scoped) with these ids in the selection's
    order, and the refusals of the ids it does not hold. One query."""
    found = {row.pk: row for row in queryset.filter(pk__in=ids)}
    rows = [found[i] for i in ids if i in found]
    refusals = [out_of_scope(i) for i in ids if i not in found]
    return rows, refusals


def selection_or_message(request, *, empty: str) -> list[int] | None:
    """Return the POST's selected ids; None, with the reason shown as a message, when there are
    none (``empty``) or more than a page."""
    ids = selected_ids(request.POST)
    problem = too_many(ids) or (None if ids else empty)
    if problem:
        messages.error(request, problem)
        return None
    return ids
