"""Second chances in the demo centre (Lyon): a retake after a justified absence and a repeated
year, registered through their services so that the screens and the audit trail show them.

- The last apprentice of the current cohort missed bloc 2's épreuves on sick leave; a retake is
  set two months after the written request (within its 6 months).
- Last season's third apprentice validated blocs 1 to 3 only: they repeat the year in the next
  cohort, following bloc 4's modules again, blocs 1 to 3 carried over.
"""

from datetime import date, timedelta

from accounts.models import Cohort, Enrolment
from demo.common import DOMAIN
from workflow.jury.redoublements import redoublement_register
from workflow.jury.second_chances import absence_retake_register
from workflow.marks.exam_marks import bloc_exam_mark_enter
from workflow.models import JustifiedAbsenceRetake, Redoublement


def _staff():
    from accounts.models import User

    return User.objects.get(email=f"responsable@{DOMAIN}")


def justified_absence(cohort: Cohort) -> JustifiedAbsenceRetake | None:
    """Bloc 2 missed on sick leave by the cohort's last apprentice, and the retake offered."""
    enrolment = (
        cohort.enrolments.filter(route=Enrolment.Route.EPREUVES)
        .select_related("candidate", "cohort__title")
        .order_by("-pk")
        .first()
    )
    if enrolment is None or enrolment.absence_retakes.exists():
        return None
    staff, today = _staff(), date.today()
    bloc = enrolment.cohort.title.blocs.get(number=2)
    bloc_exam_mark_enter(actor=staff, enrolment=enrolment, bloc=bloc, points=None, presented=False)
    return absence_retake_register(
        actor=staff,
        enrolment=enrolment,
        bloc=bloc,
        justification=JustifiedAbsenceRetake.Justification.SICK_LEAVE,
        justification_date=today - timedelta(days=20),
        request_date=today - timedelta(days=10),
        retake_date=today + timedelta(days=50),
    )


def redoublement(previous: Cohort) -> Redoublement | None:
    """Last season's third apprentice repeats the year in the next cohort (bloc 4 again)."""
    enrolments = list(previous.enrolments.select_related("candidate").order_by("pk"))
    if len(enrolments) < 3 or Redoublement.objects.filter(previous=enrolments[2]).exists():
        return None
    if not enrolments[2].jury_decisions.exists():
        return None
    today = date.today()
    start = today + timedelta(days=40)
    cohort, _ = Cohort.objects.get_or_create(
        name="Office Manager junior — Lyon (promotion suivante)",
        establishment=previous.establishment,
        defaults={
            "title": previous.title,
            "training_start": start,
            "training_end": start + timedelta(days=300),
            "training_hours": previous.training_hours,
            "memoire_deadline": start + timedelta(days=480),
        },
    )
    return redoublement_register(
        actor=_staff(),
        enrolment=enrolments[2],
        cohort=cohort,
        request_date=today - timedelta(days=7),
    )
