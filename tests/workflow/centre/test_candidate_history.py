"""A candidate's whole history on one page: the staff and their jury's president only."""

import re
from html import unescape

import pytest
from django.urls import reverse

from accounts.fields import format_decimal
from accounts.models import User
from audit.trail import audit_record
from tests.factories import UserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    seated_session,
    staff,
)
from workflow.jury import sessions

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


@pytest.fixture
def enrolment_in_session():
    enrolment = ready_enrolment()
    session, members, actor = seated_session()
    sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    audit_record(
        actor=actor,
        action="portfolio.return",
        obj=enrolment,
        candidate=enrolment.candidate,
        before={"state": "submitted"},
        after={"state": "returned"},
        reason="Ajoutez la procédure d'achat.",
    )
    return enrolment, members, actor


def url(enrolment):
    return reverse("jury:candidate_history", args=[enrolment.pk])


def history_rows(html):
    """Return the journal's rows as (date, type, action, by, on, what changed, reason)."""
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body, "the page shows no journal table"
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S):
        cells = re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)
        rows.append(tuple(unescape(cell).strip() for cell in cells))
    return rows


def expected_rows(enrolment, actor):
    """The journal the fixture leaves, oldest first, without the date and the staff member who
    invites the tutor.

    ``ready_enrolment`` has a staff member invite the tutor, who fills and submits the grid;
    the fixture then puts the candidate before the jury and returns a portfolio with a reason.
    """
    tutor = str(enrolment.tutor)
    evaluation = f"Évaluation tuteur — {enrolment.candidate}"
    session = enrolment.jury_entries.get().session
    total = format_decimal(enrolment.tutor_evaluations.get().total)
    notes = "Notes, assiduité et tuteur"
    return [
        (notes, "Tuteur invité à évaluer", evaluation, "Invitation envoyée", ""),
        (
            notes,
            "Évaluation du tuteur enregistrée",
            tutor,
            evaluation,
            "Invitation envoyée → En cours de saisie ; points enregistrés, non remis",
            "",
        ),
        (
            notes,
            "Évaluation du tuteur remise",
            tutor,
            evaluation,
            f"En cours de saisie → Remise ; total {total} points",
            "",
        ),
        ("Jury", "Inscription à une session de jury", str(actor), str(session), "—", ""),
        (
            "Évaluation",
            "Portefeuille renvoyé pour compléments",
            str(actor),
            str(enrolment),
            "Déposé → Renvoyé pour compléments",
            "Ajoutez la procédure d'achat.",
        ),
    ]


def assert_history_shown(response, enrolment, actor):
    assert response.status_code == 200
    html = response.content.decode()
    assert f"Historique de {enrolment.candidate.get_full_name()}" in unescape(html)
    rows = history_rows(html)
    assert len(rows) == 5
    for row in rows:
        assert re.fullmatch(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", row[0])
    # The tutor is invited by one of the centre's staff, created inside ready_enrolment.
    expected = expected_rows(enrolment, actor)
    invite = rows[0][1:]
    staff_names = {str(user) for user in User.objects.with_role("responsable_evaluation")}
    assert invite[2] in staff_names
    assert invite[:2] + invite[3:] == expected[0]
    assert [row[1:] for row in rows[1:]] == expected[1:]
    # The escaped reason, as the browser receives it.
    assert "Ajoutez la procédure d&#x27;achat." in html


def assert_no_history_leaks(response, enrolment):
    html = unescape(response.content.decode())
    for leak in (
        "Journal du candidat",
        "Tuteur invité à évaluer",
        "Inscription à une session de jury",
        "Portefeuille renvoyé pour compléments",
        "Déposé → Renvoyé pour compléments",
        "Ajoutez la procédure",
        f"Historique de {enrolment.candidate.get_full_name()}",
        str(enrolment.tutor),
    ):
        assert leak not in html


def test_staff_read_every_event_with_its_reason(client, enrolment_in_session):
    enrolment, _members, actor = enrolment_in_session
    client.force_login(actor)
    assert_history_shown(client.get(url(enrolment)), enrolment, actor)


def test_the_president_of_the_candidates_jury_reads_it(client, enrolment_in_session):
    enrolment, members, actor = enrolment_in_session
    client.force_login(members["president"])
    assert_history_shown(client.get(url(enrolment)), enrolment, actor)


@pytest.mark.parametrize("who", ["pro1", "cci"])
def test_other_jury_members_are_refused(client, enrolment_in_session, who):
    enrolment, members, _actor = enrolment_in_session
    client.force_login(members[who])
    response = client.get(url(enrolment))
    assert response.status_code == 404
    assert_no_history_leaks(response, enrolment)


@pytest.mark.parametrize("role", ["candidat", "evaluateur", "tuteur", "formateur", "jury"])
def test_other_roles_and_the_candidate_are_refused(client, enrolment_in_session, role):
    enrolment, _members, _actor = enrolment_in_session
    client.force_login(UserFactory(roles=[role]))
    response = client.get(url(enrolment))
    assert response.status_code == 404
    assert_no_history_leaks(response, enrolment)
    client.force_login(enrolment.candidate)
    response = client.get(url(enrolment))
    assert response.status_code == 404
    assert_no_history_leaks(response, enrolment)


def test_the_president_of_another_jury_is_refused(client, enrolment_in_session):
    enrolment, _members, _actor = enrolment_in_session
    _session, other_members, _other_actor = seated_session()
    client.force_login(other_members["president"])
    response = client.get(url(enrolment))
    assert response.status_code == 404
    assert_no_history_leaks(response, enrolment)


def test_anonymous_visitors_are_sent_to_sign_in(client, enrolment_in_session):
    enrolment, _members, _actor = enrolment_in_session
    response = client.get(url(enrolment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert_no_history_leaks(response, enrolment)
