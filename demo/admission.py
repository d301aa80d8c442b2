"""The demo's admission cases and the certifier's confidential subjects, through the services.

In the Lyon cohort: a job seeker on the portfolio route, a candidate sitting the épreuves of
blocs 1 and 2 only (certificats de bloc), an exemption decided at the positionnement. The
certifier has uploaded the national subjects of two épreuves: today's (released to the
responsables of the evaluation process) and next month's (not yet).
"""

from datetime import datetime, time, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Enrolment, Role, User
from audit import clock
from demo.common import DOMAIN, demo_pdf
from referentiel.models import Epreuve
from workflow import admission
from workflow.evaluation import subjects
from workflow.models import ExamSubject

JOB_SEEKER = f"candidat.18@{DOMAIN}"
TWO_BLOCS = f"candidat.30@{DOMAIN}"
EXEMPTED = f"candidat.17@{DOMAIN}"
# The national subjects the certifier uploads: (épreuve, days from today).
NATIONAL_SUBJECTS = [("B2-E2", 0), ("B4-E1", 30)]


def admission_cases(cohort) -> None:
    """Record the three admission cases in ``cohort`` (idempotent)."""
    staff = User.objects.with_role(Role.RESPONSABLE_EVALUATION).get(email=f"responsable@{DOMAIN}")
    enrolments = {
        e.candidate.email: e
        for e in cohort.enrolments.select_related("candidate", "cohort__title").filter(
            candidate__email__in=[JOB_SEEKER, TWO_BLOCS, EXEMPTED]
        )
    }
    seeker = enrolments[JOB_SEEKER]
    admission.enrolment_admission_set(
        actor=staff,
        enrolment=seeker,
        status=Enrolment.Status.DEMANDEUR_EMPLOI,
        route=seeker.route,
        blocs=[],
    )
    two = enrolments[TWO_BLOCS]
    admission.enrolment_admission_set(
        actor=staff,
        enrolment=two,
        status=two.status,
        route=two.route,
        blocs=list(cohort.title.blocs.filter(number__in=[1, 2])),
    )
    exempted = enrolments[EXEMPTED]
    if not exempted.exemptions.exists():
        admission.exemption_record(
            actor=staff,
            enrolment=exempted,
            practice=False,
            blocs=[],
            modules=list(cohort.title.blocs.get(number=1).modules.filter(code="M1.3")),
            reason="Titre professionnel Secrétaire assistant (2021) : gestion d'agendas acquise",
        )


def national_subjects(title) -> None:
    """Upload each épreuve's subject and correction grid as the certifier (once)."""
    if ExamSubject.objects.exists():
        return
    certifier = User.objects.with_role(Role.ADMINISTRATEUR).get(email=f"admin@{DOMAIN}")
    for code, days in NATIONAL_SUBJECTS:
        epreuve = Epreuve.objects.get(title=title, code=code)
        day = clock.today() + timedelta(days=days)
        starts_at = timezone.make_aware(datetime.combine(day, time(9, 0)))
        for part, label in ExamSubject.Part.choices:
            name = f"{code}-{part}.pdf"
            subjects.subject_upload(
                actor=certifier,
                epreuve=epreuve,
                part=part,
                starts_at=starts_at,
                uploaded_file=SimpleUploadedFile(name, demo_pdf(f"{code} — {label} — {day}")),
            )
