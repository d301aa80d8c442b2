"""Tables the staff export as CSV or XLSX: a session's results, a cohort's progress, workloads,
a candidate's history.

Each export is a ``Table`` (headings and rows of plain values) built by a function here, then
written by ``table_csv`` or ``table_xlsx``: both formats always hold the same cells.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext

from accounts.access import EVERYWHERE
from accounts.models import Cohort, Role, User
from documents.issuance import current_document
from documents.models import IssuedDocument
from documents.selectors import EXPORT_OUTCOME_WORDS, bloc_code, session_decisions
from portfolio.models import Memoire, Portfolio
from rules.wording import shown
from workflow.models import Assignment, JuryDecision, JurySession

# How exports write an outcome (DIPLOMATION's words).


@dataclass
class Table:
    title: str
    headings: list[str]
    rows: list[list] = field(default_factory=list)


# A text cell starting with one of these is run as a formula by spreadsheets: a quote in front
# keeps what a user typed (a motive, a name) as text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _text(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return _text(str(value))


def table_csv(table: Table) -> bytes:
    """Return the table as CSV for a French spreadsheet: UTF-8 with BOM, semicolons, JJ/MM/AAAA."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headings)
    for row in table.rows:
        writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    """Return the table as an Excel workbook: real dates and numbers, one header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]
    sheet.append(table.headings)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_xlsx_cell(value) for value in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "DD/MM/YYYY"
            elif isinstance(cell.value, Decimal) and cell.value.as_tuple().exponent == -2:
                cell.number_format = "0.00"  # a shown figure keeps its two decimals
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(value):
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        return _text(value)
    return value  # openpyxl writes a Decimal's exact digits


# --- Evaluators' workload -------------------------------------------------------------------


def _own_assignments(establishments) -> Q:
    """Return the condition "the assignment is about a candidate of ``establishments``"."""
    if establishments is EVERYWHERE:
        return Q()
    ids = list(establishments)
    return Q(assignments__portfolio__enrolment__cohort__establishment__in=ids) | Q(
        assignments__memoire__enrolment__cohort__establishment__in=ids
    )


def workload_table(*, today: date, establishments=EVERYWHERE) -> Table:
    """Return one row per evaluator of the national pool: assignments by state, open, overdue,
    next due date, counting the assignments of ``establishments`` only."""
    open_states = [Assignment.State.PROPOSED, Assignment.State.ACCEPTED]
    own = _own_assignments(establishments)

    def count(**condition):
        return Count("assignments", filter=Q(**condition) & own)

    evaluators = (
        User.objects.with_role(Role.EVALUATEUR)
        .annotate(
            proposed=count(assignments__state=Assignment.State.PROPOSED),
            accepted=count(assignments__state=Assignment.State.ACCEPTED),
            completed=count(assignments__state=Assignment.State.COMPLETED),
            declined=count(assignments__state=Assignment.State.DECLINED),
            portfolios=count(
                assignments__state__in=open_states, assignments__portfolio__isnull=False
            ),
            memoires=count(assignments__state__in=open_states, assignments__memoire__isnull=False),
            overdue=count(assignments__state__in=open_states, assignments__due_date__lt=today),
            next_due=Min(
                "assignments__due_date", filter=Q(assignments__state__in=open_states) & own
            ),
        )
        .order_by("last_name", "first_name")
    )
    table = Table(
        title="Charge des évaluateurs",
        headings=[
            "nom",
            "prénom",
            "e-mail",
            "proposées",
            "acceptées",
            "remises",
            "refusées",
            "en cours",
            "dont portefeuilles",
            "dont mémoires",
            "en retard",
            "prochaine échéance",
        ],
    )
    for evaluator in evaluators:
        table.rows.append(
            [
                evaluator.last_name,
                evaluator.first_name,
                evaluator.email,
                evaluator.proposed,
                evaluator.accepted,
                evaluator.completed,
                evaluator.declined,
                evaluator.proposed + evaluator.accepted,
                evaluator.portfolios,
                evaluator.memoires,
                evaluator.overdue,
                evaluator.next_due,
            ]
        )
    return table


# --- A cohort's progress --------------------------------------------------------------------


def cohort_progress_table(cohort: Cohort) -> Table:
    """Return one row per candidate of the cohort: where each portfolio and the mémoire stand."""
    blocs = list(cohort.title.blocs.order_by("number"))
    enrolments = cohort.enrolments.select_related("candidate", "company", "tutor").order_by(
        "candidate__last_name", "candidate__first_name"
    )
    portfolios = {
        (portfolio.enrolment_id, portfolio.bloc_id): portfolio
        for portfolio in Portfolio.objects.filter(enrolment__cohort=cohort, is_active=True)
        .select_related("bloc")
        .order_by("attempt")
    }
    memoires = {
        memoire.enrolment_id: memoire
        for memoire in Memoire.objects.filter(enrolment__cohort=cohort, is_active=True).order_by(
            "attempt"
        )
    }
    table = Table(
        title="Avancement",
        headings=[
            "nom",
            "prénom",
            "e-mail",
            "voie",
            "entreprise",
            "tuteur",
            *(f"bloc {bloc.number}" for bloc in blocs),
            "mémoire",
            "dernière décision du jury",
        ],
    )
    decisions = {}
    for decision in (
        JuryDecision.objects.filter(
            enrolment__cohort=cohort,
            session__state__in=[JurySession.State.CLOSED, JurySession.State.PUBLISHED],
        )
        .select_related("session")
        .order_by("session__date", "pk")
    ):
        decisions[decision.enrolment_id] = decision  # the latest wins
    for enrolment in enrolments:
        row = [
            enrolment.candidate.last_name,
            enrolment.candidate.first_name,
            enrolment.candidate.email,
            enrolment.get_route_display(),
            enrolment.company.name,
            enrolment.tutor.get_full_name() if enrolment.tutor else "",
        ]
        for bloc in blocs:
            portfolio = portfolios.get((enrolment.pk, bloc.pk))
            if portfolio is not None:
                row.append(f"{portfolio.get_state_display()} (tentative {portfolio.attempt})")
            elif enrolment.route == enrolment.Route.EPREUVES:
                row.append("épreuves")
            else:
                row.append("pas de portefeuille")
        memoire = memoires.get(enrolment.pk)
        row.append(memoire.get_state_display() if memoire else "pas de mémoire")
        decision = decisions.get(enrolment.pk)
        row.append(
            f"{EXPORT_OUTCOME_WORDS[decision.outcome]} ({decision.session.date:%d/%m/%Y})"
            if decision
            else ""
        )
        table.rows.append(row)
    return table


# --- A session's results for DIPLOMATION ----------------------------------------------------

DIPLOMATION_HEADINGS = [
    "nom",
    "prénom",
    "date de naissance",
    "e-mail",
    "code RNCP",
    "intitulé du titre",
    "résultat",
    "blocs validés",
    "codes des blocs validés",
    "points sur 1000",
    "décision modifiée par le jury",
    "fraude",
    "date du jury",
    "lieu du jury",
    "établissement",
    "promotion",
    "voie",
    "référence du procès-verbal",
]


# Each export format: its content type and its writer.
EXPORT_TYPES = {
    "csv": ("text/csv; charset=utf-8", table_csv),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", table_xlsx),
}


def session_results_table(session) -> Table:
    """Return one row per candidate of a closed session, laid out for DIPLOMATION.

    Every value is read from the decision the jury stored (outcome, validated blocs, points):
    nothing is recomputed here. Points are the shown figure (``wording.shown``: truncated to
    two decimals, always written with two), empty for a session invalidated for fraud.
    """
    pv = current_document(kind=IssuedDocument.Kind.PROCES_VERBAL, session=session)
    table = Table(title="Résultats", headings=list(DIPLOMATION_HEADINGS))
    for decision in session_decisions(session).iterator(chunk_size=500):
        candidate = decision.enrolment.candidate
        validated = [str(number) for number in decision.validated_blocs]
        table.rows.append(
            [
                candidate.last_name,
                candidate.first_name,
                candidate.birth_date,
                candidate.email,
                session.title.code,
                session.title.name,
                EXPORT_OUTCOME_WORDS[decision.outcome],
                ", ".join(validated),
                ", ".join(bloc_code(session.title.code, number) for number in validated),
                None if decision.fraud else shown(Decimal(decision.computed["points_total"])),
                decision.is_override,
                decision.fraud,
                session.date,
                session.place,
                session.establishment.name,
                decision.enrolment.cohort.name,
                decision.enrolment.get_route_display(),
                pv.reference if pv else "",
            ]
        )
    return table


def history_table(rows) -> Table:
    """Return a candidate's history (``workflow.history`` rows) in the words of its page."""
    table = Table(
        title=gettext("Historique"),
        headings=[
            gettext("Date"),
            gettext("Type d'action"),
            gettext("Action"),
            gettext("Par"),
            gettext("Sur"),
            gettext("Ce qui a changé"),
            gettext("Motif"),
        ],
    )
    for row in rows:
        table.rows.append(
            [row.at, row.kind, row.label, row.actor, row.subject, row.change, row.reason]
        )
    return table
