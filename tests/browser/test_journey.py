"""The whole journey of issue 6 in a real browser, from the first upload to the published result.

A candidate proves every competency of bloc 1 and sends the mémoire; the centre screens and
assigns; an independent evaluator accepts and scores the grid; the tutor gives the 50 points;
a trainer enters a continuous-assessment mark; the jury marks the soutenance, deliberates and
publishes; the candidate reads the result. Every page visited goes through axe-core. The upload,
the submission, the evaluator's grid and the tutor's grid are done with the keyboard alone.

Set up through services (the UI for them is tested elsewhere or would only repeat the same
screens): blocs 2 to 4 as already marked portfolios, the CC marks of the other modules, the
tutor's invitation, and the four jury members.
"""

import datetime as dt
import re
from decimal import ROUND_FLOOR, Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Enrolment, TrainingLink
from portfolio.models import Memoire, Portfolio
from tests.browser import steps
from tests.browser.support import screenshot, tab_to
from tests.factories import (
    EnrolmentFactory,
    EvaluatorFactory,
    JuryUserFactory,
    StaffFactory,
    UserFactory,
)
from workflow.jury import sessions
from workflow.marks import tutoring
from workflow.models import CCMark, JuryMember, JurySession

pytestmark = pytest.mark.browser

# Inside the candidate's portfolio window: training ended 30/06/2026, so 30/09 to 30/12/2026.
SESSION_DAY = dt.date(2026, 12, 15)


@pytest.fixture
def clock(monkeypatch):
    """Set the application's one clock (audit.clock.now); return a setter."""
    from audit import clock

    current = {"now": steps.IN_WINDOW}
    monkeypatch.setattr(clock, "now", lambda: current["now"])
    return lambda value: current.update(now=value)


@pytest.fixture(autouse=True)
def single_marking(settings):
    # No random second marking: the journey scores far from every threshold.
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 0


def three_quarters(maximum: Decimal) -> Decimal:
    """Return 3/4 of a criterion's maximum, on the grid's 0.25 step."""
    return (maximum * 3 / 4 / Decimal("0.25")).to_integral_value(ROUND_FLOOR) * Decimal("0.25")


def type_into(page, locator, text: str) -> None:
    """Tab to a field, select what it holds and type over it (keyboard only)."""
    tab_to(page, locator)
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def press_button(page, name: str) -> None:
    """Tab to a button and press Enter; wait for the page that answers (keyboard only)."""
    tab_to(page, page.get_by_role("button", name=name))
    with page.expect_navigation():
        page.keyboard.press("Enter")


def accept_and_score_with_keyboard(page, *, row_text: str, comment: str) -> None:
    """From the evaluator's queue: accept with the declaration, fill the grid, submit."""
    page.goto(reverse("workflow:queue"))
    steps.check_page(page)
    row = page.locator("tr", has_text=row_text)
    tab_to(page, row.get_by_role("link", name="Accepter ou décliner"))
    with page.expect_navigation():
        page.keyboard.press("Enter")
    steps.check_page(page)
    steps.keyboard_check(page, page.get_by_role("checkbox"))
    press_button(page, "Accepter et voir le dossier")
    page.wait_for_url(re.compile(r"/notation/$"))
    steps.check_page(page)
    # The file beside the grid: each piece opens from the scoring screen.
    links = page.locator(".evidence-panel a[href*='/fichier/']")
    assert links.count() >= 1
    assert page.request.get(links.first.get_attribute("href")).status == 200
    for field in page.locator("input[data-points]").all():
        type_into(page, field, str(three_quarters(Decimal(field.get_attribute("data-max")))))
    type_into(page, page.get_by_label("Appréciation générale"), comment)
    press_button(page, "Vérifier et remettre…")
    steps.check_page(page)
    screenshot(page, "evaluateur-recapitulatif")
    press_button(page, "Remettre définitivement")
    steps.check_page(page)


def test_from_the_first_upload_to_the_published_result(
    page, sign_in, clock, local_storage, tmp_path, live_server
):
    # --- The people --------------------------------------------------------------------
    enrolment = EnrolmentFactory(
        route=Enrolment.Route.PORTEFEUILLE,
        candidate__first_name="Inès",
        candidate__last_name="Moreau",
        cohort__name="Promotion Office Manager 2026",
    )
    cohort = enrolment.cohort
    cohort.memoire_deadline = dt.date(2026, 11, 30)
    cohort.save()
    candidate, tutor = enrolment.candidate, enrolment.tutor
    centre = StaffFactory(first_name="Nathalie", last_name="Roussel")
    evaluator = EvaluatorFactory(first_name="Françoise", last_name="Aubert")
    title = cohort.title
    bloc1 = title.blocs.get(number=1)
    module = bloc1.modules.filter(cc_points__gt=0).order_by("order").first()
    trainer = UserFactory(roles=["formateur"], first_name="Sophie", last_name="Blanchard")
    TrainingLink.objects.create(trainer=trainer, module=module, cohort=cohort)

    # --- The candidate opens the files, proves bloc 1, submits it (keyboard only) -------
    sign_in(page, candidate)
    page.goto(reverse("portfolio:home"))
    steps.check_page(page)
    press_button(page, "Ouvrir mes dossiers")
    portfolio = Portfolio.objects.get(enrolment=enrolment, bloc=bloc1)
    codes = list(bloc1.competencies.order_by("order").values_list("code", flat=True))
    page.goto(reverse("portfolio:detail", args=[portfolio.pk]))
    steps.check_page(page)
    half = len(codes) // 2
    steps.upload_evidence_with_keyboard(
        page,
        files=[
            steps.sample_pdf(tmp_path, "procedures-service.pdf"),
            steps.sample_pdf(tmp_path, "agenda-partage.pdf"),
        ],
        title="Organisation administrative du service",
        codes=codes[:half],
    )
    steps.upload_evidence_with_keyboard(
        page,
        files=[steps.sample_pdf(tmp_path, "reunions-deplacements.pdf")],
        title="Réunions, déplacements et documentation",
        codes=codes[half:],
    )
    page.goto(reverse("portfolio:coverage", args=[portfolio.pk]))
    steps.check_page(page)
    assert page.locator(".badge-error").count() == 0  # no competency without evidence
    screenshot(page, "parcours-couverture")
    steps.submit_portfolio_with_keyboard(page, portfolio)
    screenshot(page, "parcours-portefeuille-depose")

    # --- ... and sends the mémoire ---------------------------------------------------------
    memoire = Memoire.objects.get(enrolment=enrolment)
    page.goto(reverse("portfolio:memoire", args=[memoire.pk]))
    steps.check_page(page)
    page.get_by_label("Problématique", exact=False).fill(
        "Dématérialiser le circuit des factures fournisseurs d'une PME"
    )
    page.locator("input[type=file]").set_input_files(str(steps.sample_pdf(tmp_path, "memoire.pdf")))
    with page.expect_navigation():
        page.get_by_role("button", name="Envoyer").click()
    steps.check_page(page)
    page.get_by_role("checkbox").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Déposer définitivement").click()
    steps.check_page(page)
    memoire.refresh_from_db()
    assert memoire.state == Memoire.State.SUBMITTED

    # Blocs 2 to 4 arrive already marked, as if their own evaluations had run.
    for other in Portfolio.objects.filter(enrolment=enrolment).exclude(bloc=bloc1):
        Portfolio.objects.filter(pk=other.pk).update(
            state=Portfolio.State.READY_FOR_JURY,
            agreed_mark=Decimal(other.bloc.exam_points) * Decimal("0.7"),
        )

    # --- The centre screens the portfolio and assigns it; assigns the mémoire ---------------
    sign_in(page, centre)
    page.goto(reverse("workflow:staff-portfolio", args=[portfolio.pk]))
    steps.check_page(page)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("recevable", re.I)).click()
    steps.check_page(page)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Affecter", re.I)).first.click()
    steps.check_page(page)
    screenshot(page, "centre-affectation")
    # The assignment form checks the due date against the real date, not audit.clock.now.
    due = (max(steps.IN_WINDOW.date(), dt.date.today()) + dt.timedelta(days=21)).isoformat()
    page.get_by_label(re.compile("Françoise Aubert")).check()
    page.locator("input[name=due_date]").fill(due)
    with page.expect_navigation():
        page.get_by_role("button", name="Proposer le dossier").click()
    steps.check_page(page)
    portfolio.refresh_from_db()
    assert portfolio.state == Portfolio.State.ASSIGNED, page.locator("main").inner_text()
    page.goto(reverse("workflow:staff-memoires"))
    steps.check_page(page)
    with page.expect_navigation():
        page.locator("tr", has_text="Moreau").get_by_role(
            "link", name=re.compile("Affecter")
        ).click()
    page.get_by_label(re.compile("Françoise Aubert")).check()
    page.locator("input[name=due_date]").fill(due)
    with page.expect_navigation():
        page.get_by_role("button", name="Proposer le dossier").click()
    steps.check_page(page)

    # --- The evaluator accepts and scores both, the grid with the keyboard alone ------------
    sign_in(page, evaluator)
    accept_and_score_with_keyboard(
        page, row_text="Portefeuille", comment="Preuves variées et bien situées."
    )
    screenshot(page, "evaluateur-file")
    accept_and_score_with_keyboard(
        page, row_text="Mémoire", comment="Mémoire clair, problématique maîtrisée."
    )
    portfolio.refresh_from_db()
    memoire.refresh_from_db()
    assert portfolio.state == Portfolio.State.EVALUATED
    assert memoire.state == Memoire.State.WRITTEN_MARKED

    # --- The centre sends the evaluated portfolio to the jury ------------------------------
    sign_in(page, centre)
    page.goto(reverse("workflow:staff-portfolio", args=[portfolio.pk]))
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("jury", re.I)).click()
    steps.check_page(page)
    portfolio.refresh_from_db()
    assert portfolio.state == Portfolio.State.READY_FOR_JURY

    # --- The tutor gives the 50 points (keyboard only) -------------------------------------
    evaluation = tutoring.tutor_evaluation_invite(actor=centre, enrolment=enrolment)
    sign_in(page, tutor)
    page.goto(reverse("jury:tutor_home"))
    steps.check_page(page)
    for criterion in evaluation.grid_version.criteria.order_by("order", "pk"):
        type_into(page, page.locator(f"[name=c{criterion.pk}]"), str(criterion.max_points))
    # The submit opens its confirmation dialog (the focus on « Annuler »); Tab, Enter confirms.
    tab_to(page, page.get_by_role("button", name="Remettre l'évaluation…"))
    page.keyboard.press("Enter")
    page.get_by_role("dialog", name="Remettre l'évaluation ?").wait_for()
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    steps.check_page(page)
    evaluation.refresh_from_db()
    assert evaluation.total == Decimal(50)

    # --- A trainer enters a CC mark on screen; the other modules' marks are already in ------
    sign_in(page, trainer)
    page.goto(reverse("jury:trainer_marks", args=[cohort.pk, module.pk]))
    steps.check_page(page)
    page.get_by_label("Candidat").select_option(value=str(enrolment.pk))
    page.get_by_label("Note", exact=True).fill("15")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    steps.check_page(page)
    screenshot(page, "formateur-notes")
    assert CCMark.objects.filter(enrolment=enrolment, module=module, mark=15).exists()
    for other_module in [m for b in title.blocs.all() for m in b.modules.filter(cc_points__gt=0)]:
        if other_module != module:
            CCMark.objects.create(
                enrolment=enrolment,
                module=other_module,
                mark=Decimal(14),
                out_of=20,
                entered_by=centre,
                entered_at=timezone.now(),
            )

    # --- The centre plans the session, seats the jury, enrols and schedules the candidate ---
    clock(dt.datetime(2026, 11, 10, 9, 0, tzinfo=dt.UTC))
    sign_in(page, centre)
    page.goto(reverse("jury:staff_dashboard"))
    steps.check_page(page)
    page.get_by_label("Établissement").select_option(label=str(cohort.establishment))
    page.get_by_label("Date de la session").fill(SESSION_DAY.isoformat())
    page.get_by_label("Lieu").fill("CCI Lyon Métropole, salle 3")
    page.get_by_label("Date de la dernière épreuve").fill("2026-12-01")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Créer", re.I)).click()
    steps.check_page(page)
    session = JurySession.objects.get()
    members = {
        JuryMember.Role.PRESIDENT: JuryUserFactory(first_name="Gérard", last_name="Vasseur"),
        JuryMember.Role.PROFESSIONAL: JuryUserFactory(first_name="Christine", last_name="Lecomte"),
        JuryMember.Role.CCI_REPRESENTATIVE: JuryUserFactory(
            first_name="Laurence", last_name="Marchand"
        ),
    }
    for role, person in members.items():
        sessions.jury_member_add(actor=centre, session=session, user=person, role=role)
    sessions.jury_member_add(
        actor=centre,
        session=session,
        user=JuryUserFactory(first_name="Stéphane", last_name="Huet"),
        role=JuryMember.Role.PROFESSIONAL,
    )
    page.reload()
    with page.expect_navigation():
        page.get_by_role("button", name="Déclarer le jury constitué").click()
    steps.check_page(page)
    candidate_select = page.locator("select[name=enrolment]").first
    candidate_select.select_option(value=str(enrolment.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Inscrire (dossier prêt)").click()
    steps.check_page(page)
    assert "Candidat inscrit" in page.locator(".messages").inner_text()
    page.locator("select[name=enrolment]").last.select_option(value=str(enrolment.pk))
    page.get_by_label("Heure de passage").fill("09:30")
    with page.expect_navigation():
        page.get_by_role("button", name="Programmer la soutenance").click()
    steps.check_page(page)
    screenshot(page, "centre-session")

    # --- The jury marks the soutenance, deliberates, closes and publishes --------------------
    clock(dt.datetime(2026, 12, 15, 11, 0, tzinfo=dt.UTC))
    president = members[JuryMember.Role.PRESIDENT]
    sign_in(page, president)
    page.goto(reverse("jury:session", args=[session.pk]))
    steps.check_page(page)
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Noter")).click()
    steps.check_page(page)
    # The points are typed the French way, with a decimal comma.
    fields = page.locator("input[data-max]").all()
    assert fields, "the soutenance grid shows no points field"
    for field in fields:
        maximum = Decimal(field.get_attribute("data-max").replace(",", "."))
        field.fill(f"{three_quarters(maximum):f}".replace(".", ","))
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Enregistrer la note")).click()
    steps.check_page(page)
    page.get_by_role("button", name="Ouvrir la délibération").click()
    with page.expect_navigation():
        confirm_in_dialog(page, "Ouvrir la délibération ?", "Ouvrir la délibération")
    steps.check_page(page)
    screenshot(page, "jury-deliberation")
    computed = page.locator("table.deliberation-table tbody tr").first.inner_text()
    assert "Calculé : Certification totale (titre)" in computed
    page.get_by_role("button", name="Clore la délibération").click()
    with page.expect_navigation():
        confirm_in_dialog(page, "Clore la délibération ?", "Clore la délibération")
    steps.check_page(page)
    page.get_by_role("button", name="Publier les résultats").click()
    with page.expect_navigation():
        confirm_in_dialog(page, "Publier les résultats ?", re.compile("^Publier les résultats de"))
    steps.check_page(page)
    session.refresh_from_db()
    assert session.state == JurySession.State.PUBLISHED

    # --- The candidate reads the result ---------------------------------------------------
    sign_in(page, candidate)
    page.goto(reverse("jury:candidate_results"))
    steps.check_page(page)
    screenshot(page, "candidat-resultats")
    result = page.locator("main").inner_text()
    assert "Décision" in result
    assert "Bloc 1" in result
    assert live_server.url in page.url


def confirm_in_dialog(page, title, button) -> None:
    """Confirm the irreversible action whose dialog is open (static/js/confirm.js)."""
    dialog = page.get_by_role("dialog", name=title)
    dialog.wait_for()
    dialog.get_by_role("button", name=button).click()
