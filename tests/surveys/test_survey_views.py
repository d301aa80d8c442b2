"""The surveys' screens: the candidate's page, the personal link, the staff's figures and
exports; who is refused; lists of constant cost."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from surveys.models import FollowUp, SurveyWave
from surveys.sending import surveys_send
from surveys.tokens import token_of
from tests.factories import (
    PASSWORD,
    STAFF_ROLES,
    EstablishmentFactory,
    FollowUpFactory,
    SurveyWaveFactory,
    UserFactory,
)
from tests.surveys.helpers import JURY_DAY, certified, on_day

pytestmark = pytest.mark.django_db

SIX = JURY_DAY.replace(month=9)  # 15 September 2027


def _client(client, user):
    client.login(email=user.email, password=PASSWORD)
    return client


def _answer_url(wave):
    return reverse("surveys:answer", args=[token_of(wave.nonce)])


def _answered(establishment=None, **wave):
    decision = certified(establishment=establishment)
    follow_up = FollowUpFactory(decision=decision)
    return SurveyWaveFactory(
        follow_up=follow_up,
        answered_at=follow_up.created_at,
        status="employed",
        job_title=wave.pop("job_title", "Office manager"),
        employer=wave.pop("employer", "Zorglub SA"),
        job_link="target",
        **wave,
    )


# --- The candidate's page -------------------------------------------------------------------


def test_the_candidate_confirms_contact_and_consent_on_their_page(client):
    decision = certified()
    with on_day(JURY_DAY):
        surveys_send()
    candidate = decision.enrolment.candidate
    page = _client(client, candidate).get(reverse("surveys:mine"))
    assert page.status_code == 200 and "Vos coordonnées et votre accord" in page.text
    with on_day(JURY_DAY):
        answer = client.post(
            reverse("surveys:mine"),
            {"email": "nouvelle@exemple.fr", "phone": "0601020304", "consent": "given"},
        )
    assert answer.status_code == 302
    candidate.refresh_from_db()
    assert candidate.email == "nouvelle@exemple.fr"
    assert FollowUp.objects.get(enrolment=decision.enrolment).consent == "given"


def test_after_a_refusal_the_candidates_page_says_no_survey_will_be_sent(client):
    decision = certified()
    with on_day(JURY_DAY):
        surveys_send()
    candidate = decision.enrolment.candidate
    _client(client, candidate).post(
        reverse("surveys:mine"), {"email": candidate.email, "phone": "", "consent": "refused"}
    )
    page = client.get(reverse("surveys:mine"))
    assert page.text.count("Non envoyée (enquêtes refusées)") == 3


def test_a_bad_email_says_what_to_fix_and_changes_nothing(client):
    decision = certified()
    with on_day(JURY_DAY):
        surveys_send()
    candidate = decision.enrolment.candidate
    page = _client(client, candidate).post(
        reverse("surveys:mine"), {"email": "pas-une-adresse", "phone": "", "consent": "given"}
    )
    assert page.status_code == 200
    assert "Indiquez une adresse e-mail complète" in page.text
    assert FollowUp.objects.get(enrolment=decision.enrolment).consent == "pending"


def test_the_six_month_survey_appears_on_its_day_on_the_candidates_page(client):
    decision = certified()
    with on_day(JURY_DAY):
        surveys_send()
    FollowUp.objects.update(consent=FollowUp.Consent.GIVEN)
    _client(client, decision.enrolment.candidate)
    with on_day(SIX - timedelta(days=1)):
        surveys_send()
        assert "Répondre" not in client.get(reverse("surveys:mine")).text
    with on_day(SIX):
        surveys_send()
        page = client.get(reverse("surveys:mine"))
    wave = SurveyWave.objects.get(months=6)
    assert f'href="{_answer_url(wave)}"' in page.text


def test_a_candidate_without_follow_up_reads_why_and_cannot_post(client):
    candidate = UserFactory(roles=[Role.CANDIDAT])
    _client(client, candidate)
    assert "Une fois votre certification publiée" in client.get(reverse("surveys:mine")).text
    refused = client.post(reverse("surveys:mine"), {"email": candidate.email, "consent": "given"})
    assert refused.status_code == 403


@pytest.mark.parametrize("roles", [STAFF_ROLES, [Role.EVALUATEUR], [Role.TUTEUR], [Role.JURY]])
def test_other_roles_are_refused_the_candidates_page(client, roles):
    assert _client(client, UserFactory(roles=roles)).get(reverse("surveys:mine")).status_code == 403


# --- The personal link ----------------------------------------------------------------------


def test_the_link_opens_without_signing_in_and_shows_nothing_else(client):
    wave = SurveyWaveFactory()
    candidate = wave.follow_up.enrolment.candidate
    with on_day(wave.due_on):
        page = client.get(_answer_url(wave))
    assert page.status_code == 200
    for private in (candidate.last_name, candidate.email, wave.follow_up.establishment.name):
        assert private not in page.text
    assert page["Cache-Control"].startswith("max-age=0")


def test_the_link_takes_an_answer(client):
    wave = SurveyWaveFactory()
    with on_day(wave.due_on):
        page = client.post(
            _answer_url(wave),
            {
                "status": "employed",
                "job_title": "Assistant",
                "employer": "Durand",
                "job_link": "related",
            },
        )
    assert page.status_code == 200 and "Merci pour votre réponse" in page.text
    wave.refresh_from_db()
    assert (wave.status, wave.employer) == ("employed", "Durand")


def test_an_incomplete_answer_says_what_to_fix(client):
    wave = SurveyWaveFactory()
    with on_day(wave.due_on):
        page = client.post(_answer_url(wave), {"status": "employed"})
    assert page.status_code == 200 and "Indiquez l&#x27;intitulé de votre poste" in page.text
    wave.refresh_from_db()
    assert wave.answered_at is None


def test_a_wrong_or_unsent_token_is_404(client):
    wave = SurveyWaveFactory(messages_sent=0)
    with on_day(wave.due_on):
        assert client.get(_answer_url(wave)).status_code == 404
        assert client.get(reverse("surveys:answer", args=["x" * 43])).status_code == 404
        assert client.post(reverse("surveys:withdraw", args=["x" * 43])).status_code == 404


def test_a_token_reaches_only_its_own_survey(client):
    mine, other = SurveyWaveFactory(), SurveyWaveFactory()
    _client(client, other.follow_up.enrolment.candidate)
    with on_day(mine.due_on):
        client.post(_answer_url(mine), {"status": "other"})
        # Signed in as the other candidate changes nothing: the link answers for its survey.
        assert client.get(reverse("surveys:answer", args=[other.nonce])).status_code == 404
    other.refresh_from_db()
    mine.refresh_from_db()
    assert other.answered_at is None and mine.status == "other"


def test_the_link_closes_on_its_closing_day(client):
    wave = SurveyWaveFactory()
    with on_day(wave.closes_on - timedelta(days=1)):
        assert client.get(_answer_url(wave)).status_code == 200
    with on_day(wave.closes_on):
        closed = client.get(_answer_url(wave))
        assert closed.status_code == 410 and "Cette enquête est close" in closed.text
        client.post(_answer_url(wave), {"status": "other"})
    wave.refresh_from_db()
    assert wave.answered_at is None


def test_withdrawal_from_the_link_asks_for_confirmation_first(client):
    wave = SurveyWaveFactory()
    url = reverse("surveys:withdraw", args=[token_of(wave.nonce)])
    with on_day(wave.due_on):
        first = client.post(url)
        assert first.status_code == 200 and "Retirer mon accord" in first.text
        wave.follow_up.refresh_from_db()
        assert wave.follow_up.consent == "given"
        done = client.post(url, {"confirmed": "1"})
        assert "Votre accord est retiré" in done.text
        assert client.get(_answer_url(wave)).status_code == 410
    wave.follow_up.refresh_from_db()
    assert wave.follow_up.consent == "refused"


# --- The staff ------------------------------------------------------------------------------


@pytest.fixture
def two_centres():
    a, b = EstablishmentFactory(), EstablishmentFactory(name="CCI Formation Grenoble")
    return {
        "a": a,
        "b": b,
        "a_wave": _answered(a, employer="Lyon Conseil"),
        "b_wave": _answered(b, employer="Grenoble Services"),
        "a_staff": UserFactory(roles=STAFF_ROLES, roles__establishment=a),
        "b_staff": UserFactory(roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=b),
    }


def test_staff_see_their_establishment_only(client, two_centres):
    page = _client(client, two_centres["a_staff"]).get(reverse("surveys:staff"))
    assert page.status_code == 200
    assert "Lyon Conseil" in page.text and "Grenoble Services" not in page.text
    assert "CCI Formation Grenoble" not in page.text


@pytest.mark.parametrize("role", [Role.ADMINISTRATEUR, Role.AUDITEUR])
def test_the_certifier_sees_every_establishment(client, two_centres, role):
    page = _client(client, UserFactory(roles=[role])).get(reverse("surveys:staff"))
    assert "Lyon Conseil" in page.text and "Grenoble Services" in page.text


def test_rates_per_cohort_and_establishment(client, two_centres):
    a_wave = two_centres["a_wave"]
    SurveyWaveFactory(follow_up=a_wave.follow_up, months=12)  # sent, unanswered
    page = _client(client, two_centres["a_staff"]).get(reverse("surveys:staff"))
    # 6 months: 1 answer of 1 sent; 12 months: 0 of 1; 24 months: nothing sent.
    assert page.text.count('1 / 1 <span class="muted">(100 %)</span>') == 2
    assert page.text.count('0 / 1 <span class="muted">(0 %)</span>') == 2
    assert page.text.count('<td class="num">0 / 0</td>') == 2


@pytest.mark.parametrize("roles", [[Role.CANDIDAT], [Role.EVALUATEUR], [Role.TUTEUR], [Role.JURY]])
def test_other_roles_are_refused_the_staff_pages(client, two_centres, roles):
    _client(client, UserFactory(roles=roles))
    for url in (
        reverse("surveys:staff"),
        reverse("surveys:answers_export", args=["csv"]),
        reverse("surveys:rates_export", args=["xlsx"]),
    ):
        assert client.get(url).status_code == 403


def test_exports_hold_the_own_establishment_and_neutralise_formulas(client, two_centres):
    two_centres["a_wave"].job_title = '=HYPERLINK("http://x")'
    two_centres["a_wave"].save()
    _client(client, two_centres["a_staff"])
    csv = client.get(reverse("surveys:answers_export", args=["csv"])).content.decode("utf-8-sig")
    assert "Lyon Conseil" in csv and "Grenoble" not in csv
    assert "'=HYPERLINK" in csv
    xlsx = client.get(reverse("surveys:answers_export", args=["xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells and "Grenoble Services" not in cells
    rates = client.get(reverse("surveys:rates_export", args=["csv"])).content.decode("utf-8-sig")
    assert two_centres["a_wave"].follow_up.enrolment.cohort.name in rates
    assert two_centres["b_wave"].follow_up.enrolment.cohort.name not in rates
    assert client.get(reverse("surveys:rates_export", args=["pdf"])).status_code == 404


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_staff_page_costs_the_same_at_two_sizes(client, two_centres):
    _client(client, two_centres["a_staff"])
    url = reverse("surveys:staff")
    for _ in range(2):
        _answered(two_centres["a"])
    small = _queries(client, url)
    for _ in range(60):  # past a page of 50 answers
        _answered(two_centres["a"])
    assert _queries(client, url) == small
