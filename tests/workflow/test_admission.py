"""Admission and positionnement: status, route, blocs enrolled for, exemptions, the decision."""

from decimal import Decimal

import pytest

from accounts.models import Enrolment
from audit.models import AuditEvent
from portfolio.models import Portfolio
from portfolio.services import portfolio_start
from tests.centres.helpers import auditor, other_establishment, responsable
from tests.factories import (
    DraftPortfolioFactory,
    EnrolmentFactory,
    EvidenceItemFactory,
    UserFactory,
    rncp_title,
)
from tests.workflow.jury.helpers import (  # noqa: F401
    fast_passwords,
    jury_timeline,
    ready_enrolment,
    session_with_candidate,
)
from workflow import admission
from workflow.errors import WorkflowError
from workflow.jury import results

pytestmark = pytest.mark.django_db


def blocs(*numbers):
    return list(rncp_title().blocs.filter(number__in=numbers).order_by("number"))


def admit(enrolment, actor=None, **kw):
    kw.setdefault("status", enrolment.status)
    kw.setdefault("route", enrolment.route)
    kw.setdefault("blocs", [])
    return admission.enrolment_admission_set(
        actor=actor or responsable(enrolment.cohort.establishment), enrolment=enrolment, **kw
    )


def test_existing_enrolments_are_salaried_and_enrolled_for_the_whole_title():
    enrolment = EnrolmentFactory()
    assert enrolment.status == Enrolment.Status.SALARIE
    assert enrolment.whole_title
    assert admission.enrolled_bloc_ids(enrolment) == {b.pk for b in blocs(1, 2, 3, 4)}


def test_a_job_seeker_is_admitted_on_the_portfolio_route_and_audited():
    enrolment = EnrolmentFactory()
    admit(enrolment, status=Enrolment.Status.DEMANDEUR_EMPLOI)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.DEMANDEUR_EMPLOI
    event = AuditEvent.objects.get(action="enrolment.admission")
    assert event.before["status"] == "salarie"
    assert event.after == {
        "status": "demandeur_emploi",
        "route": "portefeuille",
        "blocs": ["1", "2", "3", "4"],
    }


def test_an_apprentice_is_refused_the_portfolio_route_and_nothing_changes():
    enrolment = EnrolmentFactory()
    with pytest.raises(WorkflowError, match="réservé aux candidats salariés ou demandeurs"):
        admit(enrolment, status=Enrolment.Status.APPRENTI)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.SALARIE
    admit(enrolment, status=Enrolment.Status.APPRENTI, route=Enrolment.Route.EPREUVES)
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.route) == ("apprenti", "epreuves")


@pytest.mark.parametrize("who", ["candidate", "tutor", "auditor", "other_centre"])
def test_only_the_centres_responsables_change_an_admission(who):
    enrolment = EnrolmentFactory()
    actor = {
        "candidate": lambda: enrolment.candidate,
        "tutor": lambda: enrolment.tutor,
        "auditor": auditor,
        "other_centre": lambda: responsable(other_establishment()),
    }[who]()
    with pytest.raises(WorkflowError):
        admit(enrolment, actor=actor, status=Enrolment.Status.DEMANDEUR_EMPLOI)
    assert not AuditEvent.objects.filter(action="enrolment.admission").exists()


def test_only_the_enrolled_blocs_open_portfolios():
    enrolment = EnrolmentFactory()
    admit(enrolment, blocs=blocs(1, 2))
    opened = portfolio_start(enrolment=enrolment)
    assert [p.bloc.number for p in opened] == [1, 2]


def test_listing_every_bloc_is_the_whole_title():
    enrolment = EnrolmentFactory()
    admit(enrolment, blocs=blocs(1, 2, 3, 4))
    assert enrolment.whole_title


def test_dropping_a_bloc_removes_its_empty_draft_portfolio():
    enrolment = EnrolmentFactory()
    portfolio_start(enrolment=enrolment)
    admit(enrolment, blocs=blocs(1, 2))
    assert sorted(
        Portfolio.objects.filter(enrolment=enrolment).values_list("bloc__number", flat=True)
    ) == [1, 2]
    assert AuditEvent.objects.filter(action="portfolio.drop").count() == 2


def test_a_bloc_whose_portfolio_holds_evidence_is_kept_and_nothing_changes():
    enrolment = EnrolmentFactory()
    portfolio = DraftPortfolioFactory(enrolment=enrolment, bloc=blocs(3)[0])
    EvidenceItemFactory(portfolio=portfolio)
    with pytest.raises(WorkflowError, match="bloc 3 contient déjà des preuves"):
        admit(enrolment, blocs=blocs(1, 2))
    assert enrolment.whole_title
    assert Portfolio.objects.filter(pk=portfolio.pk).exists()


@pytest.mark.usefixtures("jury_timeline")
def test_a_candidate_enrolled_for_two_blocs_who_validates_them_gets_their_certificates():
    enrolment = ready_enrolment(exam_ratio=Decimal("0.6"))
    enrolment.blocs.set(blocs(1, 2))
    session, _members, _actor, enrolment = session_with_candidate(enrolment)
    file = results.candidate_file(enrolment=enrolment, session=session)
    assert file.missing == []
    decision = results.computed_decision(file)
    assert decision.outcome == "partial"
    assert decision.validated_blocs == ("1", "2")
    assert not decision.bloc("3").presented and not decision.bloc("4").presented


@pytest.mark.usefixtures("jury_timeline")
def test_non_enrolled_blocs_need_no_marks_for_the_file_to_be_complete():
    enrolment = ready_enrolment()
    Portfolio.objects.filter(enrolment=enrolment, bloc__number__in=[3, 4]).delete()
    enrolment.blocs.set(blocs(1, 2))
    session, _members, _actor, enrolment = session_with_candidate(enrolment)
    assert results.candidate_file(enrolment=enrolment, session=session).missing == []


# --- Exemptions ---------------------------------------------------------------------------


def exempt(enrolment, actor=None, **kw):
    kw.setdefault("practice", True)
    kw.setdefault("blocs", [])
    kw.setdefault("modules", [])
    kw.setdefault("reason", "BTS Assistant de gestion PME-PMI (2019)")
    return admission.exemption_record(
        actor=actor or responsable(enrolment.cohort.establishment), enrolment=enrolment, **kw
    )


def test_an_exemption_records_who_when_what_and_why():
    enrolment = EnrolmentFactory(status=Enrolment.Status.DEMANDEUR_EMPLOI)
    actor = responsable(enrolment.cohort.establishment)
    module = rncp_title().blocs.get(number=1).modules.get(code="M1.1")
    exemption = exempt(enrolment, actor=actor, blocs=blocs(2), modules=[module])
    assert exemption.decided_by == actor and exemption.decided_at
    assert [b.number for b in exemption.blocs.all()] == [2]
    event = AuditEvent.objects.get(action="exemption.record")
    assert event.after["modules"] == ["M1.1"] and event.after["blocs"] == ["2"]
    assert admission.exemptions_of(enrolment) == [exemption]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"reason": "  "}, "Indiquez le motif"),
        ({"practice": False}, "Choisissez ce dont le candidat est dispensé"),
    ],
)
def test_an_exemption_without_its_reason_or_its_object_is_refused(kw, message):
    enrolment = EnrolmentFactory()
    with pytest.raises(WorkflowError, match=message):
        exempt(enrolment, **kw)
    assert not enrolment.exemptions.exists()


def test_an_apprentice_is_not_exempted():
    enrolment = EnrolmentFactory(status=Enrolment.Status.APPRENTI, route="epreuves")
    with pytest.raises(WorkflowError, match="salariés ou demandeurs d'emploi"):
        exempt(enrolment)


@pytest.mark.parametrize("who", ["candidate", "auditor", "other_centre", "certification_only"])
def test_only_the_responsable_of_evaluation_records_an_exemption(who):
    from accounts.models import Role

    enrolment = EnrolmentFactory()
    actor = {
        "candidate": lambda: enrolment.candidate,
        "auditor": auditor,
        "other_centre": lambda: responsable(other_establishment()),
        "certification_only": lambda: UserFactory(
            roles=[Role.RESPONSABLE_CERTIFICATION],
            roles__establishment=enrolment.cohort.establishment,
        ),
    }[who]()
    with pytest.raises(WorkflowError):
        exempt(enrolment, actor=actor)
    assert not enrolment.exemptions.exists()


def test_no_epreuves_mark_for_a_bloc_the_candidate_is_not_enrolled_for():
    from workflow.marks.exam_marks import bloc_exam_mark_enter

    enrolment = EnrolmentFactory(route=Enrolment.Route.EPREUVES)
    admit(enrolment, blocs=blocs(1, 2))
    actor = responsable(enrolment.cohort.establishment)
    bloc_exam_mark_enter(actor=actor, enrolment=enrolment, bloc=blocs(2)[0], points=Decimal(60))
    with pytest.raises(WorkflowError, match="pas inscrit au bloc 3"):
        bloc_exam_mark_enter(actor=actor, enrolment=enrolment, bloc=blocs(3)[0], points=Decimal(60))


@pytest.mark.parametrize("who", ["candidate", "other_centre", "certification_only"])
def test_only_the_responsable_of_evaluation_withdraws_an_exemption(who):
    from accounts.models import Role
    from tests.factories import ExemptionFactory

    exemption = ExemptionFactory()
    enrolment = exemption.enrolment
    actor = {
        "candidate": lambda: enrolment.candidate,
        "other_centre": lambda: responsable(other_establishment()),
        "certification_only": lambda: UserFactory(
            roles=[Role.RESPONSABLE_CERTIFICATION],
            roles__establishment=enrolment.cohort.establishment,
        ),
    }[who]()
    with pytest.raises(WorkflowError):
        admission.exemption_remove(actor=actor, exemption=exemption, reason="x")
    exemption.refresh_from_db()
