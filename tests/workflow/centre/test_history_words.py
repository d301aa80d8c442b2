"""A history built by the real services reads as French words: no action code, no state code,
no empty arrow, on the page, in its export and on the portfolio's page; filters by kind and
dates; the candidate's own reading hides the evaluator and the marks."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from decimal import Decimal
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.labels import ACTIONS
from audit.trail import audit_for_candidate
from portfolio.models import Memoire, Portfolio, ScanStatus
from portfolio.services import (
    evidence_remove,
    evidence_update,
    evidence_upload,
    memoire_submit,
    memoire_upload,
    portfolio_extension_grant,
    portfolio_start,
    portfolio_submit,
)
from portfolio.services.uploads import download_record
from tests.factories import EnrolmentFactory, EvaluatorFactory, UserFactory
from tests.portfolio import samples
from tests.workflow.helpers import assign_and_accept, score
from tests.workflow.jury.helpers import (  # noqa: F401
    PARIS,
    fast_passwords,
    jury_timeline,
    session_with_candidate,
    staff,
    submit_tutor,
)
from workflow.evaluation.scoring import portfolio_mark_ready_for_jury
from workflow.evaluation.screening import portfolio_declare_admissible, portfolio_return
from workflow.history import TARGET_STATES, Audience, history_rows
from workflow.jury import accommodations, deliberation, fraud
from workflow.marks import attendance
from workflow.models import (
    Assignment,
    FraudReport,
    JurySession,
    Scoring,
    TutorEvaluation,
)

pytestmark = pytest.mark.django_db

# The cohort's mémoire is due on 30/09/2026; the portfolio window runs from 30/09 to 30/12/2026.
BEFORE_MEMOIRE_DEADLINE = datetime(2026, 9, 15, 10, 0, tzinfo=PARIS)
IN_WINDOW = datetime(2026, 10, 15, 10, 0, tzinfo=PARIS)
STATE_CODES = (
    {
        code
        for model in (Portfolio, Memoire, Assignment, Scoring, TutorEvaluation, JurySession)
        for code in model.State.values
    }
    | set(FraudReport.State.values)
    | set(ScanStatus.values)
)
# An action code (``portfolio.declare_admissible``) or any snake_case word; an e-mail address's
# parts are left alone.
RAW_CODE = re.compile(r"(?<![@\w.])[a-z]+(?:_[a-z]+)*\.[a-z]+(?:_[a-z]+)*\b(?![@.\w])")
FILE_TYPES = {"pdf", "png", "jpg", "docx", "odt", "xlsx"}
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
EMPTY_ARROW = re.compile(r"(^|[>;(])\s*→|→\s*($|[<;)])", re.M)


class Clock:
    def __init__(self, moment):
        self.moment = moment

    def __call__(self):
        return self.moment


@pytest.fixture
def clock(monkeypatch):
    from audit import clock as audit_clock

    timeline = Clock(BEFORE_MEMOIRE_DEADLINE)
    monkeypatch.setattr(audit_clock, "now", timeline)
    return timeline


def _pdf(name: str, pages: int = 1) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, samples.pdf_minimal(pages))


@pytest.fixture
def journey(local_storage, clock, settings):
    """Run a candidate through the services: mémoire, evidence, submission, screening, a return,
    an evaluation, the tutor's grid, absences, an accommodation, a fraud report."""
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 0
    enrolment = EnrolmentFactory()
    candidate = enrolment.candidate
    centre = staff(enrolment.cohort.establishment)
    first, second, *_rest = portfolio_start(enrolment=enrolment, actor=candidate)
    memoire = enrolment.memoires.get()
    memoire_upload(
        memoire=memoire, actor=candidate, uploaded_file=_pdf("memoire.pdf"), subject="Achats"
    )
    memoire_submit(memoire=memoire, actor=candidate, declaration_accepted=True)
    clock.moment = IN_WINDOW
    competencies = first.bloc.competencies.all()
    item = evidence_upload(
        portfolio=first,
        actor=candidate,
        uploaded_file=_pdf("preuve.pdf"),
        competencies=competencies,
    )
    evidence_update(item=item, actor=candidate, title="Plan d'achat", competencies=competencies)
    spare = evidence_upload(
        portfolio=first,
        actor=candidate,
        uploaded_file=_pdf("brouillon.pdf", 2),
        competencies=competencies[:1],
    )
    evidence_remove(item=spare, actor=candidate)
    portfolio_submit(portfolio=first, actor=candidate, declaration_accepted=True)
    download_record(actor=centre, stored=item)
    portfolio_declare_admissible(portfolio=first, actor=centre)
    evaluator = EvaluatorFactory(first_name="Évelyne", last_name="Secrète")
    first.refresh_from_db()
    score(assign_and_accept(first, evaluator, centre), 60)
    first.refresh_from_db()
    # 60 points is near a threshold: a second evaluator marks it too, and the marks agree.
    assert first.state == Portfolio.State.SECOND_EVALUATION
    score(assign_and_accept(first, EvaluatorFactory(), centre, rank=2), 60)
    first.refresh_from_db()
    portfolio_mark_ready_for_jury(portfolio=first, actor=centre)
    evidence_upload(
        portfolio=second,
        actor=candidate,
        uploaded_file=_pdf("bloc2.pdf"),
        competencies=second.bloc.competencies.all(),
    )
    portfolio_extension_grant(
        portfolio=second, actor=centre, until=date(2027, 1, 31), reason="Hospitalisation"
    )
    portfolio_submit(portfolio=second, actor=candidate, declaration_accepted=True)
    portfolio_return(portfolio=second, actor=centre, reason="Ajoutez la procédure d'achat.")
    submit_tutor(enrolment, by=centre)
    attendance.absence_record(
        actor=centre,
        enrolment=enrolment,
        date=date(2026, 3, 2),
        hours=Decimal("3.5"),
        justified=False,
        note="",
    )
    accommodations.accommodation_record(
        actor=centre, enrolment=enrolment, kind="extra_time", details="Tiers-temps"
    )
    fraud.fraud_report_record(
        actor=centre,
        enrolment=enrolment,
        occurred_on=date(2026, 10, 5),
        facts="Antisèche.",
        signature="countersigned",
    )
    return enrolment, centre, evaluator


@pytest.fixture
def jury_journey(jury_timeline):  # noqa: F811
    """Run another candidate through a jury session: seats, soutenance, deliberation, results."""
    session, members, actor, enrolment = session_with_candidate()
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    session.refresh_from_db()
    deliberation.jury_results_publish(actor=actor, session=session)
    return enrolment, actor


def _table_text(html: str) -> str:
    body = re.search(r"<table>(.*?)</table>", html, re.S)
    assert body, "the page shows no history table"
    return unescape(re.sub(r"<[^>]+>", " ", body.group(1)))


def assert_words_only(text: str) -> None:
    codes = sorted(code for code in ACTIONS if code in text)
    assert not codes, f"raw action codes shown: {codes}"
    raw = [word for word in RAW_CODE.findall(text) if word.rsplit(".", 1)[1] not in FILE_TYPES]
    assert not raw, raw
    assert not SNAKE.findall(text), SNAKE.findall(text)
    words = set(re.findall(r"\b[a-z_]+\b", text))
    assert not words & STATE_CODES, sorted(words & STATE_CODES)
    assert not EMPTY_ARROW.search(text), EMPTY_ARROW.search(text)


def _history(client, enrolment, **query):
    url = reverse("jury:candidate_history", args=[enrolment.pk])
    response = client.get(url, query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_journey_reads_as_words_on_every_page_of_the_history(client, journey):
    enrolment, centre, evaluator = journey
    client.force_login(centre)
    events = audit_for_candidate(enrolment.candidate)
    assert events.count() > 25
    # Every event of the journey is on the page (one page of 50).
    text = _table_text(_history(client, enrolment))
    assert_words_only(text)
    for label in (
        "Recevabilité prononcée",
        "Grille soumise par l'évaluateur",
        "Preuve déposée",
        "Portefeuille renvoyé pour compléments",
        "Brouillon → Déposé",
        "Affecté à un évaluateur → En cours d'évaluation",
        "fichier « preuve.pdf »",
        "Évelyne Secrète",
        "Tiers-temps (préparation et passage)",
        "02/03/2026 ; 3,5 h ; non justifiée",
        "version 1 → version 2",
        "jusqu'au 31/01/2027",
    ):
        assert label in text, label


def test_the_jury_journey_reads_as_words(client, jury_journey):
    enrolment, actor = jury_journey
    client.force_login(actor)
    text = _table_text(_history(client, enrolment))
    assert_words_only(text)
    for label in ("Soutenance programmée", "Inscription à une session de jury", "Soutenance notée"):
        assert label in text, label


def test_every_event_of_both_journeys_has_a_change_or_a_detail_or_none_needed(
    journey, jury_journey
):
    for enrolment in (journey[0], jury_journey[0]):
        for row in history_rows(audit_for_candidate(enrolment.candidate)):
            assert row.label and row.kind and row.actor
            assert not EMPTY_ARROW.search(row.change), row


def test_filters_by_kind_and_dates(client, journey):
    enrolment, centre, _evaluator = journey
    client.force_login(centre)
    evaluation = _table_text(_history(client, enrolment, type="evaluation"))
    assert "Recevabilité prononcée" in evaluation and "Preuve déposée" not in evaluation
    deposits = _table_text(_history(client, enrolment, type="depot"))
    assert "Preuve déposée" in deposits and "Recevabilité prononcée" not in deposits
    # The mémoire went in on 15/09/2026; everything else from 15/10/2026.
    september = _table_text(_history(client, enrolment, du="2026-09-01", au="2026-09-30"))
    assert "Mémoire déposé" in september and "Preuve déposée" not in september
    later = _table_text(_history(client, enrolment, du="2026-10-15"))
    assert "Mémoire déposé" not in later and "Preuve déposée" in later


def test_a_reversed_date_range_says_what_to_fix(client, journey):
    enrolment, centre, _evaluator = journey
    client.force_login(centre)
    html = unescape(_history(client, enrolment, du="2026-12-01", au="2026-10-01"))
    assert "Choisissez une date de fin égale ou postérieure au début." in html


def test_the_export_uses_the_same_words_and_filters(client, journey):
    enrolment, centre, _evaluator = journey
    client.force_login(centre)
    page = _history(client, enrolment, type="evaluation")
    export = reverse("documents:candidate_history_export", args=[enrolment.pk, "csv"])
    assert f'href="{export}?type=evaluation' in page
    response = client.get(export, {"type": "evaluation"})
    assert response.status_code == 200
    content = response.content
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Date", "Type d'action", "Action", "Par", "Sur", "Ce qui a changé", "Motif"]
    assert {row[1] for row in rows[1:]} == {"Évaluation"}
    assert "Recevabilité prononcée" in {row[2] for row in rows[1:]}
    assert_words_only("\n".join(";".join(row) for row in rows[1:]))


def test_the_portfolio_page_history_reads_as_words(client, journey):
    enrolment, centre, _evaluator = journey
    client.force_login(centre)
    portfolio = enrolment.portfolios.get(bloc__number=1, version=1)
    html = client.get(reverse("workflow:staff-portfolio", args=[portfolio.pk])).content.decode()
    section = re.search(r'<ol class="timeline">(.*?)</ol>', html, re.S).group(1)
    text = unescape(re.sub(r"<[^>]+>", " ", section))
    assert "Recevabilité prononcée" in text
    assert_words_only(text)


def test_the_candidates_reading_hides_the_evaluator_and_the_marks(journey):
    enrolment, _centre, evaluator = journey
    rows = history_rows(audit_for_candidate(enrolment.candidate), audience=Audience.CANDIDATE)
    text = "\n".join(" ".join([r.label, r.actor, r.subject, r.change, r.reason]) for r in rows)
    assert evaluator.last_name not in text
    assert "Évelyne" not in text
    assert not re.search(r"\d+ / \d+|note retenue|première note|total", text)
    assert "Vous" in {row.actor for row in rows}
    assert "L'évaluateur" in {row.actor for row in rows}


@pytest.mark.parametrize("role", ["candidat", "evaluateur", "tuteur", "formateur", "jury"])
def test_other_roles_may_not_export(client, journey, role):
    enrolment, _centre, _evaluator = journey
    client.force_login(UserFactory(roles=[role]))
    export = reverse("documents:candidate_history_export", args=[enrolment.pk, "csv"])
    assert client.get(export).status_code in {403, 404}


def test_another_establishments_staff_may_not_export(client, journey):
    from tests.factories import EstablishmentFactory

    enrolment, _centre, _evaluator = journey
    client.force_login(staff(EstablishmentFactory(name="CCI Formation Grenoble")))
    export = reverse("documents:candidate_history_export", args=[enrolment.pk, "csv"])
    assert client.get(export).status_code == 404
    page = reverse("jury:candidate_history", args=[enrolment.pk])
    assert client.get(page).status_code == 404


def test_the_jury_president_reads_it_without_the_export_link(client, jury_journey):
    from workflow.models import JuryMember

    enrolment, _actor = jury_journey
    president = JuryMember.objects.get(
        session__candidates__enrolment=enrolment, role=JuryMember.Role.PRESIDENT
    ).user
    client.force_login(president)
    html = _history(client, enrolment)
    assert "Exporter cet historique" not in html
    export = reverse("documents:candidate_history_export", args=[enrolment.pk, "csv"])
    assert client.get(export).status_code in {403, 404}


def test_both_vocabularies_of_a_file_agree_on_shared_state_codes():
    shared = set(Portfolio.State.values) & set(Memoire.State.values)
    for code in shared:
        assert Portfolio.State(code).label == Memoire.State(code).label == TARGET_STATES[code]


def _events(enrolment, actor, count: int) -> None:
    """Append ``count`` events of several kinds, each naming another person or object."""
    from audit.trail import audit_record
    from tests.factories import EvidenceItemFactory, PortfolioFactory

    portfolio = PortfolioFactory(enrolment=enrolment)
    for i in range(count):
        person = UserFactory()
        item = EvidenceItemFactory(portfolio=portfolio, title=f"Preuve {i}")
        audit_record(
            actor=actor,
            action="evidence.upload",
            obj=item,
            candidate=enrolment.candidate,
            after={"original_name": f"p{i}.pdf", "competencies": ["C.1.1.1"]},
        )
        audit_record(
            actor=person,
            action="assignment.create",
            obj=portfolio,
            candidate=enrolment.candidate,
            before={"target_state": "admissible"},
            after={"target_state": "assigned", "evaluator": person.pk, "rank": 1},
        )


@pytest.mark.parametrize("fmt", [None, "csv"])
def test_the_page_and_the_export_cost_as_many_queries_for_3_or_30_events(client, fmt):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for size in (3, 30):
        enrolment = EnrolmentFactory()
        centre = staff(enrolment.cohort.establishment)
        _events(enrolment, centre, size)
        client.force_login(centre)
        if fmt:
            url = reverse("documents:candidate_history_export", args=[enrolment.pk, fmt])
        else:
            url = reverse("jury:candidate_history", args=[enrolment.pk])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
