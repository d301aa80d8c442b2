"""Import a module's CC marks for a cohort from CSV or XLSX: preview every change, then write
them all or none on confirmation.

``cc_import_preview`` reads the file (``accounts.tabular``) and compares each line with the
marks stored: new, changed (old → new), unchanged, or an error by line and column. Its
``entries`` (plain data: what to write and the version of each mark it was compared with) travel
to ``cc_import_apply``, which refuses them whole if any of those marks changed in between.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.fields import format_decimal, parse_decimal
from accounts.models import Enrolment
from accounts.tabular import TableError, cell_text, read_table
from audit.trail import audit_record
from rules.cc import CC_SCALES
from workflow.errors import WorkflowError
from workflow.marks.cc import (
    ABSENCE_WORDS,
    _check_trainer,
    _mark_error,
    _upsert,
    cc_changed,
    cc_changing,
)
from workflow.marks.cc_grid import MAX_LABEL
from workflow.models import CCMark

REQUIRED_COLUMNS = ("email", "note", "sur")
OPTIONAL_COLUMNS = ("absence", "evaluation")
COLUMN_ALIASES = {"e-mail": "email", "courriel": "email", "évaluation": "evaluation"}
MAX_ROWS = 2000
NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"


@dataclass(frozen=True)
class CCImportError:
    line: int
    column: str
    message: str


@dataclass
class CCImportChange:
    """One line of the file against the stored mark (``old`` and ``new`` as shown)."""

    line: int
    enrolment: Enrolment
    label: str
    kind: str
    old: str
    new: str
    entry: dict


@dataclass
class CCImportPreview:
    changes: list[CCImportChange] = field(default_factory=list)
    errors: list[CCImportError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, kind: str) -> int:
        return sum(1 for change in self.changes if change.kind == kind)

    @property
    def writes_anything(self) -> bool:
        return any(change.kind != UNCHANGED for change in self.changes)

    @property
    def entries(self) -> list[dict]:
        return [change.entry for change in self.changes]


def mark_text(mark, out_of, absence) -> str:
    """Return a CC mark as shown: « 14,5 / 20 », « AI », « AJ »."""
    if absence == CCMark.Absence.UNJUSTIFIED:
        return "AI"
    if absence == CCMark.Absence.JUSTIFIED:
        return "AJ"
    return f"{format_decimal(mark)} / {out_of}"


def _header(cells, preview: CCImportPreview) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    unknown = []
    for index, cell in enumerate(cells):
        name = cell_text(cell).lower()
        name = COLUMN_ALIASES.get(name, name)
        if name in REQUIRED_COLUMNS + OPTIONAL_COLUMNS:
            columns.setdefault(name, index)
        elif name:
            unknown.append(name)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    for name in missing:
        preview.errors.append(
            CCImportError(
                1,
                name,
                _("Colonne « %(c)s » absente de l'en-tête (attendu : email;note;sur;absence).")
                % {"c": name},
            )
        )
    for name in unknown:
        preview.errors.append(
            CCImportError(
                1,
                name,
                _("Colonne « %(c)s » inconnue : gardez email, note, sur, absence, evaluation.")
                % {"c": name},
            )
        )
    return None if preview.errors else columns


def cc_import_preview(*, actor, module, cohort, content: bytes, filename: str = ""):
    """Return what importing the file would change, line by line, and every error; write
    nothing."""
    _check_trainer(actor, module, cohort)
    preview = CCImportPreview()
    try:
        table = read_table(content, filename, max_rows=MAX_ROWS)
    except TableError as error:
        preview.errors.append(CCImportError(error.line, "", error.message))
        return preview
    header, *lines = table.rows
    columns = _header(header.cells, preview)
    if columns is None:
        return preview
    if not lines:
        preview.errors.append(CCImportError(2, "", _("Le fichier ne contient aucune note.")))
        return preview
    enrolments = {
        e.candidate.email.lower(): e
        for e in Enrolment.objects.filter(cohort=cohort).select_related("candidate")
    }
    stored = {
        (m.enrolment_id, m.label): m
        for m in CCMark.objects.filter(module=module, enrolment__cohort=cohort)
    }
    seen: dict[tuple[int, str], int] = {}
    for row in lines:
        values = {
            name: cell_text(row.cells[index]) if index < len(row.cells) else ""
            for name, index in columns.items()
        }
        change = _line(row.line, values, enrolments, stored, seen, cohort, preview)
        if change is not None:
            preview.changes.append(change)
    return preview


def _line(line, values, enrolments, stored, seen, cohort, preview):
    errors_before = len(preview.errors)

    def error(column: str, message: str) -> None:
        preview.errors.append(CCImportError(line, column, message))

    email = values["email"].lower()
    enrolment = enrolments.get(email)
    if not email:
        error("email", _("Adresse e-mail manquante : indiquez celle du candidat."))
    elif enrolment is None:
        error(
            "email",
            _("%(email)s n'est pas inscrit dans la promotion %(cohort)s : vérifiez l'adresse.")
            % {"email": email, "cohort": cohort},
        )
    absence = ABSENCE_WORDS.get(values.get("absence", "").lower())
    if absence is None:
        error(
            "absence",
            _("Absence « %(a)s » inconnue : laissez vide, ou écrivez AI ou AJ.")
            % {"a": values.get("absence")},
        )
    try:
        out_of = int(values["sur"])
    except ValueError:
        out_of = None
    if out_of not in CC_SCALES:
        error("sur", _("Barème « %(s)s » invalide : écrivez 10, 20 ou 30.") % {"s": values["sur"]})
    try:
        mark = parse_decimal(values["note"])
    except ValueError:
        mark = None
        error(
            "note",
            _("Note « %(n)s » illisible : écrivez un nombre, avec une virgule : 11,5.")
            % {"n": values["note"]},
        )
    if len(preview.errors) == errors_before:
        problem = _mark_error(mark, out_of, absence)
        if problem:
            error("note", _("Note refusée : %(e)s.") % {"e": problem})
    label = values.get("evaluation") or "1"
    if len(label) > MAX_LABEL:
        error(
            "evaluation",
            _("Nom d'évaluation trop long : %(n)d caractères au plus.") % {"n": MAX_LABEL},
        )
    if enrolment is not None:
        first = seen.setdefault((enrolment.pk, label), line)
        if first != line:
            error(
                "email",
                _("Déjà présent ligne %(line)d pour l'évaluation « %(label)s » : gardez une ligne.")
                % {"line": first, "label": label},
            )
    if len(preview.errors) > errors_before:
        return None
    record = stored.get((enrolment.pk, label))
    new = mark_text(mark, out_of, absence)
    if record is None:
        kind, old = NEW, ""
    else:
        old = mark_text(record.mark, record.out_of, record.absence)
        same = (record.mark, record.out_of, record.absence) == (mark, out_of, absence)
        kind = UNCHANGED if same else CHANGED
    entry = {
        "enrolment": enrolment.pk,
        "label": label,
        "mark": None if mark is None else str(mark),
        "out_of": out_of,
        "absence": absence,
        "version": record.version if record else 0,
    }
    return CCImportChange(line, enrolment, label, kind, old, new, entry)


def cc_import_apply(*, actor, module, cohort, entries: list[dict]) -> dict[str, int]:
    """Write the entries of a preview, all or none, and return the counts by kind.

    Raise ``WorkflowError`` (nothing written) when a mark changed since the preview or a
    candidate left the cohort.
    """
    _check_trainer(actor, module, cohort)
    counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
    stale = _(
        "Les notes ont changé depuis l'aperçu : déposez à nouveau le fichier pour voir les "
        "changements à jour."
    )
    with transaction.atomic():
        enrolments = Enrolment.objects.filter(cohort=cohort).select_related("candidate")
        enrolments = {e.pk: e for e in enrolments.filter(pk__in={e["enrolment"] for e in entries})}
        cc_changing(enrolment_ids=list(enrolments), bloc=module.bloc)
        locked = {
            (m.enrolment_id, m.label): m.version
            for m in CCMark.objects.select_for_update().filter(
                module=module, enrolment__in=list(enrolments)
            )
        }
        for entry in entries:
            enrolment = enrolments.get(entry["enrolment"])
            if (
                enrolment is None
                or locked.get((enrolment.pk, entry["label"]), 0) != entry["version"]
            ):
                raise WorkflowError(stale)
        touched = set()
        for entry in entries:
            mark = None if entry["mark"] is None else Decimal(entry["mark"])
            changed, _record, before = _upsert(
                actor=actor,
                enrolment=enrolments[entry["enrolment"]],
                module=module,
                label=entry["label"],
                mark=mark,
                out_of=entry["out_of"],
                absence=entry["absence"],
                expected_version=entry["version"],
            )
            counts[UNCHANGED if not changed else CHANGED if before else NEW] += 1
            if changed:
                touched.add(entry["enrolment"])
        if counts[NEW] or counts[CHANGED]:
            audit_record(
                actor=actor,
                action="cc_mark.import",
                obj=module,
                after={
                    "cohort": cohort.pk,
                    "created": counts[NEW],
                    "updated": counts[CHANGED],
                    "unchanged": counts[UNCHANGED],
                },
            )
        cc_changed(actor=actor, enrolment_ids=touched, bloc=module.bloc)
    return counts
