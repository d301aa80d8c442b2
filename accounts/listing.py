"""One way to show a long list on any screen: a FilterSet (django-filter) reads the search, the
filters and the sort from the query string, and a Paginator cuts the rows into pages.

It lives in ``accounts``, the lowest package with screens, so that every list of every package
shares it, with its template ``components/pagination.html``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

PAGE_SIZE = 50


class RowsPage(Page):
    @property
    def links(self):
        """Return the page numbers to link to: the first, the last, two around this one, and
        ``Paginator.ELLIPSIS`` for the gaps (a bounded number of links however long the list)."""
        return self.paginator.get_elided_page_range(self.number, on_each_side=2, on_ends=1)


class RowsPaginator(Paginator):
    def _get_page(self, *args, **kwargs):
        return RowsPage(*args, **kwargs)


def paginate(request, rows, per_page: int = PAGE_SIZE, *, param: str = "page") -> Page:
    """Return the page of ``rows`` asked for by ``?page=`` (the last one if out of range); a
    second list on the same screen reads its own ``param``."""
    page = RowsPaginator(rows, per_page).get_page(request.GET.get(param))
    page.param = param
    return page


def query_without(request, param: str = "page") -> str:
    """Return the request's query string without ``param``, for the links to other pages."""
    params = request.GET.copy()
    params.pop(param, None)
    return params.urlencode()


@dataclass
class ListPage:
    """A page of a filtered list: the page, the bound FilterSet, and the query string of the
    filters without the page number (for the page links)."""

    page: Page
    filters: object | None
    query: str

    @property
    def rows(self):
        return self.page.object_list


def list_page(request, queryset, filterset_class=None, *, defaults=None, **filterset_kwargs):
    """Filter, sort and paginate ``queryset`` from the request's query string.

    ``defaults`` are the filters applied when the query string leaves them out (a list opening on
    the files to screen, say). Invalid input leaves its filter out and shows its error in the form.
    """
    data = request.GET.copy()
    for name, value in (defaults or {}).items():
        data.setdefault(name, value)
    filters = None
    if filterset_class is not None:
        filters = filterset_class(data, queryset=queryset, request=request, **filterset_kwargs)
        queryset = filters.qs
    return ListPage(paginate(request, queryset), filters, query_without(request))
