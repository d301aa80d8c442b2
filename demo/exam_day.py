"""The Lyon cohort's exam calendar, through the real services: its apprentices (the épreuves
route) sat bloc 3's case study three weeks ago — attendance recorded, one absence justified by a
medical certificate —; bloc 4's computer case study and a remote telephone interview (the
certifier agreed) are ahead, the convocations sent; bloc 2's case study, in 25 days, still waits
for its convocations: the staff screen shows them as not sent in time.

Built once: skipped when the cohort has a sitting.
"""

from __future__ import annotations

from datetime import timedelta

from accounts.models import Cohort, Enrolment, User
from audit import clock
from demo.common import DOMAIN
from demo.season import _at, _moment
from workflow.centre.sitting_attendance import attendance_record
from workflow.centre.sittings import SittingFacts, sitting_convocations_send, sitting_schedule
from workflow.models import EpreuveAttendance, EpreuveSitting, SessionCandidate


def exam_calendar(cohort: Cohort) -> list[EpreuveSitting]:
    """Schedule, convoke and record the cohort's épreuves; return the sittings made."""
    if EpreuveSitting.objects.filter(cohort=cohort).exists():
        return []
    staff = User.objects.get(email=f"responsable@{DOMAIN}")
    epreuves = {e.code: e for e in cohort.title.epreuves.all()}
    today = clock.today()
    made = []

    past_day = today - timedelta(days=21)
    with _at(_moment(past_day - timedelta(days=50), 10)):
        past = sitting_schedule(
            actor=staff,
            cohort=cohort,
            epreuve=epreuves["B3-E1"],
            facts=SittingFacts(
                starts_at=_moment(past_day, 9), base_minutes=210, room="Salle Bellecour"
            ),
        )
        sitting_convocations_send(actor=staff, sitting=past)
    apprentices = list(cohort.enrolments.filter(route=Enrolment.Route.EPREUVES).order_by("pk"))
    # The absent apprentice is one who did not sit yesterday's jury: its blocs stay as judged.
    judged = set(
        SessionCandidate.objects.filter(enrolment__in=apprentices).values_list(
            "enrolment_id", flat=True
        )
    )
    absent = next(e for e in apprentices if e.pk not in judged)
    justified = {
        "status": EpreuveAttendance.Status.ABSENT_JUSTIFIED,
        "justification_kind": EpreuveAttendance.Justification.MEDICAL_CERTIFICATE,
        "justification_date": past_day,
    }
    with _at(_moment(past_day, 9, 20)):
        for enrolment in apprentices:
            facts = (
                justified if enrolment == absent else {"status": EpreuveAttendance.Status.PRESENT}
            )
            attendance_record(actor=staff, sitting=past, enrolment=enrolment, **facts)
    made.append(past)

    with _at(_moment(today, 9)):
        ahead = sitting_schedule(
            actor=staff,
            cohort=cohort,
            epreuve=epreuves["B4-E1"],
            facts=SittingFacts(
                starts_at=_moment(today + timedelta(days=45), 9),
                base_minutes=150,
                room="Salle informatique Part-Dieu",
            ),
        )
        remote = sitting_schedule(
            actor=staff,
            cohort=cohort,
            epreuve=epreuves["B4-E3"],
            facts=SittingFacts(
                starts_at=_moment(today + timedelta(days=50), 14),
                base_minutes=30,
                room="Entretien téléphonique (numéro communiqué la veille)",
                remote=True,
                remote_agreed_by="Direction des certifications, CCI France",
                remote_agreed_on=today - timedelta(days=3),
                remote_agreement_reference="CCIF-CERT-2026-118",
            ),
        )
        for sitting in (ahead, remote):
            sitting_convocations_send(actor=staff, sitting=sitting)
    made += [ahead, remote]

    with _at(_moment(today - timedelta(days=15), 9)):
        made.append(
            sitting_schedule(
                actor=staff,
                cohort=cohort,
                epreuve=epreuves["B2-E1"],
                facts=SittingFacts(
                    starts_at=_moment(today + timedelta(days=25), 9),
                    base_minutes=360,
                    room="Salle Bellecour",
                ),
            )
        )
    return made
