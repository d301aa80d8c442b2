"""The back office's screens: who may open them, scoping by establishment, forms and errors."""

from datetime import date

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Cohort, Enrolment, Invitation, Role, TrainingLink, User
from portfolio.services import portfolio_deadline
from tests.centres.helpers import auditor, other_establishment, responsable, trainer_of
from tests.factories import (
    AccompanimentFactory,
    CohortFactory,
    ConflictDeclarationFactory,
    DraftPortfolioFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    UserFactory,
    rncp_title,
)

pytestmark = pytest.mark.django_db

LISTS = [
    "centres:index",
    "centres:cohort_list",
    "centres:person_list",
    "centres:accompaniment_list",
    "centres:conflict_list",
    "centres:invitation_list",
]


@pytest.mark.parametrize("name", LISTS)
def test_each_page_opens_for_a_responsable_and_is_refused_to_others(client, name):
    client.force_login(UserFactory(roles=[Role.CANDIDAT]))
    assert client.get(reverse(name)).status_code == 403
    client.force_login(responsable())
    assert client.get(reverse(name)).status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("centres:cohort_list"))
    assert response.status_code == 302 and "next=" in response.url


def test_creating_a_cohort_through_the_form(client):
    client.force_login(responsable())
    response = client.post(
        reverse("centres:cohort_create"),
        {
            "establishment": EstablishmentFactory().pk,
            "title": rncp_title().pk,
            "name": "Office Manager 2026",
            "training_start": "2025-09-01",
            "training_end": "2026-06-30",
            "training_hours": "931",
            "memoire_deadline": "",
        },
    )
    cohort = Cohort.objects.get(name="Office Manager 2026")
    assert response.url == reverse("centres:cohort_detail", args=[cohort.pk])


def test_the_establishment_choice_offers_only_the_user_s_establishments(client):
    mine, other = EstablishmentFactory(), other_establishment()
    third = EstablishmentFactory(name="CCI Formation Annecy")
    user = responsable(mine)
    from tests.factories import roles_grant

    roles_grant(user, [Role.RESPONSABLE_EVALUATION], third)
    client.force_login(user)
    response = client.post(
        reverse("centres:cohort_create"),
        {
            "establishment": other.pk,
            "title": rncp_title().pk,
            "name": "Intrus",
            "training_start": "2025-09-01",
            "training_end": "2026-06-30",
            "training_hours": "931",
        },
    )
    assert response.status_code == 200
    assert "establishment" in response.context["form"].errors
    assert set(response.context["form"].fields["establishment"].queryset) == {mine, third}


def test_a_cohort_form_error_is_shown_on_its_field_in_french(client):
    client.force_login(responsable())
    response = client.post(
        reverse("centres:cohort_create"),
        {
            "title": rncp_title().pk,
            "establishment": EstablishmentFactory().pk,
            "name": "P",
            "training_start": "2026-09-01",
            "training_end": "2026-01-01",
            "training_hours": "931",
        },
    )
    assert "doit suivre le début" in response.context["form"].errors["training_end"][0]


def test_another_establishment_s_cohort_answers_404(client):
    cohort = CohortFactory(establishment=other_establishment())
    client.force_login(responsable())
    for url in (
        reverse("centres:cohort_detail", args=[cohort.pk]),
        reverse("centres:cohort_edit", args=[cohort.pk]),
    ):
        assert client.get(url).status_code == 404


def test_the_auditor_sees_the_cohort_but_cannot_change_it(client):
    cohort = CohortFactory()
    client.force_login(auditor())
    page = client.get(reverse("centres:cohort_detail", args=[cohort.pk]))
    assert page.status_code == 200 and page.context["link_form"] is None
    assert client.get(reverse("centres:cohort_create")).status_code == 403
    assert client.get(reverse("centres:cohort_edit", args=[cohort.pk])).status_code == 404
    assert client.post(reverse("centres:invitations_send_all")).status_code == 403


def test_training_links_are_added_and_removed_from_the_cohort_page(client):
    cohort = CohortFactory()
    trainer = trainer_of(cohort.establishment)
    module = cohort.title.blocs.get(number=1).modules.first()
    client.force_login(responsable())
    client.post(
        reverse("centres:training_link_add", args=[cohort.pk]),
        {"module": module.pk, "trainer": trainer.pk},
    )
    link = TrainingLink.objects.get(cohort=cohort, trainer=trainer, module=module)
    page = client.get(reverse("centres:cohort_detail", args=[cohort.pk]))
    assert trainer.get_full_name() in page.content.decode()
    client.post(reverse("centres:training_link_remove", args=[link.pk]))
    assert not TrainingLink.objects.exists()


def test_the_candidate_s_own_end_of_training_moves_their_portfolio_deadline(client):
    portfolio = DraftPortfolioFactory()
    enrolment = portfolio.enrolment
    before = portfolio_deadline(portfolio)
    client.force_login(responsable(enrolment.cohort.establishment))
    url = reverse("centres:enrolment_edit", args=[enrolment.cohort_id, enrolment.pk])
    response = client.post(url, {"training_end": "2026-12-31"})
    assert response.status_code == 302
    portfolio.refresh_from_db()
    portfolio.enrolment.refresh_from_db()
    after = portfolio_deadline(portfolio)
    assert after > before
    client.force_login(enrolment.candidate)
    page = client.get(reverse("portfolio:detail", args=[portfolio.pk]))
    assert page.status_code == 200
    assert page.context["deadline"] == after


def test_creating_a_person_with_a_duplicate_email_shows_a_french_field_error(client):
    UserFactory(email="deja@exemple.fr")
    client.force_login(responsable())
    response = client.post(
        reverse("centres:person_create"),
        {
            "establishment": EstablishmentFactory().pk,
            "role": Role.FORMATEUR,
            "last_name": "Martin",
            "first_name": "Luc",
            "email": "Deja@Exemple.fr",
        },
    )
    assert "Un compte existe déjà" in response.context["form"].errors["email"][0]


def test_creating_a_jury_member_through_the_form_with_their_experience(client):
    client.force_login(responsable())
    client.post(
        reverse("centres:person_create"),
        {
            "establishment": EstablishmentFactory().pk,
            "role": Role.JURY,
            "last_name": "Roche",
            "first_name": "Marc",
            "email": "jure@exemple.fr",
            "years_in_target_jobs": "7",
            "last_active_in_target_jobs": "2025-11-30",
        },
    )
    member = User.objects.get(email="jure@exemple.fr")
    assert member.has_role(Role.JURY)
    assert member.last_active_in_target_jobs == date(2025, 11, 30)
    assert len(mail.outbox) == 0  # "invite" unchecked


def test_a_person_of_another_establishment_answers_404_on_edit(client):
    stranger = trainer_of(other_establishment())
    client.force_login(responsable())
    assert client.get(reverse("centres:person_edit", args=[stranger.pk])).status_code == 404


def test_the_people_list_separates_the_establishment_from_the_national_pool(client):
    mine = trainer_of(EstablishmentFactory(), email="formateur@exemple.fr")
    theirs = trainer_of(other_establishment(), email="ailleurs@exemple.fr")
    evaluator = UserFactory(roles=[Role.EVALUATEUR], email="evaluateur@exemple.fr")
    client.force_login(responsable())
    local = client.get(reverse("centres:person_list")).content.decode()
    pool = client.get(reverse("centres:person_list") + "?onglet=vivier").content.decode()
    assert mine.email in local and theirs.email not in local and evaluator.email not in local
    assert evaluator.email in pool and mine.email not in pool


def test_accompaniments_and_conflicts_are_recorded_from_their_pages(client):
    enrolment = EnrolmentFactory()
    evaluator = UserFactory(roles=[Role.EVALUATEUR])
    accompanist = trainer_of(enrolment.cohort.establishment)
    client.force_login(responsable())
    client.post(
        reverse("centres:accompaniment_list"),
        {"candidate": enrolment.candidate.pk, "accompanist": accompanist.pk, "description": "VAE"},
    )
    client.post(
        reverse("centres:conflict_list"),
        {"candidate": enrolment.candidate.pk, "evaluator": evaluator.pk, "reason": "Voisin"},
    )
    assert enrolment.candidate.accompanied_by.get().accompanist == accompanist
    assert evaluator.conflicts.get().candidate == enrolment.candidate


def test_another_establishment_s_accompaniment_cannot_be_removed(client):
    accompaniment = AccompanimentFactory()
    EnrolmentFactory(
        candidate=accompaniment.candidate,
        cohort=CohortFactory(establishment=other_establishment()),
    )
    client.force_login(responsable())
    url = reverse("centres:accompaniment_remove", args=[accompaniment.pk])
    assert client.post(url).status_code == 404


def _passwordless_candidate(cohort):
    candidate = UserFactory(roles=[Role.CANDIDAT])
    candidate.set_unusable_password()
    candidate.save()
    return EnrolmentFactory(cohort=cohort, candidate=candidate).candidate


def test_inviting_everyone_in_one_post_then_the_revoked_link_answers_404(
    client, django_capture_on_commit_callbacks
):
    cohort = CohortFactory()
    candidates = [_passwordless_candidate(cohort) for _ in range(2)]
    client.force_login(responsable())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("centres:invitations_send_all"),
            {"establishment": cohort.establishment_id, "confirmed": "1"},
            follow=True,
        )
    assert "2 invitations envoyées" in response.content.decode()
    assert len(mail.outbox) == 2
    link = next(line for line in mail.outbox[0].body.splitlines() if "/invitation/" in line).strip()
    invited = User.objects.get(email=mail.outbox[0].to[0])
    assert invited in candidates
    client.post(reverse("centres:invitation_revoke", args=[invited.pk]))
    client.logout()
    assert client.get(link).status_code == 404


def test_the_invitation_list_shows_each_status_and_filters_those_not_signed_in(client):
    cohort = CohortFactory()
    never = _passwordless_candidate(cohort)
    invited = _passwordless_candidate(cohort)
    from accounts.services import invitation_issue

    invitation_issue(user=invited)
    signed_in = EnrolmentFactory(cohort=cohort).candidate
    User.objects.filter(pk=signed_in.pk).update(last_login="2026-01-05T10:00:00Z")
    client.force_login(responsable())
    rows = {
        account.email: account.status
        for account in client.get(reverse("centres:invitation_list")).context["page"]
    }
    assert rows[never.email] == "never_invited"
    assert rows[invited.email] == "invited"
    assert rows[signed_in.email] == "signed_in"
    filtered = client.get(reverse("centres:invitation_list") + "?filtre=non-connectes")
    assert signed_in.email not in {account.email for account in filtered.context["page"]}


def test_resending_from_another_establishment_answers_404(client):
    stranger = _passwordless_candidate(CohortFactory(establishment=other_establishment()))
    client.force_login(responsable())
    url = reverse("centres:invitation_resend", args=[stranger.pk])
    assert client.post(url).status_code == 404
    assert not Invitation.objects.exists()


def test_the_responsables_home_links_to_the_back_office(client):
    client.force_login(responsable())
    assert reverse("centres:index") in client.get(reverse("accounts:home")).content.decode()


# --- Constant query counts ------------------------------------------------------------------


def _grow(size: int) -> None:
    establishment = EstablishmentFactory()
    for _ in range(size):
        cohort = CohortFactory(establishment=establishment)
        enrolment = EnrolmentFactory(cohort=cohort)
        TrainingLinkFactory_(cohort)
        AccompanimentFactory(candidate=enrolment.candidate)
        ConflictDeclarationFactory(candidate=enrolment.candidate)
        UserFactory(roles=[Role.JURY])


def TrainingLinkFactory_(cohort):  # noqa: N802 - reads like the factory it stands for
    from tests.factories import TrainingLinkFactory

    return TrainingLinkFactory(cohort=cohort, trainer=trainer_of(cohort.establishment))


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/centre/promotions/",
        "/centre/personnes/",
        "/centre/personnes/?onglet=vivier",
        "/centre/accompagnements/",
        "/centre/conflits/",
        "/centre/invitations/",
        "cohort",
    ],
)
def test_each_list_costs_the_same_number_of_queries_for_2_or_6_rows(client, url):
    user = responsable()
    client.force_login(user)
    _grow(2)
    target = url
    if url == "cohort":
        cohort = Cohort.objects.first()
        target = reverse("centres:cohort_detail", args=[cohort.pk])
    small = _queries(client, target)
    _grow(4)
    if url == "cohort":
        for _ in range(4):
            EnrolmentFactory(cohort=cohort)
    assert _queries(client, target) == small
    assert Enrolment.objects.count() >= 6
