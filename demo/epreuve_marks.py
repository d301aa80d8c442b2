"""The épreuves route in the demo: each apprentice's bloc marks come from per-épreuve marks.

Independent examiners from the national pool mark every épreuve of a bloc on its grid; the
bloc's épreuves mark is their sum (``workflow.evaluation.epreuve_marks``). The apprentices
waiting for a session have their bloc 1 in progress: the report marked, one case study in
draft, the other assigned, so that the examiner's and the staff's screens show every state.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

from accounts.models import Cohort, Enrolment, Role, User
from demo.common import DOMAIN
from workflow.evaluation.epreuve_marks import (
    epreuve_examiner_assign,
    epreuve_mark_save,
    epreuve_mark_submit,
)
from workflow.evaluation.independence import independence_problems
from workflow.models import EpreuveMark

CENT = Decimal("0.01")
COMMENT = "Copie claire et structurée ; quelques imprécisions relevées sur la grille."


def _examiners() -> list[User]:
    return list(
        User.objects.with_role(Role.EVALUATEUR)
        .filter(email__endswith=f"@{DOMAIN}")
        .distinct()
        .order_by("email")
    )


def examiner_for(enrolment, examiners: list[User], turn: int = 0) -> User:
    """Return an examiner independent of ``enrolment``'s candidate, taking turns."""
    fit = [e for e in examiners if not independence_problems(e, enrolment)]
    return fit[turn % len(fit)]


def _spread(criteria, points: Decimal, out_of: Decimal) -> dict:
    """Return each criterion's share of ``points`` (out of ``out_of``), to the hundredth, the
    rounding's remainder given to the criteria with room, so that they sum to ``points``."""
    spread = {
        c.pk: (c.max_points * points / out_of).quantize(CENT, rounding=ROUND_DOWN) for c in criteria
    }
    remainder = points - sum(spread.values())
    for c in criteria:
        room = min(c.max_points - spread[c.pk], remainder)
        spread[c.pk] += room
        remainder -= room
    return spread


def bloc_marked(*, enrolment: Enrolment, bloc, points: Decimal, staff, turn: int = 0) -> None:
    """Have every épreuve of ``bloc`` marked so that their sum is ``points``: the last
    submission writes the bloc's épreuves mark."""
    examiners = _examiners()
    marks = [
        epreuve_examiner_assign(
            actor=staff,
            enrolment=enrolment,
            epreuve=epreuve,
            examiner=examiner_for(enrolment, examiners, turn + index),
        )
        for index, epreuve in enumerate(bloc.epreuves.order_by("order"))
    ]
    criteria = [c for mark in marks for c in mark.grid_version.criteria.order_by("order")]
    spread = _spread(criteria, Decimal(points), Decimal(bloc.exam_points))
    for mark in marks:
        own = {c.pk: spread[c.pk] for c in mark.grid_version.criteria.all()}
        epreuve_mark_save(actor=mark.examiner, mark=mark, points=own, comment=COMMENT)
        epreuve_mark_submit(actor=mark.examiner, mark=mark)


def bloc_1_in_progress(cohort: Cohort, staff) -> None:
    """Bloc 1 of the apprentices not yet before a jury: report marked, a case study in draft,
    the other assigned. Done once (skipped when any of their marks exists)."""
    waiting = list(
        cohort.enrolments.filter(route=Enrolment.Route.EPREUVES, jury_entries__isnull=True)
        .select_related("candidate", "cohort__title")
        .order_by("pk")
    )
    if not waiting or EpreuveMark.objects.filter(enrolment__in=waiting).exists():
        return
    examiners = _examiners()
    bloc = cohort.title.blocs.get(number=1)
    report, first_case, second_case = bloc.epreuves.order_by("order")
    for turn, enrolment in enumerate(waiting):
        examiner = examiner_for(enrolment, examiners, turn)
        marks = [
            epreuve_examiner_assign(
                actor=staff, enrolment=enrolment, epreuve=epreuve, examiner=examiner
            )
            for epreuve in (report, first_case, second_case)
        ]
        share = Decimal(55 + 5 * (turn % 6)) / 100
        for mark in marks[:2]:
            criteria = list(mark.grid_version.criteria.order_by("order"))
            target = (mark.epreuve.points * share).quantize(CENT)
            points = _spread(criteria, target, Decimal(mark.epreuve.points))
            if mark is marks[1]:  # the draft: the first criteria only
                points = dict(list(points.items())[: max(1, len(points) // 2)])
            epreuve_mark_save(actor=examiner, mark=mark, points=points, comment=COMMENT)
        epreuve_mark_submit(actor=examiner, mark=marks[0])
