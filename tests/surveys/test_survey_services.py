"""Follow-ups open at publication; surveys at 6, 12 and 24 months with reminders, each sent
once; consent given, refused, withdrawn; answers recorded and audited."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from audit.models import AuditEvent, Notification
from surveys import services
from surveys.models import FollowUp, SurveyWave
from surveys.sending import messages_due, surveys_send
from tests.factories import JurySessionFactory, SurveyWaveFactory
from tests.surveys.helpers import JURY_DAY, certified, on_day
from workflow.models import JurySession

pytestmark = pytest.mark.django_db

SIX = date(2027, 9, 15)  # JURY_DAY + 6 months, by hand
TWELVE = date(2028, 3, 15)
TWENTY_FOUR = date(2029, 3, 15)


def _open(decision=None):
    decision = decision or certified()
    with on_day(JURY_DAY + timedelta(days=10)):
        surveys_send()
    return FollowUp.objects.get(enrolment=decision.enrolment)


def _consenting(**kw):
    follow_up = _open(**kw)
    FollowUp.objects.filter(pk=follow_up.pk).update(consent=FollowUp.Consent.GIVEN)
    follow_up.refresh_from_db()
    return follow_up


def _sent_keys():
    return sorted(
        Notification.objects.filter(key__startswith="surveys.wave").values_list("key", flat=True)
    )


# --- Opening --------------------------------------------------------------------------------


def test_publication_opens_a_follow_up_with_three_waves_at_hand_computed_dates():
    follow_up = _open()
    assert follow_up.certified_on == JURY_DAY
    assert follow_up.consent == FollowUp.Consent.PENDING
    waves = {w.months: w.due_on for w in follow_up.waves.all()}
    assert waves == {6: SIX, 12: TWELVE, 24: TWENTY_FOUR}
    # The candidate is asked once to confirm their data and consent.
    assert Notification.objects.filter(key=f"surveys.confirm:{follow_up.pk}").count() == 1


def test_a_month_end_jury_clamps_to_the_month_end():
    session = JurySessionFactory(date=date(2027, 8, 31), state=JurySession.State.PUBLISHED)
    follow_up = _open(certified(session=session))
    waves = {w.months: w.due_on for w in follow_up.waves.all()}
    assert waves == {6: date(2028, 2, 29), 12: date(2028, 8, 31), 24: date(2029, 8, 31)}


def test_unpublished_and_uncertified_candidates_get_no_follow_up():
    closed = JurySessionFactory(date=JURY_DAY, state=JurySession.State.CLOSED)
    certified(session=closed)
    certified(outcome="none")
    with on_day(JURY_DAY):
        assert surveys_send().opened == 0
    assert not FollowUp.objects.exists()


def test_opening_twice_opens_once():
    decision = certified()
    with on_day(JURY_DAY):
        assert surveys_send().opened == 1
        assert surveys_send().opened == 0
    assert FollowUp.objects.filter(enrolment=decision.enrolment).count() == 1


# --- Waves and reminders: edges -----------------------------------------------------------


def test_messages_due_edges():
    days = [7, 14]
    assert messages_due(due_on=SIX, on=SIX - timedelta(days=1), reminder_days=days) == 0
    assert messages_due(due_on=SIX, on=SIX, reminder_days=days) == 1
    assert messages_due(due_on=SIX, on=date(2027, 9, 21), reminder_days=days) == 1
    assert messages_due(due_on=SIX, on=date(2027, 9, 22), reminder_days=days) == 2
    assert messages_due(due_on=SIX, on=date(2027, 9, 28), reminder_days=days) == 2
    assert messages_due(due_on=SIX, on=date(2027, 9, 29), reminder_days=days) == 3


def test_the_six_month_survey_goes_out_on_its_day_not_the_day_before():
    follow_up = _consenting()
    with on_day(SIX - timedelta(days=1)):
        assert surveys_send().invitations == 0
    with on_day(SIX):
        assert surveys_send().invitations == 1
    wave = follow_up.waves.get(months=6)
    assert wave.messages_sent == 1
    assert _sent_keys() == [f"surveys.wave:{wave.pk}:1"]


def test_twelve_and_twenty_four_months_edges():
    follow_up = _consenting()
    for day in (TWELVE - timedelta(days=1), TWENTY_FOUR - timedelta(days=1)):
        with on_day(day):
            surveys_send()
    sent = {w.months: w.messages_sent for w in follow_up.waves.all()}
    assert sent == {6: 0, 12: 0, 24: 0}  # the six-month link closed long before: never sent
    with on_day(TWELVE):
        surveys_send()
    with on_day(TWENTY_FOUR):
        surveys_send()
    sent = {w.months: w.messages_sent for w in follow_up.waves.all()}
    assert sent == {6: 0, 12: 1, 24: 1}


def test_reminders_after_7_and_14_days_each_once_even_when_run_twice():
    follow_up = _consenting()
    wave = follow_up.waves.get(months=6)
    for day in [SIX, SIX, date(2027, 9, 21), date(2027, 9, 22), date(2027, 9, 22)]:
        with on_day(day):
            surveys_send()
    assert _sent_keys() == [f"surveys.wave:{wave.pk}:1", f"surveys.wave:{wave.pk}:2"]
    for day in [date(2027, 9, 28), date(2027, 9, 29), date(2027, 9, 29), date(2027, 10, 30)]:
        with on_day(day):
            surveys_send()
    assert _sent_keys() == [f"surveys.wave:{wave.pk}:{n}" for n in (1, 2, 3)]


def test_reminder_days_are_configurable(settings):
    settings.PREUVES_SURVEY_REMINDER_DAYS = [3]
    wave = _consenting().waves.get(months=6)
    for day in [SIX, SIX + timedelta(days=2), SIX + timedelta(days=3), SIX + timedelta(days=20)]:
        with on_day(day):
            surveys_send()
    assert _sent_keys() == [f"surveys.wave:{wave.pk}:1", f"surveys.wave:{wave.pk}:2"]


def test_a_late_run_sends_one_email_not_the_backlog():
    wave = _consenting().waves.get(months=6)
    with on_day(date(2027, 10, 1)):
        report = surveys_send()
    assert (report.invitations, report.reminders) == (1, 0)
    wave.refresh_from_db()
    assert wave.messages_sent == 3
    assert _sent_keys() == [f"surveys.wave:{wave.pk}:3"]


def test_no_survey_without_consent_and_none_after_an_answer():
    follow_up = _open()  # consent still pending
    with on_day(SIX):
        assert surveys_send().invitations == 0
    FollowUp.objects.filter(pk=follow_up.pk).update(consent=FollowUp.Consent.GIVEN)
    with on_day(SIX + timedelta(days=1)):
        assert surveys_send().invitations == 1
        wave = follow_up.waves.get(months=6)
        services.survey_answer(wave=wave, status="job_seeker")
    with on_day(SIX + timedelta(days=30)):
        assert surveys_send().reminders == 0


def test_the_email_carries_a_working_personal_link(django_capture_on_commit_callbacks, settings):
    settings.PREUVES_SITE_URL = "https://preuves.example"
    follow_up = _consenting()
    mail.outbox.clear()
    with on_day(SIX), django_capture_on_commit_callbacks(execute=True):
        call_command("surveys_send", stdout=open("/dev/null", "w"))
    (message,) = mail.outbox
    assert message.to == [follow_up.enrolment.candidate.email]
    link = next(line for line in message.body.splitlines() if "/enquetes/r/" in line)
    token = link.rsplit("/r/", 1)[1].strip("/")
    assert services.wave_by_token(token) == follow_up.waves.get(months=6)
    # The database keeps no working link: neither the notification nor the survey row.
    notification = Notification.objects.get(key__startswith="surveys.wave")
    assert token not in str(notification.context)
    assert token not in str(SurveyWave.objects.filter(months=6).values().get())


def test_the_link_closes_after_the_open_days():
    wave = SurveyWaveFactory()
    last_day = wave.closes_on - timedelta(days=1)
    assert services.wave_open(wave, on=last_day)
    assert not services.wave_open(wave, on=wave.closes_on)
    assert not services.wave_open(wave, on=wave.due_on - timedelta(days=1))


# --- Consent --------------------------------------------------------------------------------


def test_confirming_contact_data_and_consent_is_audited():
    follow_up = _open()
    candidate = follow_up.enrolment.candidate
    with on_day(JURY_DAY + timedelta(days=20)):
        services.contact_confirm(
            actor=candidate, email="Perso@Exemple.fr", phone="06 12 34 56 78", consent="given"
        )
    candidate.refresh_from_db()
    follow_up.refresh_from_db()
    assert (candidate.email, candidate.phone) == ("perso@exemple.fr", "06 12 34 56 78")
    assert follow_up.consent == FollowUp.Consent.GIVEN and follow_up.confirmed_at
    actions = list(
        AuditEvent.objects.filter(candidate=candidate)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions[-2:] == ["survey.contact_confirm", "survey.consent_give"]


def test_an_email_of_another_account_is_refused_and_nothing_changes():
    follow_up = _open()
    other = certified(email="pris@exemple.fr").enrolment.candidate
    with pytest.raises(services.SurveyError) as refused:
        services.contact_confirm(
            actor=follow_up.enrolment.candidate, email="PRIS@exemple.fr", phone="", consent="given"
        )
    assert refused.value.field == "email"
    follow_up.refresh_from_db()
    assert follow_up.consent == FollowUp.Consent.PENDING and other.email == "pris@exemple.fr"


def test_withdrawal_stops_emails_and_erases_the_free_text_of_answers():
    follow_up = _consenting()
    candidate = follow_up.enrolment.candidate
    with on_day(SIX):
        surveys_send()
        wave = follow_up.waves.get(months=6)
        services.survey_answer(
            wave=wave,
            status="employed",
            job_title="Office manager",
            employer="ACME",
            job_link="target",
        )
        services.survey_withdraw(wave=wave)
    wave.refresh_from_db()
    assert (wave.status, wave.job_link, wave.job_title, wave.employer) == (
        "employed",
        "target",
        "",
        "",
    )
    assert wave.anonymised_at is not None
    assert AuditEvent.objects.filter(candidate=candidate, action="survey.consent_refuse").exists()
    with on_day(TWELVE):
        assert surveys_send().invitations == 0
    # The audit never held the free text the withdrawal erased.
    assert not AuditEvent.objects.filter(after__icontains="ACME").exists()


# --- Answers --------------------------------------------------------------------------------


def test_an_answer_is_recorded_and_audited_and_may_be_corrected():
    wave = SurveyWaveFactory()
    with on_day(wave.due_on):
        services.survey_answer(wave=wave, status="training")
        services.survey_answer(
            wave=wave,
            status="employed",
            job_title="Assistante",
            employer="Durand",
            job_link="related",
        )
    wave.refresh_from_db()
    assert (wave.status, wave.job_title, wave.employer, wave.job_link) == (
        "employed",
        "Assistante",
        "Durand",
        "related",
    )
    events = AuditEvent.objects.filter(action="survey.answer").order_by("pk")
    assert [e.after["status"] for e in events] == ["training", "employed"]
    assert events[1].before == {"status": "training", "job_link": ""}


@pytest.mark.parametrize(
    "answer, field",
    [
        ({"status": "unknown"}, "status"),
        ({"status": "employed", "employer": "X", "job_link": "target"}, "job_title"),
        ({"status": "employed", "job_title": "X", "job_link": "target"}, "employer"),
        ({"status": "employed", "job_title": "X", "employer": "Y"}, "job_link"),
    ],
)
def test_an_incomplete_answer_is_refused_with_its_field(answer, field):
    wave = SurveyWaveFactory()
    with on_day(wave.due_on), pytest.raises(services.SurveyError) as refused:
        services.survey_answer(wave=wave, **answer)
    assert refused.value.field == field
    wave.refresh_from_db()
    assert wave.answered_at is None


def test_no_answer_once_the_link_closed():
    wave = SurveyWaveFactory()
    with on_day(wave.closes_on), pytest.raises(services.SurveyError):
        services.survey_answer(wave=wave, status="other")
    with on_day(wave.closes_on - timedelta(days=1)):
        services.survey_answer(wave=wave, status="other")


def test_refusing_on_the_candidates_page_after_an_answer_erases_its_free_text():
    follow_up = _consenting()
    candidate = follow_up.enrolment.candidate
    with on_day(SIX):
        surveys_send()
        wave = follow_up.waves.get(months=6)
        services.survey_answer(
            wave=wave,
            status="employed",
            job_title="Assistant",
            employer="Durand",
            job_link="related",
        )
    with on_day(SIX + timedelta(days=3)):
        services.contact_confirm(
            actor=candidate, email=candidate.email, phone="", consent="refused"
        )
        # The link closes at once, and no reminder goes out.
        wave.refresh_from_db()
        assert not services.wave_open(wave, on=SIX + timedelta(days=3))
    assert (wave.job_title, wave.employer, wave.status) == ("", "", "employed")
    event = AuditEvent.objects.filter(action="survey.consent_refuse").get()
    assert (event.before, event.after) == ({"consent": "given"}, {"consent": "refused"})
