"""The company tutor's evaluation on the 50-point grid (issue 5 item 5).

Inviting a tutor and reopening their evaluation are evaluation duties on the candidate's
establishment; the tutor fills only their own candidates' grids.
"""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from audit import clock
from audit.notifications import notify
from audit.trail import audit_record
from referentiel.models import Grid
from referentiel.services import grid_version_freeze
from workflow.errors import WorkflowError
from workflow.grids import FIELD_CHANGED, FieldConflict, grid_points, plain_number, same_value
from workflow.marks.access import is_tutor_of
from workflow.models import TutorEvaluation, TutorScore
from workflow.transitions import fire_all

EDITABLE = (TutorEvaluation.State.INVITED, TutorEvaluation.State.IN_PROGRESS)


def tutor_grid_version(title):
    """Return the current version of the title's tutor grid."""
    grid = Grid.objects.get(title=title, kind=Grid.Kind.TUTOR, bloc=None, epreuve=None)
    return grid.current_version()


def tutor_evaluation_invite(*, actor, enrolment, attempt: int = 1) -> TutorEvaluation:
    """Invite the enrolment's tutor to fill the grid; pin the grid version used."""
    if not staff_may(actor, enrolment, Duty.EVALUATION):
        raise WorkflowError(_("Seul le personnel du centre invite les tuteurs."))
    if enrolment.tutor_id is None:
        raise WorkflowError(_("Aucun tuteur n'est renseigné pour cette inscription."))
    with transaction.atomic():
        version = tutor_grid_version(enrolment.cohort.title)
        # Simultaneous invitations meet on the unique key (enrolment, attempt): the losers'
        # inserts fail in get_or_create's savepoint and they return the winner's invitation.
        evaluation, created = TutorEvaluation.objects.select_for_update().get_or_create(
            enrolment=enrolment,
            attempt=attempt,
            defaults={"tutor": enrolment.tutor, "grid_version": version, "invited_at": clock.now()},
        )
        if not created:
            return evaluation
        grid_version_freeze(version=version)
        audit_record(
            actor=actor,
            action="tutor_evaluation.invite",
            obj=evaluation,
            candidate=enrolment.candidate,
            after={"state": evaluation.state, "grid_version": version.pk},
        )
        notify(
            key=f"tutor_invitation:{evaluation.pk}",
            recipient=enrolment.tutor,
            template="tutor_invitation",
            context={"candidate": str(enrolment.candidate), "cohort": str(enrolment.cohort)},
        )
    return evaluation


def _locked(evaluation) -> TutorEvaluation:
    return TutorEvaluation.objects.select_for_update().get(pk=evaluation.pk)


def tutor_evaluation_save(
    *, actor, evaluation, points: dict, comment: str | None = None, expected: dict | None = None
) -> TutorEvaluation:
    """Save the tutor's draft: points per criterion id and the comment.

    A criterion left out keeps its mark and a None comment keeps the comment; a criterion given
    as None or blank is cleared. ``expected`` maps a field name (``c<id>``, ``comment``) to the
    value the page last saw: when the saved one differs (another window saved it since), nothing
    is saved and the error says to reload.
    """
    with transaction.atomic():
        evaluation = _locked(evaluation)
        if not is_tutor_of(actor, evaluation.enrolment) or evaluation.tutor_id != actor.pk:
            raise WorkflowError(_("Seul le tuteur de ce candidat peut saisir cette évaluation."))
        if evaluation.state not in EDITABLE:
            raise WorkflowError(
                _("Cette évaluation est %(state)s : elle ne peut plus être modifiée.")
                % {"state": evaluation.get_state_display().lower()}
            )
        saved = tutor_field_values(evaluation)
        for name, value in (expected or {}).items():
            if value is not None and not same_value(
                saved.get(name, ""), value, number=name != "comment"
            ):
                raise FieldConflict(FIELD_CHANGED, field_errors={name: [FIELD_CHANGED]})
        parsed = grid_points(evaluation.grid_version, points, complete=False)
        cleared = [pk for pk, value in points.items() if value is None or value == ""]
        before = evaluation.state
        if evaluation.state == TutorEvaluation.State.INVITED:
            evaluation.start()
        for criterion_id, value in parsed.items():
            TutorScore.objects.update_or_create(
                evaluation=evaluation, criterion_id=criterion_id, defaults={"points": value}
            )
        if cleared:
            evaluation.scores.filter(criterion_id__in=[int(pk) for pk in cleared]).delete()
        if comment is not None:
            evaluation.comment = comment
        evaluation.save()
        audit_record(
            actor=actor,
            action="tutor_evaluation.save",
            obj=evaluation,
            candidate=evaluation.enrolment.candidate,
            before={"state": before},
            after={
                "state": evaluation.state,
                "points": {str(k): str(v) for k, v in parsed.items()},
                **({"cleared": [str(pk) for pk in cleared]} if cleared else {}),
            },
        )
    return evaluation


def tutor_field_values(evaluation) -> dict[str, str]:
    """Return the saved value of each field of the tutor's grid (``c<criterion id>``,
    ``comment``), as the page keeps them to detect another window's save."""
    values = {f"c{s.criterion_id}": plain_number(s.points) for s in evaluation.scores.all()}
    values["comment"] = evaluation.comment
    return values


def tutor_saved_total(evaluation) -> Decimal:
    """Return the total of the marks saved so far on the tutor's grid (out of its points)."""
    return sum((s.points for s in evaluation.scores.all()), Decimal(0))


def tutor_evaluation_submit(*, actor, evaluation) -> TutorEvaluation:
    """Submit the tutor's grid: every criterion marked; the total is recorded as given."""
    with transaction.atomic():
        evaluation = _locked(evaluation)
        if not is_tutor_of(actor, evaluation.enrolment) or evaluation.tutor_id != actor.pk:
            raise WorkflowError(_("Seul le tuteur de ce candidat peut remettre cette évaluation."))
        if evaluation.state != TutorEvaluation.State.IN_PROGRESS:
            raise WorkflowError(
                _("Cette évaluation est %(state)s : elle ne peut pas être remise.")
                % {"state": evaluation.get_state_display().lower()}
            )
        scores = {s.criterion_id: s.points for s in evaluation.scores.all()}
        missing = [c.label for c in evaluation.grid_version.criteria.all() if c.pk not in scores]
        if missing:
            raise WorkflowError(
                _("Critères non notés : %(labels)s.") % {"labels": " ; ".join(missing)}
            )
        evaluation.total = sum(scores.values(), Decimal(0))
        evaluation.submit()
        evaluation.submitted_at = clock.now()
        evaluation.save()
        audit_record(
            actor=actor,
            action="tutor_evaluation.submit",
            obj=evaluation,
            candidate=evaluation.enrolment.candidate,
            before={"state": TutorEvaluation.State.IN_PROGRESS},
            after={"state": evaluation.state, "total": str(evaluation.total)},
        )
    return evaluation


def tutor_evaluation_reopen(*, actor, evaluation, reason: str) -> TutorEvaluation:
    """Give a submitted evaluation back to the tutor (staff, with a reason), before the jury."""
    if not staff_may(actor, evaluation, Duty.EVALUATION):
        raise WorkflowError(_("Seul le personnel du centre peut rouvrir une évaluation."))
    if not reason.strip():
        raise WorkflowError(_("Indiquez le motif de la réouverture."))
    with transaction.atomic():
        evaluation = _locked(evaluation)
        if evaluation.state != TutorEvaluation.State.SUBMITTED:
            raise WorkflowError(
                _("Seule une évaluation remise et non verrouillée peut être rouverte.")
            )
        evaluation.reopen()
        evaluation.total = None
        evaluation.save()
        audit_record(
            actor=actor,
            action="tutor_evaluation.reopen",
            obj=evaluation,
            candidate=evaluation.enrolment.candidate,
            before={"state": TutorEvaluation.State.SUBMITTED},
            after={"state": evaluation.state},
            reason=reason,
        )
    return evaluation


def tutor_evaluations_lock(*, actor, enrolments, session) -> int:
    """Lock the submitted tutor evaluations of these enrolments: the jury sits. Return a count.

    Called from inside the jury service's transaction; the evaluations go through their
    transition under a row lock, then one update and one chained audit insert.
    """
    evaluations = list(
        TutorEvaluation.objects.select_for_update()
        .filter(enrolment__in=enrolments, state=TutorEvaluation.State.SUBMITTED)
        .select_related("enrolment__candidate")
        .order_by("pk")
    )
    now = clock.now()
    for evaluation in evaluations:
        evaluation.locked_at = now
    # A locked evaluation's mark counts as the submitted one did: no stored result goes stale.
    fire_all(
        evaluations,
        "lock",
        actor=actor,
        action="tutor_evaluation.lock",
        fields=("state", "locked_at"),
        reason=str(session),
    )
    return len(evaluations)


# --- Reads -------------------------------------------------------------------------------


def tutor_evaluations_for(user):
    """Return the evaluations ``user`` must fill: only their own candidates."""
    return (
        TutorEvaluation.objects.filter(tutor=user, enrolment__tutor=user)
        .select_related("enrolment__candidate", "enrolment__cohort", "grid_version__grid")
        .order_by("state", "enrolment__candidate__last_name", "pk")
    )


def tutor_marks(enrolments) -> dict[int, Decimal | None]:
    """Return the tutor's mark of ``enrolments`` (ids or a queryset of ids) as given (before any
    penalty), kept across retakes: that of the latest submitted or locked attempt (one query)."""
    marks: dict[int, Decimal | None] = {}
    evaluations = TutorEvaluation.objects.filter(
        enrolment__in=enrolments,
        state__in=[TutorEvaluation.State.SUBMITTED, TutorEvaluation.State.LOCKED],
    ).order_by("enrolment_id", "-attempt")
    for enrolment_id, total in evaluations.values_list("enrolment_id", "total"):
        marks.setdefault(enrolment_id, total)
    return marks


def tutor_mark(enrolment) -> Decimal | None:
    """Return the tutor's mark as given (before any penalty), kept across retakes, or None."""
    return tutor_marks([enrolment.pk]).get(enrolment.pk)
