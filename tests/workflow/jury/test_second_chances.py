"""Second chances (RULES.md §4) through their services: hand-computed dates at both edges."""

from datetime import date

import pytest

from accounts.models import Enrolment
from audit.models import AuditEvent
from portfolio.models import Memoire, Portfolio
from portfolio.services import portfolio_deadline, portfolio_window
from tests.factories import (
    BlocExamMarkFactory,
    CohortFactory,
    EnrolmentFactory,
    EstablishmentFactory,
    EvaluatorFactory,
    FalsificationSanctionFactory,
    StaffFactory,
)
from tests.workflow.jury.second_chance_world import at, certifier, decided, epreuves_enrolment
from workflow.errors import WorkflowError
from workflow.jury import falsification, redoublements, retakes, second_chances
from workflow.models import JustifiedAbsenceRetake, PracticeRetake, Redoublement

pytestmark = pytest.mark.django_db


def _bloc(enrolment, number):
    return enrolment.cohort.title.blocs.get(number=number)


# --- Justified absence ------------------------------------------------------------------------


def _absent(bloc_number=2):
    enrolment = epreuves_enrolment()
    bloc = _bloc(enrolment, bloc_number)
    BlocExamMarkFactory(enrolment=enrolment, bloc=bloc, points=None, presented=False)
    return enrolment, bloc


def _absence_retake(enrolment, bloc, *, request_date, retake_date, actor=None, **kw):
    return second_chances.absence_retake_register(
        actor=actor or certifier(),
        enrolment=enrolment,
        bloc=bloc,
        justification=kw.get("justification", "medical"),
        justification_date=kw.get("justification_date", date(2027, 6, 10)),
        request_date=request_date,
        retake_date=retake_date,
    )


@pytest.mark.parametrize(
    ("retake_date", "allowed"),
    [
        (date(2027, 6, 19), False),  # before the written request
        (date(2027, 6, 20), True),  # the day of the request
        (date(2027, 12, 19), True),
        (date(2027, 12, 20), True),  # 20/06 + 6 months: the last day
        (date(2027, 12, 21), False),
    ],
)
def test_a_justified_absence_is_retaken_within_six_months_of_the_request(
    monkeypatch, retake_date, allowed
):
    at(monkeypatch, date(2027, 6, 25))
    enrolment, bloc = _absent()
    if allowed:
        retake = _absence_retake(
            enrolment, bloc, request_date=date(2027, 6, 20), retake_date=retake_date
        )
        assert retake.attempt == 2 and retake.justification_date == date(2027, 6, 10)
        event = AuditEvent.objects.get(action="absence_retake.register")
        assert event.after["request_date"] == "2027-06-20"
        assert event.after["justification"] == "medical"
    else:
        with pytest.raises(WorkflowError, match="20/12/2027|demande écrite"):
            _absence_retake(
                enrolment, bloc, request_date=date(2027, 6, 20), retake_date=retake_date
            )
        assert not JustifiedAbsenceRetake.objects.exists()


def test_six_months_from_the_end_of_august_stop_at_the_end_of_february(monkeypatch):
    at(monkeypatch, date(2027, 9, 1))
    enrolment, bloc = _absent()
    with pytest.raises(WorkflowError, match="29/02/2028"):
        _absence_retake(
            enrolment, bloc, request_date=date(2027, 8, 31), retake_date=date(2028, 3, 1)
        )
    _absence_retake(enrolment, bloc, request_date=date(2027, 8, 31), retake_date=date(2028, 2, 29))


def test_a_justified_absence_retake_leaves_the_single_bloc_retake_unused(monkeypatch):
    at(monkeypatch, date(2027, 6, 1))
    enrolment, bloc = _absent()
    decided(enrolment, validated=["1", "3", "4"])
    _absence_retake(
        enrolment,
        bloc,
        request_date=date(2027, 5, 20),
        retake_date=date(2027, 9, 1),
        justification_date=date(2027, 3, 1),
    )
    registration = retakes.bloc_retake_register(
        actor=certifier(), enrolment=enrolment, bloc=bloc, evaluation_date=date(2027, 12, 1)
    )
    assert registration.attempt == 3


def test_a_justified_absence_retake_needs_an_absence_a_valid_reason_and_a_past_request(
    monkeypatch,
):
    at(monkeypatch, date(2027, 6, 25))
    enrolment = epreuves_enrolment()
    bloc = _bloc(enrolment, 2)
    BlocExamMarkFactory(enrolment=enrolment, bloc=bloc, presented=True)
    with pytest.raises(WorkflowError, match="pas noté absent"):
        _absence_retake(
            enrolment, bloc, request_date=date(2027, 6, 20), retake_date=date(2027, 9, 1)
        )
    enrolment, bloc = _absent()
    with pytest.raises(WorkflowError, match="certificat médical"):
        _absence_retake(
            enrolment,
            bloc,
            request_date=date(2027, 6, 20),
            retake_date=date(2027, 9, 1),
            justification="convenance",
        )
    with pytest.raises(WorkflowError, match="futur"):
        _absence_retake(
            enrolment, bloc, request_date=date(2027, 6, 26), retake_date=date(2027, 9, 1)
        )
    with pytest.raises(WorkflowError, match="d'avant la demande"):
        _absence_retake(
            enrolment,
            bloc,
            request_date=date(2027, 6, 20),
            retake_date=date(2027, 9, 1),
            justification_date=date(2027, 6, 21),
        )
    _absence_retake(enrolment, bloc, request_date=date(2027, 6, 20), retake_date=date(2027, 9, 1))
    with pytest.raises(WorkflowError, match="déjà prévu"):
        _absence_retake(
            enrolment, bloc, request_date=date(2027, 6, 20), retake_date=date(2027, 9, 2)
        )


def test_only_the_establishments_certification_staff_register_second_chances(monkeypatch):
    at(monkeypatch, date(2027, 6, 25))
    enrolment, bloc = _absent()
    decided(enrolment)
    elsewhere = StaffFactory(roles__establishment=EstablishmentFactory(name="CCI Ailleurs"))
    evaluation_only = StaffFactory(roles=["responsable_evaluation"])
    for actor in (elsewhere, evaluation_only, EvaluatorFactory(), enrolment.candidate):
        with pytest.raises(WorkflowError, match="responsable du processus de certification"):
            _absence_retake(
                enrolment,
                bloc,
                request_date=date(2027, 6, 20),
                retake_date=date(2027, 9, 1),
                actor=actor,
            )
        with pytest.raises(WorkflowError, match="responsable du processus de certification"):
            second_chances.practice_retake_register(
                actor=actor,
                enrolment=enrolment,
                experience_start=date(2027, 3, 1),
                experience_end=date(2027, 6, 1),
                experience_proof="Attestation",
            )
        with pytest.raises(WorkflowError, match="responsable du processus de certification"):
            falsification.falsification_sanction_record(
                actor=actor, enrolment=enrolment, sanctioned_on=date(2027, 6, 1), facts="x"
            )
        with pytest.raises(WorkflowError, match="responsable du processus de certification"):
            redoublements.redoublement_register(
                actor=actor,
                enrolment=enrolment,
                cohort=_later(date(2027, 9, 1)),
                request_date=date(2027, 6, 1),
            )


# --- The bloc retake's own window ---------------------------------------------------------


def test_a_retake_portfolio_has_its_own_window_up_to_the_evaluation(monkeypatch):
    at(monkeypatch, date(2027, 6, 1))
    enrolment = EnrolmentFactory()  # the cohort's window closed on 30/12/2026
    decided(enrolment)
    bloc = _bloc(enrolment, 2)
    retakes.bloc_retake_register(
        actor=certifier(), enrolment=enrolment, bloc=bloc, evaluation_date=date(2027, 12, 1)
    )
    portfolio = Portfolio.objects.get(enrolment=enrolment, bloc=bloc, attempt=2)
    assert portfolio_deadline(portfolio) == date(2027, 12, 1)
    assert not portfolio_window(portfolio, on=date(2027, 5, 31))
    assert portfolio_window(portfolio, on=date(2027, 6, 1))
    assert portfolio_window(portfolio, on=date(2027, 12, 1))
    refused = portfolio_window(portfolio, on=date(2027, 12, 2))
    assert not refused and "01/12/2027" in refused.reason


def test_a_retake_portfolio_is_extended_past_its_evaluation_date_only(monkeypatch):
    from workflow.jury import accommodations

    at(monkeypatch, date(2027, 6, 1))
    enrolment = EnrolmentFactory()
    decided(enrolment)
    bloc = _bloc(enrolment, 2)
    actor = certifier()
    retakes.bloc_retake_register(
        actor=actor, enrolment=enrolment, bloc=bloc, evaluation_date=date(2027, 12, 1)
    )
    portfolio = Portfolio.objects.get(enrolment=enrolment, bloc=bloc, attempt=2)
    accommodation = accommodations.accommodation_record(
        actor=actor, enrolment=enrolment, kind="extra_time"
    )
    extend = lambda until: accommodations.portfolio_window_extend(  # noqa: E731
        actor=actor, portfolio=portfolio, until=until, accommodation=accommodation
    )
    with pytest.raises(WorkflowError, match="déjà dans la période normale"):
        extend(date(2027, 12, 1))
    extend(date(2027, 12, 2))
    portfolio.refresh_from_db()
    assert portfolio_deadline(portfolio) == date(2027, 12, 2)


# --- Fraud ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "allowed"), [(date(2027, 9, 14), False), (date(2027, 9, 15), True)]
)
def test_after_fraud_every_bloc_waits_six_months(monkeypatch, day, allowed):
    at(monkeypatch, day)
    enrolment = EnrolmentFactory()
    decided(enrolment, fraud=True)  # 15/03/2027 + 6 months = 15/09/2027
    bloc = _bloc(enrolment, 1)
    register = lambda: retakes.bloc_retake_register(  # noqa: E731
        actor=certifier(), enrolment=enrolment, bloc=bloc, evaluation_date=date(2028, 3, 1)
    )
    if allowed:
        assert register().attempt == 2
    else:
        with pytest.raises(WorkflowError, match="à partir du 15/09/2027"):
            register()


# --- Redoublement -----------------------------------------------------------------------------


def _later(start, **kw):
    return CohortFactory(training_start=start, training_end=date(start.year + 1, 6, 30), **kw)


@pytest.mark.parametrize(
    ("start", "allowed"),
    [(date(2032, 3, 15), True), (date(2032, 3, 16), False)],  # 15/03/2027 + 5 years
)
def test_a_repeated_year_starts_within_five_years(monkeypatch, start, allowed):
    at(monkeypatch, date(2032, 1, 10))
    enrolment = EnrolmentFactory()
    decided(enrolment)
    cohort = _later(start)
    register = lambda: redoublements.redoublement_register(  # noqa: E731
        actor=certifier(), enrolment=enrolment, cohort=cohort, request_date=date(2032, 1, 5)
    )
    if allowed:
        redoublement = register()
        assert redoublement.repeated_blocs == ["2"] and redoublement.carried_blocs == [
            "1",
            "3",
            "4",
        ]
        new = redoublement.enrolment
        assert (new.cohort, new.candidate, new.route) == (
            cohort,
            enrolment.candidate,
            enrolment.route,
        )
        assert list(new.portfolios.values_list("bloc__number", flat=True)) == [2]
        assert new.memoires.count() == 1  # the practice was not validated: presented again
        assert AuditEvent.objects.filter(action="redoublement.register").count() == 1
    else:
        with pytest.raises(WorkflowError, match="15/03/2032"):
            register()
        assert not Redoublement.objects.exists()


def test_a_repeated_year_is_requested_before_the_training_starts(monkeypatch):
    at(monkeypatch, date(2027, 9, 10))
    enrolment = EnrolmentFactory()
    decided(enrolment)
    cohort = _later(date(2027, 9, 1))
    with pytest.raises(WorkflowError, match="précéder le début de la formation, le 01/09/2027"):
        redoublements.redoublement_register(
            actor=certifier(), enrolment=enrolment, cohort=cohort, request_date=date(2027, 9, 2)
        )
    redoublements.redoublement_register(
        actor=certifier(), enrolment=enrolment, cohort=cohort, request_date=date(2027, 9, 1)
    )


@pytest.mark.parametrize(
    ("start", "asked_on", "match"),
    [
        (date(2027, 9, 14), date(2027, 8, 1), "à partir du 15/09/2027"),
        (date(2027, 9, 15), date(2027, 8, 16), "au plus tard le 15/08/2027"),
        (date(2027, 9, 15), date(2027, 8, 15), None),
    ],
)
def test_after_fraud_a_repeat_waits_six_months_and_is_asked_a_month_ahead(
    monkeypatch, start, asked_on, match
):
    at(monkeypatch, date(2027, 8, 20))
    enrolment = EnrolmentFactory()
    decided(enrolment, fraud=True)
    register = lambda: redoublements.redoublement_register(  # noqa: E731
        actor=certifier(), enrolment=enrolment, cohort=_later(start), request_date=asked_on
    )
    if match:
        with pytest.raises(WorkflowError, match=match):
            register()
    else:
        assert register().repeated_blocs == ["1", "2", "3", "4"]


def test_a_repeated_year_uses_the_single_retake_and_carries_validated_blocs(monkeypatch):
    at(monkeypatch, date(2027, 6, 1))
    enrolment = EnrolmentFactory()
    decided(enrolment)
    redoublement = redoublements.redoublement_register(
        actor=certifier(),
        enrolment=enrolment,
        cohort=_later(date(2027, 9, 1)),
        request_date=date(2027, 5, 30),
    )
    bloc2 = _bloc(enrolment, 2)
    with pytest.raises(WorkflowError, match="un seul rattrapage"):
        retakes.bloc_retake_register(
            actor=certifier(), enrolment=enrolment, bloc=bloc2, evaluation_date=date(2027, 12, 1)
        )
    with pytest.raises(WorkflowError, match="déjà demandé un redoublement"):
        redoublements.redoublement_register(
            actor=certifier(),
            enrolment=enrolment,
            cohort=_later(date(2027, 10, 1)),
            request_date=date(2027, 5, 30),
        )
    from tests.factories import JurySessionFactory
    from workflow.jury import results

    session = JurySessionFactory(date=date(2028, 9, 15), last_exam_date=date(2028, 9, 1))
    file = results.candidate_file(enrolment=redoublement.enrolment, session=session)
    assert file.carried == ("1", "3", "4")


def test_a_repeat_needs_a_decision_a_later_cohort_and_a_bloc_to_repeat(monkeypatch):
    at(monkeypatch, date(2027, 6, 1))
    enrolment = EnrolmentFactory()
    cohort = _later(date(2027, 9, 1))
    register = lambda e, c: redoublements.redoublement_register(  # noqa: E731
        actor=certifier(), enrolment=e, cohort=c, request_date=date(2027, 5, 30)
    )
    with pytest.raises(WorkflowError, match="Aucune décision"):
        register(enrolment, cohort)
    with pytest.raises(WorkflowError, match="autre promotion"):
        register(enrolment, enrolment.cohort)
    decided(enrolment, validated=["1", "2", "3", "4"])
    with pytest.raises(WorkflowError, match="Tous les blocs sont validés"):
        register(enrolment, cohort)


# --- Practice retake ------------------------------------------------------------------------


def _practice(enrolment, *, start, end):
    return second_chances.practice_retake_register(
        actor=certifier(),
        enrolment=enrolment,
        experience_start=start,
        experience_end=end,
        experience_proof="Attestation d'employeur, Société Dupont",
    )


def test_the_practice_is_retaken_after_three_months_of_proven_experience(monkeypatch):
    at(monkeypatch, date(2027, 7, 1))
    enrolment = EnrolmentFactory()
    decided(enrolment)
    with pytest.raises(WorkflowError, match="au moins jusqu'au 01/07/2027"):
        _practice(enrolment, start=date(2027, 4, 1), end=date(2027, 6, 30))
    retake = _practice(enrolment, start=date(2027, 4, 1), end=date(2027, 7, 1))
    assert (retake.experience_start, retake.experience_end) == (date(2027, 4, 1), date(2027, 7, 1))
    assert Memoire.objects.filter(enrolment=enrolment, attempt=1).count() == 1
    event = AuditEvent.objects.get(action="practice_retake.register")
    assert event.after["experience_end"] == "2027-07-01"
    with pytest.raises(WorkflowError, match="déjà enregistrée"):
        _practice(enrolment, start=date(2027, 4, 1), end=date(2027, 7, 1))


@pytest.mark.parametrize(
    ("day", "allowed"), [(date(2032, 3, 15), True), (date(2032, 3, 16), False)]
)
def test_the_practice_is_retaken_within_five_years_of_the_decision(monkeypatch, day, allowed):
    at(monkeypatch, day)
    enrolment = EnrolmentFactory()
    decided(enrolment)
    if allowed:
        _practice(enrolment, start=date(2031, 1, 1), end=date(2031, 6, 1))
    else:
        with pytest.raises(WorkflowError, match="15/03/2032"):
            _practice(enrolment, start=date(2031, 1, 1), end=date(2031, 6, 1))
        assert not PracticeRetake.objects.exists()


def test_a_validated_practice_is_not_retaken(monkeypatch):
    at(monkeypatch, date(2027, 7, 1))
    enrolment = EnrolmentFactory()
    decided(enrolment).__class__.objects.update(computed={"practice": {"passed": True}})
    with pytest.raises(WorkflowError, match="pratique professionnelle est validée"):
        _practice(enrolment, start=date(2027, 1, 1), end=date(2027, 6, 1))


# --- Falsification ---------------------------------------------------------------------------


def test_a_falsification_sanction_is_recorded_with_its_date(monkeypatch):
    at(monkeypatch, date(2027, 7, 2))
    enrolment = EnrolmentFactory()
    with pytest.raises(WorkflowError, match="futur"):
        falsification.falsification_sanction_record(
            actor=certifier(), enrolment=enrolment, sanctioned_on=date(2027, 7, 3), facts="x"
        )
    with pytest.raises(WorkflowError, match="Décrivez"):
        falsification.falsification_sanction_record(
            actor=certifier(), enrolment=enrolment, sanctioned_on=date(2027, 7, 1), facts=" "
        )
    sanction = falsification.falsification_sanction_record(
        actor=certifier(), enrolment=enrolment, sanctioned_on=date(2027, 7, 1), facts="Relevé"
    )
    assert sanction.candidate == enrolment.candidate
    event = AuditEvent.objects.get(action="falsification.sanction")
    assert event.after == {"sanctioned_on": "2027-07-01", "ban_ends": "2037-07-01"}


@pytest.mark.parametrize(("day", "allowed"), [(date(2037, 6, 30), False), (date(2037, 7, 1), True)])
def test_falsification_bars_every_registration_for_ten_years(monkeypatch, day, allowed):
    at(monkeypatch, day)
    enrolment = epreuves_enrolment()
    decided(enrolment, on=date(2036, 12, 1))
    bloc = _bloc(enrolment, 2)
    BlocExamMarkFactory(enrolment=enrolment, bloc=bloc, points=None, presented=False)
    FalsificationSanctionFactory(candidate=enrolment.candidate, sanctioned_on=date(2027, 7, 1))
    attempts = [
        lambda: retakes.bloc_retake_register(
            actor=certifier(), enrolment=enrolment, bloc=bloc, evaluation_date=date(2038, 1, 1)
        ),
        lambda: _absence_retake(enrolment, bloc, request_date=day, retake_date=day),
        lambda: _practice(enrolment, start=date(2036, 12, 1), end=date(2037, 3, 1)),
        lambda: redoublements.redoublement_register(
            actor=certifier(),
            enrolment=enrolment,
            cohort=_later(date(2037, 9, 1)),
            request_date=day,
        ),
    ]
    if allowed:  # the repeat would also repeat bloc 2, retaken just before: not tried here
        for attempt in attempts[:3]:
            attempt()
        falsification.falsification_ban_check(enrolment.candidate)
        return
    for attempt in attempts:
        with pytest.raises(WorkflowError, match="10 ans, jusqu'au 01/07/2037"):
            attempt()
    assert Enrolment.objects.filter(candidate=enrolment.candidate).count() == 1


def test_a_repeat_after_a_validated_practice_opens_no_new_memoire(monkeypatch):
    at(monkeypatch, date(2027, 6, 1))
    enrolment = EnrolmentFactory()
    decision = decided(enrolment)
    decision.computed = {**decision.computed, "practice": {"passed": True}}
    decision.save()
    redoublement = redoublements.redoublement_register(
        actor=certifier(),
        enrolment=enrolment,
        cohort=_later(date(2027, 9, 1)),
        request_date=date(2027, 5, 30),
    )
    assert not redoublement.enrolment.memoires.exists()
