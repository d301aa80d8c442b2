"""The demo network: believable, idempotent, and every printed login reaches its home."""

import json
import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Cohort, Enrolment, Organisation, Role, TrainingLink, User, UserRole
from demo.build import (
    CERTIFIER,
    DEMO_PASSWORD,
    DOMAIN,
    ESTABLISHMENT,
    OLDER_CANDIDATES,
    OLDER_COHORT,
    PREVIOUS_CANDIDATES,
    SECOND_ESTABLISHMENT,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage")]


def run_demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


# Building the demo takes a while: each test below builds it once and checks all it can.


def check_cohort_of_thirty_on_both_routes():
    enrolments = Enrolment.objects.filter(
        cohort__establishment__name=ESTABLISHMENT, cohort__name="Office Manager junior — Lyon"
    )
    assert enrolments.count() == 30
    assert {e.route for e in enrolments} == {"portefeuille", "epreuves"}
    assert User.objects.with_role(Role.JURY).count() == 4
    assert User.objects.with_role(Role.EVALUATEUR).count() >= 3
    assert TrainingLink.objects.filter(cohort=enrolments[0].cohort).count() == 23


def check_placement_surveys():
    from audit.models import AuditEvent, Notification
    from surveys.models import FollowUp, SurveyWave

    # Both published seasons' certified are followed; one of last season refused the surveys.
    assert FollowUp.objects.filter(consent="refused").count() == 1
    assert FollowUp.objects.filter(confirmed_at__isnull=False).count() == FollowUp.objects.count()
    answered = SurveyWave.objects.filter(answered_at__isnull=False)
    assert {wave.months for wave in answered} == {6, 12}
    assert answered.filter(follow_up__enrolment__cohort__name=OLDER_COHORT).count() == 4
    # Every answer and consent is in the audit trail; the reminders went out once each.
    assert AuditEvent.objects.filter(action="survey.answer").count() == 4
    assert Notification.objects.filter(key__startswith="surveys.wave").count() == sum(
        SurveyWave.objects.values_list("messages_sent", flat=True)
    )


def check_two_establishments_under_the_certifier():
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
    from documents.models import IssuedDocument
    from portfolio.models import EvidenceItem, Portfolio
    from workflow.models import (
        AbsenceRecord,
        AssiduityDecision,
        Assignment,
        CCMark,
        JuryDecision,
        JurySession,
        Scoring,
        TutorEvaluation,
    )

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
        "sessions": sorted(JurySession.objects.values_list("pk", "state", "date")),
        "decisions": sorted(JuryDecision.objects.values_list("pk", "outcome")),
        "documents": IssuedDocument.objects.count(),
        "scorings": Scoring.objects.count(),
        "absences": AbsenceRecord.objects.count(),
        "assiduity": sorted(AssiduityDecision.objects.values_list("enrolment", "kind")),
        "audit": AuditEvent.objects.count(),
        "mails": Notification.objects.count(),
    }


def clock_now():
    from audit import clock

    return clock.now()


def check_epreuve_marks():
    """The apprentices' bloc marks are the sums of their épreuves; those still waiting for a
    jury have bloc 1 in every state, with independent examiners."""
    from decimal import Decimal

    from workflow.evaluation.independence import independence_problems
    from workflow.models import BlocExamMark, EpreuveMark

    marks = EpreuveMark.objects.filter(enrolment__cohort__establishment__name=ESTABLISHMENT)
    assert {"draft", "submitted"} <= set(marks.values_list("state", flat=True))
    for mark in marks.select_related("examiner", "enrolment__candidate")[:20]:
        assert not independence_problems(mark.examiner, mark.enrolment)
    bloc_marks = BlocExamMark.objects.filter(
        enrolment__cohort__establishment__name=ESTABLISHMENT, presented=True
    )
    assert bloc_marks.exists()
    for bloc_mark in bloc_marks:
        submitted = marks.filter(
            enrolment=bloc_mark.enrolment,
            epreuve__bloc=bloc_mark.bloc,
            attempt=bloc_mark.attempt,
            state="submitted",
        )
        assert submitted.count() == bloc_mark.bloc.epreuves.count()
        assert sum((m.total for m in submitted), Decimal(0)) == bloc_mark.points


def test_demo_builds_two_establishments_in_mid_season_through_the_real_services():
    from audit.models import AuditEvent, Notification
    from documents.models import IssuedDocument
    from portfolio.models import Memoire, Portfolio
    from workflow.models import (
        AbsenceRecord,
        Assignment,
        JurySession,
        SessionCandidate,
        TutorEvaluation,
    )

    run_demo()
    check_cohort_of_thirty_on_both_routes()
    check_two_establishments_under_the_certifier()
    lyon = Portfolio.objects.filter(enrolment__cohort__establishment__name=ESTABLISHMENT)
    states = set(lyon.values_list("state", flat=True))
    assert {
        "draft",
        "submitted",
        "admissible",
        "assigned",
        "under_evaluation",
        "reconciliation",
        "ready_for_jury",
        "returned",
    } <= states
    # Evaluated once, or twice when the control draw picked the portfolio.
    assert states & {"evaluated", "reconciled"}
    # The returned portfolio: its reason kept, and a version 2 open for the candidate.
    returned = lyon.get(state="returned")
    assert returned.return_reason
    assert lyon.get(enrolment=returned.enrolment, bloc=returned.bloc, is_active=True).version == 2
    # The pedagogical team agreed to the penalty the unjustified absence proposes.
    from workflow.models import AssiduityDecision

    assert AssiduityDecision.objects.get().kind == AssiduityDecision.Kind.AGREED
    # Reconciliation follows two evaluators' submitted grids.
    reconcile = lyon.get(state="reconciliation")
    assert reconcile.assignments.filter(state="completed").count() == 2
    # One evaluator is late: the dashboard's overdue list has something to show.
    overdue = Assignment.objects.filter(
        state__in=["proposed", "accepted"], due_date__lt=date.today()
    )
    assert overdue.exists()
    assert {"draft", "submitted", "assigned", "soutenance_marked"} <= set(
        Memoire.objects.values_list("state", flat=True)
    )
    tutor_states = set(TutorEvaluation.objects.values_list("state", flat=True))
    assert {"invited", "submitted", "locked"} <= tutor_states
    assert AbsenceRecord.objects.filter(justified=False).exists()

    sitting = JurySession.objects.get(state="deliberating")
    assert sitting.date == date.today() - timedelta(days=1)
    assert sitting.members.count() == 4
    decisions = list(sitting.decisions.all())
    assert 0 < len(decisions) < sitting.candidates.count()  # some decisions still to take
    assert [d.is_override for d in decisions].count(True) == 1
    assert next(d for d in decisions if d.is_override).override_motive
    # The engine's results are stored for every candidate (the deliberation screen reads them).
    entries = SessionCandidate.objects.filter(session=sitting)
    assert not entries.filter(stale=True).exists()
    assert not entries.filter(computed__isnull=True).exists()
    # One candidate left to decide sits near a threshold.
    undecided = entries.exclude(enrolment__in=[d.enrolment_id for d in decisions])
    assert undecided.filter(near_threshold=True).exists()

    # Last season's session (the season before last's, published too, answers the surveys).
    published = JurySession.objects.filter(state="published").latest("date")
    assert published.date < sitting.date - timedelta(days=60)
    kinds = set(IssuedDocument.objects.filter(session=published).values_list("kind", flat=True))
    assert {"proces_verbal", "releve", "certificat_bloc", "attestation", "convocation"} <= kinds
    # Every step left its audit line and its e-mails.
    assert AuditEvent.objects.filter(action="jury_session.publish").count() == 2
    assert Notification.objects.filter(template="results_published").exists()
    check_placement_surveys()

    # The apprentices' exam calendar: a past épreuve with its attendance (one absence justified
    # by a medical certificate), épreuves ahead with their convocations sent.
    from workflow.models import EpreuveAttendance, EpreuveConvocation, EpreuveSitting

    exams = EpreuveSitting.objects.filter(cohort__establishment__name=ESTABLISHMENT)
    assert exams.filter(starts_at__lt=clock_now()).count() == 1
    assert (
        exams.filter(starts_at__gt=clock_now(), convocations__isnull=False).distinct().count() == 2
    )
    assert exams.filter(remote=True).exclude(remote_agreement_reference="").exists()
    assert EpreuveConvocation.objects.filter(sitting__in=exams).exists()
    justified = EpreuveAttendance.objects.get(status="absent_justified")
    assert justified.justification_kind == "medical_certificate"

    # Second chances (demo.retakes): a justified absence with its retake, and a repeated year.
    from workflow.models import JustifiedAbsenceRetake, Redoublement

    absence = JustifiedAbsenceRetake.objects.get()
    assert absence.enrolment.exam_marks.get(bloc=absence.bloc, attempt=1).presented is False
    repeated = Redoublement.objects.get()
    assert (repeated.repeated_blocs, repeated.carried_blocs) == (["4"], ["1", "2", "3"])
    assert repeated.enrolment.cohort.training_start > published.date

    check_epreuve_marks()

    # Admission: a job seeker on the portfolio route, a candidate for blocs 1 and 2 only, an
    # exemption; and the certifier's national subjects, today's and next month's.
    from workflow.models import ExamSubject, Exemption

    seeker = Enrolment.objects.get(status="demandeur_emploi")
    assert seeker.route == "portefeuille"
    two = Enrolment.objects.get(blocs__isnull=False, blocs__number=1)
    assert sorted(two.blocs.values_list("number", flat=True)) == [1, 2]
    assert Exemption.objects.count() == 1
    assert ExamSubject.objects.filter(is_current=True).count() == 4

    grenoble = Portfolio.objects.filter(enrolment__cohort__establishment__name=SECOND_ESTABLISHMENT)
    assert sorted(grenoble.values_list("state", flat=True)) == ["draft"] * (5 * 4 - 1) + [
        "submitted"
    ]


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


# What each role opens first, and what shows there is not empty: NAMES is any enrolled
# candidate's surname, another string must appear as such.
NAMES = object()
MAIN_LISTS = {
    Role.CANDIDAT: [("portfolio:home", "Bloc 1"), ("jury:candidate_results", "Mes résultats")],
    Role.EVALUATEUR: [("workflow:queue", NAMES)],
    Role.TUTEUR: [("jury:tutor_home", NAMES)],
    Role.FORMATEUR: [("jury:trainer_home", "M1.")],
    Role.RESPONSABLE_EVALUATION: [
        ("workflow:staff-portfolios", NAMES),
        ("workflow:staff-memoires", NAMES),
        ("jury:staff_dashboard", NAMES),
    ],
    Role.RESPONSABLE_CERTIFICATION: [
        ("jury:staff_dashboard", NAMES),
        ("documents:index", "Office Manager junior"),
    ],
    Role.JURY: [("jury:jury_home", "En délibération")],
    Role.ADMINISTRATEUR: [("workflow:staff-portfolios", NAMES), ("jury:staff_dashboard", NAMES)],
    Role.AUDITEUR: [("workflow:staff-portfolios", NAMES), ("jury:staff_dashboard", NAMES)],
}


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_demo_builds_whichever_portfolios_the_control_draw_picks(settings):
    # The control draw depends on the portfolios' ids (PostgreSQL does not reuse them after a
    # rollback) and on the secret key: with every portfolio drawn, the demo still reaches each
    # state, the drawn ones marked twice and their two close marks averaged.
    from portfolio.models import Portfolio

    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 100
    run_demo()
    lyon = Portfolio.objects.filter(enrolment__cohort__establishment__name=ESTABLISHMENT)
    states = set(lyon.values_list("state", flat=True))
    assert {"ready_for_jury", "reconciliation", "reconciled"} <= states
    assert "evaluated" not in states  # each settled mark needed a second one
    for portfolio in lyon.filter(state__in=["reconciled", "ready_for_jury"]):
        assert portfolio.assignments.filter(state="completed").count() == 2
        assert portfolio.agreed_mark is not None


def test_every_printed_login_reaches_its_role_home_and_lists(client, settings):
    settings.PREUVES_SITE_URL = "http://demo.test:8001"
    output = run_demo()
    # The link printed follows the configured site address.
    assert "http://demo.test:8001/" in output
    assert "127.0.0.1:8000" not in output
    logins = printed_logins(output)
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
    names = set(Enrolment.objects.values_list("candidate__last_name", flat=True))
    for role, email in logins:
        client.logout()
        response = client.post("/", {"username": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        home = client.get(reverse("accounts:home"))
        assert f'data-role="{role}"' in home.content.decode(), (role, email)
        for url_name, marker in MAIN_LISTS[role]:
            response = client.get(reverse(url_name))
            assert response.status_code == 200, (email, url_name)
            text = main_text(response)
            if marker is NAMES:
                assert any(name in text for name in names), (email, url_name, text[:500])
            else:
                assert marker in text, (email, url_name, text[:500])


def test_demo_twice_changes_nothing_and_writes_every_account(client, tmp_path, monkeypatch):
    from audit import clock

    run_demo()
    before = demo_state()
    path = tmp_path / "accounts.json"
    output = run_demo("--accounts", str(path))
    assert demo_state() == before
    # Nor on another day: `make run` builds it again every time.
    later = clock.now() + timedelta(days=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    run_demo()
    assert demo_state() == before
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
    candidates = sum(1 for a in accounts if a["roles"] == ["candidat"])
    assert candidates == 30 + 8 + len(PREVIOUS_CANDIDATES) + len(OLDER_CANDIDATES)
