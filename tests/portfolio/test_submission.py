"""portfolio_start, coverage, the window, submission with its manifest, new versions, mémoire."""

import datetime as dt
import json

import pytest
import samples
from django.core.files.uploadedfile import SimpleUploadedFile
from django_fsm import TransitionNotAllowed

from accounts.models import Enrolment
from audit.models import AuditEvent, Notification
from portfolio import services
from portfolio.models import EvidenceItem, Manifest, Memoire, Portfolio, ScanStatus
from portfolio.services import PortfolioError
from portfolio.windows import add_months, portfolio_window
from tests.factories import STAFF_ROLES, EnrolmentFactory, UserFactory


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC)


# --------------------------------------------------------------------------- the window (pure)


def test_window_opens_three_and_closes_six_calendar_months_after_training():
    end = dt.date(2026, 8, 31)

    assert add_months(end, 3) == dt.date(2026, 11, 30)
    assert not portfolio_window(training_end=end, on=dt.date(2026, 11, 29))
    assert portfolio_window(training_end=end, on=dt.date(2026, 11, 30))
    assert portfolio_window(training_end=end, on=dt.date(2027, 2, 28))
    late = portfolio_window(training_end=end, on=dt.date(2027, 3, 1))
    assert not late and "28/02/2027" in late.reason


def test_an_extension_only_moves_the_end_later():
    end = dt.date(2026, 6, 30)

    assert portfolio_window(
        training_end=end, on=dt.date(2027, 1, 15), extended_until=dt.date(2027, 1, 31)
    )
    assert not portfolio_window(
        training_end=end, on=dt.date(2026, 12, 31), extended_until=dt.date(2026, 10, 1)
    )


# --------------------------------------------------------------------------- start and coverage


@pytest.mark.django_db
def test_start_creates_one_draft_per_bloc_and_a_memoire_once(enrolment):
    first = services.portfolio_start(enrolment=enrolment)
    again = services.portfolio_start(enrolment=enrolment)

    assert sorted(p.bloc.number for p in first) == [1, 2, 3, 4]
    assert {p.pk for p in again} == {p.pk for p in first}
    assert all(p.state == Portfolio.State.DRAFT for p in first)
    assert enrolment.memoires.count() == 1


@pytest.mark.django_db
def test_an_apprentice_gets_a_memoire_but_no_portfolio():
    enrolment = EnrolmentFactory(route=Enrolment.Route.EPREUVES)

    assert services.portfolio_start(enrolment=enrolment) == []
    assert enrolment.memoires.count() == 1


@pytest.mark.django_db
def test_coverage_lists_the_items_per_competency_and_the_missing_ones(
    local_storage, portfolio, upload
):
    competencies = list(portfolio.bloc.competencies.order_by("order"))
    item = upload(portfolio, samples.pdf_minimal(), "a.pdf", competencies=competencies[:2])

    coverage = services.portfolio_coverage(portfolio)

    assert coverage.total == len(competencies) == 10
    assert [line.items for line in coverage.lines[:2]] == [[item], [item]]
    assert coverage.missing == competencies[2:]
    assert coverage.covered_count == 2 and not coverage.complete


# --------------------------------------------------------------------------- submission


@pytest.mark.django_db
def test_submitting_freezes_the_portfolio_with_a_manifest(
    local_storage, complete_portfolio, candidate, upload, django_capture_on_commit_callbacks
):
    from tests.factories import EstablishmentFactory  # noqa: F401

    staff = UserFactory(roles=STAFF_ROLES)
    item = complete_portfolio.items.get()

    with django_capture_on_commit_callbacks(execute=False):
        submitted = services.portfolio_submit(
            portfolio=complete_portfolio, actor=candidate, declaration_accepted=True
        )

    assert submitted.state == Portfolio.State.SUBMITTED
    manifest = submitted.manifest
    content = manifest.content
    assert content["declaration"] == services.PORTFOLIO_DECLARATION
    assert submitted.declaration_text == services.PORTFOLIO_DECLARATION
    [entry] = content["files"]
    assert entry["name"] == "preuve.pdf" and entry["sha256"] == item.sha256
    assert entry["size"] == item.size and entry["type"] == "application/pdf"
    assert entry["storage_name"] == item.file.name
    assert len(entry["competencies"]) == 10
    assert content["grid_version"]["id"] == submitted.grid_version_id is not None
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    import hashlib

    assert manifest.digest == hashlib.sha256(canonical.encode()).hexdigest()
    assert AuditEvent.objects.filter(action="portfolio.submit").count() == 1
    assert Notification.objects.filter(recipient=staff, template="portfolio_submitted").exists()

    with pytest.raises(PortfolioError) as frozen:
        upload(submitted, samples.pdf_minimal(pages=2), "b.pdf")
    assert frozen.value.code == "frozen"
    with pytest.raises(PortfolioError):
        services.evidence_remove(item=item, actor=candidate)
    with pytest.raises(PortfolioError):
        services.evidence_update(
            item=item, actor=candidate, title="x", competencies=[item.competencies.first()]
        )


@pytest.mark.django_db
def test_submitting_twice_creates_nothing_twice(local_storage, complete_portfolio, candidate):
    services.portfolio_submit(
        portfolio=complete_portfolio, actor=candidate, declaration_accepted=True
    )

    with pytest.raises(PortfolioError) as caught:
        services.portfolio_submit(
            portfolio=complete_portfolio, actor=candidate, declaration_accepted=True
        )

    assert caught.value.code == "already_submitted"
    assert "déjà été déposé" in caught.value.message
    assert Manifest.objects.count() == 1
    assert AuditEvent.objects.filter(action="portfolio.submit").count() == 1


@pytest.mark.django_db
def test_a_portfolio_with_a_competency_left_unproved_cannot_be_submitted(
    local_storage, portfolio, upload, candidate
):
    upload(portfolio, samples.pdf_minimal(), "a.pdf")

    with pytest.raises(PortfolioError) as caught:
        services.portfolio_submit(portfolio=portfolio, actor=candidate, declaration_accepted=True)

    assert caught.value.code == "incomplete"
    assert "C.1.1.2" in caught.value.message
    assert Portfolio.objects.get(pk=portfolio.pk).state == Portfolio.State.DRAFT


@pytest.mark.django_db
def test_the_declaration_must_be_ticked(local_storage, complete_portfolio, candidate):
    with pytest.raises(PortfolioError) as caught:
        services.portfolio_submit(
            portfolio=complete_portfolio, actor=candidate, declaration_accepted=False
        )

    assert caught.value.field == "declaration"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("day", "words"),
    [(dt.date(2026, 9, 29), "à partir de 3 mois"), (dt.date(2026, 12, 31), "s'est terminée")],
)
def test_submission_outside_the_window_is_refused(
    local_storage, complete_portfolio, candidate, clock, day, words
):
    clock(at(day))

    with pytest.raises(PortfolioError) as caught:
        services.portfolio_submit(
            portfolio=complete_portfolio, actor=candidate, declaration_accepted=True
        )

    assert caught.value.code == "window_closed"
    assert words in caught.value.message


@pytest.mark.django_db
def test_an_extension_by_the_staff_reopens_the_window_and_is_audited(
    local_storage, complete_portfolio, candidate, clock
):
    staff = UserFactory(roles=STAFF_ROLES)
    clock(at(dt.date(2027, 1, 10)))

    with pytest.raises(PortfolioError):
        services.portfolio_extension_grant(
            portfolio=complete_portfolio, actor=candidate, until=dt.date(2027, 1, 31), reason="x"
        )
    with pytest.raises(PortfolioError) as no_reason:
        services.portfolio_extension_grant(
            portfolio=complete_portfolio, actor=staff, until=dt.date(2027, 1, 31), reason=" "
        )
    assert no_reason.value.field == "reason"
    services.portfolio_extension_grant(
        portfolio=complete_portfolio,
        actor=staff,
        until=dt.date(2027, 1, 31),
        reason="Arrêt maladie du candidat en décembre",
    )

    submitted = services.portfolio_submit(
        portfolio=complete_portfolio, actor=candidate, declaration_accepted=True
    )
    assert submitted.window_extended_until == dt.date(2027, 1, 31)
    event = AuditEvent.objects.get(action="portfolio.extension_grant")
    assert event.actor == staff and "maladie" in event.reason


@pytest.mark.django_db
def test_a_file_pending_its_virus_scan_blocks_the_submission(
    local_storage, complete_portfolio, candidate
):
    EvidenceItem.objects.update(scan_status=ScanStatus.PENDING)

    with pytest.raises(PortfolioError) as caught:
        services.portfolio_submit(
            portfolio=complete_portfolio, actor=candidate, declaration_accepted=True
        )

    assert caught.value.code == "scan_pending"
    assert "en attente d'analyse" in caught.value.message


@pytest.mark.django_db
def test_only_the_candidate_submits(local_storage, complete_portfolio):
    staff = UserFactory(roles=STAFF_ROLES)

    with pytest.raises(PortfolioError) as caught:
        services.portfolio_submit(
            portfolio=complete_portfolio, actor=staff, declaration_accepted=True
        )

    assert caught.value.code == "forbidden"


# --------------------------------------------------------------------------- new version


def returned(portfolio, candidate) -> Portfolio:
    services.portfolio_submit(portfolio=portfolio, actor=candidate, declaration_accepted=True)
    locked = Portfolio.objects.get(pk=portfolio.pk)
    locked.return_for_changes()  # the workflow's transition; its service is not ours
    locked.return_reason = "Ajoutez une preuve datée pour C.1.3.1."
    locked.save()
    return locked


@pytest.mark.django_db
def test_a_returned_portfolio_reopens_as_a_new_version_sharing_its_files(
    local_storage, complete_portfolio, candidate, upload, django_capture_on_commit_callbacks
):
    old = returned(complete_portfolio, candidate)
    old_item = old.items.get()

    new = services.portfolio_new_version(portfolio=old, actor=candidate)

    old = Portfolio.objects.get(pk=old.pk)
    assert (new.version, new.previous, new.is_active, old.is_active) == (2, old, True, False)
    assert old.state == Portfolio.State.RETURNED and old.manifest is not None
    [copy] = new.items.all()
    assert copy.pk != old_item.pk and copy.file.name == old_item.file.name
    assert set(copy.competencies.all()) == set(old_item.competencies.all())

    with django_capture_on_commit_callbacks(execute=True):
        services.evidence_remove(item=copy, actor=candidate)
    assert local_storage.exists(old_item.file.name)  # the old version still points at it
    with pytest.raises(PortfolioError):
        services.portfolio_new_version(portfolio=old, actor=candidate)


@pytest.mark.django_db
def test_only_a_returned_portfolio_gets_a_new_version(local_storage, portfolio, candidate):
    with pytest.raises(PortfolioError) as caught:
        services.portfolio_new_version(portfolio=portfolio, actor=candidate)

    assert caught.value.code == "not_returned"


@pytest.mark.django_db
def test_the_fsm_refuses_submitting_a_submitted_portfolio(local_storage, complete_portfolio):
    services.portfolio_submit(
        portfolio=complete_portfolio,
        actor=complete_portfolio.enrolment.candidate,
        declaration_accepted=True,
    )
    fresh = Portfolio.objects.get(pk=complete_portfolio.pk)

    with pytest.raises(TransitionNotAllowed):
        fresh.submit()


# --------------------------------------------------------------------------- mémoire


def memoire_file(data: bytes, name: str):
    return SimpleUploadedFile(name, data)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "name", "kind"),
    [(samples.pdf_minimal, "memoire.pdf", "pdf"), (samples.docx, "m.docx", "docx")],
)
def test_memoire_accepts_pdf_and_word_and_is_submitted_with_a_manifest(
    any_storage, memoire, candidate, make, name, kind
):
    UserFactory(roles=STAFF_ROLES)
    services.memoire_upload(
        memoire=memoire,
        actor=candidate,
        uploaded_file=memoire_file(make(), name),
        subject="Réduire les délais de paiement fournisseurs",
    )

    submitted = services.memoire_submit(memoire=memoire, actor=candidate, declaration_accepted=True)

    assert submitted.kind == kind and submitted.state == Memoire.State.SUBMITTED
    assert submitted.manifest.content["files"][0]["sha256"] == submitted.sha256
    assert submitted.manifest.content["declaration"] == services.MEMOIRE_DECLARATION
    with pytest.raises(PortfolioError) as again:
        services.memoire_submit(memoire=memoire, actor=candidate, declaration_accepted=True)
    assert again.value.code == "already_submitted"
    assert Manifest.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("make", "name"), [(samples.xlsx, "m.xlsx"), (samples.png, "m.png"), (samples.odt, "m.odt")]
)
def test_memoire_refuses_anything_but_pdf_or_word(local_storage, memoire, candidate, make, name):
    with pytest.raises(PortfolioError) as caught:
        services.memoire_upload(
            memoire=memoire, actor=candidate, uploaded_file=memoire_file(make(), name), subject="S"
        )

    assert caught.value.code == "unsupported_type"
    assert not Memoire.objects.get(pk=memoire.pk).file


@pytest.mark.django_db
def test_memoire_over_its_limit_is_refused(local_storage, memoire, candidate, settings):
    data = samples.pdf_minimal()
    settings.PREUVES_MEMOIRE_MAX_BYTES = len(data) - 1

    with pytest.raises(PortfolioError) as caught:
        services.memoire_upload(
            memoire=memoire, actor=candidate, uploaded_file=memoire_file(data, "m.pdf"), subject="S"
        )

    assert caught.value.code == "too_large"


@pytest.mark.django_db
def test_memoire_after_the_cohort_deadline_is_refused(local_storage, memoire, candidate, clock):
    services.memoire_upload(
        memoire=memoire,
        actor=candidate,
        uploaded_file=memoire_file(samples.pdf_minimal(), "m.pdf"),
        subject="Sujet",
    )
    clock(at(memoire.enrolment.cohort.memoire_deadline + dt.timedelta(days=1)))

    with pytest.raises(PortfolioError) as caught:
        services.memoire_submit(memoire=memoire, actor=candidate, declaration_accepted=True)

    assert caught.value.code == "deadline_passed"
    assert "30/09/2026" in caught.value.message


@pytest.mark.django_db
def test_replacing_the_memoire_file_deletes_the_old_object(
    local_storage, memoire, candidate, django_capture_on_commit_callbacks
):
    first = services.memoire_upload(
        memoire=memoire,
        actor=candidate,
        uploaded_file=memoire_file(samples.pdf_minimal(), "v1.pdf"),
        subject="Sujet",
    )
    old_name = first.file.name

    with django_capture_on_commit_callbacks(execute=True):
        second = services.memoire_upload(
            memoire=memoire,
            actor=candidate,
            uploaded_file=memoire_file(samples.pdf_minimal(pages=2), "v2.pdf"),
        )

    assert second.original_name == "v2.pdf" and second.subject == "Sujet"
    assert not local_storage.exists(old_name)
