"""The demo network: believable, idempotent, and every printed login reaches its home."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Cohort, Enrolment, Organisation, Role, TrainingLink, User, UserRole
from demo.build import CERTIFIER, DEMO_PASSWORD, DOMAIN, ESTABLISHMENT, SECOND_ESTABLISHMENT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage")]


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_demo_builds_a_cohort_of_thirty_on_both_routes():
    run_demo()
    enrolments = Enrolment.objects.filter(cohort__establishment__name=ESTABLISHMENT)
    assert enrolments.count() == 30
    assert {e.route for e in enrolments} == {"portefeuille", "epreuves"}
    assert User.objects.with_role(Role.JURY).count() == 4
    assert User.objects.with_role(Role.EVALUATEUR).count() >= 3
    assert TrainingLink.objects.filter(cohort__establishment__name=ESTABLISHMENT).count() == 23


def test_demo_builds_two_establishments_under_the_certifier():
    run_demo()
    certifier = Organisation.objects.get(name=CERTIFIER, kind="certificateur")
    first = Organisation.objects.get(name=ESTABLISHMENT, kind="etablissement")
    second = Organisation.objects.get(name=SECOND_ESTABLISHMENT, kind="etablissement")
    assert set(certifier.establishments.all()) == {first, second}
    # The second establishment is a new cycle sponsored by the first, and so is its cohort.
    assert second.sponsor == first and first.sponsor is None
    assert {c.sponsor for c in Cohort.objects.filter(establishment=second)} == {first}
    for establishment in (first, second):
        cohorts = Cohort.objects.filter(establishment=establishment)
        assert Enrolment.objects.filter(cohort__in=cohorts).exists()
        assert TrainingLink.objects.filter(cohort__in=cohorts).exists()
        assert establishment.companies.exists()
        for enrolment in Enrolment.objects.filter(cohort__in=cohorts):
            assert enrolment.company.establishment == establishment
    # In Lyon one person holds both responsables' roles; in Grenoble two different people.
    both = User.objects.responsables_of(first.pk)
    assert both.count() == 1
    assert both.get().role_establishments(Role.RESPONSABLE_CERTIFICATION) == {first.pk}
    evaluation = User.objects.responsables_of(second.pk, [Role.RESPONSABLE_EVALUATION]).get()
    certification = User.objects.responsables_of(second.pk, [Role.RESPONSABLE_CERTIFICATION]).get()
    assert evaluation != certification
    # The national pool, the administrator and the auditor belong to no establishment.
    national = UserRole.objects.filter(
        role__in=[Role.EVALUATEUR, Role.JURY, Role.ADMINISTRATEUR, Role.AUDITEUR]
    )
    assert not national.filter(establishment__isnull=False).exists()
    assert User.objects.with_role(Role.ADMINISTRATEUR).count() == 1
    assert User.objects.with_role(Role.AUDITEUR).count() == 1


def demo_state():
    from audit.models import AuditEvent, Notification
    from portfolio.models import EvidenceItem, Portfolio
    from workflow.models import Assignment, CCMark, TutorEvaluation

    return {
        "organisations": sorted(
            Organisation.objects.values_list("pk", "certifier", "sponsor", "establishment")
        ),
        "users": User.objects.count(),
        "roles": sorted(UserRole.objects.values_list("user", "role", "establishment")),
        "cohorts": sorted(Cohort.objects.values_list("pk", "sponsor")),
        "enrolments": Enrolment.objects.count(),
        "links": TrainingLink.objects.count(),
        "portfolios": sorted(Portfolio.objects.values_list("pk", "state")),
        "items": EvidenceItem.objects.count(),
        "assignments": Assignment.objects.count(),
        "cc": CCMark.objects.count(),
        "tutor": sorted(TutorEvaluation.objects.values_list("pk", "state")),
        "audit": AuditEvent.objects.count(),
        "mails": Notification.objects.count(),
    }


def test_demo_moves_part_of_the_cohort_through_the_real_services():
    from portfolio.models import Portfolio

    run_demo()
    first = Portfolio.objects.filter(enrolment__cohort__establishment__name=ESTABLISHMENT)
    states = list(first.values_list("state", flat=True))
    assert states.count("draft") == 18 * 4 - 3
    assert {"submitted", "admissible", "assigned"} <= set(states)
    evaluator = User.objects.get(email=f"evaluateur@{DOMAIN}")
    assert evaluator.assignments.get().state == "proposed"
    second = Portfolio.objects.filter(enrolment__cohort__establishment__name=SECOND_ESTABLISHMENT)
    assert sorted(second.values_list("state", flat=True)) == ["draft"] * (5 * 4 - 1) + ["submitted"]


def test_demo_twice_changes_nothing(tmp_path):
    run_demo()
    before = demo_state()
    run_demo("--accounts", str(tmp_path / "accounts.json"))
    assert demo_state() == before


def printed_logins(output: str) -> list[tuple[str, str]]:
    """Return (role code, e-mail) for every login line the command printed."""
    logins = []
    for line in output.splitlines():
        words = line.split()
        if not words or not words[-1].endswith(f"@{DOMAIN}"):
            continue
        label = line.strip().removesuffix(words[-1]).strip()
        roles = [role for role in Role if str(role.label) == label]
        assert len(roles) == 1, line
        logins.append((roles[0].value, words[-1]))
    return logins


def test_every_printed_login_reaches_its_role_home(client):
    logins = printed_logins(run_demo())
    assert {role for role, _email in logins} == set(Role.values)
    # One login per role for the certifier and national pool, and for each establishment.
    establishment_roles = {
        Role.CANDIDAT,
        Role.FORMATEUR,
        Role.TUTEUR,
        Role.RESPONSABLE_EVALUATION,
        Role.RESPONSABLE_CERTIFICATION,
    }
    assert len(logins) == len(Role) + len(establishment_roles)
    for role, email in logins:
        client.logout()
        response = client.post("/", {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        home = client.get(reverse("accounts:home"))
        assert f'data-role="{role}"' in home.content.decode(), (role, email)


def test_the_accounts_file_lists_every_account_with_its_roles(client, tmp_path):
    path = tmp_path / "accounts.json"
    output = run_demo("--accounts", str(path))
    assert str(path) in output
    accounts = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(accounts, list)
    assert {a["email"] for a in accounts} == set(
        User.objects.filter(email__endswith=f"@{DOMAIN}").values_list("email", flat=True)
    )
    assert len({a["email"] for a in accounts}) == len(accounts)
    assert {email for _role, email in printed_logins(output)} <= {a["email"] for a in accounts}
    for account in accounts:
        assert set(account) == {"email", "password", "name", "roles", "establishment"}
        user = User.objects.get(email=account["email"])
        assert account["name"] == str(user) == user.get_full_name()
        assert set(account["roles"]) == set(user.user_roles.values_list("role", flat=True))
        assert account["roles"] and set(account["roles"]) <= set(Role.values)
        establishments = set(
            user.user_roles.filter(establishment__isnull=False).values_list(
                "establishment__name", flat=True
            )
        )
        if establishments:
            assert establishments == {account["establishment"]}
        else:
            assert account["establishment"] is None
        client.logout()
        response = client.post("/", {"username": account["email"], "password": account["password"]})
        assert response.status_code == 302, account["email"]
    by_email = {a["email"]: a for a in accounts}
    assert by_email[f"candidat@{DOMAIN}"]["establishment"] == ESTABLISHMENT
    assert by_email[f"candidat.grenoble.01@{DOMAIN}"]["establishment"] == SECOND_ESTABLISHMENT
    assert by_email[f"responsable@{DOMAIN}"]["roles"] == [
        "responsable_certification",
        "responsable_evaluation",
    ]
    assert by_email[f"admin@{DOMAIN}"]["establishment"] is None
    assert by_email[f"auditeur@{DOMAIN}"]["roles"] == ["auditeur"]
    assert by_email[f"evaluateur@{DOMAIN}"]["establishment"] is None
    assert sum(1 for a in accounts if a["roles"] == ["candidat"]) == 30 + 8
