"""The assiduity penalty « après accord préalable de l'équipe pédagogique » (RULES.md §3): the
share of the cohort's training time (588 h by default), the proposed band, the team's agreement
or waiver, a changed proposal pending again, the decision's flag, the staff screen."""

import importlib
from datetime import date
from decimal import Decimal as D

import pytest
from django.apps import apps
from django.urls import reverse

from accounts.models import Cohort, Role
from audit.models import AuditEvent
from referentiel.models import Title
from rules import engine
from tests.factories import CohortFactory, EnrolmentFactory, EstablishmentFactory, UserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    session_with_candidate,
    staff,
)
from workflow.errors import WorkflowError
from workflow.jury import computed, deliberation
from workflow.marks import assiduity
from workflow.marks.attendance import absence_delete, absence_record
from workflow.models import AssiduityDecision, SessionCandidate

pytestmark = pytest.mark.django_db

GRENOBLE = "CCI Formation Grenoble"


def absent(enrolment, actor, *hours, justified=False, first_day=1):
    """Record unjustified absences of ``hours`` on consecutive days of October 2025."""
    return [
        absence_record(
            actor=actor,
            enrolment=enrolment,
            date=date(2025, 10, first_day + index),
            hours=D(str(h)),
            justified=justified,
            justification="medical" if justified else "",
        )
        for index, h in enumerate(hours)
    ]


# Hand-computed on 588 h: 14.7 / 588 = 2.5 % exactly; 14.8 / 588 = 2.5170… %; 29.4 / 588 = 5 %;
# 58.8 / 588 = 10 %; 58.9 / 588 = 10.0170… %.
@pytest.mark.parametrize(
    ("hours", "share", "penalty", "referred"),
    [
        (("7", "7.7"), D("2.5"), D(5), False),
        (("7", "7.8"), D("2.517006802721088435374149659863945578231"), D(10), False),
        (("24", "5.4"), D(5), D(10), False),
        (("24", "24", "10.8"), D(10), D(15), False),
        (("24", "24", "10.9"), D("10.01700680272108843537"), None, True),
    ],
    ids=["2.5%", "just-above-2.5%", "5%", "10%", "just-above-10%"],
)
def test_the_bands_on_588_hours_apply_once_the_team_agrees(hours, share, penalty, referred):
    enrolment = EnrolmentFactory()
    assert enrolment.cohort.training_hours == D(588)
    actor = staff()
    absent(enrolment, actor, *hours)
    proposed = assiduity.assiduity_for(enrolment)
    assert proposed.status == assiduity.PENDING
    assert proposed.proposal.share_pct.quantize(D("1E-20")) == share.quantize(D("1E-20"))
    assert (proposed.proposal.penalty_pct, proposed.proposal.referred) == (penalty, referred)
    assert proposed.agreed_pct == 0  # nothing sanctioned before the agreement
    assiduity.assiduity_decide(actor=actor, enrolment=enrolment, agree=True)
    agreed = assiduity.assiduity_for(enrolment)
    assert agreed.status == assiduity.AGREED
    assert agreed.agreed_pct == proposed.proposal.share_pct
    assert engine.absence_penalty(agreed.agreed_pct) == (penalty, referred)
    record = AssiduityDecision.objects.get(enrolment=enrolment)
    assert record.unjustified_hours == sum(D(h) for h in hours)
    assert record.training_hours == D(588) and record.penalty_pct == penalty
    assert record.decided_by == actor


def test_without_unjustified_absence_there_is_nothing_to_decide():
    enrolment = EnrolmentFactory()
    absent(enrolment, staff(), "7", justified=True)  # a justified absence does not count
    current = assiduity.assiduity_for(enrolment)
    assert current.status == assiduity.NONE and current.proposal.share_pct == 0
    assert current.agreed_pct == 0 and not current.pending
    with pytest.raises(WorkflowError, match="Aucune absence injustifiée"):
        assiduity.assiduity_decide(actor=staff(), enrolment=enrolment, agree=True)


def test_a_cohort_with_its_own_training_time():
    enrolment = EnrolmentFactory(cohort__training_hours=D(400))
    actor = staff()
    absent(enrolment, actor, "10")  # 10 / 400 = 2.5 % → 5 %; on 588 h it would be 1.70… %
    current = assiduity.assiduity_for(enrolment)
    assert current.proposal.share_pct == D("2.5") and current.proposal.penalty_pct == D(5)
    assiduity.assiduity_decide(actor=actor, enrolment=enrolment, agree=True)
    assert assiduity.assiduity_for(enrolment).status == assiduity.AGREED
    # The cohort's figure corrected later: the agreement was on another share, pending again.
    Cohort.objects.filter(pk=enrolment.cohort_id).update(training_hours=D(500))
    enrolment.cohort.refresh_from_db()
    assert assiduity.assiduity_for(enrolment).status == assiduity.PENDING


def test_an_absence_recorded_or_justified_after_the_agreement_makes_it_pending_again():
    enrolment = EnrolmentFactory()
    actor = staff()
    (first,) = absent(enrolment, actor, "7")
    assiduity.assiduity_decide(actor=actor, enrolment=enrolment, agree=True)
    absent(enrolment, actor, "3", first_day=5)
    current = assiduity.assiduity_for(enrolment)
    assert current.status == assiduity.PENDING and current.agreed_pct == 0
    assiduity.assiduity_decide(actor=actor, enrolment=enrolment, agree=True)
    assert (
        assiduity.assiduity_for(enrolment).agreed_pct
        == assiduity.proposal_of(D(10), enrolment.cohort).share_pct
    )
    # The first day justified later: deleted as unjustified, recorded as justified.
    absence_delete(actor=actor, record=first, reason="Certificat reçu")
    absent(enrolment, actor, "7", justified=True)
    assert assiduity.assiduity_for(enrolment).status == assiduity.PENDING


def test_a_waiver_needs_a_reason_and_is_audited():
    enrolment = EnrolmentFactory()
    actor = staff()
    absent(enrolment, actor, "20")
    with pytest.raises(WorkflowError, match="Indiquez le motif de la levée de la pénalité"):
        assiduity.assiduity_decide(actor=actor, enrolment=enrolment, agree=False, reason="  ")
    assert not AssiduityDecision.objects.exists()
    assiduity.assiduity_decide(
        actor=actor, enrolment=enrolment, agree=False, reason="Hospitalisation d'un proche"
    )
    current = assiduity.assiduity_for(enrolment)
    assert current.status == assiduity.WAIVED and current.agreed_pct == 0
    assert "Hospitalisation d'un proche" in current.reason()
    event = AuditEvent.objects.get(action="assiduity.waive")
    assert event.reason == "Hospitalisation d'un proche"
    assert event.candidate == enrolment.candidate
    # The team changes its mind: one row per candidate, each decision in the audit trail.
    assiduity.assiduity_decide(actor=actor, enrolment=enrolment, agree=True)
    assert AssiduityDecision.objects.get().kind == AssiduityDecision.Kind.AGREED
    assert AuditEvent.objects.filter(action="assiduity.agree").count() == 1


def test_another_establishments_staff_may_not_decide():
    enrolment = EnrolmentFactory()
    absent(enrolment, staff(), "20")
    elsewhere = staff(EstablishmentFactory(name=GRENOBLE))
    with pytest.raises(WorkflowError, match="équipe pédagogique du centre"):
        assiduity.assiduity_decide(actor=elsewhere, enrolment=enrolment, agree=True)
    assert not AssiduityDecision.objects.exists()


# --- The decision ----------------------------------------------------------------------------


@pytest.mark.usefixtures("jury_timeline")
def test_the_deliberation_shows_the_penalty_pending_until_the_team_agrees(client):
    enrolment = ready_enrolment()
    actor = staff()
    start = enrolment.cohort.training_start
    absence_record(actor=actor, enrolment=enrolment, date=start, hours=D(20), justified=False)
    session, members, _actor, _ = session_with_candidate(enrolment)
    computed.session_results_refresh(session)
    entry = SessionCandidate.objects.get(session=session)
    # 20 / 588 = 3.40… % → 10 % proposed; not applied: the tutor's 50 stand, 625 points.
    assert entry.penalty_pending is True and entry.referred is False
    assert entry.computed["tutor_penalty_pct"] == "0"
    assert D(entry.computed["points_total"]) == D(625)
    assert entry.computed["inputs"]["practice"]["assiduity"]["status"] == "pending"
    assert any("en attente" in reason for reason in entry.computed["reasons"])
    assert list(computed.deliberation_entries(session, show="pending")) == [entry]
    assert not computed.adoptable_entries(session).exists()
    with pytest.raises(WorkflowError, match="pénalité d'assiduité en attente"):
        deliberation.jury_deliberation_close(
            actor=members["president"], session=session, confirm=True
        )
    with pytest.raises(WorkflowError, match="motif"):
        deliberation.jury_decision_record(
            actor=members["president"], session=session, enrolment=enrolment,
            outcome="total", validated_blocs=["1", "2", "3", "4"],
        )  # fmt: skip

    client.force_login(members["president"])
    page = client.get(reverse("jury:deliberation", args=[session.pk])).content.decode()
    assert "pénalité d'assiduité en attente" in page
    assert "1 pénalité(s) d&#x27;assiduité en attente" in page  # the closing's summary
    assert "0 candidat(s) sans décision reçoivent la décision calculée" in page
    detail = client.get(reverse("jury:deliberation_candidate", args=[session.pk, enrolment.pk]))
    assert "Pénalité d&#x27;assiduité en attente : absence injustifiée de 3,41 %" in (
        detail.content.decode()
    )

    assiduity.assiduity_decide(actor=actor, enrolment=enrolment, agree=True)
    entry.refresh_from_db()
    assert entry.stale  # the team's decision is an input of the stored result
    computed.session_results_refresh(session)
    entry.refresh_from_db()
    assert entry.penalty_pending is False
    assert entry.computed["tutor_penalty_pct"] == "10"
    assert D(entry.computed["points_total"]) == D(620)

    assiduity.assiduity_decide(actor=actor, enrolment=enrolment, agree=False, reason="Stage")
    computed.session_results_refresh(session)
    entry.refresh_from_db()
    assert entry.penalty_pending is False and entry.computed["tutor_penalty_pct"] == "0"
    assert any("levée par l'équipe pédagogique" in r for r in entry.computed["reasons"])


# --- The training time's default -------------------------------------------------------------


def test_the_default_training_time_excludes_the_evaluations():
    assert Cohort._meta.get_field("training_hours").default == D(588)
    assert Title.objects.get(code="36390").training_hours == D(588)


def test_the_migration_moves_cohorts_left_at_931_hours_and_back():
    migration = importlib.import_module(
        "accounts.migrations.0009_training_hours_without_evaluations"
    )
    at_default = CohortFactory(training_hours=D(931))
    own = CohortFactory(training_hours=D(700))
    migration.to_training_time(apps, None)
    at_default.refresh_from_db()
    own.refresh_from_db()
    assert (at_default.training_hours, own.training_hours) == (D(588), D(700))
    migration.to_total_volume(apps, None)
    at_default.refresh_from_db()
    own.refresh_from_db()
    assert (at_default.training_hours, own.training_hours) == (D(931), D(700))


# --- The staff screen ------------------------------------------------------------------------


def test_the_staff_screen_applies_and_waives_the_penalty(client):
    enrolment = EnrolmentFactory()
    actor = staff()
    absent(enrolment, actor, "7", "7.7")
    client.force_login(actor)
    url = reverse("jury:staff_assiduity", args=[enrolment.cohort_id])
    page = client.get(url).content.decode()
    assert "14,7 h, soit 2,5 % de 588 h de formation" in page
    assert "Pénalité proposée : 5 % de la note du tuteur" in page
    assert "Pénalité en attente de l&#x27;accord de l&#x27;équipe pédagogique" in page

    answer = client.post(url, {"enrolment": enrolment.pk, "action": "waive", "reason": ""})
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "error-summary" in page and 'href="#reason-' in page
    assert "Indiquez le motif de la levée de la pénalité." in page
    assert not AssiduityDecision.objects.exists()

    answer = client.post(url, {"enrolment": enrolment.pk, "action": "agree"})
    assert answer.status_code == 302
    assert AssiduityDecision.objects.get().kind == AssiduityDecision.Kind.AGREED
    assert "Pénalité appliquée avec l&#x27;accord" in client.get(url).content.decode()
    client.post(url, {"enrolment": enrolment.pk, "action": "waive", "reason": "Maladie"})
    assert AssiduityDecision.objects.get().reason == "Maladie"


def test_the_staff_screen_of_another_establishment_is_a_404_and_reading_staff_may_not_post(client):
    enrolment = EnrolmentFactory()
    absent(enrolment, staff(), "20")
    url = reverse("jury:staff_assiduity", args=[enrolment.cohort_id])
    client.force_login(staff(EstablishmentFactory(name=GRENOBLE)))
    assert client.get(url).status_code == 404
    assert client.post(url, {"enrolment": enrolment.pk, "action": "agree"}).status_code == 404
    certification_only = UserFactory(
        roles=[Role.RESPONSABLE_CERTIFICATION],
        roles__establishment=enrolment.cohort.establishment,
    )
    client.force_login(certification_only)
    assert client.get(url).status_code == 200
    assert client.post(url, {"enrolment": enrolment.pk, "action": "agree"}).status_code == 403
    # An enrolment of another cohort cannot be decided through this one's page.
    client.force_login(staff())
    other = EnrolmentFactory()
    absent(other, staff(), "20")
    assert client.post(url, {"enrolment": other.pk, "action": "agree"}).status_code == 404
    assert not AssiduityDecision.objects.exists()
