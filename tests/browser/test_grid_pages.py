"""The marking grids in a real browser: « 11,5 » typed, autosaved and read back, a bad value that
costs nothing to its neighbours, the keyboard only, a PDF evidence drawn by PDF.js beside the
grid, and axe at 1280 and 360 pixels on the evaluator's and the tutor's grids."""

from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from portfolio.filetypes import CHECKS_VERSION
from portfolio.models import Portfolio, ScanStatus
from tests.browser import steps
from tests.browser.support import screenshot, tab_to
from tests.factories import (
    EnrolmentFactory,
    EvaluatorFactory,
    EvidenceItemFactory,
    PortfolioFactory,
    StaffFactory,
)
from tests.workflow.helpers import assign_and_accept, refresh
from workflow.marks import tutoring

pytestmark = pytest.mark.browser


def pdf_with_text() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<h1>Procédure achats</h1><p>Validation des commandes fournisseurs.</p>"
    ).write_pdf()


@pytest.fixture
def accepted(local_storage):
    portfolio = PortfolioFactory(state=Portfolio.State.ADMISSIBLE)
    content = pdf_with_text()
    EvidenceItemFactory(
        portfolio=portfolio,
        title="Procédure achats signée",
        file=default_storage.save("evidence/zz/procedure.pdf", _file(content)),
        original_name="procedure.pdf",
        content_type="application/pdf",
        size=len(content),
        scan_status=ScanStatus.CLEAN,
        checks_version=CHECKS_VERSION,
    )
    return assign_and_accept(portfolio, EvaluatorFactory(), StaffFactory())


def _file(content: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(content)


def criteria(assignment):
    return list(assignment.scoring.grid_version.criteria.all())


def saved_points(assignment) -> dict:
    return {s.criterion_id: s.points for s in refresh(assignment.scoring).scores.all()}


def open_grid(page, sign_in, assignment):
    sign_in(page, assignment.evaluator)
    page.goto(reverse("workflow:scoring", args=[assignment.pk]))


def test_a_mark_typed_with_a_comma_is_autosaved_and_reads_back_with_a_comma(
    page, sign_in, accepted
):
    first = criteria(accepted)[0]
    open_grid(page, sign_in, accepted)
    box = page.locator(f"#id_points_{first.pk}")

    box.fill("11,5")
    box.press("Tab")

    status = page.locator(f"#autosave-points_{first.pk}")
    status.filter(has_text="Enregistré").wait_for()
    assert page.locator("#running-total").inner_text() == "11,5"
    assert saved_points(accepted)[first.pk] == Decimal("11.5")
    page.reload()
    assert page.locator(f"#id_points_{first.pk}").input_value() == "11,5"


def test_a_bad_value_among_ten_leaves_nine_saved_and_the_summary_at_the_top_focused(
    page, sign_in, accepted
):
    rows = criteria(accepted)
    bad = rows[1]
    open_grid(page, sign_in, accepted)
    typed = 0
    for criterion in rows:
        if typed == 10:
            break
        page.locator(f"#id_points_{criterion.pk}").fill("12,25" if criterion != bad else "1.234,5")
        typed += 1
        if typed < 10:
            page.locator(f"#id_comment_{criterion.pk}").fill("Analyse du critère")
            typed += 1

    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()

    summary = page.locator("[data-error-summary]")
    summary.wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    assert summary.locator("a").count() == 1
    points = saved_points(accepted)
    comments = {s.criterion_id: s.comment for s in refresh(accepted.scoring).scores.all()}
    kept = sum(1 for v in points.values() if v == Decimal("12.25"))
    kept += sum(1 for v in comments.values() if v == "Analyse du critère")
    assert kept == 9
    assert points[bad.pk] is None
    # The link takes the focus to the field to correct.
    summary.locator("a").click()
    assert page.evaluate("document.activeElement.id") == f"id_points_{bad.pk}"
    steps.check_page(page)
    screenshot(page, "grille-valeur-invalide")


def test_the_grid_is_filled_and_the_evidence_read_with_the_keyboard_only(page, sign_in, accepted):
    first, second = criteria(accepted)[:2]
    open_grid(page, sign_in, accepted)

    tab_to(page, page.locator(f"#id_points_{first.pk}"), limit=120)
    page.keyboard.type("7,5")
    page.keyboard.press("Tab")  # to the comment: the mark is saved on leaving its field
    page.keyboard.type("Procédure claire")
    tab_to(page, page.locator(f"#id_points_{second.pk}"))
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    page.locator(f"#autosave-points_{second.pk}").filter(has_text="Enregistré").wait_for()
    page.locator(f"#autosave-comment_{first.pk}").filter(has_text="Enregistré").wait_for()
    assert page.locator("#autosave-live").inner_text().endswith("Enregistré")

    reader = page.locator("details.evidence-reader summary").first
    tab_to(page, reader, limit=200)
    page.keyboard.press("Enter")
    page.locator("canvas[data-drawn='1']").first.wait_for()

    scores = {s.criterion_id: s for s in refresh(accepted.scoring).scores.all()}
    assert (scores[first.pk].points, scores[first.pk].comment) == (
        Decimal("7.5"),
        "Procédure claire",
    )
    assert scores[second.pk].points == Decimal(3)


def drawn_pixels(page) -> int:
    return page.evaluate(
        """() => {
            const canvas = document.querySelector("canvas[data-drawn='1']");
            const context = canvas.getContext("2d");
            const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
            let dark = 0;
            for (let i = 0; i < data.length; i += 4) {
                const ink = data[i] < 128 && data[i + 1] < 128 && data[i + 2] < 128;
                if (data[i + 3] > 0 && ink) dark++;
            }
            return dark;
        }"""
    )


def test_a_pdf_evidence_is_drawn_by_pdfjs_beside_the_grid_and_passes_axe(
    page, phone_page, sign_in, accepted
):
    for each, phone in ((page, False), (phone_page, True)):
        open_grid(each, sign_in, accepted)
        each.locator("details.evidence-reader summary").first.click()
        each.locator("canvas[data-drawn='1']").first.wait_for()
        assert drawn_pixels(each) > 100, "the PDF's text was not drawn"
        assert "Procédure achats" in each.locator(".pdf-page .visually-hidden").first.inner_text()
        assert "1 page" in each.locator("[data-pdf-status]").first.inner_text()
        steps.check_page(each, phone=phone)
        screenshot(each, f"grille-lecteur-pdf-{'telephone' if phone else 'bureau'}")
    # Side by side on a wide screen, stacked on a phone.
    grid_box = page.locator(".scoring-grid").bounding_box()
    panel_box = page.locator(".evidence-panel").bounding_box()
    assert panel_box["x"] > grid_box["x"] + grid_box["width"] - 1
    grid_box = phone_page.locator(".scoring-grid").bounding_box()
    panel_box = phone_page.locator(".evidence-panel").bounding_box()
    assert panel_box["y"] >= grid_box["y"] + grid_box["height"] - 1


@pytest.fixture
def tutor_evaluation():
    return tutoring.tutor_evaluation_invite(actor=StaffFactory(), enrolment=EnrolmentFactory())


def test_the_tutor_grid_autosaves_and_passes_axe_with_its_error_summary_and_dialog(
    page, phone_page, sign_in, tutor_evaluation
):
    rows = list(tutor_evaluation.grid_version.criteria.all())
    url = reverse("jury:tutor_evaluation", args=[tutor_evaluation.pk])
    for each, phone in ((page, False), (phone_page, True)):
        sign_in(each, tutor_evaluation.tutor)
        each.goto(url)
        steps.check_page(each, phone=phone)
    page.locator(f"#id_c{rows[0].pk}").fill("2,5")
    page.locator(f"#id_c{rows[0].pk}").press("Tab")
    page.locator(f"#autosave-c{rows[0].pk}").filter(has_text="Enregistré").wait_for()
    page.locator(f"#id_c{rows[1].pk}").fill("douze")
    page.locator(f"#id_c{rows[1].pk}").press("Tab")
    page.locator(f"#autosave-c{rows[1].pk}").filter(has_text="Saisissez un nombre").wait_for()
    assert tutor_evaluation.scores.get().points == Decimal("2.5")
    steps.check_page(page)

    page.get_by_role("button", name="Enregistrer le brouillon").click()
    page.wait_for_load_state()
    page.locator("[data-error-summary]").wait_for()
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    steps.check_page(page)

    page.locator(f"#id_c{rows[1].pk}").fill("")
    page.locator(f"#id_c{rows[1].pk}").press("Tab")
    page.get_by_role("button", name="Remettre l'évaluation…").click()
    dialog = page.locator("#tutor-submit-dialog")
    dialog.wait_for()
    assert "2,5 sur 50" in dialog.inner_text()
    assert "devient définitive" in dialog.inner_text()
    steps.check_page(page)
    screenshot(page, "tuteur-confirmation")
    dialog.get_by_role("button", name="Annuler").click()
    tutor_evaluation.refresh_from_db()
    assert tutor_evaluation.state != "submitted"
