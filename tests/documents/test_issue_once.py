"""Each official document is issued exactly once for the same facts, and only by a POST.

A GET downloads the document in force, or says it is not issued yet (with the button for who
may issue it, a 404 for anyone else); it never issues. A POST issues once: the same facts give
back the same document; changed facts give a new one that supersedes the first, which still
verifies as superseded.
"""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.urls import reverse

from accounts.models import Role
from documents import issuance, selectors, services
from documents.models import IssuedDocument, ReferenceCounter
from tests.documents.conftest import response_bytes
from tests.factories import STAFF_ROLES, EstablishmentFactory, UserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    session_with_candidate,
)
from workflow.jury import deliberation
from workflow.models import JurySession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


@pytest.fixture
def published():
    """A published session with one candidate certified by blocs (certificats and an
    attestation owed); nothing issued yet."""
    enrolment = ready_enrolment(written=Decimal(0), tutor_full=False)
    session, members, staff, enrolment = session_with_candidate(enrolment)
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    session.refresh_from_db()
    deliberation.jury_results_publish(actor=staff, session=session)
    session.refresh_from_db()
    assert not IssuedDocument.objects.exists()
    return SimpleNamespace(session=session, members=members, staff=staff, enrolment=enrolment)


def document_urls(w) -> dict[str, str]:
    """Return every document URL of the session and its candidate (GET: download; POST: issue)."""
    s, e = w.session.pk, w.enrolment.pk
    return {
        "proces_verbal": reverse("documents:proces_verbal", args=[s]),
        "archive": reverse("documents:session_archive", args=[s]),
        "convocation": reverse("documents:convocation", args=[s, e]),
        "releve": reverse("documents:result", args=[s, e, "releve"]),
        "attestation": reverse("documents:result", args=[s, e, "attestation"]),
        **{
            f"certificat {n}": reverse("documents:certificat", args=[s, e, n]) for n in (1, 2, 3, 4)
        },
    }


def pages(w) -> list[str]:
    return [
        reverse("documents:index"),
        reverse("documents:session", args=[w.session.pk]),
        reverse("documents:candidate", args=[w.enrolment.pk]),
        reverse("documents:mine"),
    ]


def people(w) -> dict:
    lyon = w.session.establishment
    grenoble = EstablishmentFactory(name="CCI Formation Grenoble")
    return {
        "anonymous": None,
        "the candidate": w.enrolment.candidate,
        "another candidate": UserFactory(roles=[Role.CANDIDAT]),
        "the tutor": w.enrolment.tutor,
        "the jury's president": w.members["president"],
        "an evaluator": UserFactory(roles=[Role.EVALUATEUR]),
        "a trainer": UserFactory(roles=[Role.FORMATEUR]),
        "the responsable d'évaluation": UserFactory(
            roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=lyon
        ),
        "the responsable de certification": w.staff,
        "an auditor": UserFactory(roles=[Role.AUDITEUR]),
        "an administrator": UserFactory(roles=[Role.ADMINISTRATEUR]),
        "another establishment's staff": UserFactory(
            roles=STAFF_ROLES, roles__establishment=grenoble
        ),
    }


def login(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


# --- A GET never issues ---------------------------------------------------------------------


def test_no_get_by_anyone_issues_a_document(client, published):
    answers = {}
    for label, user in people(published).items():
        login(client, user)
        for name, url in [*document_urls(published).items(), *((p, p) for p in pages(published))]:
            response = client.get(url)
            answers[label, name] = response.status_code
            assert not IssuedDocument.objects.exists(), f"GET {name} as {label} issued a document"
    # The issuer and the candidate are told the document is not issued yet; others learn nothing.
    assert answers["the responsable de certification", "certificat 2"] == 200
    assert answers["the candidate", "releve"] == 200
    assert answers["another candidate", "releve"] == 404
    assert answers["an auditor", "proces_verbal"] == 404
    assert answers["another establishment's staff", "archive"] == 404
    assert ReferenceCounter.objects.filter(last__gt=0).count() == 0


def test_the_not_issued_page_offers_a_post_button_to_the_issuer_only(client, published):
    url = document_urls(published)["certificat 1"]
    client.force_login(published.staff)
    page = client.get(url).content.decode()
    assert "pas encore été établi" in page
    assert 'method="post"' in page and "csrfmiddlewaretoken" in page
    assert '<button type="submit"' in page
    client.force_login(published.enrolment.candidate)
    assert 'method="post"' in client.get(url).content.decode()  # their own, published
    auditor = UserFactory(roles=[Role.AUDITEUR])
    client.force_login(auditor)
    assert client.get(url).status_code == 404


def test_the_documents_pages_issue_by_buttons_not_links(client, published):
    client.force_login(published.staff)
    urls = document_urls(published)
    session_page = client.get(reverse("documents:session", args=[published.session.pk]))
    content = session_page.content.decode()
    for name, url in urls.items():
        assert f'<form method="post" action="{url}"' in content, name
        assert f'href="{url}"' not in content, name
    client.force_login(published.enrolment.candidate)
    mine = client.get(reverse("documents:mine")).content.decode()
    assert f'<form method="post" action="{urls["releve"]}"' in mine
    assert "Obtenir<span" in mine


def test_the_csrf_token_is_required_to_issue(published):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(published.staff)
    assert client.post(document_urls(published)["releve"]).status_code == 403
    assert not IssuedDocument.objects.exists()


# --- A POST issues once ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["proces_verbal", "archive", "convocation", "certificat 1"])
def test_a_second_identical_post_gives_back_the_same_document(client, published, name):
    client.force_login(published.staff)
    url = document_urls(published)[name]
    first, second = client.post(url), client.post(url)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    reference = first.url.rstrip("/").rsplit("/", 1)[1]
    document = IssuedDocument.objects.get(reference=reference)
    assert IssuedDocument.objects.filter(kind=document.kind).count() == 1
    # The GET now downloads exactly that document.
    assert response_bytes(client.get(url)) == document.file.open("rb").read()


def test_the_candidate_issues_their_own_result_once(client, published):
    client.force_login(published.enrolment.candidate)
    url = document_urls(published)["attestation"]
    assert client.post(url).url == client.post(url).url
    document = IssuedDocument.objects.get()
    assert document.kind == "attestation" and document.issued_by == published.enrolment.candidate
    mine = client.get(reverse("documents:mine")).content.decode()
    assert document.reference in mine


def test_changed_facts_give_a_new_document_and_the_old_one_verifies_as_superseded(
    client, published
):
    entry = published.session.candidates.get()
    first = services.convocation_issue(entry=entry, actor=published.staff)
    published.session.place = "Salle Saône, Villeurbanne"
    published.session.save()
    entry.refresh_from_db()
    moved = services.convocation_issue(entry=entry, actor=published.staff)
    first.refresh_from_db()
    assert moved.reference != first.reference
    assert first.superseded_by == moved and moved.superseded_by is None
    assert (
        issuance.current_document(
            kind="convocation", session=published.session, enrolment=published.enrolment
        )
        == moved
    )
    client.force_login(published.staff)
    result = client.post(
        reverse("documents:verify"),
        {"reference": first.reference, "file": SimpleUploadedFile("c.pdf", first.file.read())},
    ).context["result"]
    assert result.matches is True
    assert f"remplacé par le document {moved.reference}" in result.notice
    assert not selectors.document_verification(reference=moved.reference).notice
    # The candidate sees the convocation in force only.
    client.force_login(published.enrolment.candidate)
    mine = client.get(reverse("documents:mine")).content.decode()
    assert moved.reference in mine and first.reference not in mine


def test_the_old_facts_again_bring_back_their_document(published):
    entry = published.session.candidates.get()
    first = services.convocation_issue(entry=entry, actor=published.staff)
    place = published.session.place
    published.session.place = "Salle Saône, Villeurbanne"
    published.session.save()
    moved = services.convocation_issue(entry=entry, actor=published.staff)
    published.session.place = place
    published.session.save()
    again = services.convocation_issue(entry=entry, actor=published.staff)
    moved.refresh_from_db()
    assert again.pk == first.pk and again.superseded_by is None
    assert moved.superseded_by == first
    assert IssuedDocument.objects.count() == 2


def test_a_request_that_loses_the_race_leaves_no_number_and_no_file(
    published, monkeypatch, local_storage, tmp_path, caplog
):
    """The unique key catches a duplicate the lock did not hold back: the loser returns the
    winner's document, gives its reference number back and deletes the file it stored."""
    winner = services.releve_issue(
        session=published.session, enrolment=published.enrolment, actor=published.staff
    )
    files = sorted(p for p in (tmp_path / "media").rglob("*") if p.is_file())
    counter = ReferenceCounter.objects.get(prefix="RN").last
    lookups = iter([None])  # the first lookup misses the winner, as if it were not committed
    real = issuance._issued
    monkeypatch.setattr(issuance, "_issued", lambda key: next(lookups, real(key)))
    loser = services.releve_issue(
        session=published.session, enrolment=published.enrolment, actor=published.staff
    )
    assert loser.pk == winner.pk
    assert "lost a race" in caplog.text
    assert IssuedDocument.objects.count() == 1
    assert ReferenceCounter.objects.get(prefix="RN").last == counter
    assert sorted(p for p in (tmp_path / "media").rglob("*") if p.is_file()) == files


def test_the_database_refuses_a_second_document_of_the_same_facts(published):
    document = services.proces_verbal_issue(session=published.session, actor=published.staff)
    copy = IssuedDocument.objects.get(pk=document.pk)
    copy.pk, copy.reference = None, "PV-2026-999999"
    with pytest.raises(IntegrityError):
        copy.save()


# --- Who may issue --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", {302}),
        ("another candidate", {403, 404}),
        ("the tutor", {403, 404}),
        ("the jury's president", {403, 404}),
        ("an evaluator", {403, 404}),
        ("a trainer", {403, 404}),
        ("the responsable d'évaluation", {403}),
        ("an auditor", {403}),
        ("another establishment's staff", {404}),
    ],
)
def test_who_may_not_issue_is_refused_by_every_issuing_post(client, published, who, expected):
    login(client, people(published)[who])
    for name, url in document_urls(published).items():
        assert client.post(url).status_code in expected, name
    assert not IssuedDocument.objects.exists()


def test_the_candidate_may_issue_only_their_published_results(client, published):
    client.force_login(published.enrolment.candidate)
    urls = document_urls(published)
    for name in ("proces_verbal", "archive"):
        assert client.post(urls[name]).status_code == 403, name
    assert not IssuedDocument.objects.exists()
    JurySession.objects.filter(pk=published.session.pk).update(state="closed")  # unpublished
    assert client.post(urls["releve"]).status_code == 404
    assert not IssuedDocument.objects.exists()
    # Their own convocation, though, they obtain themselves.
    assert client.post(urls["convocation"]).status_code == 302
    assert list(IssuedDocument.objects.values_list("kind", flat=True)) == ["convocation"]


@pytest.mark.parametrize("who", ["an administrator", "the responsable de certification"])
def test_the_certification_issues_every_document(client, published, who):
    login(client, people(published)[who])
    for name, url in document_urls(published).items():
        assert client.post(url).status_code == 302, name
    kinds = set(IssuedDocument.objects.values_list("kind", flat=True))
    assert kinds == set(IssuedDocument.Kind.values)
