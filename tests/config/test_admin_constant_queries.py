"""Every admin page costs the same number of queries whatever the size of its table (issue 14).

Each test walks ``admin.site._registry``: a new model admin is covered without editing this file,
and fails until ``tests/factories.py`` has a ``<Model>Factory`` to build its rows.
"""

from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.db.models import F, OrderBy
from django.db.models.functions import Upper
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.indexes import PatternOps
from tests import factories

pytestmark = pytest.mark.django_db

N = 2
TENFOLD = 10 * N
# The project's own apps, whose admin.py files it writes (auth and the task queue bring theirs).
PROJECT_APPS = {
    app.label
    for app in apps.get_app_configs()
    if Path(app.path).is_relative_to(settings.BASE_DIR)
    and "site-packages" not in Path(app.path).parts  # a virtualenv inside the checkout
}
REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
PROJECT_ADMINS = [(m, a) for m, a in REGISTERED if m._meta.app_label in PROJECT_APPS]


def _label(item) -> str:
    return item[0]._meta.label


def factory_for(model):
    name = f"{model.__name__}Factory"
    found = getattr(factories, name, None)
    assert found is not None, (
        f"{model._meta.label} has an admin page but tests/factories.py has no {name}: add one, "
        "so that the admin query-count test can build its rows."
    )
    built = found._meta.get_model_class()
    assert built is model, f"{name} builds {built._meta.label}, not {model._meta.label}"
    return found


def admin_url(model, view, *args) -> str:
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def first_filter_choices(rf, user, model, model_admin) -> list[dict]:
    """Return, for each of the changelist's filters, the parameters of its first choice."""
    request = rf.get(admin_url(model, "changelist"))
    request.user = user
    changelist = model_admin.get_changelist_instance(request)
    chosen = []
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            if not choice["selected"]:
                chosen.append(dict(parse_qsl(choice["query_string"].lstrip("?"))))
                break
    return chosen


def pages(rf, user, model, model_admin, obj) -> list[tuple[str, str, dict]]:
    changelist = admin_url(model, "changelist")
    found = [("list", changelist, {})]
    if model_admin.search_fields:
        # The factories' e-mail addresses start with it: most searches find every row.
        found.append(("search", changelist, {"q": "personne"}))
    for number, params in enumerate(first_filter_choices(rf, user, model, model_admin)):
        found.append((f"filter {number}: {params}", changelist, params))
    found.append(("change page", admin_url(model, "change", obj.pk), {}))
    return found


def query_counts(client, found) -> dict[str, int]:
    counts = {}
    for name, url, params in found:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        assert response.status_code == 200, (name, url, params, response.status_code)
        counts[name] = len(captured.captured_queries)
    return counts


@pytest.mark.parametrize("model", [m for m, _ in REGISTERED], ids=lambda m: m._meta.label)
def test_every_admin_page_costs_the_same_queries_at_n_and_10_n_rows(client, rf, model):
    model_admin = admin.site._registry[model]
    make = factory_for(model)
    user = factories.UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    first, *_ = make.create_batch(N)
    found = pages(rf, user, model, model_admin, first)
    query_counts(client, found)  # warm the per-process caches (content types, templates)

    at_n = query_counts(client, found)
    make.create_batch(TENFOLD - N)
    at_ten_n = query_counts(client, found)

    assert model._default_manager.count() >= TENFOLD
    assert at_ten_n == at_n, f"{model._meta.label}: {N} rows → {at_n}, {TENFOLD} → {at_ten_n}"


# --- Orderings: own columns only, each served by an index --------------------------------------


def _ordering_names(ordering) -> list[str]:
    names = []
    for part in ordering:
        if isinstance(part, OrderBy) and isinstance(part.expression, F):
            part = part.expression
        if isinstance(part, F):
            part = part.name
        assert isinstance(part, str), f"an ordering by an expression: {part!r}"
        names.append(part.lstrip("-"))
    return names


def _orderings(model, model_admin):
    yield "Meta.ordering", model._meta.ordering
    if model_admin.ordering:
        yield f"{type(model_admin).__name__}.ordering", model_admin.ordering


@pytest.mark.parametrize("item", REGISTERED, ids=_label)
def test_no_ordering_expands_through_a_foreign_key(item):
    model, model_admin = item
    for source, ordering in _orderings(model, model_admin):
        for name in _ordering_names(ordering):
            if name == "pk":
                continue
            assert "__" not in name, f"{model._meta.label} {source}: {name} joins another table"
            field = model._meta.get_field(name)
            assert field.concrete, f"{model._meta.label} {source}: {name} is not a column"
            assert not field.is_relation or name == field.attname, (
                f"{model._meta.label} {source}: {name} sorts by {field.related_model.__name__}'s "
                f"own ordering, through a join; order by {field.attname} instead"
            )


def _column(model, name) -> str:
    if name in ("pk", model._meta.pk.attname):
        return model._meta.pk.attname
    return model._meta.get_field(name.lstrip("-")).attname


def indexed_column_lists(model) -> list[list[str]]:
    """Return the column lists of the model's indexes (primary key, unique, FK, Meta)."""
    meta = model._meta
    found = [[meta.pk.attname]]
    found += [[f.attname] for f in meta.concrete_fields if f.unique or f.db_index]
    found += [[_column(model, name) for name in index.fields] for index in meta.indexes]
    found += [[_column(model, n) for n in c.fields] for c in meta.total_unique_constraints]
    found += [[_column(model, name) for name in fields] for fields in meta.unique_together]
    return found


def _served_by_an_index(model, columns) -> bool:
    return any(index[: len(columns)] == columns for index in indexed_column_lists(model))


@pytest.mark.parametrize("item", PROJECT_ADMINS, ids=_label)
def test_every_admin_ordering_is_served_by_an_index(item):
    model, model_admin = item
    ordering = model_admin.ordering or model._meta.ordering or ["-pk"]
    columns = [_column(model, name) for name in _ordering_names(ordering)]
    while len(columns) > 1 and columns[-1] == model._meta.pk.attname:
        columns.pop()  # the tie-break the changelist adds anyway
    assert _served_by_an_index(model, columns), f"{model._meta.label}: no index on {columns}"


def _filter_path(entry) -> str | None:
    if isinstance(entry, (list, tuple)):
        entry = entry[0]
    return entry if isinstance(entry, str) else None


@pytest.mark.parametrize("item", PROJECT_ADMINS, ids=_label)
def test_every_admin_filter_is_served_by_an_index(item):
    model, model_admin = item
    for path in filter(None, map(_filter_path, model_admin.list_filter)):
        current = model
        for name in path.split("__"):
            field = current._meta.get_field(name)
            if field.concrete:  # a reverse relation joins on the other table's foreign key
                assert _served_by_an_index(current, [field.attname]), (
                    f"{model._meta.label} filters on {path}: {current._meta.label}.{name} "
                    "has no index"
                )
            current = field.related_model or current


# Tables that stay small whatever the number of candidates: searching inside their text is cheap.
SMALL_TABLES = {
    *(m._meta.label for m, _ in PROJECT_ADMINS if m._meta.app_label == "referentiel"),
    "accounts.Organisation",  # the establishments and the candidates' companies
    "accounts.Cohort",
    "accounts.LoginFailure",  # pruned after a day (accounts.services)
    "accounts.LoginThrottleLock",  # idem
    "workflow.JurySession",  # a few a year per establishment
    "documents.ReferenceCounter",  # one per prefix and year
}


def _has_upper_index(model, column) -> bool:
    """Return whether the model has an index on UPPER(column), with PostgreSQL's pattern ops."""
    for index in model._meta.indexes:
        if len(index.expressions) != 1 or not isinstance(index.expressions[0], PatternOps):
            continue
        (upper,) = index.expressions[0].source_expressions
        if isinstance(upper, Upper) and upper.source_expressions[0].name == column:
            return True
    return False


def _search_path(model, search_field) -> tuple[str, str]:
    """Return how a search field compares (``upper`` or ``plain``) and the path it reads."""
    if search_field.startswith("^"):
        return "upper", search_field[1:]
    if search_field.endswith(("__startswith", "__exact")):
        return "plain", search_field.rsplit("__", 1)[0]
    raise AssertionError(
        f"{model._meta.label} searches {search_field!r} inside the text, reading every row: "
        "search by a prefix (^field) or an exact value (field__exact)"
    )


def _search_target(model, search_field) -> tuple[type, str, str]:
    """Return the model and column a search field reads, and how (``upper`` or ``plain``)."""
    how, path = _search_path(model, search_field)
    *joins, column = path.split("__")
    for name in joins:
        field = model._meta.get_field(name)
        assert field.is_relation and (field.concrete or field.auto_created), (model, name)
        model = field.related_model
    return model, column, how


@pytest.mark.parametrize(
    "item", [i for i in PROJECT_ADMINS if _label(i) not in SMALL_TABLES], ids=_label
)
def test_every_admin_search_of_a_big_table_uses_an_index(item):
    model, model_admin = item
    joins = {
        _search_path(model, field)[1].rpartition("__")[0] for field in model_admin.search_fields
    }
    # The admin ORs the fields: across two tables no index can answer the OR.
    assert len(joins) <= 1, f"{model._meta.label} searches across {joins}"
    for search_field in model_admin.search_fields:
        target, column, how = _search_target(model, search_field)
        if target._meta.label in SMALL_TABLES:
            continue
        if how == "upper":
            assert _has_upper_index(target, column), (
                f"{model._meta.label} searches {search_field}: {target._meta.label} has no index "
                f"on Upper({column})"
            )
        else:
            field = target._meta.get_field(column)
            assert _served_by_an_index(target, [field.attname]), (model, search_field)


@pytest.mark.parametrize("item", PROJECT_ADMINS, ids=_label)
def test_every_admin_list_is_paginated_by_50_without_a_second_count(item):
    assert {"accounts", "workflow", "referentiel"} <= PROJECT_APPS
    _, model_admin = item
    assert model_admin.list_per_page == 50
    assert model_admin.show_full_result_count is False
