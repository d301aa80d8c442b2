"""The candidate's home is a timeline: each bloc and the mémoire in words, deadline, next step."""

import datetime as dt
import html

import pytest
from django.urls import reverse

from portfolio.models import Memoire, Portfolio
from tests.factories import (
    JurySessionFactory,
    MemoireFactory,
    PortfolioFactory,
    StaffFactory,
)
from tests.portfolio.conftest import IN_WINDOW
from tests.portfolio.journey import jury_decision
from workflow.evaluation.screening import portfolio_return
from workflow.models import JuryDecision, JurySession, SessionCandidate

pytestmark = pytest.mark.django_db


def home(client, candidate) -> str:
    client.force_login(candidate)
    response = client.get(reverse("portfolio:home"))
    assert response.status_code == 200
    return html.unescape(" ".join(response.content.decode().split()))


def stage(page: str, name: str) -> str:
    start = page.index(f'data-stage="{name}"')
    return page[start : page.index("</li>", start)]


def test_a_draft_says_its_state_in_words_its_deadline_in_words_and_what_to_do(
    client, portfolio, candidate
):
    page = home(client, candidate)
    bloc = stage(page, "bloc-1")
    assert "Brouillon" in bloc and ">draft<" not in bloc
    assert "Date limite : 30 décembre 2026" in bloc
    assert "(encore 76 jours)" in bloc
    assert "Déposez vos preuves du bloc 1 au plus tard le 30 décembre 2026." in bloc
    for number in (2, 3, 4):
        assert f'data-stage="bloc-{number}"' in page
    memoire = stage(page, "memoire")
    assert "Déposez votre mémoire au plus tard le 30 septembre 2026" not in memoire  # overdue
    assert "En retard : délai dépassé" in memoire
    assert "Le délai de dépôt du mémoire est dépassé" in memoire


def test_an_overdue_bloc_is_marked_in_words_not_colour_alone(client, portfolio, candidate, clock):
    clock(dt.datetime(2027, 1, 5, 10, 0, tzinfo=dt.UTC))
    bloc = stage(home(client, candidate), "bloc-1")
    assert "En retard : délai dépassé" in bloc
    assert "Le délai de dépôt du bloc 1 est dépassé" in bloc


def test_before_the_window_the_next_step_says_when_it_opens(client, portfolio, candidate, clock):
    clock(dt.datetime(2026, 8, 1, 10, 0, tzinfo=dt.UTC))
    bloc = stage(home(client, candidate), "bloc-1")
    assert "le dépôt ouvre le 30 septembre 2026" in bloc


@pytest.mark.parametrize(
    ("state", "step"),
    [
        (Portfolio.State.SUBMITTED, "En attente de l'examen de recevabilité par le centre."),
        (Portfolio.State.ASSIGNED, "En attente de l'évaluation."),
        (Portfolio.State.UNDER_EVALUATION, "Évaluation en cours."),
        (Portfolio.State.EVALUATED, "En attente du jury."),
        (Portfolio.State.NOT_SUBMITTED, "Plus aucun dépôt possible pour ce bloc"),
    ],
)
def test_each_state_after_the_draft_has_its_words_and_next_step(client, clock, state, step):
    portfolio = PortfolioFactory(state=state)
    bloc = stage(home(client, portfolio.enrolment.candidate), "bloc-1")
    assert str(Portfolio.State(state).label) in bloc
    assert step in bloc
    assert "Date limite" not in bloc


def test_a_returned_portfolio_opens_as_a_new_version_with_the_reason_who_and_when(client, clock):
    portfolio = PortfolioFactory()
    staff = StaffFactory(first_name="Claire", last_name="Martin")
    portfolio_return(
        portfolio=portfolio, actor=staff, reason="Il manque l'attestation ; signez-la."
    )
    candidate = portfolio.enrolment.candidate
    bloc = stage(home(client, candidate), "bloc-1")
    assert "version 2" in bloc
    assert "La version 1 vous a été renvoyée pour compléments" in bloc
    assert "par Claire Martin (centre de formation), le 15 octobre 2026 à 12 h 00" in bloc
    assert "Il manque l'attestation ; signez-la." in bloc
    new = Portfolio.objects.get(previous=portfolio)
    client.force_login(candidate)
    detail = client.get(reverse("portfolio:detail", args=[new.pk])).content.decode()
    assert "La version 1 vous a été renvoyée pour compléments" in detail
    assert 'role="note"' in detail


def test_the_memoire_stages_say_what_comes_next(client, clock):
    memoire = MemoireFactory(state=Memoire.State.WRITTEN_MARKED)
    page = stage(home(client, memoire.enrolment.candidate), "memoire")
    assert "Écrit noté" in page
    assert "en attente de la programmation de votre soutenance" in page


def test_the_session_links_the_convocation_and_published_results_show(client, clock):
    portfolio = PortfolioFactory(state=Portfolio.State.READY_FOR_JURY)
    enrolment = portfolio.enrolment
    session = JurySessionFactory(
        establishment=enrolment.cohort.establishment, state=JurySession.State.COMPOSED
    )
    SessionCandidate.objects.create(session=session, enrolment=enrolment)
    page = home(client, enrolment.candidate)
    assert "Jury du 15 mars 2027" in page
    assert reverse("documents:convocation", args=[session.pk, enrolment.pk]) in page

    published = JurySessionFactory(
        establishment=enrolment.cohort.establishment,
        state=JurySession.State.PUBLISHED,
        date=dt.date(2026, 12, 1),
    )
    jury_decision(published, enrolment, JuryDecision.Outcome.TOTAL)
    page = home(client, enrolment.candidate)
    assert "Résultats du jury du 1 décembre 2026" in page
    assert "Décision : Certification totale (titre)." in page


def test_unpublished_results_stay_hidden(client, clock):
    portfolio = PortfolioFactory(state=Portfolio.State.DECIDED)
    session = JurySessionFactory(state=JurySession.State.CLOSED)
    jury_decision(session, portfolio.enrolment, JuryDecision.Outcome.TOTAL)
    assert "Décision :" not in home(client, portfolio.enrolment.candidate)


assert IN_WINDOW.date() == dt.date(2026, 10, 15)  # the dates above count from it
