"""The evaluator's draft: saving the grid as a whole (the form) or one field at a time (the
grid's autosave), never losing a valid value to an invalid neighbour, and refusing to overwrite
a field that another window saved since the page was loaded."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from portfolio.models import EvidenceItem, Portfolio
from workflow.errors import WorkflowError
from workflow.evaluation import policy
from workflow.grids import FIELD_CHANGED, FieldConflict, criterion_points, plain_number, same_value
from workflow.models import Assignment, Scoring
from workflow.transitions import lock, save

SCORING_CLOSED = _(
    "Cette notation n'est plus modifiable (remise, ou affectation retirée) : rechargez la page."
)


def _evidence_ids(target) -> set[int]:
    if isinstance(target, Portfolio):
        return set(EvidenceItem.objects.filter(portfolio=target).values_list("pk", flat=True))
    return set()


def scoring_save(
    *, scoring: Scoring, actor, scores: dict, overall_comment: str | None = None
) -> Scoring:
    """Save the evaluator's draft; ``scores`` maps a criterion id to what changes in it.

    Each value is a dict with any of ``points`` (Decimal, text or None), ``comment`` and
    ``evidence`` (evidence item ids); a criterion or a key left out keeps its saved value, and
    so does the overall comment when None. Points must lie within the criterion's bounds;
    blanks are allowed in a draft. One invalid value refuses the whole call: the form leaves
    out the fields in error (``ScoringForm.scores``) so that a draft keeps every valid value.
    """
    return _scoring_update(
        scoring=scoring, actor=actor, scores=scores, overall_comment=overall_comment
    )


def scoring_field_save(*, scoring: Scoring, actor, field: str, value, expected) -> Scoring:
    """Save one field of the draft (the grid's autosave): ``points_<id>``, ``comment_<id>``,
    ``evidence_<id>`` or ``overall_comment``.

    ``expected`` is the value the page last saw; when the saved one differs (another tab saved
    it since), nothing is saved and the error says to reload.
    """
    kind, _sep, key = field.rpartition("_") if field != "overall_comment" else ("", "", "")
    if field == "overall_comment":
        return _scoring_update(
            scoring=scoring,
            actor=actor,
            scores={},
            overall_comment=value,
            expected={field: expected},
        )
    if kind not in {"points", "comment", "evidence"} or not key.isdigit():
        raise WorkflowError(_("Champ inconnu dans cette grille : rechargez la page."))
    return _scoring_update(
        scoring=scoring,
        actor=actor,
        scores={int(key): {kind: value}},
        overall_comment=None,
        expected={field: expected},
    )


def saved_value(scoring_or_row, field: str) -> str:
    """Return the saved value of a grid field as the page compares it (autosave conflicts)."""
    if field == "overall_comment":
        return scoring_or_row.overall_comment
    kind = field.rpartition("_")[0]
    if kind == "points":
        return plain_number(scoring_or_row.points)
    if kind == "comment":
        return scoring_or_row.comment
    return ",".join(str(pk) for pk in sorted(scoring_or_row.evidence_ids))


def field_values(scoring: Scoring) -> dict[str, str]:
    """Return every field's saved value, as the page keeps it to detect another window's save."""
    values = {"overall_comment": scoring.overall_comment}
    for row in scoring.scores.prefetch_related("evidence"):
        row.evidence_ids = {item.pk for item in row.evidence.all()}
        for kind in ("points", "comment", "evidence"):
            name = f"{kind}_{row.criterion_id}"
            values[name] = saved_value(row, name)
    return values


def field_value(scoring: Scoring, field: str) -> str:
    """Return the saved value of one field of ``scoring`` (see ``field_values``)."""
    return field_values(scoring).get(field, "")


def _same(saved: str, expected, field: str) -> bool:
    if expected is None:
        return True
    if field.startswith("evidence_"):
        tokens = [pk.strip() for pk in str(expected).split(",") if pk.strip()]
        # Not ids (« ² » passes isdigit(), int() refuses 4300 digits): not what the page saw.
        if not all(t.isascii() and t.isdigit() and len(t) <= 18 for t in tokens):
            return False
        ids = sorted(int(token) for token in tokens)
        return saved == ",".join(str(pk) for pk in ids)
    return same_value(saved, expected, number=field.startswith("points_"))


def _scoring_update(*, scoring, actor, scores, overall_comment, expected=None) -> Scoring:
    if not policy.is_own_assignment(actor, scoring.assignment):
        raise WorkflowError(_("Cette notation n'est pas la vôtre."))
    with transaction.atomic():
        assignment = lock(Assignment, scoring.assignment_id)
        scoring = lock(Scoring, scoring.pk)
        if assignment.state != Assignment.State.ACCEPTED or scoring.state != Scoring.State.DRAFT:
            raise WorkflowError(SCORING_CLOSED)
        allowed_evidence = _evidence_ids(assignment.target)
        errors = {}
        rows = list(
            scoring.scores.select_related("criterion")
            .prefetch_related("evidence")
            .order_by("criterion__order", "pk")
        )
        known = {row.criterion_id for row in rows}
        if {int(k) for k in scores} - known:
            raise WorkflowError(_("Critère inconnu pour cette grille : rechargez la page."))
        changed = []
        for row in rows:
            row.evidence_ids = {item.pk for item in row.evidence.all()}
            data = scores.get(row.criterion_id, scores.get(str(row.criterion_id)))
            if data is None:
                continue
            for name, expect in (expected or {}).items():
                if name.endswith(f"_{row.criterion_id}") and not _same(
                    saved_value(row, name), expect, name
                ):
                    raise FieldConflict(FIELD_CHANGED, field_errors={name: [FIELD_CHANGED]})
            if "points" in data:
                try:
                    row.points = criterion_points(data["points"], row.criterion)
                except ValueError as exc:
                    errors[f"points_{row.criterion_id}"] = [str(exc)]
            if "comment" in data:
                row.comment = (data["comment"] or "").strip()
            if "evidence" in data:
                evidence = {int(pk) for pk in data["evidence"] or []}
                if evidence - allowed_evidence:
                    errors[f"evidence_{row.criterion_id}"] = [
                        _("Choisissez des preuves de ce portefeuille uniquement.")
                    ]
                row.evidence_ids = evidence & allowed_evidence
            changed.append((row, data))
        if errors:
            raise WorkflowError(
                _("Certaines notes ne sont pas valides : corrigez les champs signalés."),
                field_errors=errors,
            )
        if overall_comment is not None:
            expect = (expected or {}).get("overall_comment")
            if not _same(scoring.overall_comment, expect, "overall_comment"):
                raise FieldConflict(
                    FIELD_CHANGED, field_errors={"overall_comment": [FIELD_CHANGED]}
                )
            scoring.overall_comment = overall_comment.strip()
        for row, data in changed:
            row.save(update_fields=["points", "comment"])
            if "evidence" in data:
                row.evidence.set(row.evidence_ids)
        scoring.total = sum((r.points for r in rows if r.points is not None), Decimal(0))
        save(scoring)
    return scoring
