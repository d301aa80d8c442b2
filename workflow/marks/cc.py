"""Continuous assessment (contrôle continu): marks per module, CSV import, bloc CC points.

The arithmetic (scales, means, absences, scaling to the module's points) is the rules engine's
``cc_points``; this module only stores, checks who enters, and reads.
"""

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from accounts.models import Enrolment
from audit import clock
from audit.trail import audit_record
from referentiel.models import Module
from rules import cc
from workflow.errors import WorkflowError
from workflow.marks.access import trainer_may_mark
from workflow.models import CCMark

ABSENCE_WORDS = {
    "": CCMark.Absence.NONE,
    "non": CCMark.Absence.NONE,
    "present": CCMark.Absence.NONE,
    "présent": CCMark.Absence.NONE,
    "ai": CCMark.Absence.UNJUSTIFIED,
    "injustifiee": CCMark.Absence.UNJUSTIFIED,
    "injustifiée": CCMark.Absence.UNJUSTIFIED,
    "aj": CCMark.Absence.JUSTIFIED,
    "justifiee": CCMark.Absence.JUSTIFIED,
    "justifiée": CCMark.Absence.JUSTIFIED,
}
REQUIRED_COLUMNS = ("email", "note", "sur")
OPTIONAL_COLUMNS = ("absence", "evaluation")


def _check_trainer(actor, module, cohort) -> None:
    if not trainer_may_mark(actor, module=module, cohort=cohort):
        raise WorkflowError(
            _("Vous n'intervenez pas dans le module %(module)s pour la promotion %(cohort)s.")
            % {"module": module.code, "cohort": cohort}
        )
    if module.cc_points == 0:
        raise WorkflowError(
            _("Le module %(module)s n'a pas de contrôle continu.") % {"module": module.code}
        )


def _mark_error(mark: Decimal | None, out_of: int, absence: str) -> str | None:
    return cc.cc_mark_error(cc.CCMark(mark=mark, out_of=out_of, absence=absence))


def cc_mark_enter(
    *,
    actor,
    enrolment,
    module,
    label: str = "1",
    mark: Decimal | None,
    out_of: int,
    absence: str = "",
) -> CCMark:
    """Enter or correct one CC evaluation of a module for a candidate."""
    _check_trainer(actor, module, enrolment.cohort)
    if module.bloc.title_id != enrolment.cohort.title_id:
        raise WorkflowError(_("Ce module n'appartient pas au titre préparé."))
    error = _mark_error(mark, out_of, absence)
    if error:
        raise WorkflowError(_("Note refusée : %(error)s.") % {"error": error})
    with transaction.atomic():
        changed, record, before = _upsert(
            actor=actor,
            enrolment=enrolment,
            module=module,
            label=label.strip() or "1",
            mark=mark,
            out_of=out_of,
            absence=absence,
        )
        if changed:
            audit_record(
                actor=actor,
                action="cc_mark.enter",
                obj=record,
                candidate=enrolment.candidate,
                before=before,
                after=_as_dict(record),
            )
    return record


def _as_dict(record: CCMark) -> dict:
    return {
        "mark": None if record.mark is None else str(record.mark),
        "out_of": record.out_of,
        "absence": record.absence,
    }


def _upsert(*, actor, enrolment, module, label, mark, out_of, absence):
    # The unique key decides between simultaneous first entries: the losers' inserts fail in
    # get_or_create's savepoint, and they then read (and lock) the winner's row.
    record, created = CCMark.objects.select_for_update().get_or_create(
        enrolment=enrolment,
        module=module,
        label=label,
        defaults={
            "mark": mark,
            "out_of": out_of,
            "absence": absence,
            "entered_by": actor,
            "entered_at": clock.now(),
        },
    )
    if created:
        return True, record, None
    before = _as_dict(record)
    same_mark = (record.mark is None and mark is None) or (
        record.mark is not None and mark is not None and record.mark == Decimal(mark)
    )
    if same_mark and record.out_of == out_of and record.absence == absence:
        return False, record, before
    record.mark, record.out_of, record.absence = mark, out_of, absence
    record.entered_by, record.entered_at = actor, clock.now()
    record.save()
    return True, record, before


# --- CSV import ---------------------------------------------------------------------------


@dataclass
class CCImportReport:
    """What an import did, or why it did nothing: errors are (line number, French message)."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def cc_import_csv(*, actor, module, cohort, content: bytes | str) -> CCImportReport:
    """Import one module's CC marks for one cohort from a CSV file; all lines or none.

    Columns (header line, ``;`` or ``,`` separated): ``email``, ``note``, ``sur`` and optionally
    ``absence`` (vide, AI = injustifiée, AJ = justifiée) and ``evaluation`` (the evaluation's
    name, "1" by default). Importing the same file twice changes nothing.
    """
    _check_trainer(actor, module, cohort)
    report = CCImportReport()
    text = _decode(content)
    if not text.strip():
        report.errors.append((1, _("Le fichier est vide.")))
        return report
    dialect = ";" if text.splitlines()[0].count(";") >= text.splitlines()[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    reader.fieldnames = header
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    unknown = [name for name in header if name not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("colonnes manquantes : %(c)s") % {"c": ", ".join(missing)})
        if unknown:
            parts.append(_("colonnes inconnues : %(c)s") % {"c": ", ".join(unknown)})
        report.errors.append(
            (1, _("En-tête : %(p)s (attendu : email;note;sur;absence).") % {"p": " ; ".join(parts)})
        )
        return report
    enrolments = {
        e.candidate.email.lower(): e
        for e in Enrolment.objects.filter(cohort=cohort).select_related("candidate")
    }
    rows = []
    seen: dict[tuple[str, str], int] = {}
    for row in reader:
        line = reader.line_num
        if None in row:
            report.errors.append((line, _("Trop de colonnes sur cette ligne.")))
            continue
        values = {k: (v or "").strip() for k, v in row.items()}
        if not any(values.values()):
            continue
        problems = []
        email = values["email"].lower()
        enrolment = enrolments.get(email)
        if not email:
            problems.append(_("adresse e-mail manquante"))
        elif enrolment is None:
            problems.append(
                _("%(email)s n'est pas inscrit dans la promotion %(cohort)s")
                % {"email": email, "cohort": cohort}
            )
        absence_word = values.get("absence", "").lower()
        absence = ABSENCE_WORDS.get(absence_word)
        if absence is None:
            problems.append(
                _("absence « %(a)s » inconnue (vide, AI ou AJ)") % {"a": values.get("absence")}
            )
            absence = ""
        try:
            out_of = int(values["sur"])
        except ValueError:
            problems.append(_("barème « %(s)s » invalide (10, 20 ou 30)") % {"s": values["sur"]})
            out_of = None
        mark = None
        if values["note"]:
            try:
                mark = Decimal(values["note"].replace(",", "."))
            except InvalidOperation:
                problems.append(_("note « %(n)s » illisible") % {"n": values["note"]})
        if out_of is not None and not problems:
            error = _mark_error(mark, out_of, absence)
            if error:
                problems.append(error)
        label = values.get("evaluation") or "1"
        if email and (email, label) in seen:
            problems.append(
                _("déjà présent ligne %(line)s pour l'évaluation « %(label)s »")
                % {"line": seen[(email, label)], "label": label}
            )
        seen.setdefault((email, label), line)
        if problems:
            report.errors.append(
                (line, _("Ligne %(line)s : ") % {"line": line} + " ; ".join(problems) + ".")
            )
        else:
            rows.append((enrolment, label, mark, out_of, absence))
    if not rows and not report.errors:
        report.errors.append((1, _("Le fichier ne contient aucune note.")))
    if report.errors:
        return report
    with transaction.atomic():
        for enrolment, label, mark, out_of, absence in rows:
            existed = CCMark.objects.filter(
                enrolment=enrolment, module=module, label=label
            ).exists()
            changed, _record, _before = _upsert(
                actor=actor,
                enrolment=enrolment,
                module=module,
                label=label,
                mark=mark,
                out_of=out_of,
                absence=absence,
            )
            if not changed:
                report.unchanged += 1
            elif existed:
                report.updated += 1
            else:
                report.created += 1
        if report.created or report.updated:
            audit_record(
                actor=actor,
                action="cc_mark.import",
                obj=module,
                after={
                    "cohort": cohort.pk,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
    return report


# --- Reads -------------------------------------------------------------------------------


def _rule_marks(records) -> list[cc.CCMark]:
    return [cc.CCMark(mark=r.mark, out_of=r.out_of, absence=r.absence) for r in records]


def module_cc_points(enrolment, module, records=None) -> Decimal | None:
    """Return the module's CC points for a candidate, scaled, or None without a mark
    (``records``: the candidate's marks in the module, when a page read them all at once)."""
    if records is None:
        records = CCMark.objects.filter(enrolment=enrolment, module=module)
    return cc.cc_points([(_rule_marks(records), module.cc_points)])


def cc_records_by_enrolment(enrolments) -> dict[int, dict[int, list[CCMark]]]:
    """Return the CC marks of ``enrolments`` (ids or a queryset of ids) by enrolment and module,
    in one query."""
    by_enrolment: dict[int, dict[int, list[CCMark]]] = {}
    for record in CCMark.objects.filter(enrolment__in=enrolments).order_by("label", "pk"):
        by_enrolment.setdefault(record.enrolment_id, {}).setdefault(record.module_id, []).append(
            record
        )
    return by_enrolment


def cc_rule_marks_by_enrolment(enrolments) -> dict[int, dict[int, list[cc.CCMark]]]:
    """Return the CC marks of ``enrolments`` as the rules read them, by enrolment and module, in
    one query and without building a model instance per mark (a session reads tens of
    thousands)."""
    by_enrolment: dict[int, dict[int, list[cc.CCMark]]] = {}
    rows = (
        CCMark.objects.filter(enrolment__in=enrolments)
        .order_by("label", "pk")
        .values_list("enrolment_id", "module_id", "mark", "out_of", "absence")
    )
    for enrolment_id, module_id, mark, out_of, absence in rows:
        by_enrolment.setdefault(enrolment_id, {}).setdefault(module_id, []).append(
            cc.CCMark(mark=mark, out_of=out_of, absence=absence)
        )
    return by_enrolment


@dataclass
class CCSummary:
    """A candidate's CC points by bloc (None until every CC module has a mark) and by module
    (None for a module without a mark), each module's mark computed once."""

    bloc_points: dict[int, Decimal | None]
    module_points: dict[int, Decimal | None]


def cc_summary(rule_marks: dict[int, list[cc.CCMark]], structure) -> CCSummary:
    """Return the CC points of a candidate from their rule marks by module (see
    ``cc_rule_marks_by_enrolment``) for the blocs and modules of ``structure``."""
    bloc_points: dict[int, Decimal | None] = {}
    module_points: dict[int, Decimal | None] = {}
    for bloc, cc_modules in structure:
        fractions = {
            module.pk: cc.module_fraction(rule_marks.get(module.pk, []), module.cc_points)
            for module in cc_modules
        }
        for module in cc_modules:
            fraction = fractions[module.pk]
            module_points[module.pk] = (
                None
                if fraction is None or not rule_marks.get(module.pk)
                else cc.fraction_to_decimal(fraction)
            )
        bloc_points[bloc.pk] = (
            None
            if any(fraction is None for fraction in fractions.values())
            else cc.fraction_to_decimal(sum(fractions.values(), Fraction(0)))
        )
    return CCSummary(bloc_points=bloc_points, module_points=module_points)


def bloc_cc_points(enrolment, bloc) -> Decimal | None:
    """Return the bloc's CC points, or None until every CC module of the bloc has a mark."""
    rule_marks = cc_rule_marks_by_enrolment([enrolment.pk]).get(enrolment.pk, {})
    structure = [(bloc, list(bloc.modules.filter(cc_points__gt=0)))]
    return cc_summary(rule_marks, structure).bloc_points[bloc.pk]


def title_cc_structure(title) -> list[tuple]:
    """Return the title's blocs in order, each with its CC modules in order (two queries)."""
    blocs = title.blocs.order_by("number").prefetch_related(
        Prefetch(
            "modules",
            queryset=Module.objects.filter(cc_points__gt=0).order_by("order"),
            to_attr="cc_modules",
        )
    )
    return [(bloc, bloc.cc_modules) for bloc in blocs]


def cc_marks_for_candidate(enrolment) -> list[dict]:
    """Return the candidate's CC marks by module (disclosed as soon as entered)."""
    by_module = cc_records_by_enrolment([enrolment.pk]).get(enrolment.pk, {})
    structure = title_cc_structure(enrolment.cohort.title)
    summary = cc_summary({pk: _rule_marks(records) for pk, records in by_module.items()}, structure)
    return [
        {
            "bloc": bloc,
            "module": module,
            "marks": by_module.get(module.pk, []),
            "points": summary.module_points[module.pk],
        }
        for bloc, cc_modules in structure
        for module in cc_modules
    ]
