"""The engine's decision on each session candidate's marks as they stand, stored for the
deliberation screen so that it pages, sorts and filters thousands of candidates without
recomputing them on every view.

A stored result is a cache: it is marked ``stale`` whenever one of its inputs is saved or
deleted (the model signals below catch every write, the admin's included), and
``session_results_refresh`` recomputes the stale ones in bulk before the screen reads them.
Recording a decision, closing the deliberation and the documents never read it: they decide on
the marks read afresh.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import connections, router, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.signals import post_delete, post_save

from audit import clock
from rules import engine
from workflow.jury.inputs import DECIDED_SESSION_STATES
from workflow.jury.results import candidate_files, computed_decision, decision_snapshot
from workflow.models import JuryDecision, SessionCandidate

# Past this many stale candidates, every candidate's inputs are read by subquery rather than by
# a list of ids (the same queries, without thousands of parameters).
_BY_ID_LIMIT = 500


def stored_fields(snapshot: dict | None, *, missing=(), rules=None, decision=None) -> dict:
    """Return the stored columns for a snapshot (None: an incomplete file)."""
    near = False
    if decision is not None and rules is not None and not snapshot.get("inputs", {}).get("fraud"):
        near = engine.near_threshold(decision, rules)
    return {
        "computed": snapshot,
        "missing": list(missing),
        "computed_outcome": snapshot["outcome"] if snapshot else "",
        "computed_points": Decimal(snapshot["points_total"]) if snapshot else None,
        "referred": bool(snapshot and snapshot["referred_to_jury"]),
        "penalty_pending": bool(snapshot and snapshot.get("penalty_pending")),
        "fraud": bool(snapshot and snapshot["inputs"].get("fraud")),
        "near_threshold": near,
    }


STORED_COLUMNS = (
    "computed",
    "missing",
    "computed_outcome",
    "computed_points",
    "referred",
    "penalty_pending",
    "fraud",
    "near_threshold",
    "stale",
    "computed_at",
)


def session_results_refresh(session, *, everything: bool = False) -> int:
    """Recompute the session's stale stored results (all of them with ``everything``) in a
    fixed number of queries; return how many were recomputed.

    The rows are locked before the marks are read: a mark saved meanwhile marks its row stale
    again once this transaction ends, never before, so no change is lost.
    """
    if session.state in DECIDED_SESSION_STATES:
        return 0
    with transaction.atomic():
        rows = SessionCandidate.objects.select_for_update().filter(session=session)
        if not everything:
            rows = rows.filter(stale=True)
        entries = list(rows.only("pk", "enrolment_id").order_by("pk"))
        if not entries:
            return 0
        by_id = (
            None if everything or len(entries) > _BY_ID_LIMIT else [e.enrolment_id for e in entries]
        )
        files = candidate_files(session, enrolment_ids=by_id)
        now = clock.now()
        for entry in entries:
            file = files[entry.enrolment_id]
            decision = computed_decision(file)
            snapshot = decision_snapshot(decision, file) if decision else None
            fields = stored_fields(
                snapshot, missing=file.missing, rules=file.rules, decision=decision
            )
            for name, value in fields.items():
                setattr(entry, name, value)
            entry.stale = False
            entry.computed_at = now
        rows_store(entries, STORED_COLUMNS)
    return len(entries)


def rows_store(entries, columns) -> None:
    """Write ``columns`` of the session candidates ``entries`` in one prepared statement run
    for every row (``executemany``): ``bulk_update``'s CASE expressions cost seconds of Python
    per thousand rows of ten columns, this a few milliseconds."""
    if not entries:
        return
    fields = [SessionCandidate._meta.get_field(name) for name in columns]
    connection = connections[router.db_for_write(SessionCandidate)]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    # Only the model's own table and column names go into the statement; values are parameters.
    sql = (
        f"UPDATE {quote(SessionCandidate._meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {quote(SessionCandidate._meta.pk.column)} = %s"
    )
    params = [
        [field.get_db_prep_save(getattr(entry, field.attname), connection) for field in fields]
        + [entry.pk]
        for entry in entries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


# --- The deliberation screen's list ------------------------------------------------------------

# What the jury may narrow the list to (the filter form's choices, by key).
SHOW_FILTERS = {
    "all": Q(),
    "near": Q(near_threshold=True),
    "referred": Q(referred=True),
    "pending": Q(penalty_pending=True),
    "fraud": Q(fraud=True),
    "overridden": Q(overridden=True),
    "incomplete": Q(computed__isnull=True),
    "undecided": ~Exists(
        JuryDecision.objects.filter(session=OuterRef("session"), enrolment=OuterRef("enrolment"))
    ),
}
SORTS = {
    "name": ("enrolment__candidate__last_name", "enrolment__candidate__first_name", "pk"),
    "points": (F("computed_points").asc(nulls_first=True), "pk"),
    "-points": (F("computed_points").desc(nulls_last=True), "pk"),
}


def deliberation_entries(session, *, show: str = "all", query: str = "", sort: str = "name"):
    """Return the session's candidates with their stored results, filtered and sorted (a
    queryset: the screen pages it)."""
    entries = SessionCandidate.objects.filter(session=session).select_related(
        "enrolment__candidate"
    )
    entries = entries.filter(SHOW_FILTERS.get(show, Q()))
    for word in query.split()[:5]:
        entries = entries.filter(
            Q(enrolment__candidate__last_name__icontains=word)
            | Q(enrolment__candidate__first_name__icontains=word)
        )
    return entries.order_by(*SORTS.get(sort, SORTS["name"]))


def adoptable_entries(session):
    """Return the session's candidates whose computed decision the jury may adopt as it stands:
    a complete file, no flag (near a threshold, referred to the jury, a pending assiduity
    penalty, fraud) and no decision
    recorded yet."""
    return SessionCandidate.objects.filter(
        SHOW_FILTERS["undecided"],
        session=session,
        near_threshold=False,
        referred=False,
        penalty_pending=False,
        fraud=False,
    ).exclude(computed_outcome="")


def adoptable_counts(session) -> dict[str, int]:
    """Return how many candidates ``adoptable_entries`` holds, by computed outcome (one query)."""
    rows = (
        adoptable_entries(session)
        .order_by()
        .values_list("computed_outcome")
        .annotate(count=Count("pk"))
    )
    return dict(rows)


# --- What makes a stored result stale ---------------------------------------------------------


def results_mark_stale(enrolment_ids, *, except_session=None) -> None:
    """Mark the stored results of these enrolments (ids or a queryset of ids) stale, in every
    session still deciding (but ``except_session``).

    No ``stale=False`` filter: the update must wait for a refresh holding the rows, then mark
    them stale after it (see ``session_results_refresh``).
    """
    rows = SessionCandidate.objects.filter(enrolment_id__in=enrolment_ids).exclude(
        session__state__in=DECIDED_SESSION_STATES
    )
    if except_session is not None:
        rows = rows.exclude(session=except_session)
    rows.update(stale=True)


def _enrolment_of(instance):
    """Return the enrolment id(s) a saved or deleted input belongs to."""
    from accounts.models import Cohort, Enrolment
    from portfolio.models import Memoire
    from referentiel.models import Bloc, Module, Title
    from workflow.models import Assignment, MemoireWrittenMark, Scoring, Soutenance

    if isinstance(instance, Title):
        return Enrolment.objects.filter(cohort__title=instance).values("pk")
    if isinstance(instance, Bloc):
        return Enrolment.objects.filter(cohort__title_id=instance.title_id).values("pk")
    if isinstance(instance, Module):
        return Enrolment.objects.filter(cohort__title__blocs=instance.bloc_id).values("pk")
    if isinstance(instance, Enrolment):
        return [instance.pk]
    if isinstance(instance, Cohort):
        return Enrolment.objects.filter(cohort=instance).values("pk")
    if isinstance(instance, MemoireWrittenMark | Soutenance | Assignment):
        return Memoire.objects.filter(pk=instance.memoire_id).values("enrolment_id")
    if isinstance(instance, Scoring):
        return Memoire.objects.filter(assignments__pk=instance.assignment_id).values("enrolment_id")
    return [instance.enrolment_id]


def _input_changed(sender, instance, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    if getattr(instance, "memoire_id", "absent") is None:
        return  # an assignment of a portfolio: the portfolio's own save carries its mark
    results_mark_stale(_enrolment_of(instance))


def stale_results_connect() -> None:
    """Connect the inputs of a decision to ``results_mark_stale`` (from ``WorkflowConfig``)."""
    from accounts.models import Cohort, Enrolment
    from portfolio.models import Memoire, Portfolio
    from referentiel.models import Bloc, Module, Title
    from workflow import models as workflow_models

    inputs = [
        Title,
        Bloc,
        Module,
        Cohort,
        Enrolment,
        Portfolio,
        Memoire,
        workflow_models.CCMark,
        workflow_models.AbsenceRecord,
        workflow_models.AssiduityDecision,
        workflow_models.BlocExamMark,
        workflow_models.TutorEvaluation,
        workflow_models.MemoireWrittenMark,
        workflow_models.Soutenance,
        workflow_models.FraudReport,
        workflow_models.JuryDecision,
        workflow_models.Assignment,
        workflow_models.Scoring,
    ]
    for model in inputs:
        for signal in (post_save, post_delete):
            signal.connect(_input_changed, sender=model, dispatch_uid=f"stale:{model.__name__}")
