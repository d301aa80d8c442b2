"""A believable demo centre: one cohort of 30 candidates on both routes, and every role.

Everything is created with get-or-create on natural keys, so running it twice changes nothing.
"""

import io
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from accounts.models import (
    ESTABLISHMENT_ROLES,
    Cohort,
    Enrolment,
    Organisation,
    Role,
    TrainingLink,
    User,
    UserRole,
)
from portfolio.services import evidence_upload, portfolio_start, portfolio_submit
from referentiel.models import Module, Title
from workflow.evaluation.assignments import evaluator_assign
from workflow.evaluation.screening import portfolio_declare_admissible
from workflow.marks.cc import cc_mark_enter
from workflow.marks.tutoring import (
    tutor_evaluation_invite,
    tutor_evaluation_save,
    tutor_evaluation_submit,
)
from workflow.models import CCMark, TutorEvaluation

DEMO_PASSWORD = "preuves-demo-2026"  # noqa: S105 - printed for the demo, documented in the README
DOMAIN = "demo.preuves.fr"

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Inès", "Sarah", "Julie", "Emma", "Clara", "Jade",
    "Lucas", "Hugo", "Thomas", "Nathan", "Théo", "Louis", "Enzo", "Mathis", "Noah", "Maël",
    "Anaïs", "Océane", "Zoé", "Élodie", "Margaux", "Yanis", "Rayan", "Amine", "Loïc", "Gaëlle",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet",
    "François", "Martinez", "Légaré",
]  # fmt: skip
COMPANIES = [
    ("Transports Rhône Logistique", "Vénissieux"),
    ("Cabinet Dufour Expertise", "Lyon"),
    ("Boulangeries Artisanales du Beaujolais", "Villefranche-sur-Saône"),
    ("Clinique Saint-Exupéry", "Bron"),
    ("Imprimerie Lumière", "Lyon"),
    ("Hôtel des Célestins", "Lyon"),
]
# (e-mail local part, first name, last name, roles, employer kind)
STAFF = [
    (
        "responsable",
        "Nathalie",
        "Roussel",
        [Role.RESPONSABLE_EVALUATION, Role.RESPONSABLE_CERTIFICATION],
        "establishment",
    ),
    ("admin", "Philippe", "Garnier", [Role.ADMINISTRATEUR], None),
]
TRAINERS = [
    ("formateur.ecrits", "Sophie", "Blanchard", ["M1.1", "M1.2", "M1.3"]),
    ("formateur.pilotage", "Olivier", "Chevalier", ["M1.4", "M1.5", "M1.6", "M1.7"]),
    ("formateur.rh", "Isabelle", "Fontaine", ["M2.1", "M2.2", "M2.3", "M2.4"]),
    ("formateur.social", "Karim", "Benali", ["M2.5", "M2.6", "M2.7"]),
    ("formateur.compta", "Véronique", "Perrin", ["M3.1", "M3.2", "M3.3", "M3.4", "M3.5"]),
    ("formateur.commercial", "Julien", "Masson", ["M4.1", "M4.2", "M4.3", "M4.4"]),
]
EVALUATORS = [
    ("evaluateur", "Françoise", "Aubert"),
    ("evaluateur.deux", "Bruno", "Lemoine"),
    ("evaluateur.trois", "Hélène", "Carpentier"),
    ("evaluateur.quatre", "Marc", "Renaud"),
    ("evaluateur.cinq", "Agnès", "Picard"),
]
JURY = [
    ("jury.president", "Gérard", "Vasseur", Decimal("25")),
    ("jury.pro1", "Christine", "Lecomte", Decimal("12")),
    ("jury.pro2", "Stéphane", "Huet", Decimal("8")),
    ("jury.cci", "Laurence", "Marchand", Decimal("15")),
]


def _person(local, first, last, roles, employer=None, **extra) -> User:
    user, created = User.objects.get_or_create(
        email=f"{local}@{DOMAIN}",
        defaults={"first_name": first, "last_name": last, "employer": employer, **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    for role in roles:
        local_role = role in ESTABLISHMENT_ROLES
        UserRole.objects.get_or_create(
            user=user, role=role, establishment=employer if local_role else None
        )
    return user


@transaction.atomic
def demo_build() -> dict[str, str]:
    """Build the demo centre and return one login e-mail per role."""
    title = Title.objects.get(code="36390")
    establishment, _ = Organisation.objects.get_or_create(
        name="CCI Formation Lyon Métropole",
        kind=Organisation.Kind.ETABLISSEMENT,
        defaults={"city": "Lyon"},
    )
    evaluators_org, _ = Organisation.objects.get_or_create(
        name="Réseau des évaluateurs indépendants",
        kind=Organisation.Kind.ENTREPRISE,
        defaults={"city": "Lyon"},
    )
    companies = [
        Organisation.objects.get_or_create(
            name=name, kind=Organisation.Kind.ENTREPRISE, defaults={"city": city}
        )[0]
        for name, city in COMPANIES
    ]
    # Training ended four months before the first run: the portfolio window (3 to 6 months
    # after the end of training) is open, whatever the day the demo is built.
    training_end = date.today() - timedelta(days=122)
    cohort, _ = Cohort.objects.get_or_create(
        name="Office Manager junior — Lyon",
        establishment=establishment,
        defaults={
            "title": title,
            "training_start": training_end - timedelta(days=300),
            "training_end": training_end,
            "training_hours": title.training_hours,
            "memoire_deadline": training_end + timedelta(days=180),
        },
    )
    logins: dict[str, str] = {}
    for local, first, last, roles, employer in STAFF:
        # The certifier's administrators manage the référentiel in Django's admin.
        admin = Role.ADMINISTRATEUR in roles
        user = _person(
            local,
            first,
            last,
            roles,
            establishment if employer else None,
            is_staff=admin,
            is_superuser=admin,
        )
        logins.setdefault(roles[0], user.email)
    for local, first, last, codes in TRAINERS:
        trainer = _person(local, first, last, [Role.FORMATEUR], establishment)
        logins.setdefault(Role.FORMATEUR, trainer.email)
        for module in Module.objects.filter(bloc__title=title, code__in=codes):
            TrainingLink.objects.get_or_create(trainer=trainer, module=module, cohort=cohort)
    for local, first, last in EVALUATORS:
        evaluator = _person(local, first, last, [Role.EVALUATEUR], evaluators_org)
        logins.setdefault(Role.EVALUATEUR, evaluator.email)
    for local, first, last, years in JURY:
        member = _person(
            local,
            first,
            last,
            [Role.JURY],
            establishment if local == "jury.cci" else None,
            years_in_target_jobs=years,
            last_active_in_target_jobs=date(2026, 9, 1),
        )
        logins.setdefault(Role.JURY, member.email)
    tutors = []
    for index, company in enumerate(companies):
        tutor = _person(
            "tuteur" if index == 0 else f"tuteur.{index + 1}",
            FIRST_NAMES[(index * 7 + 3) % 30],
            LAST_NAMES[(index * 11 + 5) % 30],
            [Role.TUTEUR],
            company,
        )
        tutors.append(tutor)
    logins.setdefault(Role.TUTEUR, tutors[0].email)
    for index in range(30):
        candidate = _person(
            "candidat" if index == 0 else f"candidat.{index + 1:02d}",
            FIRST_NAMES[index],
            LAST_NAMES[index],
            [Role.CANDIDAT],
            birth_date=date(1990 + index % 12, 1 + index % 12, 1 + index % 28),
        )
        company = companies[index % len(companies)]
        Enrolment.objects.get_or_create(
            candidate=candidate,
            cohort=cohort,
            defaults={
                # Salaried candidates (portfolio) first, then apprentices (épreuves).
                "route": Enrolment.Route.PORTEFEUILLE if index < 18 else Enrolment.Route.EPREUVES,
                "company": company,
                "tutor": tutors[index % len(tutors)],
            },
        )
    logins.setdefault(Role.CANDIDAT, f"candidat@{DOMAIN}")
    _demo_activity(cohort)
    return logins


def _demo_pdf(text: str) -> bytes:
    """Return a one-page PDF whose bytes depend on ``text`` (so no two are duplicates)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text, "/Author": "Démonstration Preuves"})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _demo_activity(cohort) -> None:
    """Move part of the cohort along the workflow through the real services, once."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    staff = User.objects.get(email=f"responsable@{DOMAIN}")
    evaluator = User.objects.get(email=f"evaluateur@{DOMAIN}")
    enrolments = list(cohort.enrolments.select_related("candidate", "tutor").order_by("pk"))
    for enrolment in enrolments:
        portfolio_start(enrolment=enrolment, actor=staff)
        if not TutorEvaluation.objects.filter(enrolment=enrolment).exists():
            tutor_evaluation_invite(actor=staff, enrolment=enrolment)

    # Continuous assessment of the first ten candidates, entered by their trainers.
    for number, enrolment in enumerate(enrolments[:10]):
        for link in TrainingLink.objects.filter(cohort=cohort, module__cc_points__gt=0):
            if not CCMark.objects.filter(enrolment=enrolment, module=link.module).exists():
                cc_mark_enter(
                    actor=link.trainer,
                    enrolment=enrolment,
                    module=link.module,
                    mark=Decimal(9 + (number * 3 + link.module.order) % 10),
                    out_of=20,
                )

    # Tutors of candidates 2 to 8 have handed in their 50-point grid.
    for number, enrolment in enumerate(enrolments[1:8]):
        evaluation = TutorEvaluation.objects.get(enrolment=enrolment, attempt=1)
        if evaluation.state in {"invited", "in_progress"}:
            criteria = evaluation.grid_version.criteria.order_by("order")
            points = {c.pk: c.max_points * Decimal(6 + number % 4) / 10 for c in criteria}
            tutor_evaluation_save(
                actor=enrolment.tutor,
                evaluation=evaluation,
                points={k: v.quantize(Decimal("0.01")) for k, v in points.items()},
                comment="Assistante fiable, autonome sur le suivi administratif.",
            )
            tutor_evaluation_submit(actor=enrolment.tutor, evaluation=evaluation)

    # Candidates 2 to 4 have proved bloc 1 and submitted; two are screened, one is assigned.
    for number, enrolment in enumerate(enrolments[1:4]):
        portfolio = enrolment.portfolios.get(bloc__number=1, is_active=True)
        if portfolio.state != portfolio.State.DRAFT:
            continue
        for competency in portfolio.bloc.competencies.order_by("order"):
            name = f"{competency.code} — {enrolment.candidate.last_name}"
            evidence_upload(
                portfolio=portfolio,
                actor=enrolment.candidate,
                uploaded_file=SimpleUploadedFile(
                    f"preuve-{competency.code}.pdf", _demo_pdf(name), "application/pdf"
                ),
                title=f"Production professionnelle pour {competency.code}",
                description="Document réalisé en entreprise (démonstration).",
                work_date=cohort.training_end - timedelta(days=30),
                competencies=[competency],
            )
        portfolio_submit(portfolio=portfolio, actor=enrolment.candidate, declaration_accepted=True)
        if number < 2:
            portfolio_declare_admissible(portfolio=portfolio, actor=staff)
        if number == 0:
            evaluator_assign(
                target=portfolio,
                evaluator=evaluator,
                actor=staff,
                due_date=date.today() + timedelta(days=21),
            )
