"""Continuous assessment (contrôle continu): marks per module, bloc CC points.

The arithmetic (scales, means, absences, scaling to the module's points) is the rules engine's
``cc_points``; this module only stores, checks who enters, and reads.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from audit import clock
from audit.trail import audit_record
from referentiel.models import Module
from rules import cc
from workflow.errors import WorkflowError
from workflow.marks.access import cc_may_enter
from workflow.models import CCMark


class CCMarkConflict(WorkflowError):
    """The mark changed since it was read: ``current`` is the mark now stored (None: removed)."""

    def __init__(self, current: CCMark | None) -> None:
        super().__init__(
            _("Quelqu'un a modifié cette note entre-temps : gardez sa valeur ou remplacez-la.")
        )
        self.current = current


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


# --- What follows a change ------------------------------------------------------------------
# The evaluation sits above the marks: what must follow a change of a candidate's CC in a bloc
# (a portfolio marked once, re-tested for double marking) registers here, from
# ``WorkflowConfig.ready``, as two callbacks run inside the transaction of the change: ``lock``
# before anything is written (the rows it will change are locked before the audit trail's lock,
# which every service takes last), ``follow`` once the marks are written.
_CC_CHANGE_HOOKS: list[tuple] = []


def cc_changed_register(*, lock, follow) -> None:
    """Call ``lock(enrolment_ids=, bloc=)`` before CC marks are written and
    ``follow(actor=, enrolment_ids=, bloc=)`` after they changed."""
    if (lock, follow) not in _CC_CHANGE_HOOKS:
        _CC_CHANGE_HOOKS.append((lock, follow))


def cc_changing(*, enrolment_ids, bloc) -> None:
    """Lock what a CC change of ``enrolment_ids`` in ``bloc`` may change; call first in the
    transaction (inside ``cc_changes_batched``, the batch locked them already)."""
    enrolment_ids = set(enrolment_ids)
    batch = getattr(_batch, "current", None)
    if batch is not None and batch["bloc"].pk == bloc.pk and enrolment_ids <= batch["locked"]:
        return
    for lock, _follow in _CC_CHANGE_HOOKS:
        if enrolment_ids:
            lock(enrolment_ids=enrolment_ids, bloc=bloc)


def cc_changed(*, actor, enrolment_ids, bloc) -> None:
    """Tell the registered hooks that the CC of ``enrolment_ids`` in ``bloc`` changed (once per
    change, for every candidate it touched: an import calls it once, a batch at its end)."""
    enrolment_ids = set(enrolment_ids)
    batch = getattr(_batch, "current", None)
    if batch is not None and batch["bloc"].pk == bloc.pk:
        batch["touched"] |= enrolment_ids
        return
    for _lock, follow in _CC_CHANGE_HOOKS:
        if enrolment_ids:
            follow(actor=actor, enrolment_ids=enrolment_ids, bloc=bloc)


_batch = threading.local()


@contextmanager
def cc_changes_batched(*, actor, enrolment_ids, bloc):
    """Write many CC marks of ``bloc`` for ``enrolment_ids`` in one transaction (the grid page's
    cells): their rows are locked once, first, and what follows a change runs once at the end
    for every candidate touched, not once per mark. Each mark written inside keeps its own
    savepoint: a refused one leaves the others."""
    if getattr(_batch, "current", None) is not None:
        raise RuntimeError("CC batches do not nest")
    with transaction.atomic():
        cc_changing(enrolment_ids=enrolment_ids, bloc=bloc)
        batch = {"bloc": bloc, "locked": set(enrolment_ids), "touched": set()}
        _batch.current = batch
        try:
            yield
        finally:
            _batch.current = None
        cc_changed(actor=actor, enrolment_ids=batch["touched"], bloc=bloc)


def _check_trainer(actor, module, cohort) -> None:
    if not cc_may_enter(actor, module=module, cohort=cohort):
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
    expected_version: int | None = None,
) -> CCMark:
    """Enter or correct one CC evaluation of a module for a candidate.

    ``expected_version``: the version the mark was read at (0: no mark yet); a mark changed
    since raises ``CCMarkConflict`` and nothing is written. None: no check.
    """
    _check_trainer(actor, module, enrolment.cohort)
    if module.bloc.title_id != enrolment.cohort.title_id:
        raise WorkflowError(_("Ce module n'appartient pas au titre préparé."))
    error = _mark_error(mark, out_of, absence)
    if error:
        raise WorkflowError(_("Note refusée : %(error)s.") % {"error": error})
    with transaction.atomic():
        cc_changing(enrolment_ids=[enrolment.pk], bloc=module.bloc)
        changed, record, before = _upsert(
            actor=actor,
            enrolment=enrolment,
            module=module,
            label=label.strip() or "1",
            mark=mark,
            out_of=out_of,
            absence=absence,
            expected_version=expected_version,
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
            cc_changed(actor=actor, enrolment_ids=[enrolment.pk], bloc=module.bloc)
    return record


def _as_dict(record: CCMark) -> dict:
    return {
        "mark": None if record.mark is None else str(record.mark),
        "out_of": record.out_of,
        "absence": record.absence,
    }


def _upsert(*, actor, enrolment, module, label, mark, out_of, absence, expected_version=None):
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
        if expected_version:
            raise CCMarkConflict(None)  # removed since it was read: the insert is rolled back
        return True, record, None
    if expected_version is not None and record.version != expected_version:
        raise CCMarkConflict(record)
    before = _as_dict(record)
    same_mark = (record.mark is None and mark is None) or (
        record.mark is not None and mark is not None and record.mark == Decimal(mark)
    )
    if same_mark and record.out_of == out_of and record.absence == absence:
        return False, record, before
    record.mark, record.out_of, record.absence = mark, out_of, absence
    record.entered_by, record.entered_at = actor, clock.now()
    record.version += 1
    record.save()
    return True, record, before


def cc_mark_remove(*, actor, enrolment, module, label: str, expected_version: int | None = None):
    """Remove one CC evaluation of a candidate (a mark entered in the wrong row or column).

    ``expected_version`` as for ``cc_mark_enter``; removing a missing mark does nothing.
    """
    _check_trainer(actor, module, enrolment.cohort)
    with transaction.atomic():
        cc_changing(enrolment_ids=[enrolment.pk], bloc=module.bloc)
        record = (
            CCMark.objects.select_for_update()
            .filter(enrolment=enrolment, module=module, label=label.strip() or "1")
            .first()
        )
        if record is None:
            if expected_version:
                raise CCMarkConflict(None)
            return
        if expected_version is not None and record.version != expected_version:
            raise CCMarkConflict(record)
        before = _as_dict(record)
        record.delete()
        audit_record(
            actor=actor,
            action="cc_mark.remove",
            obj=module,
            candidate=enrolment.candidate,
            before={**before, "label": label},
        )
        cc_changed(actor=actor, enrolment_ids=[enrolment.pk], bloc=module.bloc)


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
