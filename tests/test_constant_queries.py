"""Every page runs as many queries whatever the size of the data, and none weighs 200 KB.

The world of the tenancy crawl (tests/test_tenancy_crawl.py) gives fixed "focus" objects: an
establishment with its staff, a cohort, candidates on both routes with portfolios, evidence and a
mémoire, evaluators with assignments and scorings, a tutor, a trainer, a jury session with its
members, soutenances and decisions, issued documents. Then N "filler" rows of everything a page
can list are added around them (candidates in the focus cohort and session, evidence in the focus
portfolios, assignments in the focus evaluator's queue, cohorts, people, invitations, documents…).

Every role crawls the site from its home page (links, GET forms, and a GET of every POST form's
action) and the query count of every page is recorded; the filler then grows to 10 N and the same
URLs are fetched again in the same order: every count must be the same, and every HTML page must
stay under 200 KB. A new URL is covered as soon as some role's page links to it; every URL pattern
of the project must be reached by some crawl (as a page, or as a POST form's action) or be listed
in ``NOT_MEASURED`` with the reason.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Enrolment, Role
from audit import clock
from tests.factories import (
    AccompanimentFactory,
    AssignmentFactory,
    CohortFactory,
    ConflictDeclarationFactory,
    EnrolmentFactory,
    EpreuveAttendanceFactory,
    EpreuveConvocationFactory,
    EpreuveMarkFactory,
    EpreuvePaperFactory,
    EpreuveSittingFactory,
    EvidenceItemFactory,
    FollowUpFactory,
    JurySessionFactory,
    JuryUserFactory,
    MemoireFactory,
    PortfolioFactory,
    SurveyWaveFactory,
    TrainingLinkFactory,
    UserFactory,
)
from tests.test_tenancy_crawl import (
    build_world,
    crawl_as,
    crawl_environment,
    fetch,
    url_patterns,
    view_name,
)
from workflow.jury.computed import session_results_refresh  # noqa: E402
from workflow.models import JurySession  # noqa: E402

pytestmark = pytest.mark.django_db

N = 3
MAX_HTML_BYTES = 200_000

# URL patterns that no crawl measures, each with the reason.
NOT_MEASURED = {
    # Four fixed checks, no list (tests/config/test_health.py counts them).
    "healthz": "liveness check: reads nothing (tests/config/test_health.py)",
    "readyz": "readiness check: one SELECT 1 and one heartbeat query, whatever the data",
    "accounts:logout": "logout (never followed by the crawl)",
    "accounts:password_reset_confirm": "password reset link (token from an e-mail)",
    "accounts:invitation": "invitation link (token from an e-mail)",
    "documents:candidate_import_confirm": "import confirmation (signed token of a dry run)",
    "documents:agenda_feed": "calendar feed (secret token; tests/documents/test_candidate_agenda)",
    "surveys:answer": "a survey's personal link: one survey (tests/surveys/test_survey_views.py)",
    "surveys:withdraw": "withdrawal from a survey's link (POST; tests/surveys/test_survey_views)",
    "jury:cc_grid_cell": "JSON save of one CC grid cell (POST by static/js/cc_grid.js)",
    "jury:cc_import_confirm": "CC import confirmation (signed token of a preview)",
    # The grids' autosave (static/js/grid.js): a POST of one field answered in JSON, no page;
    # its queries do not depend on the number of rows (one assignment, one grid).
    "workflow:scoring-field": "the evaluator grid's autosave of one field (POST, JSON)",
    "jury:tutor_field": "the tutor grid's autosave of one field (POST, JSON)",
    # One national subject, no list; its lists are measured at two sizes in
    # tests/workflow/test_exam_subjects.py.
    "workflow:subject-download": "one national subject's file (audited download)",
    "workflow:subject-replace": "a new version of one national subject (POST with a file)",
    "jury:staff_session_ready": (
        "candidates ready for a session: each row runs the session's own readiness check "
        "(jury.sessions.candidate_readiness, a few queries per candidate), on pages of 25"
    ),
}


# -------------------------------------------------------------------------------------- filler


def _filler_row(world, i: int) -> None:
    """Add the ``i``-th row of everything a page lists around the focus objects."""
    from accounts.services import invitation_issue
    from portfolio.models import Portfolio
    from tests.workflow.helpers import assign_and_accept, score
    from workflow.marks import tutoring
    from workflow.models import Accommodation, CCMark, JuryMember, SessionCandidate, Soutenance

    focus = world.focus
    staff = world.a_staff
    cohort = focus["cohort"]
    # A candidate of the focus cohort, tutored by the focus tutor, with a submitted portfolio in
    # the focus evaluator's queue, a submitted mémoire, a CC mark, an accommodation, a place in
    # the focus session, and an invitation not taken up yet.
    candidate = UserFactory(
        email=f"remplissage.{i}@exemple.fr",
        first_name="Remplissage",
        last_name=f"N{i}",
        roles=[Role.CANDIDAT],
    )
    enrolment = EnrolmentFactory(
        candidate=candidate,
        cohort=cohort,
        company=focus["company"],
        tutor=focus["tutor"],
        route=Enrolment.Route.PORTEFEUILLE,
        training_end=date(2026, 11, 30),
    )
    blocs = list(cohort.title.blocs.order_by("number"))
    # One portfolio per bloc, each in another state: in the focus evaluator's queue (overdue),
    # scored by them, submitted, admissible.
    queued = PortfolioFactory(enrolment=enrolment, bloc=blocs[0], state=Portfolio.State.ASSIGNED)
    AssignmentFactory(
        portfolio=queued,
        evaluator=focus["evaluator"],
        assigned_by=staff,
        due_date=timezone.localdate() - timedelta(days=3),
    )
    scored = PortfolioFactory(enrolment=enrolment, bloc=blocs[1], state=Portfolio.State.ADMISSIBLE)
    EvidenceItemFactory(portfolio=scored, title=f"Preuve notée {i}")
    score(assign_and_accept(scored, focus["evaluator"], staff), 60 + i % 20)
    PortfolioFactory(enrolment=enrolment, bloc=blocs[2], state=Portfolio.State.SUBMITTED)
    PortfolioFactory(enrolment=enrolment, bloc=blocs[3], state=Portfolio.State.ADMISSIBLE)
    memoire = MemoireFactory(enrolment=enrolment, subject=f"Mémoire de remplissage {i}")
    # A marked soutenance in the focus session.
    model = focus["session"].soutenances.first()
    Soutenance.objects.create(
        session=focus["session"],
        memoire=memoire,
        starts_at=model.starts_at + timedelta(hours=1 + i),
        duration_minutes=45,
        base_minutes=45,
        grid_version=model.grid_version,
        total=Decimal(40),
        marked_by=model.marked_by,
        marked_at=model.marked_at,
    )
    CCMark.objects.create(
        enrolment=enrolment,
        module=focus["module"],
        mark=Decimal(12),
        out_of=20,
        entered_by=staff,
        entered_at=timezone.now(),
    )
    Accommodation.objects.create(
        enrolment=enrolment,
        kind="breaks",
        details="Pauses",
        recorded_by=staff,
        recorded_at=timezone.now(),
    )
    for session in (focus["session"], focus["planned"]):
        SessionCandidate.objects.create(session=session, enrolment=enrolment)
    tutoring.tutor_evaluation_invite(actor=staff, enrolment=enrolment)
    candidate.set_unusable_password()
    candidate.save(update_fields=["password"])
    invitation_issue(user=candidate, created_by=staff)
    # Evidence in the focus portfolios (the candidate's, the staff's and the evaluator's pages).
    for portfolio in (focus["submitted"], focus["scored"]):
        EvidenceItemFactory(portfolio=portfolio, title=f"Preuve de remplissage {i}")
    # A cohort, its trainer's module, a session the jury members sit on, a person, an
    # accompaniment and a declared conflict.
    other = CohortFactory(establishment=focus["establishment"], name=f"Promotion remplissage {i}")
    TrainingLinkFactory(trainer=focus["trainer"], cohort=other, module=focus["module"])
    # An épreuve sitting of that cohort (the exam calendar), and an épreuves-route candidate
    # with a convocation and an attendance line in the focus sitting.
    EpreuveSittingFactory(cohort=other, room=f"Salle d'épreuve {i}")
    sitting = focus["sitting"]
    sitter = EnrolmentFactory(
        cohort=cohort, route=Enrolment.Route.EPREUVES, company=focus["company"]
    )
    EpreuveConvocationFactory(sitting=sitting, enrolment=sitter)
    EpreuveAttendanceFactory(sitting=sitting, enrolment=sitter)
    session = JurySessionFactory(
        establishment=focus["establishment"], place=f"Salle {i}", date=date(2027, 9, 1)
    )
    for key, member in focus["members"].items():
        role = JuryMember.Role.PRESIDENT if key == "president" else JuryMember.Role.PROFESSIONAL
        JuryMember.objects.create(session=session, user=member, role=role)
    JuryUserFactory(email=f"jure.remplissage.{i}@exemple.fr")
    # A certified candidate of that cohort followed by the surveys, who answered one (their
    # follow-up points at the published focus decision: no other page reads it from there).
    published = focus["published"]
    follow_up = FollowUpFactory(
        decision=published.jury_decisions.get(),
        enrolment=EnrolmentFactory(
            candidate=candidate, cohort=other, company=focus["company"], tutor=None
        ),
        establishment=focus["establishment"],
    )
    SurveyWaveFactory(follow_up=follow_up, answered_at=timezone.now(), status="job_seeker")
    AccompanimentFactory(candidate=candidate, description=f"Accompagnement {i}")
    ConflictDeclarationFactory(
        evaluator=focus["evaluator"], candidate=candidate, reason=f"Conflit {i}"
    )
    # A candidate of the épreuves route whose bloc 1 report the focus evaluator marked.
    # with its marked paper.
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    EpreuvePaperFactory(
        file=default_storage.save(f"papers/zz/remplissage-{i}", ContentFile(b"%PDF-1.4 copie")),
        mark=EpreuveMarkFactory(
            enrolment=EnrolmentFactory(
                cohort=cohort, company=focus["company"], route=Enrolment.Route.EPREUVES
            ),
            examiner=focus["evaluator"],
            assigned_by=staff,
            state="submitted",
            total=Decimal(30),
        ),
    )


def filler_grow(world, size: int) -> None:
    """Grow the filler to ``size`` rows of each kind."""
    done = world.focus.setdefault("filler", 0)
    for i in range(done, size):
        _filler_row(world, i)
    world.focus["filler"] = size


# ------------------------------------------------------------------------------- more focus


def focus_complete(world) -> dict:
    """Add the focus objects that the tenancy world lacks: a candidate with drafts (a draft
    portfolio with evidence, a returned one, an enrolment not opened yet), a draft scoring, and
    a composed session with a soutenance to mark. Return extra seeds per role."""
    from portfolio.models import Portfolio
    from tests.workflow.helpers import assign_and_accept, score
    from tests.workflow.jury.helpers import SEATS, jury_clock, ready_enrolment
    from workflow.jury import sessions, soutenances

    focus = world.focus
    staff = world.a_staff
    cohort = focus["cohort"]
    blocs = list(cohort.title.blocs.order_by("number"))
    candidate = UserFactory(
        email="eta.brouillons@exemple.fr",
        first_name="Eta",
        last_name="Brouillons",
        roles=[Role.CANDIDAT],
    )
    where = {"candidate": candidate, "company": focus["company"], "tutor": focus["tutor"]}
    drafts = EnrolmentFactory(cohort=cohort, **where)
    draft = PortfolioFactory(enrolment=drafts, bloc=blocs[0], state=Portfolio.State.DRAFT)
    EvidenceItemFactory(portfolio=draft, title="Preuve en brouillon")
    PortfolioFactory(enrolment=drafts, bloc=blocs[1], state=Portfolio.State.RETURNED)
    to_score = PortfolioFactory(enrolment=drafts, bloc=blocs[2], state=Portfolio.State.ADMISSIBLE)
    EvidenceItemFactory(portfolio=to_score, title="Preuve à noter")
    draft_scoring = score(assign_and_accept(to_score, focus["evaluator"], staff), 60, submit=False)
    MemoireFactory(enrolment=drafts, state="draft", submitted_at=None)
    EnrolmentFactory(cohort=CohortFactory(establishment=focus["establishment"]), **where)
    focus["drafts"] = drafts

    # A composed session of the focus jury, with a soutenance still to mark.
    members = focus["members"]
    composed = JurySessionFactory(establishment=focus["establishment"], place="Salle composée")
    with jury_clock():
        for key, user in members.items():
            sessions.jury_member_add(actor=staff, session=composed, user=user, role=SEATS[key])
        enrolment = ready_enrolment(cohort=cohort, company=focus["company"], tutor=focus["tutor"])
        sessions.jury_candidate_add(actor=staff, session=composed, enrolment=enrolment)
        sessions.jury_session_compose(actor=staff, session=composed)
        soutenances.soutenance_schedule(
            actor=staff,
            session=composed,
            enrolment=enrolment,
            starts_at=timezone.make_aware(datetime(2027, 3, 15, 9, 0)),
            base_minutes=45,
        )
    return {
        "évaluateur": [reverse("workflow:scoring-submit", args=[draft_scoring.assignment_id])],
    }


# -------------------------------------------------------------------------------------- roles


def crawlers(world, seeds: dict) -> dict[str, tuple[object | None, list[str]]]:
    """Return every role's crawling person (None: signed out) and seed URLs."""
    focus = world.focus
    a = focus["establishment"]
    members = focus["members"]
    people = {
        "anonyme": (None, []),
        "candidat (résultats publiés)": (focus["published"].candidate, []),
        "candidat (en évaluation)": (focus["in_evaluation"].candidate, []),
        "candidat (brouillons)": (focus["drafts"].candidate, []),
        "évaluateur": (focus["evaluator"], []),
        "tuteur": (focus["tutor"], []),
        "formateur": (focus["trainer"], []),
        "responsables (les deux)": (world.a_staff, world.seeds),
        "responsable évaluation": (
            UserFactory(roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=a),
            world.seeds,
        ),
        "responsable certification": (
            UserFactory(roles=[Role.RESPONSABLE_CERTIFICATION], roles__establishment=a),
            world.seeds,
        ),
        "président du jury": (members["president"], []),
        "membre du jury": (members["pro1"], []),
        "administrateur national": (UserFactory(roles=[Role.ADMINISTRATEUR]), world.seeds),
        "auditeur national": (UserFactory(roles=[Role.AUDITEUR]), world.seeds),
    }
    return {
        label: (user, [*role_seeds, *seeds.get(label, [])])
        for label, (user, role_seeds) in people.items()
    }


def _client(user) -> Client:
    client = Client(raise_request_exception=True)
    if user is not None:
        client.force_login(user)
    return client


# ----------------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker, tmp_path_factory):
    """Crawl as every role at N filler rows; replay the pages found at N, then at 10 N; yield
    the crawls and both replays per role.

    The counts compared are those of the two replays, made in the same order: what the crawl
    itself wrote (a download's audit row) is there in both.
    """
    media = tmp_path_factory.mktemp("queries-media")
    with django_db_blocker.unblock(), crawl_environment(media):
        world = build_world()
        roles = crawlers(world, focus_complete(world))
        filler_grow(world, N)
        crawls = {
            label: crawl_as(_client(user), seeds, get_post_targets=True)
            for label, (user, seeds) in roles.items()
        }

        def replay() -> dict[str, dict]:
            # The deliberation screens recompute the results the filler made stale (a fixed
            # number of queries, tested in test_stored_results): both replays start fresh.
            for session in JurySession.objects.all():
                session_results_refresh(session)
            # The clock stands still during a replay: on a loaded machine a role's pages take
            # more than a minute, and the idle-session middleware would then save the session
            # (3 queries) on whichever page comes after the minute.
            instant = clock.now()
            answers = {}
            with mock.patch.object(clock, "now", lambda: instant):
                for label, (user, _seeds) in roles.items():
                    client = _client(user)
                    answers[label] = {url: fetch(client, url) for url in crawls[label].pages}
            return answers

        small = replay()
        filler_grow(world, 10 * N)
        yield crawls, small, replay()


# -------------------------------------------------------------------------------------- tests


def _measured(url: str) -> bool:
    return view_name(url) not in NOT_MEASURED


def test_every_page_runs_as_many_queries_at_ten_times_the_data(measured):
    _crawls, small, large = measured
    grown = []
    for label, answers in small.items():
        for url, answer in answers.items():
            if not _measured(url):
                continue
            after = large[label][url]
            if after.status != answer.status or after.queries != answer.queries:
                status = f" status {answer.status} → {after.status}"
                grown.append(
                    f"{label}: {url} → ({answer.queries}, {after.queries})"
                    + (status if after.status != answer.status else "")
                )
    pages = sum(len(answers) for answers in small.values())
    assert not grown, (
        f"{len(grown)} of {pages} pages run more queries with {10 * N} filler rows than with "
        f"{N} (URL → (N, 10 N)):\n" + "\n".join(sorted(grown))
    )


def test_no_page_weighs_200_kb_at_ten_times_the_data(measured):
    _crawls, _small, large = measured
    heavy = sorted(
        f"{label}: {url} ({len(answer.content) // 1000} KB)"
        for label, answers in large.items()
        for url, answer in answers.items()
        if "html" in answer.content_type and len(answer.content) >= MAX_HTML_BYTES
    )
    assert not heavy, "pages over 200 KB of HTML:\n" + "\n".join(heavy)


def test_every_url_pattern_is_measured_or_listed(measured):
    crawls, _small, _large = measured
    pages = {view_name(url) for crawl in crawls.values() for url in crawl.pages}
    actions = {view_name(action) for crawl in crawls.values() for action, _kind in crawl.posts}
    names = {name for name, _route, _pattern in url_patterns()}
    unreached = sorted(
        f"{name}  ({route})"
        for name, route, _pattern in url_patterns()
        if name not in pages | actions and name not in NOT_MEASURED
    )
    stale = sorted(set(NOT_MEASURED) - names)
    assert not unreached, (
        "URL patterns that no role's crawl reaches (give the world the object that links to "
        "them, or list them in NOT_MEASURED with the reason):\n" + "\n".join(unreached)
    )
    assert not stale, f"NOT_MEASURED names patterns that no longer exist: {stale}"


def test_the_crawls_see_the_filler(measured):
    crawls, _small, large = measured
    staff = large["responsables (les deux)"]
    assert any(b"Remplissage" in answer.content for answer in staff.values())
    assert all(len(crawl.pages) > 1 for label, crawl in crawls.items() if label != "anonyme")
