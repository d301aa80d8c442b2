"""The mémoire's written mark is double-marked as a portfolio is: near the professional
practice's threshold or drawn in the sample, two marks within the gap averaged, beyond it
reconciled by the staff.

The written part is out of 125 and judged alone against 10/20 ± 1: the band is 56.25 (9/20) to
68.75 (11/20), both inclusive. The gap is 2 points on 20: 12.5 points on 125.
"""

from decimal import Decimal

import pytest
from django.urls import reverse

from audit.models import AuditEvent, Notification
from portfolio.models import Memoire
from tests.factories import MemoireFactory
from tests.workflow.helpers import assign_and_accept, refresh, score
from workflow.errors import WorkflowError
from workflow.evaluation.double_marking import sample_draw
from workflow.evaluation.scoring import memoire_reconcile
from workflow.marks.exam_marks import memoire_written_mark_enter
from workflow.marks.written import memoire_written_mark
from workflow.models import Reconciliation

pytestmark = pytest.mark.django_db
M = Memoire.State


@pytest.fixture
def memoire(db):
    return MemoireFactory(state=M.SUBMITTED)


@pytest.mark.parametrize(
    ("mark", "on_20"),
    [("56.25", "9"), ("56.24", None), ("62.5", "10"), ("68.75", "11"), ("68.76", None)],
)
def test_a_written_mark_near_10_on_20_asks_for_a_second_evaluation(
    memoire, staff, evaluator, mark, on_20
):
    score(assign_and_accept(memoire, evaluator, staff), Decimal(mark))
    memoire = refresh(memoire)
    event = AuditEvent.objects.get(action="memoire.mark_written")
    if on_20 is None:
        assert (memoire.state, memoire.agreed_mark) == (M.WRITTEN_MARKED, Decimal(mark))
        assert memoire_written_mark(memoire) == Decimal(mark)
        assert event.after["agreed_mark"] == mark
        assert not Notification.objects.filter(template="second_evaluation_required").exists()
        return
    assert (memoire.state, memoire.agreed_mark) == (M.SECOND_EVALUATION, None)
    assert memoire.double_marking_reason == (
        f"Note proche du seuil de la pratique professionnelle : {on_20}/20 (écrit seul)."
    )
    assert memoire_written_mark(memoire) is None  # nothing reaches the jury yet
    assert (event.after["state"], event.after["agreed_mark"]) == (M.SECOND_EVALUATION, None)
    mail = Notification.objects.get(template="second_evaluation_required")
    assert mail.recipient == staff
    assert mail.context["path"] == reverse("workflow:staff-assign-memoire", args=[memoire.pk])


def test_a_sampled_memoire_far_from_the_threshold_is_double_marked(
    memoire, staff, evaluator, settings
):
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 100
    score(assign_and_accept(memoire, evaluator, staff), Decimal(110))
    memoire = refresh(memoire)
    assert memoire.state == M.SECOND_EVALUATION
    assert memoire.double_marking_reason == "Tirage aléatoire de contrôle."


def test_the_memoires_draw_is_apart_from_the_portfolios_draw():
    draws = [(sample_draw(pk), sample_draw(pk, kind="memoire:")) for pk in range(1, 40)]
    assert all(draw == sample_draw(pk) for pk, (draw, _m) in enumerate(draws, start=1))
    assert sum(portfolio == memoire for portfolio, memoire in draws) < 3


def double_marked(memoire, staff, evaluator, second_evaluator, first_mark, second_mark):
    score(assign_and_accept(memoire, evaluator, staff), Decimal(first_mark))
    assert refresh(memoire).state == M.SECOND_EVALUATION
    with pytest.raises(WorkflowError, match="n'est pas indépendant"):
        assign_and_accept(refresh(memoire), evaluator, staff, rank=2)
    score(assign_and_accept(refresh(memoire), second_evaluator, staff, rank=2), second_mark)
    return refresh(memoire)


@pytest.mark.parametrize(
    ("first", "second", "mean"),
    [("60", "70", "65"), ("60", "72.5", "66.25"), ("60.25", "61.5", "60.875")],
)
def test_two_written_marks_within_the_gap_are_averaged_exactly(
    memoire, staff, evaluator, second_evaluator, first, second, mean
):
    memoire = double_marked(memoire, staff, evaluator, second_evaluator, first, Decimal(second))
    assert (memoire.state, memoire.agreed_mark) == (M.WRITTEN_MARKED, Decimal(mean))
    assert memoire_written_mark(memoire) == Decimal(mean)
    event = AuditEvent.objects.get(action="memoire.reconcile")
    assert (event.actor, event.after["method"]) == (None, Reconciliation.Method.MEAN)
    assert Decimal(event.after["agreed_mark"]) == Decimal(mean)
    assert not Reconciliation.objects.exists()  # the mémoire's record is its audit line


def test_beyond_the_gap_the_staff_reconcile_on_their_screen(
    client, memoire, staff, evaluator, second_evaluator
):
    memoire = double_marked(memoire, staff, evaluator, second_evaluator, "60", Decimal("72.51"))
    assert (memoire.state, memoire.agreed_mark) == (M.RECONCILIATION, None)
    assert memoire_written_mark(memoire) is None
    url = reverse("workflow:staff-reconcile-memoire", args=[memoire.pk])
    mail = Notification.objects.get(template="reconciliation_required")
    assert (mail.recipient, mail.context["path"]) == (staff, url)
    client.force_login(staff)
    listing = client.get(reverse("workflow:staff-memoires")).content.decode()
    assert f'href="{url}"' in listing
    page = client.get(url)
    assert page.status_code == 200 and "72,51" in page.content.decode()
    answer = client.post(
        url, {"method": "agreed", "agreed_mark": "66", "justification": "Relecture commune."}
    )
    assert answer.status_code == 302
    memoire = refresh(memoire)
    assert (memoire.state, memoire.agreed_mark) == (M.WRITTEN_MARKED, Decimal(66))
    event = AuditEvent.objects.get(action="memoire.reconcile")
    assert (event.actor, event.reason) == (staff, "Relecture commune.")
    with pytest.raises(WorkflowError, match="n'attend pas de conciliation"):
        memoire_reconcile(memoire=memoire, actor=staff, method="first", justification="x")


def test_the_staff_may_keep_one_of_the_two_marks(memoire, staff, evaluator, second_evaluator):
    memoire = double_marked(memoire, staff, evaluator, second_evaluator, "60", Decimal(80))
    with pytest.raises(WorkflowError, match="personnel du centre"):
        memoire_reconcile(memoire=memoire, actor=evaluator, method="first", justification="x")
    memoire = memoire_reconcile(
        memoire=memoire, actor=staff, method="first", justification="Seconde note hors grille."
    )
    assert (memoire.state, memoire.agreed_mark) == (M.WRITTEN_MARKED, Decimal(60))


def test_a_mark_the_staff_entered_is_settled_as_entered(memoire, staff, evaluator):
    # Marked outside the application (by the centre's own procedure): entered near 10/20, it
    # is not sent to a second evaluation here.
    assign_and_accept(memoire, evaluator, staff)
    memoire_written_mark_enter(actor=staff, memoire=memoire, points=Decimal("62.5"))
    memoire = refresh(memoire)
    assert (memoire.state, memoire.agreed_mark) == (M.WRITTEN_MARKED, Decimal("62.5"))
    assert memoire_written_mark(memoire) == Decimal("62.5")


def test_the_evaluators_scoring_after_an_entered_mark_is_tested_as_a_first_one(
    memoire, staff, evaluator
):
    assignment = assign_and_accept(memoire, evaluator, staff)
    memoire_written_mark_enter(actor=staff, memoire=memoire, points=Decimal(100))
    score(assignment, Decimal(60))  # 9.6/20: the evaluator's mark prevails, and is near 10/20
    memoire = refresh(memoire)
    assert (memoire.state, memoire.agreed_mark) == (M.SECOND_EVALUATION, None)
    assert memoire_written_mark(memoire) is None
