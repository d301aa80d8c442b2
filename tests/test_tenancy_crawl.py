"""Tenancy: nothing of establishment A reaches the staff of establishment B.

A rich world is built for establishment A (the suite's default one) and a smaller one for B.
Every candidate, tutor, company and the session place of A carry the marker "Zorglub"; A's issued
documents add their references. Then:

1. the staff of A (one person holding both responsables' roles) crawls the site from the home
   page and every staff URL that reverses without arguments, following ``<a href>``,
   ``<form method="get">`` targets and the job status URLs pages poll (``data-job-status``),
   and records every URL that answered 200 (pages, exports, archives, document downloads) and
   every ``<form method="post">`` it saw;
2. every recorded URL is replayed as B's responsable d'évaluation, B's responsable de
   certification and a B person holding both: each answer is a 403/404 or shows none of A's
   markers (CSV, XLSX, PDF and ZIP are opened: ZIP members, PDF text);
3. every POST form found on A's pages is replayed as B's staff with plausible data: the
   database does not change, and an action on an object of A answers 403/404;
4. every URL pattern of the project is reached by the crawl (or is the target of a form it
   found), or is listed below with the reason it is not a staff page, so that a new staff view
   cannot forget the scope unnoticed.

No test here is marked xfail: while the scoping of the staff views is in progress, they fail
with the short list of leaking URLs.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import NoReverseMatch, Resolver404
from django.utils import timezone

from accounts.models import Enrolment, Role
from audit import clock
from portfolio.filetypes import CHECKS_VERSION
from portfolio.models import ScanStatus
from tests.config.test_security_headers import (
    EXPECTED_POLICY,
    INLINE_FILE_POLICY,
    READER_FILE_POLICY,
    policy_of,
)
from tests.factories import (
    STAFF_ROLES,
    CohortFactory,
    DraftMemoireFactory,
    DraftPortfolioFactory,
    EnrolmentFactory,
    EpreuvePaperFactory,
    EstablishmentFactory,
    EvaluatorFactory,
    EvidenceItemFactory,
    FollowUpFactory,
    JurySessionFactory,
    MemoireFactory,
    OrganisationFactory,
    PortfolioFactory,
    SurveyWaveFactory,
    UserFactory,
)
from workflow.marks import tutoring

pytestmark = pytest.mark.django_db

MARKER = re.compile(r"zorglub", re.IGNORECASE)
MAX_PAGES = 800
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media", "/i18n/", "/__")

# URL patterns that the staff crawl does not reach, each with the reason it is not a staff page
# (key: the pattern's view name). A staff page missing from the crawl must not be added here:
# give the world below the object that makes the crawl reach it.
NOT_STAFF_PAGES = {
    # Health checks: no data at all, the same answer for everybody (tests/config/test_health.py).
    "healthz": "liveness check (config/health.py)",
    "readyz": "readiness check (config/health.py)",
    # Sign-in and password pages: no establishment's data; a signed-in user is redirected.
    "accounts:login": "login page (redirects a signed-in user)",
    "accounts:login-alias": "login page (redirects a signed-in user)",
    "accounts:logout": "logout (never followed by the crawl)",
    "accounts:password_reset_confirm": "password reset link (token from an e-mail)",
    "accounts:invitation": "invitation link (token from an e-mail)",
    # POST only, with the signed token of a dry run: the POST replay below chains to it whenever
    # B's dry run of an import into A's cohort hands out a token.
    "documents:candidate_import_confirm": "import confirmation (signed token of a dry run)",
    # The candidate's own screens.
    "portfolio:start": "candidate-only: opens the candidate's drafts",
    "portfolio:submit": "candidate-only: the candidate submits",
    "portfolio:new_version": "candidate-only: the candidate starts a new version",
    "portfolio:evidence_edit": "candidate-only: the candidate edits an item",
    "portfolio:evidence_remove": "candidate-only: the candidate removes an item",
    "jury:candidate_cc": "candidate-only: the candidate's CC marks",
    "jury:candidate_results": "candidate-only: the candidate's results",
    "documents:agenda": "candidate-only: the candidate's calendar address",
    "documents:agenda_renew": "candidate-only: the candidate renews their calendar address",
    "documents:agenda_feed": "calendar feed (the candidate's secret token, no session)",
    "surveys:mine": "candidate-only: the candidate's contact data and consent for the surveys",
    "surveys:answer": "a survey's personal link (token from an e-mail, no session)",
    "surveys:withdraw": "withdrawal of consent from a survey's personal link (token, POST)",
    # The certifier's national subjects: no establishment's data; every establishment's
    # responsable du processus d'évaluation reads the same file from the épreuve's day
    # (tests/workflow/test_exam_subjects.py proves who is refused).
    "workflow:subjects-manage": "certifier-only: uploads the national subjects",
    "workflow:subject-replace": "certifier-only: replaces a national subject",
    "workflow:subject-download": "national subject, the same for every establishment",
    # The evaluator's screens (national pool, reached through their assignments).
    "workflow:queue": "evaluator-only: the evaluator's assignments",
    "workflow:assignment-respond": "evaluator-only: accept or decline an assignment",
    "workflow:scoring": "evaluator-only: the scoring grid",
    "workflow:scoring-submit": "evaluator-only: hand in the scoring",
    "workflow:scoring-field": "evaluator-only: the grid's autosave of one field (POST, JSON)",
    "workflow:examiner-marks": "evaluator-only: the épreuves the examiner corrects",
    "workflow:examiner-mark": "evaluator-only: the examiner's grid of one épreuve",
    # The tutor's and trainer's screens.
    "jury:tutor_home": "tutor-only: the tutor's apprentices",
    "jury:tutor_evaluation": "tutor-only: the tutor's grid",
    "jury:tutor_field": "tutor-only: the tutor grid's autosave of one field (POST, JSON)",
    "jury:trainer_home": "trainer-only: the trainer's modules",
    # POST only, by static/js/cc_grid.js (JSON); B's staff refused in tests/workflow/marks/
    # test_cc_grid.py.
    "jury:cc_grid_cell": "JSON save of one CC grid cell (POST by cc_grid.js)",
    "jury:cc_import_confirm": "CC import confirmation (signed token of a preview)",
    # The jury's screens (national pool, reached through the sessions they sit on).
    "jury:session_open": "jury-only: the president opens the session",
    "jury:soutenance_mark": "jury-only: marking a soutenance",
}


# --------------------------------------------------------------------------------------- world


@dataclass
class World:
    a_staff: object
    b_users: dict
    markers: re.Pattern
    # The candidate's pages that the staff may read but that no staff screen links to.
    seeds: list[str] = field(default_factory=list)
    # The values a B user posts in A's forms for these select fields (A's own objects).
    choices: dict[str, str] = field(default_factory=dict)
    # The URLs of B's own objects: B acting on them through a form is B's own business.
    b_paths: tuple[str, ...] = ()
    # A's objects by name, for the tests that build on this world (the constant-queries test).
    focus: dict = field(default_factory=dict)


def _stored(name: str, content: bytes) -> tuple[str, str]:
    from django.core.files.storage import default_storage

    return default_storage.save(name, ContentFile(content)), hashlib.sha256(content).hexdigest()


def _evidence(portfolio, label: str):
    content = f"%PDF-1.4 preuve {label} Zorglub".encode()
    name, digest = _stored(f"evidence/zz/{label}", content)
    thumbnail, _digest = _stored(f"thumbnails/zz/{label}", b"\x89PNG\r\n Zorglub")
    return EvidenceItemFactory(
        portfolio=portfolio,
        file=name,
        original_name=f"zorglub-{label}.pdf",
        title=f"Preuve Zorglub {label}",
        size=len(content),
        sha256=digest,
        thumbnail=thumbnail,
        thumbnail_type="image/png",
        checks_version=CHECKS_VERSION,
    )


def build_world() -> World:
    """Build establishment A's rich world and B's smaller one; return the people and markers."""
    from documents import jobs as documents_jobs
    from documents import services as documents
    from portfolio.models import Portfolio
    from tests.workflow.helpers import assign_and_accept, score
    from tests.workflow.jury.helpers import (
        JURY_EVENING,
        clock_move,
        jury_clock,
        ready_enrolment,
        seated_session,
    )
    from workflow.jury import accommodations, deliberation, fraud, sessions, soutenances
    from workflow.marks import attendance

    a = EstablishmentFactory()
    b = EstablishmentFactory(name="CCI Formation Grenoble")
    a_staff = UserFactory(
        # No marker in the crawling person's own name: it heads every page they see.
        email="albertine.rhone@exemple.fr",
        first_name="Albertine",
        last_name="Rhône",
        roles=STAFF_ROLES,
        roles__establishment=a,
    )
    company = OrganisationFactory(name="Zorglub Industries", establishment=a)
    tutor = UserFactory(
        email="zorglub.tuteur@exemple.fr",
        first_name="Zorglubine",
        last_name="Tutrice",
        employer=company,
        roles=[Role.TUTEUR],
    )
    cohort = CohortFactory(establishment=a, name="Promotion Zorglub 2026")

    def candidate(n: int, name: str):
        return UserFactory(
            email=f"zorglub.{n}@exemple.fr",
            first_name=name,
            last_name=f"Zorglub{name}",
            birth_date=date(1995, 1, n),
            roles=[Role.CANDIDAT],
        )

    where = {"cohort": cohort, "company": company, "tutor": tutor}
    # Two candidates through a whole jury session: the title, and blocs only.
    alpha = ready_enrolment(candidate=candidate(1, "Alpha"), **where)
    beta = ready_enrolment(
        written=Decimal(0), tutor_full=False, candidate=candidate(2, "Beta"), **where
    )
    session, members, _actor = seated_session(establishment=a, place="Salle Zorglub, Lyon")
    accommodations.accommodation_record(
        actor=a_staff, enrolment=alpha, kind="extra_time", details="Tiers-temps Zorglub"
    )
    with jury_clock():  # the session sits on 15/03/2027, and deliberates after the soutenances
        for enrolment in (alpha, beta):
            sessions.jury_candidate_add(actor=a_staff, session=session, enrolment=enrolment)
        sessions.jury_session_compose(actor=a_staff, session=session)
        for hour, enrolment in enumerate((alpha, beta), start=9):
            soutenance = soutenances.soutenance_schedule(
                actor=a_staff,
                session=session,
                enrolment=enrolment,
                starts_at=timezone.make_aware(datetime(2027, 3, 15, hour, 0)),
                base_minutes=45,
            )
            points = {
                c.pk: c.max_points * Decimal("0.6") for c in soutenance.grid_version.criteria.all()
            }
            clock_move(JURY_EVENING)
            soutenances.soutenance_mark(actor=members["pro1"], soutenance=soutenance, points=points)
        deliberation.jury_deliberation_open(actor=members["president"], session=session)
        deliberation.jury_deliberation_close(
            actor=members["president"], session=session, confirm=True
        )
        session.refresh_from_db()
        deliberation.jury_results_publish(actor=a_staff, session=session)
        session.refresh_from_db()
    entries = list(session.candidates.all())
    issued = [
        documents.proces_verbal_issue(session=session, actor=a_staff),
        documents.releve_issue(session=session, enrolment=alpha, actor=a_staff),
        documents.releve_issue(session=session, enrolment=beta, actor=a_staff),
        documents.certificat_issue(
            session=session, enrolment=alpha, bloc_number="1", actor=a_staff
        ),
        documents.attestation_issue(session=session, enrolment=beta, actor=a_staff),
        documents.session_archive_issue(session=session, actor=a_staff),
    ]
    issued += [documents.convocation_issue(entry=entry, actor=a_staff) for entry in entries]
    # A background job whose progress and result (a DIPLOMATION file) the session page shows.
    documents_jobs.session_job_start(
        kind=documents_jobs.DIPLOMATION, session=session, actor=a_staff, fmt="csv"
    )

    # A candidate in evaluation: a submitted portfolio with evidence, a scored one, an
    # assigned one, a submitted mémoire, an absence and a fraud report.
    gamma = EnrolmentFactory(
        candidate=candidate(3, "Gamma"), route=Enrolment.Route.PORTEFEUILLE, **where
    )
    blocs = list(cohort.title.blocs.order_by("number"))
    submitted = PortfolioFactory(enrolment=gamma, bloc=blocs[0], state=Portfolio.State.SUBMITTED)
    item = _evidence(submitted, "gamma-1")
    evaluator = EvaluatorFactory(first_name="Évelyne", last_name="Nationale")
    scored = PortfolioFactory(enrolment=gamma, bloc=blocs[1], state=Portfolio.State.ADMISSIBLE)
    _evidence(scored, "gamma-2")
    score(assign_and_accept(scored, evaluator, a_staff), 60)
    assigned = PortfolioFactory(enrolment=gamma, bloc=blocs[2], state=Portfolio.State.ADMISSIBLE)
    from workflow.evaluation.assignments import evaluator_assign

    evaluator_assign(
        target=assigned,
        evaluator=EvaluatorFactory(),
        actor=a_staff,
        due_date=timezone.localdate() + timedelta(days=21),
    )
    memoire_file, _digest = _stored("memoires/zz/zorglub", b"%PDF-1.4 memoire Zorglub")
    PortfolioFactory(enrolment=gamma, bloc=blocs[3], state=Portfolio.State.ADMISSIBLE)
    memoire = MemoireFactory(
        enrolment=gamma,
        subject="Le mémoire de Zorglub Gamma",
        file=memoire_file,
        content_type="application/pdf",
        scan_status=ScanStatus.CLEAN,
        checks_version=CHECKS_VERSION,
    )
    attendance.absence_record(
        actor=a_staff,
        enrolment=gamma,
        date=date(2026, 3, 2),
        hours=Decimal(7),
        justified=False,
        note="Absence Zorglub",
    )
    # Two evaluators' marks too far apart: the portfolio waits for the staff's reconciliation.
    epsilon = EnrolmentFactory(
        candidate=candidate(5, "Epsilon"), route=Enrolment.Route.PORTEFEUILLE, **where
    )
    apart = PortfolioFactory(enrolment=epsilon, bloc=blocs[0], state=Portfolio.State.ADMISSIBLE)
    score(assign_and_accept(apart, evaluator, a_staff), 60)  # 8/20: near a threshold
    apart.refresh_from_db()
    score(assign_and_accept(apart, EvaluatorFactory(), a_staff, rank=2), Decimal("75.25"))
    # The same for a mémoire's written mark (out of 125): 62.5 is 10/20, the second far above.
    from portfolio.models import Memoire

    apart_memoire = MemoireFactory(
        enrolment=epsilon, state=Memoire.State.SUBMITTED, subject="Le mémoire de Zorglub Epsilon"
    )
    score(assign_and_accept(apart_memoire, evaluator, a_staff), Decimal("62.5"))
    apart_memoire.refresh_from_db()
    score(assign_and_accept(apart_memoire, EvaluatorFactory(), a_staff, rank=2), Decimal("100"))
    delta = EnrolmentFactory(
        candidate=candidate(4, "Delta"), route=Enrolment.Route.EPREUVES, **where
    )
    fraud.fraud_report_record(
        actor=a_staff,
        enrolment=delta,
        occurred_on=date(2026, 5, 4),
        facts="Antisèche Zorglub trouvée pendant l'épreuve.",
        signature="countersigned",
    )
    # Delta's épreuves of bloc 1: the report marked and submitted, a case study in draft.
    from workflow.evaluation import epreuve_marks

    report, case_study = blocs[0].epreuves.order_by("order")[:2]
    marked = epreuve_marks.epreuve_examiner_assign(
        actor=a_staff, enrolment=delta, epreuve=report, examiner=evaluator
    )
    epreuve_marks.epreuve_mark_save(
        actor=evaluator,
        mark=marked,
        points={c.pk: c.max_points for c in marked.grid_version.criteria.all()},
        comment="Rapport Zorglub soigné.",
    )
    epreuve_marks.epreuve_mark_submit(actor=evaluator, mark=marked)
    paper_file, paper_digest = _stored("papers/zz/zorglub", b"%PDF-1.4 copie Zorglub")
    EpreuvePaperFactory(
        mark=marked, file=paper_file, sha256=paper_digest, original_name="copie-zorglub.pdf"
    )
    epreuve_marks.epreuve_examiner_assign(
        actor=a_staff, enrolment=delta, epreuve=case_study, examiner=evaluator
    )
    planned = JurySessionFactory(establishment=a, place="Salle Zorglub bis", date=date(2027, 6, 1))
    # The épreuves route's exam day: Delta convoked to the case study (its mark still a draft),
    # then recorded absent.
    from workflow.centre import sitting_attendance, sittings

    epreuve = case_study
    exam_start = timezone.make_aware(datetime(2027, 4, 12, 9, 0))
    with mock.patch.object(clock, "now", lambda: exam_start - timedelta(days=70)):
        sitting = sittings.sitting_schedule(
            actor=a_staff,
            cohort=cohort,
            epreuve=epreuve,
            facts=sittings.SittingFacts(
                starts_at=exam_start, base_minutes=180, room="Salle Zorglub 3"
            ),
        )
        sittings.sitting_convocations_send(actor=a_staff, sitting=sitting)
    with mock.patch.object(clock, "now", lambda: exam_start):
        sitting_attendance.attendance_record(
            actor=a_staff, sitting=sitting, enrolment=delta, status="absent_unjustified"
        )

    # The back office's records: a training link, a VAE accompaniment, a declared conflict, and
    # an invited account that has not chosen its password yet.
    from accounts.models import Accompaniment, ConflictDeclaration, TrainingLink
    from accounts.services import invitation_issue

    trainer = UserFactory(
        email="zorglub.formateur@exemple.fr",
        first_name="Zorglubin",
        last_name="Formateur",
        roles=[Role.FORMATEUR],
    )
    TrainingLink.objects.create(
        trainer=trainer, cohort=cohort, module=blocs[0].modules.order_by("code").first()
    )
    Accompaniment.objects.create(
        accompanist=UserFactory(first_name="Zorglubette", last_name="Accompagnatrice"),
        candidate=gamma.candidate,
        description="Accompagnement VAE Zorglub",
    )
    ConflictDeclaration.objects.create(
        evaluator=evaluator, candidate=gamma.candidate, reason="Ancien collègue de Zorglub"
    )
    zeta = EnrolmentFactory(
        candidate=candidate(6, "Zeta"), route=Enrolment.Route.PORTEFEUILLE, **where
    )
    zeta.candidate.set_unusable_password()
    zeta.candidate.save(update_fields=["password"])
    invitation_issue(user=zeta.candidate, created_by=a_staff)

    # Establishment B: a cohort, a candidate with a submitted portfolio, a planned session.
    b_company = OrganisationFactory(name="Téléphériques de l'Isère", establishment=b)
    b_cohort = CohortFactory(establishment=b, name="Promotion Grenoble 2026")
    b_enrolment = EnrolmentFactory(
        cohort=b_cohort,
        company=b_company,
        candidate=UserFactory(first_name="Bernadette", last_name="Isère", roles=[Role.CANDIDAT]),
        tutor=UserFactory(employer=b_company, roles=[Role.TUTEUR]),
    )
    b_portfolio = PortfolioFactory(enrolment=b_enrolment, bloc=blocs[0])
    _evidence(b_portfolio, "grenoble")
    b_session = JurySessionFactory(establishment=b, place="Salle Belledonne, Grenoble")
    b_users = {
        "B responsable évaluation": UserFactory(
            roles=[Role.RESPONSABLE_EVALUATION], roles__establishment=b
        ),
        "B responsable certification": UserFactory(
            roles=[Role.RESPONSABLE_CERTIFICATION], roles__establishment=b
        ),
        "B both responsables": UserFactory(roles=STAFF_ROLES, roles__establishment=b),
    }
    # Placement surveys: alpha answered the six-month survey.
    alpha_follow_up = FollowUpFactory(decision=session.decisions.get(enrolment=alpha))
    SurveyWaveFactory(
        follow_up=alpha_follow_up,
        answered_at=timezone.now(),
        status="employed",
        job_title="Office manager",
        employer="Zorglub Conseil",
        job_link="target",
    )
    references = [re.escape(document.reference) for document in issued]
    markers = re.compile(
        "|".join([MARKER.pattern, *(rf"(?<![\w-]){ref}(?![\w-])" for ref in references)]),
        re.IGNORECASE,
    )
    seeds = [
        reverse("portfolio:detail", args=[submitted.pk]),
        reverse("portfolio:coverage", args=[submitted.pk]),
        reverse("portfolio:evidence_thumbnail", args=[item.pk]),
        reverse("portfolio:memoire", args=[memoire.pk]),
        reverse("portfolio:memoire_download", args=[memoire.pk]),
        # The files as read in the page beside the evaluator's grid.
        reverse("portfolio:evidence_read", args=[item.pk]),
        reverse("portfolio:memoire_read", args=[memoire.pk]),
        # A staff page (the window's extension) that no screen links to yet.
        reverse("portfolio:extension", args=[submitted.pk]),
        # The CC marks of a module, which the responsable d'évaluation may enter too (the grid
        # links to the module's marks and to the import).
        reverse("jury:cc_grid", args=[cohort.pk, blocs[0].modules.order_by("code").first().pk]),
    ]
    choices = {"establishment": str(a.pk), "cohort": str(cohort.pk)}
    b_paths = (
        reverse("jury:staff_session", args=[b_session.pk]),
        reverse("jury:staff_candidate", args=[b_enrolment.pk]),
        reverse("workflow:staff-portfolio", args=[b_portfolio.pk]),
    )
    focus = {
        "establishment": a,
        "company": company,
        "tutor": tutor,
        "trainer": trainer,
        "cohort": cohort,
        "module": blocs[0].modules.order_by("code").first(),
        "evaluator": evaluator,
        "session": session,
        "planned": planned,
        "members": members,
        "published": alpha,
        "in_evaluation": gamma,
        "submitted": submitted,
        "scored": scored,
        "sitting": sitting,
    }
    return World(a_staff, b_users, markers, seeds, choices, b_paths, focus)


# --------------------------------------------------------------------------------------- crawl


class _Page(HTMLParser):
    """Collect the links, GET form targets and POST forms of a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif attrs.get("data-job-status"):  # the JSON a page polls for a job's progress
            self.links.append(attrs["data-job-status"])
        elif tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action") or "",
                "fields": [],
                "files": [],
                "options": {},
            }
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None:
            # The selected option, else the first one with a value; a GET form tries them all.
            fields = self._form["fields"]
            value = attrs.get("value") or ""
            self._form["options"].setdefault(self._select, []).append(value)
            if value and (not fields[-1][1] or "selected" in attrs):
                fields[-1] = (self._select, value)
        elif not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            name = attrs["name"]
            if kind == "file":
                self._form["files"].append(name)
            elif kind in {"checkbox", "radio"}:
                if "checked" in attrs or all(n != name for n, _v in self._form["fields"]):
                    self._form["fields"].append((name, attrs.get("value") or "on"))
            elif kind not in {"submit", "button", "reset", "image"}:
                # A search or filter form is sent with its free fields as they are.
                typed = "" if self._form["method"] == "get" else _plausible(kind, name)
                self._form["fields"].append((name, attrs.get("value") or typed))
        elif tag == "select":
            self._select = attrs["name"]
            self._form["fields"].append((self._select, ""))
        elif tag == "textarea":
            self._form["fields"].append((attrs["name"], "Essai"))
        elif tag == "button" and attrs.get("value") is not None:
            self._form["fields"].append((attrs["name"], attrs["value"]))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _plausible(kind: str, name: str) -> str:
    if kind == "date" or "date" in name or "until" in name:
        return "2027-03-15"
    if kind == "datetime-local":
        return "2027-03-15T09:00"
    if kind == "number" or name in {"points", "mark", "hours", "rank"}:
        return "10"
    if kind == "email":
        return "essai@exemple.fr"
    return "Essai"


@dataclass
class Answer:
    status: int
    content_type: str
    content: bytes
    location: str = ""
    policy: str = ""  # the Content-Security-Policy header
    queries: int = 0  # the database queries the request ran


@dataclass
class Crawl:
    pages: dict[str, Answer] = field(default_factory=dict)  # URL → 200 answer
    posts: dict[tuple, dict] = field(default_factory=dict)  # (action URL, fields) → form
    seen: set[str] = field(default_factory=set)
    filter_forms: set[tuple] = field(default_factory=set)  # (path, options) of GET forms expanded
    minted: list[str] = field(default_factory=list)  # references issued while crawling
    get_fields: dict[str, set] = field(default_factory=dict)  # path → names its GET forms send


def issued_documents() -> set[str]:
    from documents.models import IssuedDocument

    return set(IssuedDocument.objects.values_list("reference", flat=True))


def fetch(client: Client, url: str) -> Answer:
    # The log keeps the last 9,000 queries only; a full log would count nothing. The content
    # types' process-wide cache would make a page's count depend on the pages before it.
    connection.queries_log.clear()
    ContentType.objects.clear_cache()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    # The test client closes the response itself (a streamed one once read), keeping the
    # connection open; closing it again here would close the connection that holds the world's
    # open transaction on PostgreSQL.
    content = b"".join(response.streaming_content) if response.streaming else response.content
    location = response.get("Location", "") if 300 <= response.status_code < 400 else ""
    return Answer(
        response.status_code,
        response.get("Content-Type", ""),
        content,
        location,
        response.get("Content-Security-Policy", ""),
        len(queries),
    )


def _get_targets(action: str, form: dict) -> list[str]:
    """Return the URLs a GET form leads to: its defaults, then each option of each select."""
    path = action.split("?")[0]
    fields = [(n, v) for n, v in form["fields"] if v]
    targets = [action, path + (f"?{urlencode(fields)}" if fields else "")]
    for name, values in form["options"].items():
        for value in values:
            chosen = [(n, v) for n, v in fields if n != name] + ([(name, value)] if value else [])
            targets.append(path + (f"?{urlencode(chosen)}" if chosen else ""))
    return targets


def _internal(base: str, href: str) -> str | None:
    """Return the site-relative URL (path and query) of ``href`` on ``base``, or None."""
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return None
    parts = urlsplit(urljoin(base, href))
    if parts.netloc not in {"", "testserver"} or parts.path.startswith(SKIPPED_PREFIXES):
        return None
    if parts.path == reverse("accounts:logout"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def start_urls() -> list[str]:
    urls = [reverse("accounts:home")]
    for name, _route, _pattern in url_patterns():
        if ":" in name:
            try:
                urls.append(reverse(name))
            except NoReverseMatch:
                continue
    return urls


def crawl_as(client: Client, seeds: list[str], *, get_post_targets: bool = False) -> Crawl:
    """Crawl from the start URLs and ``seeds``; with ``get_post_targets``, GET each POST form's
    action too (a page that shows its form on a GET is then crawled like any other)."""
    crawl = Crawl()
    queue = start_urls() + seeds
    while queue and len(crawl.seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in crawl.seen:
            continue
        crawl.seen.add(url)
        answer = fetch(client, url)
        if answer.location:
            target = _internal(url, answer.location)
            if target:
                queue.append(target)
            continue
        if answer.status != 200:
            continue
        crawl.pages[url] = answer
        if "html" not in answer.content_type:
            continue
        page = _Page()
        page.feed(answer.content.decode("utf-8", "replace"))
        queue.extend(u for u in (_internal(url, href) for href in page.links) if u)
        for form in page.forms:
            action = _internal(url, form["action"] or url)
            if action is None:
                continue
            if form["method"] == "get":
                names = crawl.get_fields.setdefault(urlsplit(action).path, set())
                names.update(n for n, _v in form["fields"])
                # Each option of a filter form once, from the first page that shows the form:
                # the filtered pages show it again, and their combinations add nothing.
                options = tuple(sorted((n, tuple(v)) for n, v in form["options"].items()))
                if (urlsplit(action).path, options) not in crawl.filter_forms:
                    crawl.filter_forms.add((urlsplit(action).path, options))
                    queue.extend(_get_targets(action, form))
            else:
                # One form per action and kind (the hidden "action" field of a multi-form page).
                kind = tuple(sorted(n for n, _v in form["fields"] if n != "csrfmiddlewaretoken"))
                kind += tuple(v for n, v in form["fields"] if n == "action")
                crawl.posts.setdefault((action, kind), {**form, "page": url})
                if get_post_targets:
                    queue.append(action)
    return crawl


# ------------------------------------------------------------------------------------- reading


def readable(content: bytes, depth: int = 0) -> str:
    """Return the text of a response: decoded bytes, ZIP members (XLSX too), PDF text."""
    parts = [content.decode("utf-8", "ignore")]
    if content[:4] == b"PK\x03\x04" and depth < 3:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                parts.append(name)
                parts.append(readable(archive.read(name), depth + 1))
    elif content[:5] == b"%PDF-":
        # A fake PDF (the evidence's few bytes) is read as bytes only.
        with contextlib.suppress(Exception):
            from pypdf import PdfReader

            reader = PdfReader(io.BytesIO(content))
            parts.append(" ".join(page.extract_text() or "" for page in reader.pages))
            parts.append(str(reader.metadata or ""))
    return "\n".join(parts)


# ------------------------------------------------------------------------------ URL patterns


def url_patterns(resolver=None, prefix="", namespace=""):
    """Yield (view name, full route, pattern) for every project URL pattern but the admin's."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/") or entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from url_patterns(entry, route, inner)
        elif isinstance(entry, URLPattern):
            if route.startswith(("static/", "media/", "i18n/")):
                continue
            yield (f"{namespace}{entry.name}" if entry.name else route), route, entry


def view_name(url: str) -> str | None:
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.view_name or match.route


# ----------------------------------------------------------------------------------- fixtures


@contextlib.contextmanager
def crawl_environment(media):
    """Run the block with files stored under ``media``, a frozen clock seam and cheap
    passwords, inside one transaction that is rolled back at the end."""
    from django.conf import settings as django_settings

    from audit import clock

    storages = {
        **django_settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": media, "base_url": "/media-not-served/"},
        },
    }
    with (
        override_settings(
            STORAGES=storages,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            PREUVES_DOUBLE_MARKING_SAMPLE_PCT=0,
        ),
        mock.patch.object(clock, "now", clock.now),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def world_and_crawl(django_db_setup, django_db_blocker, tmp_path_factory):
    """Build both worlds once, crawl as A's staff; everything is rolled back at the end."""
    media = tmp_path_factory.mktemp("tenancy-media")
    with django_db_blocker.unblock(), crawl_environment(media):
        world = build_world()
        client = Client()
        client.force_login(world.a_staff)
        issued = issued_documents()
        crawl = crawl_as(client, world.seeds)
        crawl.minted = sorted(issued_documents() - issued)
        yield world, crawl


# -------------------------------------------------------------------------------------- tests


def test_the_crawl_sees_a_rich_world(world_and_crawl):
    world, crawl = world_and_crawl
    with_markers = [
        url for url, answer in crawl.pages.items() if world.markers.search(readable(answer.content))
    ]
    kinds = {answer.content_type.split(";")[0] for answer in crawl.pages.values()}
    assert len(with_markers) >= 10, sorted(crawl.pages)
    assert {"text/html", "application/pdf", "application/zip"} <= kinds, kinds
    assert len(crawl.seen) < MAX_PAGES, "raise MAX_PAGES: the crawl stopped at its cap"


# The documents' own URLs: a GET downloads the document in force, only a POST issues one.
ISSUING_VIEWS = {
    "documents:proces_verbal",
    "documents:session_archive",
    "documents:convocation",
    "documents:result",
    "documents:certificat",
}


def test_the_crawl_issues_no_document_and_finds_the_issuing_buttons(world_and_crawl):
    _world, crawl = world_and_crawl
    assert crawl.minted == [], "following links and GET forms issued documents"
    posted = {view_name(action) for action, _kind in crawl.posts}
    assert ISSUING_VIEWS <= posted, sorted(ISSUING_VIEWS - posted)


def test_every_crawled_answer_carries_the_content_security_policy(world_and_crawl):
    # Every page has the site's policy; a file shown inline (a preview, a thumbnail) has the
    # file's own, which runs no script at all.
    _world, crawl = world_and_crawl
    inline_files = [
        url
        for url, a in crawl.pages.items()
        if policy_of(a.policy) in (INLINE_FILE_POLICY, READER_FILE_POLICY)
    ]
    wrong = [
        url
        for url, a in crawl.pages.items()
        if policy_of(a.policy) != EXPECTED_POLICY and url not in inline_files
    ]
    assert not wrong, wrong
    assert inline_files, "the crawl met no file shown inline"
    assert all(not crawl.pages[url].content_type.startswith("text/html") for url in inline_files), (
        inline_files
    )


def test_b_staff_see_none_of_a_pages(world_and_crawl):
    world, crawl = world_and_crawl
    issued = issued_documents()
    leaks: dict[str, list[str]] = {}
    for label, user in world.b_users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for url in crawl.pages:
            answer = fetch(client, url)
            if answer.status in {403, 404} or answer.location:
                continue
            if answer.status >= 500:
                leaks.setdefault(url, []).append(f"{label}: error {answer.status}")
                continue
            if world.markers.search(readable(answer.content)):
                leaks.setdefault(url, []).append(label)
    assert issued_documents() == issued, "B's GETs issued documents"
    everyone = list(world.b_users)
    report = [
        f"{url}  ({'all B staff' if labels == everyone else ', '.join(labels)})"
        for url, labels in sorted(leaks.items())
    ]
    assert not report, (
        f"{len(report)} of {len(crawl.pages)} URLs of A show A's data to B's staff:\n"
        + "\n".join(report)
    )


def fingerprint() -> dict[str, str]:
    """Return a digest of every table's rows (sessions and sign-in records left out)."""
    ignored = {"sessions.session", "accounts.loginfailure", "admin.logentry"}
    digests = {}
    for model in apps.get_models():
        if model._meta.label_lower in ignored or model._meta.proxy:
            continue
        rows = list(model.objects.order_by("pk").values_list())
        digests[model._meta.label_lower] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


IMPORT_CSV = (
    "nom;prénom;e-mail;date de naissance;voie;entreprise;e-mail du tuteur\n"
    "Durand;Paul;paul.durand@exemple.fr;01/02/1990;portefeuille;Acme;tuteur.acme@exemple.fr\n"
).encode()


def test_b_staff_change_nothing_through_a_forms(world_and_crawl):
    world, crawl = world_and_crawl
    client = Client(raise_request_exception=False)
    client.force_login(world.b_users["B both responsables"])
    problems = []
    replayed = 0
    for (action, _kind), form in sorted(crawl.posts.items()):
        if view_name(action) in {"accounts:password_change", "accounts:logout"}:
            continue
        # Only the forms about A's data: a form on a page of B's objects (which A's staff may
        # still see today) is B's own business.
        if not world.markers.search(readable(crawl.pages[form["page"]].content)):
            continue
        if action.startswith(world.b_paths):
            continue
        replayed += 1
        data = dict(form["fields"])
        data.update({k: v for k, v in world.choices.items() if k in data})
        for name in form["files"]:
            data[name] = SimpleUploadedFile("candidats.csv", IMPORT_CSV, "text/csv")
        before = fingerprint()
        with transaction.atomic():
            response = client.post(action, data)
            body = b"" if response.streaming else response.content
            token = re.search(rb'name="token" value="([^"]+)"', body)
            if token:  # an import checked against A's cohort: confirm it too
                client.post(reverse("documents:candidate_import_confirm"), {"token": token[1]})
            changed = sorted(k for k, v in fingerprint().items() if before.get(k) != v)
            transaction.set_rollback(True)
        on_object = bool(re.search(r"/\d+", urlsplit(action).path))
        names = [n for n, _v in form["fields"] if n != "csrfmiddlewaretoken"]
        what = data.get("action") or (names[0].split("-")[0] if names else "")
        action = f"{action} [{what}]" if what else action
        if changed:
            problems.append(f"POST {action} changed {', '.join(changed)}")
        elif on_object and response.status_code not in {403, 404}:
            problems.append(f"POST {action} answered {response.status_code}")
        elif world.markers.search(readable(body)):
            problems.append(f"POST {action} showed A's data")
    assert crawl.posts, "the crawl found no POST form on A's pages"
    assert not problems, (
        f"{len(problems)} of {replayed} POST forms of A accept B's staff:\n" + "\n".join(problems)
    )


def test_every_url_pattern_is_crawled_or_not_a_staff_page(world_and_crawl):
    _world, crawl = world_and_crawl
    reached = {view_name(url) for url in crawl.pages}
    reached |= {view_name(action) for action, _kind in crawl.posts}
    names = {name for name, _route, _pattern in url_patterns()}
    unreached = sorted(
        f"{name}  ({route})"
        for name, route, _pattern in url_patterns()
        if name not in reached and name not in NOT_STAFF_PAGES
    )
    stale = sorted(set(NOT_STAFF_PAGES) - names)
    staff_after_all = sorted(set(NOT_STAFF_PAGES) & reached)
    assert not unreached, (
        "URL patterns neither reached by A's staff crawl nor listed in NOT_STAFF_PAGES "
        "(a staff page must be reachable, so that its scope is checked):\n" + "\n".join(unreached)
    )
    assert not stale, f"NOT_STAFF_PAGES names patterns that no longer exist: {stale}"
    assert not staff_after_all, (
        f"NOT_STAFF_PAGES lists patterns that A's staff reach (remove them): {staff_after_all}"
    )


def test_the_marker_reader_opens_zip_and_pdf():
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    writer.add_metadata({"/Title": "Zorglub"})
    pdf = io.BytesIO()
    writer.write(pdf)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/b.pdf", pdf.getvalue())
    assert b"Zorglub" not in buffer.getvalue()
    assert MARKER.search(readable(buffer.getvalue()))
    assert parse_qsl("a=1") == [("a", "1")]


# What an attacker or a slip of the keyboard types into a field: numbers out of every range,
# digits that are not ASCII, a NUL byte, markup, impossible dates, a huge text, SQL.
HOSTILE_VALUES = (
    "1e309",
    "-99999999999999999999",
    "NaN",
    "²³",
    "١٢",
    "12,5,5",
    "2027-02-30",
    "31/13/2027",
    "\x00",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "x" * 5000,
    "",
)
HOSTILE_FILE = b'\xff\xfe=HYPERLINK("http://x");\x00\r\n;;;\n' + b"\xe9" * 300
# The fields that route a post to one of a page's forms keep their value.
ROUTING = {"csrfmiddlewaretoken", "action", "confirmed", "next"}


def hostile_users(world) -> dict:
    """A's people of every role, each with the pages to start from: a candidate with a portfolio
    and a mémoire in draft (the upload forms) whose tutor has the evaluation to fill in."""
    focus = world.focus
    enrolment = EnrolmentFactory(
        cohort=focus["cohort"],
        company=focus["company"],
        tutor=focus["tutor"],
        candidate=UserFactory(roles=[Role.CANDIDAT]),
    )
    drafting = DraftPortfolioFactory(enrolment=enrolment, bloc=focus["module"].bloc)
    item = _evidence(drafting, "brouillon")
    memoire = DraftMemoireFactory(enrolment=enrolment)
    tutoring.tutor_evaluation_invite(actor=world.a_staff, enrolment=enrolment)
    return {
        "A staff": (world.a_staff, []),
        "tutor": (focus["tutor"], [reverse("jury:tutor_home")]),
        "trainer": (focus["trainer"], []),
        "evaluator": (focus["evaluator"], []),
        "jury president": (focus["members"]["president"], []),
        "candidate in evaluation": (focus["submitted"].enrolment.candidate, []),
        "candidate published": (focus["published"].candidate, []),
        "candidate drafting": (
            enrolment.candidate,
            [
                reverse("portfolio:detail", args=[drafting.pk]),
                reverse("portfolio:evidence_edit", args=[item.pk]),
                reverse("portfolio:memoire", args=[memoire.pk]),
            ],
        ),
    }


# The grids' JSON endpoints that the pages' scripts post to (one field or one cell at a time).
AUTOSAVES = {
    "workflow:scoring": "workflow:scoring-field",
    "jury:tutor_evaluation": "jury:tutor_field",
    "jury:cc_grid": "jury:cc_grid_cell",
}


def hostile_posts(action: str, form: dict, value: str) -> list[tuple[str, dict]]:
    """Return the posts that carry ``value``: the form with it in every field, then, for a
    grid, its autosave with it as each field's value and as the field's name."""
    data = {n: (v if n in ROUTING else value) for n, v in form["fields"]}
    for name in form["files"]:
        data[name] = SimpleUploadedFile("fichier.csv", HOSTILE_FILE, "text/csv")
    posts = [(action, data)]
    match = resolve(urlsplit(action).path)
    autosave = AUTOSAVES.get(match.view_name)
    if autosave is None:
        return posts
    url = reverse(autosave, kwargs=match.kwargs)
    if autosave == "jury:cc_grid_cell":
        enrolments = {n.split("-")[1] for n, _v in form["fields"] if n.startswith("c-")}
        for enrolment in sorted(enrolments)[:1] + [value]:
            cell = {"enrolment": enrolment, "value": value, "version": value}
            posts += [
                (url, {**cell, "label": value, "sur": value}),
                (url, {**cell, "label": "CC1", "sur": "20"}),
                (url, {**cell, "label": "CC1", "sur": "20", "version": "0"}),
            ]
        return posts
    for name in [n for n, _v in form["fields"] if n not in ROUTING] + [value]:
        posts.append((url, {"field": name, "value": value, "expected": value}))
    return posts


def test_hostile_values_in_every_post_form_of_every_role_get_an_answer_not_a_server_error(
    world_and_crawl,
):
    """Every POST form each of A's people meets (staff, tutor, trainer, evaluator, jury,
    candidates), with each hostile value in every field, sent by that person: a form error, a
    refusal or a redirect, never a 5xx. Everything is rolled back."""
    world, crawl = world_and_crawl
    errors: dict[str, set[str]] = {}
    sent, met = 0, {}
    with transaction.atomic():
        for label, (user, seeds) in hostile_users(world).items():
            met[label] = 0
            client = Client(raise_request_exception=False)
            client.force_login(user)
            posts = crawl.posts if user == world.a_staff else crawl_as(client, seeds).posts
            for (action, _kind), form in sorted(posts.items()):
                if view_name(action) in {"accounts:password_change", "accounts:logout"}:
                    continue
                met[label] += 1
                for value in HOSTILE_VALUES:
                    for url, data in hostile_posts(action, form, value):
                        with transaction.atomic():
                            response = client.post(url, data)
                            transaction.set_rollback(True)
                        sent += 1
                        if response.status_code >= 500:
                            errors.setdefault(f"{label}: POST {url}", set()).add(repr(value[:20]))
        transaction.set_rollback(True)
    assert all(met.values()), f"a role met no form of its own: {met}"
    assert not errors, f"{len(errors)} forms answered 5xx:\n" + "\n".join(
        f"{url} with {sorted(values)}" for url, values in sorted(errors.items())
    )


# Shorter than HOSTILE_VALUES: every list and filter of A's pages gets each of these.
HOSTILE_QUERY_VALUES = ("99999999999999999999", "-1", "²", "2027-02-30", "\x00", "x" * 3000, "'")


def test_hostile_values_in_every_query_parameter_get_an_answer_not_a_server_error(
    world_and_crawl,
):
    """Every page of A's crawl that takes query parameters (its GET forms' fields, the
    parameters its links carry, ``page`` and ``sort``), each set to a hostile value: the page
    answers (the filter ignored or explained, the first page), never a 5xx."""
    world, crawl = world_and_crawl
    parameters: dict[str, set] = {path: set(names) for path, names in crawl.get_fields.items()}
    for url in crawl.pages:
        parts = urlsplit(url)
        if parts.query:
            parameters.setdefault(parts.path, set()).update(n for n, _v in parse_qsl(parts.query))
    client = Client(raise_request_exception=False)
    client.force_login(world.a_staff)
    errors: dict[str, set[str]] = {}
    for path, names in sorted(parameters.items()):
        for value in HOSTILE_QUERY_VALUES:
            query = urlencode({name: value for name in names | {"page", "sort"}})
            response = client.get(f"{path}?{query}")
            if response.status_code >= 500:
                errors.setdefault(path, set()).add(repr(value[:20]))
    assert len(parameters) > 20, sorted(parameters)
    assert not errors, f"{len(errors)} pages answered 5xx:\n" + "\n".join(
        f"{path} with {sorted(values)}" for path, values in sorted(errors.items())
    )
