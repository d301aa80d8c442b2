"""Per-épreuve marks of the épreuves route: assignment, the examiner's grid, the bloc's sum.

The centre's staff assign each épreuve of a candidate to an examiner from the evaluators' pool,
independent of the candidate as a portfolio's evaluator must be (``independence``); the mark is
pinned to the épreuve grid's current version, frozen from then on. The examiner saves the grid
as a draft and submits it; staff may reopen a submitted mark with a reason (a correction).

The bloc's épreuves mark (``BlocExamMark``, read by the rules engine) is the sum of its
épreuves' marks: it is written when the last épreuve of the bloc is submitted for that attempt,
and written again when a corrected mark is submitted (both audited).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from accounts.models import Enrolment, Role
from audit import clock
from audit.trail import audit_record
from referentiel.models import Epreuve, Grid
from referentiel.services import grid_version_freeze
from workflow.admission import enrolled_bloc_ids
from workflow.errors import WorkflowError
from workflow.evaluation.independence import independence_problems
from workflow.grids import grid_points
from workflow.marks.exam_marks import bloc_exam_mark_write
from workflow.models import EpreuveMark, EpreuveScore, attendance_absent
from workflow.transitions import fire, lock, save

MARK_CLOSED = _(
    "Cette note d'épreuve est remise : elle ne se modifie plus (le centre peut la rouvrir)."
)


def may_manage(user, enrolment) -> bool:
    """Return True when ``user`` assigns and reopens the épreuve marks of ``enrolment``."""
    return staff_may(user, enrolment, Duty.EVALUATION)


def is_examiner(user, mark: EpreuveMark) -> bool:
    """Return True when ``user`` is the examiner assigned to ``mark``."""
    return (
        user.is_authenticated
        and user.is_active
        and user.has_role(Role.EVALUATEUR)
        and mark.examiner_id == user.pk
    )


def epreuve_grid_version(epreuve: Epreuve):
    """Return the current version of ``epreuve``'s grid; refuse when it has none."""
    grid = Grid.objects.filter(epreuve=epreuve, kind=Grid.Kind.EPREUVE).first()
    version = grid.current_version() if grid else None
    if version is None:
        raise WorkflowError(
            _("Aucune grille n'est définie pour l'épreuve %(code)s : contactez l'administrateur.")
            % {"code": epreuve.code}
        )
    return version


def epreuve_examiner_assign(
    *, actor, enrolment: Enrolment, epreuve: Epreuve, examiner, attempt: int = 1
) -> EpreuveMark:
    """Assign ``examiner`` to mark ``epreuve`` of ``enrolment`` (staff); return the mark.

    An examiner who trained, accompanied or tutored the candidate, works for their company or
    declared a conflict is refused with the reasons. A mark not yet submitted may change
    examiner: the former examiner's draft points are cleared.
    """
    if not may_manage(actor, enrolment):
        raise WorkflowError(_("Seul le personnel du centre affecte les correcteurs d'épreuves."))
    if enrolment.route != Enrolment.Route.EPREUVES:
        raise WorkflowError(
            _("Ce candidat passe par le portefeuille de preuves : il n'a pas d'épreuves.")
        )
    if epreuve.bloc_id is None or epreuve.title_id != enrolment.cohort.title_id:
        raise WorkflowError(_("Cette épreuve n'est pas une épreuve de bloc du titre du candidat."))
    if epreuve.bloc_id not in enrolled_bloc_ids(enrolment):
        raise WorkflowError(
            _(
                "Ce candidat n'est pas inscrit au bloc %(n)s : ajoutez le bloc à son admission "
                "avant de lui affecter un correcteur."
            )
            % {"n": epreuve.bloc.number}
        )
    problems = independence_problems(examiner, enrolment)
    if problems:
        raise WorkflowError(
            _("%(name)s ne peut pas corriger cette épreuve : %(reasons)s")
            % {"name": examiner, "reasons": " ".join(problems)},
            reasons=problems,
            field_errors={"examiner": problems},
        )
    version = epreuve_grid_version(epreuve)
    with transaction.atomic():
        # Simultaneous first assignments meet on the unique key: get_or_create's savepoint turns
        # the loser's failed insert into a read (and lock) of the winner's row.
        mark, created = EpreuveMark.objects.select_for_update().get_or_create(
            enrolment=enrolment,
            epreuve=epreuve,
            attempt=attempt,
            defaults={
                "examiner": examiner,
                "grid_version": version,
                "assigned_by": actor,
                "assigned_at": clock.now(),
            },
        )
        before = None
        if not created:
            if mark.state != EpreuveMark.State.DRAFT:
                raise WorkflowError(MARK_CLOSED)
            if mark.examiner_id == examiner.pk:
                return mark
            before = {"examiner": mark.examiner_id}
            mark.scores.all().delete()
            mark.examiner, mark.assigned_by, mark.assigned_at = examiner, actor, clock.now()
            save(mark)
        grid_version_freeze(version=mark.grid_version)
        audit_record(
            actor=actor,
            action="epreuve_mark.assign",
            obj=mark,
            candidate=enrolment.candidate,
            before=before,
            after={
                "examiner": examiner.pk,
                "epreuve": epreuve.code,
                "attempt": attempt,
                "grid_version": mark.grid_version_id,
            },
        )
    return mark


def epreuve_mark_save(*, actor, mark: EpreuveMark, points: dict, comment: str | None = None):
    """Save the examiner's draft: the marks given (blanks left out) and the comment."""
    if not is_examiner(actor, mark):
        raise WorkflowError(_("Cette épreuve ne vous est pas confiée."))
    with transaction.atomic():
        mark = lock(EpreuveMark, mark.pk)
        if mark.state != EpreuveMark.State.DRAFT:
            raise WorkflowError(MARK_CLOSED)
        parsed = grid_points(mark.grid_version, points, complete=False)
        for criterion_id, value in parsed.items():
            EpreuveScore.objects.update_or_create(
                mark=mark, criterion_id=criterion_id, defaults={"points": value}
            )
        if comment is not None:
            mark.comment = comment.strip()
            save(mark, update_fields=["comment"])
    return mark


def epreuve_mark_submit(*, actor, mark: EpreuveMark) -> EpreuveMark:
    """Submit the examiner's complete grid; write the bloc's sum if it was the last épreuve.

    Every mark of the bloc for the candidate and attempt is locked first, in one order, so that
    two examiners submitting the bloc's last two épreuves at once are serialised: the second
    sees the first one's submission and writes the sum.
    """
    if not is_examiner(actor, mark):
        raise WorkflowError(_("Cette épreuve ne vous est pas confiée."))
    with transaction.atomic():
        siblings = _lock_bloc_marks(mark)
        mark = siblings[mark.pk]
        if mark.state != EpreuveMark.State.DRAFT:
            raise WorkflowError(MARK_CLOSED)
        # The exam calendar's sittings are the first attempt's: an absence recorded there means
        # the candidate did not sit the épreuve, so no mark can say otherwise.
        if mark.attempt == 1 and attendance_absent(mark.enrolment, mark.epreuve):
            raise WorkflowError(
                _(
                    "Le candidat est noté absent à l'épreuve %(code)s sur la feuille "
                    "d'émargement : sa note ne se remet pas. Si c'est une erreur, le centre "
                    "corrige d'abord sa présence."
                )
                % {"code": mark.epreuve.code}
            )
        scores = {s.criterion_id: s.points for s in mark.scores.all()}
        grid_points(mark.grid_version, scores, complete=True)
        mark.total = sum(scores.values(), Decimal(0))
        fire(mark, "submit", message=MARK_CLOSED)
        mark.submitted_at = clock.now()
        save(mark)
        grid_version_freeze(version=mark.grid_version)
        audit_record(
            actor=actor,
            action="epreuve_mark.submit",
            obj=mark,
            candidate=mark.enrolment.candidate,
            before={"state": EpreuveMark.State.DRAFT},
            after={
                "state": mark.state,
                "epreuve": mark.epreuve.code,
                "total": str(mark.total),
                "out_of": mark.epreuve.points,
                "grid_version": mark.grid_version_id,
            },
        )
        bloc_sum_write(actor=actor, mark=mark, siblings=list(siblings.values()))
    return mark


def _lock_bloc_marks(mark: EpreuveMark) -> dict[int, EpreuveMark]:
    rows = (
        EpreuveMark.objects.select_for_update(of=("self",))
        .filter(
            enrolment_id=mark.enrolment_id,
            epreuve__bloc_id=mark.epreuve.bloc_id,
            attempt=mark.attempt,
        )
        .select_related("epreuve__bloc", "enrolment__candidate", "grid_version")
        .order_by("pk")
    )
    return {row.pk: row for row in rows}


def bloc_sum_write(*, actor, mark: EpreuveMark, siblings: list[EpreuveMark]) -> bool:
    """Write the bloc's épreuves mark as the sum of its épreuves' marks; return whether written.

    Nothing is written until every épreuve of the bloc has a submitted mark for the attempt.
    So a bloc recorded as not presented (an absence from the exam calendar) is never
    overwritten by a partial sum; it is overwritten, as presented, only once every épreuve of
    the bloc has been marked, since each submitted mark says the candidate sat that épreuve (a
    mark is not submitted for an épreuve where the candidate is recorded absent, and an absence
    is not recorded where a mark was submitted).
    """
    bloc = mark.epreuve.bloc
    codes = set(bloc.epreuves.values_list("pk", flat=True))
    submitted = {m.epreuve_id: m for m in siblings if m.state == EpreuveMark.State.SUBMITTED}
    if not codes or set(submitted) != codes:
        return False
    bloc_exam_mark_write(
        actor=actor,
        enrolment=mark.enrolment,
        bloc=bloc,
        points=sum((m.total for m in submitted.values()), Decimal(0)),
        presented=True,
        attempt=mark.attempt,
    )
    return True


def epreuve_mark_reopen(*, actor, mark: EpreuveMark, reason: str) -> EpreuveMark:
    """Reopen a submitted mark for correction (staff, with ``reason``).

    The bloc's épreuves mark keeps the former sum until the corrected mark is submitted, which
    writes the new sum (audited with its former value).
    """
    if not may_manage(actor, mark.enrolment):
        raise WorkflowError(_("Seul le personnel du centre rouvre une note d'épreuve."))
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(
            _("Indiquez pourquoi la note est rouverte."),
            field_errors={"reason": [_("Le motif est obligatoire.")]},
        )
    with transaction.atomic():
        mark = lock(EpreuveMark, mark.pk)
        before, after = fire(
            mark, "reopen", message=_("Cette note d'épreuve n'est pas remise : rien à rouvrir.")
        )
        mark.submitted_at = None
        save(mark)
        audit_record(
            actor=actor,
            action="epreuve_mark.reopen",
            obj=mark,
            candidate=mark.enrolment.candidate,
            before={"state": before, "total": str(mark.total)},
            after={"state": after, "epreuve": mark.epreuve.code},
            reason=reason,
        )
    return mark


def epreuve_mark_saved_total(mark: EpreuveMark) -> Decimal:
    return sum((s.points for s in mark.scores.all()), Decimal(0))
