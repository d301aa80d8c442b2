"""The CC grid of a module for a cohort: one row per candidate, one column per evaluation.

A cell holds what a trainer types: a mark on the column's scale (« 11,5 »), a mark on another
scale (« 24/30 »), « AI » (absence injustifiée), « AJ » (absence justifiée), or nothing. Each
cell carries the version of the mark it shows; ``cc_cell_save`` refuses to overwrite a mark
changed since (``CCMarkConflict``) and writes through ``cc_mark_enter`` / ``cc_mark_remove``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from django.utils.translation import gettext as _

from accounts.fields import format_decimal, parse_decimal
from rules import cc as cc_rules
from workflow.errors import WorkflowError
from workflow.marks.cc import _mark_error, cc_mark_enter, cc_mark_remove
from workflow.models import CCMark

DEFAULT_SCALE = 20
MAX_LABEL = 60
_WITH_SCALE = re.compile(r"^(.*?)\s*/\s*(\d{1,4})$")
_ABSENCES = {"AI": CCMark.Absence.UNJUSTIFIED, "AJ": CCMark.Absence.JUSTIFIED}


@dataclass(frozen=True)
class GridColumn:
    label: str
    out_of: int


@dataclass(frozen=True)
class GridCell:
    column: GridColumn
    text: str
    version: int

    @property
    def absent(self) -> bool:
        return self.text in _ABSENCES


def _label_key(label: str):
    # isascii(): « ² » is a digit for isdigit() but not for int().
    number = label.isascii() and label.isdigit()
    return (0, int(label), "") if number else (1, 0, label.lower())


def grid_columns(*, module, cohort, added=()) -> list[GridColumn]:
    """Return the module's evaluations entered for the cohort, in order, each with the scale
    most of its marks use (one query), then the ``added`` (label, scale) pairs not yet entered;
    a grid without any has one evaluation « 1 » on 20."""
    scales: dict[str, Counter] = {}
    rows = CCMark.objects.filter(module=module, enrolment__cohort=cohort).values_list(
        "label", "out_of"
    )
    for label, out_of in rows:
        scales.setdefault(label, Counter())[out_of] += 1
    columns = [
        GridColumn(label, scales[label].most_common(1)[0][0])
        for label in sorted(scales, key=_label_key)
    ] or [GridColumn("1", DEFAULT_SCALE)]
    for label, out_of in added:
        if all(column.label != label for column in columns):
            columns.append(GridColumn(label, out_of))
    return columns


def cell_text(record: CCMark | None, out_of: int) -> str:
    """Return a stored mark as a cell shows it: « 11,5 », « 24/30 » off the column's scale,
    « AI », « AJ », or empty."""
    if record is None:
        return ""
    if record.absence == CCMark.Absence.UNJUSTIFIED:
        return "AI"
    if record.absence == CCMark.Absence.JUSTIFIED:
        return "AJ"
    text = format_decimal(record.mark)
    return text if record.out_of == out_of else f"{text}/{record.out_of}"


def grid_rows(enrolments, *, module, columns) -> list[dict]:
    """Return the grid's rows for ``enrolments`` (a page of them), their marks read in one
    query."""
    enrolments = list(enrolments)
    records = {
        (m.enrolment_id, m.label): m
        for m in CCMark.objects.filter(module=module, enrolment__in=[e.pk for e in enrolments])
    }
    rows = []
    for enrolment in enrolments:
        cells = []
        for column in columns:
            record = records.get((enrolment.pk, column.label))
            cells.append(
                GridCell(column, cell_text(record, column.out_of), record.version if record else 0)
            )
        rows.append({"enrolment": enrolment, "cells": cells})
    return rows


def parse_cell(text: str, out_of: int):
    """Return (mark, scale, absence) for a cell's text, or None for an empty cell; raise
    ``ValueError`` with a French message saying what to type."""
    text = (text or "").strip()
    if not text:
        return None
    if text.upper() in _ABSENCES:
        return None, out_of, _ABSENCES[text.upper()]
    scaled = _WITH_SCALE.match(text)
    if scaled:
        text, out_of = scaled[1], int(scaled[2])
    try:
        mark = parse_decimal(text)
    except ValueError:
        mark = None
    if mark is None or not mark.is_finite():
        raise ValueError(
            _("« %(text)s » : saisissez une note (11,5), AI (absence injustifiée) ou AJ.")
            % {"text": text}
        )
    problem = _mark_error(mark, out_of, "")
    if problem:
        raise ValueError(
            _("« %(text)s » : %(problem)s.") % {"text": format_decimal(mark), "problem": problem}
        )
    return mark, out_of, ""


def cc_cell_save(*, actor, enrolment, module, column: GridColumn, text: str, version: int):
    """Save one cell of the grid; return the mark stored (None once emptied).

    Raise ``WorkflowError`` for a value to correct and ``CCMarkConflict`` when the mark changed
    since ``version`` was read; nothing is written then.
    """
    try:
        parsed = parse_cell(text, column.out_of)
    except ValueError as error:
        raise WorkflowError(str(error)) from None
    if parsed is None:
        cc_mark_remove(
            actor=actor,
            enrolment=enrolment,
            module=module,
            label=column.label,
            expected_version=version,
        )
        return None
    mark, out_of, absence = parsed
    return cc_mark_enter(
        actor=actor,
        enrolment=enrolment,
        module=module,
        label=column.label,
        mark=mark,
        out_of=out_of,
        absence=absence,
        expected_version=version,
    )


def column_from(label: str, scale) -> GridColumn:
    """Return the column named in a request; raise ``ValueError`` (French) for a bad one."""
    label = (label or "").strip()
    if not label or len(label) > MAX_LABEL:
        raise ValueError(
            _("Nom d'évaluation manquant ou trop long (%(n)d caractères au plus).")
            % {"n": MAX_LABEL}
        )
    try:
        out_of = int(scale)
    except (TypeError, ValueError):
        out_of = 0
    if out_of not in cc_rules.CC_SCALES:
        raise ValueError(_("Barème invalide : choisissez 10, 20 ou 30."))
    return GridColumn(label, out_of)
