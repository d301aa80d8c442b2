"""The retention command: the dry run changes nothing; the real run spares what must be kept."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from audit import clock
from audit.models import AuditEvent
from documents.models import IssuedDocument
from portfolio.models import EvidenceItem, Memoire, Portfolio
from tests.factories import STAFF_ROLES, EnrolmentFactory, EstablishmentFactory, rncp_title
from workflow.models import JurySession, SessionCandidate

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
TODAY = date(2027, 12, 15)


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2027, 12, 15, 9, 0, tzinfo=PARIS))


def session(state, published_on=None, **extra):
    return JurySession.objects.create(
        title=rncp_title(),
        establishment=EstablishmentFactory(),
        date=(published_on or TODAY) - timedelta(days=20),
        place="Lyon",
        state=state,
        published_at=datetime.combine(published_on, datetime.min.time(), PARIS)
        if published_on
        else None,
        **extra,
    )


def candidate_with_files(jury_session, *, portfolio_state="decided", name="Légaré"):
    enrolment = EnrolmentFactory(candidate__last_name=name)
    SessionCandidate.objects.create(session=jury_session, enrolment=enrolment)
    portfolio = Portfolio.objects.create(
        enrolment=enrolment, bloc=rncp_title().blocs.get(number=1), state=portfolio_state
    )
    stored = default_storage.save("evidence/x/preuve", ContentFile(b"%PDF-1.4 preuve"))
    item = EvidenceItem.objects.create(
        portfolio=portfolio, file=stored, original_name="compte-rendu-réunion.pdf",
        kind="pdf", content_type="application/pdf", size=15, sha256="a" * 64,
        scan_status="clean", title="Compte rendu de la réunion de service",
        description="Réunion du 12 mars avec Mme Faure",
    )  # fmt: skip
    memoire_file = default_storage.save("memoires/x/m", ContentFile(b"%PDF-1.4 memoire"))
    memoire = Memoire.objects.create(
        enrolment=enrolment, subject="Dématérialisation des notes de frais",
        state="soutenance_marked", file=memoire_file, original_name="mémoire.pdf",
    )  # fmt: skip
    return enrolment, item, memoire


def issued(jury_session, kind, reference):
    name = default_storage.save(f"documents/x/{reference}", ContentFile(b"%PDF " + kind.encode()))
    return IssuedDocument.objects.create(
        reference=reference, kind=kind, session=jury_session, file=name, size=10,
        establishment=jury_session.establishment,
        sha256="b" * 64, content_digest="c" * 64, issued_at=datetime(2026, 11, 1, tzinfo=PARIS),
    )  # fmt: skip


@pytest.fixture
def world():
    old = session("published", published_on=TODAY - timedelta(days=400))
    recent = session("published", published_on=TODAY - timedelta(days=100))
    closed = session("closed")
    gone = candidate_with_files(old, name="Ancien")
    kept_recent = candidate_with_files(recent, name="Récent")
    kept_closed = candidate_with_files(closed, name="Clos")
    # In the old session and again in the recent one (a retake): everything is kept.
    retaker, retaker_item, _ = candidate_with_files(old, name="Rattrapage")
    SessionCandidate.objects.create(session=recent, enrolment=retaker)
    # In the old session only, but a retake portfolio is under way.
    ongoing, ongoing_item, _ = candidate_with_files(old, name="Encours")
    Portfolio.objects.create(
        enrolment=ongoing, bloc=rncp_title().blocs.get(number=2), state="submitted"
    )
    documents = {
        "pv": issued(old, "proces_verbal", "PV-2026-000001"),
        "releve": issued(old, "releve", "RN-2026-000001"),
        "convocation": issued(old, "convocation", "CONV-2026-000001"),
        "archive": issued(old, "archive", "ARC-2026-000001"),
        "recent_archive": issued(recent, "archive", "ARC-2027-000001"),
    }
    return {
        "gone": gone,
        "kept": [kept_recent, kept_closed],
        "spared_items": [retaker_item, ongoing_item],
        "documents": documents,
    }


def state_of_everything():
    return (
        sorted(EvidenceItem.objects.values_list("pk", "file", "title", "description")),
        sorted(Memoire.objects.values_list("pk", "file", "original_name")),
        sorted(IssuedDocument.objects.values_list("pk", "file", "file_deleted_at")),
        sorted(default_storage.listdir("evidence/x")[1]),
        AuditEvent.objects.count(),
    )


def test_the_dry_run_changes_nothing_and_says_what_would_go(world, capsys):
    before = state_of_everything()
    call_command("retention", "--dry-run")
    assert state_of_everything() == before
    out = capsys.readouterr().out
    assert "1 preuve(s), 1 mémoire(s), 2 document(s) de 1 candidat(s) seraient supprimés" in out
    assert "épargné" in out and "Rattrapage" in out and "Encours" in out
    assert "Simulation : rien n'a été modifié." in out


def test_the_real_run_deletes_past_material_and_spares_the_rest(
    world, django_capture_on_commit_callbacks
):
    _, item, memoire = world["gone"]
    evidence_name, memoire_name = item.file.name, memoire.file.name
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention")
    item.refresh_from_db()
    memoire.refresh_from_db()
    assert not item.file and not default_storage.exists(evidence_name)
    assert item.description == "" and "Supprimé" in item.title and "Supprimé" in item.original_name
    assert not memoire.file and not default_storage.exists(memoire_name)
    docs = world["documents"]
    for key in ("convocation", "archive"):
        docs[key].refresh_from_db()
        assert docs[key].file_deleted_at is not None and not docs[key].file
    # The results stay: procès-verbal and transcript, and the recent session's archive.
    for key in ("pv", "releve", "recent_archive"):
        docs[key].refresh_from_db()
        assert docs[key].file and default_storage.exists(docs[key].file.name)
    # Recent session, unpublished session, retaker, candidate with a retake under way: untouched.
    for _, kept_item, kept_memoire in world["kept"]:
        kept_item.refresh_from_db()
        kept_memoire.refresh_from_db()
        assert default_storage.exists(kept_item.file.name)
        assert kept_item.description.startswith("Réunion")
        assert default_storage.exists(kept_memoire.file.name)
    for spared in world["spared_items"]:
        spared.refresh_from_db()
        assert spared.file and default_storage.exists(spared.file.name)
    event = AuditEvent.objects.get(action="retention_applied")
    assert event.after["evidence_files"] == 1 and event.after["spared_candidates"] == 2


def test_a_short_setting_never_shortens_the_one_year_claim_period(
    world, settings, capsys, django_capture_on_commit_callbacks
):
    settings.PREUVES_RETENTION_DAYS = 30
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention")
    _, kept_item, _ = world["kept"][0]  # published 100 days ago: still in its claim period
    kept_item.refresh_from_db()
    assert default_storage.exists(kept_item.file.name)
    assert "délai de recours" in capsys.readouterr().out


def test_running_twice_deletes_nothing_more_and_records_nothing_more(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention")
    before = state_of_everything()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention")
    assert state_of_everything() == before


def test_a_longer_setting_keeps_material_past_the_claim_period(world, settings):
    settings.PREUVES_RETENTION_DAYS = 730
    before = state_of_everything()
    call_command("retention")
    assert state_of_everything() == before


def test_written_comments_go_with_the_material_but_the_points_stay(
    world, django_capture_on_commit_callbacks
):
    from django.utils import timezone

    from tests.factories import UserFactory
    from workflow.evaluation.scoring import grid_version_for
    from workflow.models import Assignment, CriterionScore, Scoring

    def scored(enrolment):
        portfolio = Portfolio.objects.filter(enrolment=enrolment).first()
        version = grid_version_for(portfolio)
        assignment = Assignment.objects.create(
            portfolio=portfolio, evaluator=UserFactory(roles=["evaluateur"]), state="completed",
            assigned_by=UserFactory(roles=STAFF_ROLES), assigned_at=timezone.now(),
            due_date=TODAY,
        )  # fmt: skip
        scoring = Scoring.objects.create(
            assignment=assignment, grid_version=version, state="submitted",
            overall_comment="Mme Faure signale un dossier solide.", total=7,
        )  # fmt: skip
        criterion = version.criteria.first()
        CriterionScore.objects.create(
            scoring=scoring, criterion=criterion, points=7, comment="Voir la réunion du 12 mars."
        )
        return scoring

    gone = scored(world["gone"][0])
    kept = scored(world["kept"][0][0])
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention")
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert gone.overall_comment == "" and gone.total == 7
    assert gone.scores.get().comment == "" and gone.scores.get().points == 7
    assert kept.overall_comment.startswith("Mme Faure")
    assert kept.scores.get().comment.startswith("Voir")
    assert AuditEvent.objects.get(action="retention_applied").after["comments"] == 2


def test_the_marked_papers_go_with_the_session_and_stay_for_a_recent_one(
    world, django_capture_on_commit_callbacks
):
    from tests.factories import EpreuveMarkFactory
    from workflow.models import EpreuvePaper

    def paper(enrolment, label):
        name = default_storage.save(f"papers/x/{label}", ContentFile(b"%PDF-1.4 copie"))
        return EpreuvePaper.objects.create(
            mark=EpreuveMarkFactory(enrolment=enrolment), uploaded_by=enrolment.tutor,
            file=name, original_name=f"copie-{label}.pdf", kind="pdf",
            content_type="application/pdf", size=14, sha256=label * 64, scan_status="clean",
        )  # fmt: skip

    gone = paper(world["gone"][0], "a")
    kept = paper(world["kept"][0][0], "b")
    gone_name = gone.file.name
    with django_capture_on_commit_callbacks(execute=True):
        call_command("retention")
    gone.refresh_from_db()
    kept.refresh_from_db()
    assert not gone.file and not default_storage.exists(gone_name)
    assert "Supprimé" in gone.original_name
    assert kept.file and default_storage.exists(kept.file.name)
    assert AuditEvent.objects.get(action="retention_applied").after["paper_files"] == 1
