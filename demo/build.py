"""A believable demo network: the certifier, two establishments, and every role.

CCI France certifies through its establishments. The first one (Lyon) runs a cohort of 30
candidates on both routes, with one person holding both responsables' roles; the second one
(Grenoble) is a new cycle sponsored by Lyon, with a smaller cohort and two different
responsables. Evaluators and jury members form the national pool, shared by both; the certifier
has one national administrator and one auditor.

Everything is created with get-or-create on natural keys, so running it twice changes nothing.
"""

import functools
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import (
    ESTABLISHMENT_ROLES,
    NATIONAL_ROLES,
    Cohort,
    Enrolment,
    Organisation,
    Role,
    TrainingLink,
    User,
    UserRole,
)
from demo import admission, epreuve_marks, exam_day, retakes, season, surveys
from demo.common import DEMO_PASSWORD, DOMAIN
from demo.common import demo_pdf as _demo_pdf
from portfolio.services import evidence_upload, portfolio_start, portfolio_submit
from referentiel.models import Module, Title
from workflow.marks.cc import cc_mark_enter
from workflow.marks.tutoring import (
    tutor_evaluation_invite,
    tutor_evaluation_save,
    tutor_evaluation_submit,
)
from workflow.models import CCMark, TutorEvaluation

CERTIFIER = "CCI France"
ESTABLISHMENT = "CCI Formation Lyon Métropole"
# The new cycle, sponsored by the first establishment for its first cohorts (RULES §6).
SECOND_ESTABLISHMENT = "CCI Formation Grenoble Alpes"

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
    ("auditeur", "Danielle", "Joly", [Role.AUDITEUR], None),
]
TRAINERS = [
    ("formateur.ecrits", "Sophie", "Blanchard", ["M1.1", "M1.2", "M1.3"]),
    ("formateur.pilotage", "Olivier", "Chevalier", ["M1.4", "M1.5", "M1.6", "M1.7"]),
    ("formateur.rh", "Isabelle", "Fontaine", ["M2.1", "M2.2", "M2.3", "M2.4"]),
    ("formateur.social", "Karim", "Benali", ["M2.5", "M2.6", "M2.7"]),
    ("formateur.compta", "Véronique", "Perrin", ["M3.1", "M3.2", "M3.3", "M3.4", "M3.5"]),
    ("formateur.commercial", "Julien", "Masson", ["M4.1", "M4.2", "M4.3", "M4.4"]),
]
# A trainer who is also in the national pool of evaluators: refused, with the reason, for the
# candidates of the cohorts she trained.
TRAINER_EVALUATOR = "formateur.compta"
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


# --- The second establishment: a new cycle in Grenoble, sponsored by Lyon ----------------------

# (company, city, its tutor's first and last names)
SECOND_COMPANIES = [
    ("Téléphériques de l'Isère", "Grenoble", "Sylvie", "Mounier"),
    ("Laboratoires Belledonne", "Meylan", "Franck", "Pellet"),
    ("Coopérative du Vercors", "Villard-de-Lans", "Nadia", "Cattin"),
]
# Two different people share the responsables' roles here.
SECOND_STAFF = [
    ("responsable.evaluation.grenoble", "Mathilde", "Berthier", Role.RESPONSABLE_EVALUATION),
    ("responsable.certification.grenoble", "Antoine", "Gauthier", Role.RESPONSABLE_CERTIFICATION),
]
SECOND_TRAINERS = [
    ("formateur.grenoble", "Cécile", "Rivière", ["M1.1", "M1.2", "M1.3", "M1.4"]),
    ("formateur.gestion.grenoble", "Pascal", "Brunet", ["M3.1", "M3.2", "M3.3"]),
]
# Last season's apprentices: the title, the title, blocs 1 to 3, no bloc (see demo.season).
PREVIOUS_CANDIDATES = [
    ("Morgane", "Lacroix"), ("Julien", "Perret"), ("Sandrine", "Blanc"), ("Adrien", "Giraud"),
]  # fmt: skip
# The season before: certified about 13 months ago, they answer the placement surveys.
OLDER_CANDIDATES = [
    ("Clémence", "Vial"), ("Yanis", "Roche"), ("Élodie", "Martinet"), ("Hugo", "Brunet"),
]  # fmt: skip
OLDER_COHORT = "Office Manager junior — Lyon (promotion 2024-2025)"
SECOND_CANDIDATES = [
    ("Aurélie", "Chabert"), ("Kevin", "Jacquier"), ("Pauline", "Reynaud"),
    ("Sofiane", "Bouvier"), ("Mélanie", "Arnaud"), ("Damien", "Collomb"),
    ("Laëtitia", "Guichard"), ("Bastien", "Faure"),
]  # fmt: skip


@functools.cache
def _demo_password_hash() -> str:
    return make_password(DEMO_PASSWORD)


def _person(local, first, last, roles, employer=None, establishment=None, **extra) -> User:
    """Get or create a demo account; grant ``roles``, the local ones in ``establishment``.

    The responsables' roles are granted in ``establishment`` (their employer by default);
    trainers, tutors and candidates carry the establishment that recorded them; the certifier's
    roles and the national pool carry none.
    """
    user, created = User.objects.get_or_create(
        email=f"{local}@{DOMAIN}",
        defaults={"first_name": first, "last_name": last, "employer": employer, **extra},
    )
    if created:
        # One hash for every account: hashing is slow on purpose (a second each, 69 accounts).
        user.password = _demo_password_hash()
        user.save(update_fields=["password"])
    for role in roles:
        if role in ESTABLISHMENT_ROLES:
            UserRole.objects.get_or_create(
                user=user, role=role, establishment=establishment or employer
            )
        elif role in NATIONAL_ROLES:
            UserRole.objects.get_or_create(user=user, role=role, establishment=None)
        elif not UserRole.objects.filter(user=user, role=role).exists():
            UserRole.objects.create(user=user, role=role, establishment=establishment)
    return user


def _organisation(name, kind, *, city="", **links) -> Organisation:
    """Get or create an organisation by its natural key and make its links what they should be."""
    organisation, created = Organisation.objects.get_or_create(
        name=name, kind=kind, defaults={"city": city, **links}
    )
    stale = [field for field, value in links.items() if getattr(organisation, field) != value]
    if stale:
        for field in stale:
            setattr(organisation, field, links[field])
        organisation.save(update_fields=stale)
    return organisation


def _cohort(name, establishment, title, training_end, sponsor=None) -> Cohort:
    cohort, _ = Cohort.objects.get_or_create(
        name=name,
        establishment=establishment,
        defaults={
            "title": title,
            "sponsor": sponsor,
            "training_start": training_end - timedelta(days=300),
            "training_end": training_end,
            "training_hours": title.training_hours,
            "memoire_deadline": training_end + timedelta(days=180),
        },
    )
    return cohort


@transaction.atomic
def demo_build() -> list[tuple[str | None, str, str]]:
    """Build the demo network; return its logins as (establishment or None, role, e-mail).

    One login per role: the certifier's and the national pool's (establishment None), then
    each establishment's responsables, trainer, tutor and candidate.
    """
    title = Title.objects.get(code="36390")
    certifier = _organisation(CERTIFIER, Organisation.Kind.CERTIFICATEUR, city="Paris")
    establishment = _organisation(
        ESTABLISHMENT, Organisation.Kind.ETABLISSEMENT, city="Lyon", certifier=certifier
    )
    second = _organisation(
        SECOND_ESTABLISHMENT,
        Organisation.Kind.ETABLISSEMENT,
        city="Grenoble",
        certifier=certifier,
        sponsor=establishment,
    )
    evaluators_org = _organisation(
        "Réseau des évaluateurs indépendants", Organisation.Kind.ENTREPRISE, city="Lyon"
    )
    companies = [
        _organisation(name, Organisation.Kind.ENTREPRISE, city=city, establishment=establishment)
        for name, city in COMPANIES
    ]
    # Training ended four months before the first run: the portfolio window (3 to 6 months
    # after the end of training) is open, whatever the day the demo is built.
    training_end = date.today() - timedelta(days=122)
    cohort = _cohort("Office Manager junior — Lyon", establishment, title, training_end)
    logins: dict[tuple[str | None, str], str] = {}

    def login(where, role, user):
        logins.setdefault((where.name if where else None, role), user.email)

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
        for role in roles:
            login(establishment if employer else None, role, user)
    for local, first, last, codes in TRAINERS:
        roles = [Role.FORMATEUR]
        if local == TRAINER_EVALUATOR:
            roles.append(Role.EVALUATEUR)
        trainer = _person(local, first, last, roles, establishment)
        login(establishment, Role.FORMATEUR, trainer)
        for module in Module.objects.filter(bloc__title=title, code__in=codes):
            TrainingLink.objects.get_or_create(trainer=trainer, module=module, cohort=cohort)
    for local, first, last in EVALUATORS:
        evaluator = _person(local, first, last, [Role.EVALUATEUR], evaluators_org)
        login(None, Role.EVALUATEUR, evaluator)
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
        login(None, Role.JURY, member)
    tutors = []
    for index, company in enumerate(companies):
        tutor = _person(
            "tuteur" if index == 0 else f"tuteur.{index + 1}",
            FIRST_NAMES[(index * 7 + 3) % 30],
            LAST_NAMES[(index * 11 + 5) % 30],
            [Role.TUTEUR],
            company,
            establishment,
        )
        tutors.append(tutor)
    login(establishment, Role.TUTEUR, tutors[0])
    for index in range(30):
        candidate = _person(
            "candidat" if index == 0 else f"candidat.{index + 1:02d}",
            FIRST_NAMES[index],
            LAST_NAMES[index],
            [Role.CANDIDAT],
            establishment=establishment,
            birth_date=date(1990 + index % 12, 1 + index % 12, 1 + index % 28),
        )
        if index == 0:
            login(establishment, Role.CANDIDAT, candidate)
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
    _demo_activity(cohort)
    admission.admission_cases(cohort)
    admission.national_subjects(title)
    previous = _previous_cohort(establishment, title, training_end, companies, tutors)
    season.session_published(previous)
    # The season before last, certified about 13 months ago, and the placement surveys.
    older = _previous_cohort(
        establishment,
        title,
        training_end - timedelta(days=300),
        companies,
        tutors,
        name=OLDER_COHORT,
        people=OLDER_CANDIDATES,
        prefix="candidat.ancien",
    )
    season.session_published(older)
    surveys.surveys_demo(older=older, previous=previous)
    retakes.justified_absence(cohort)
    retakes.redoublement(previous)
    for where, role, email in _second_establishment(second, title, training_end):
        logins.setdefault((where, role), email)
    return [(where, role, email) for (where, role), email in logins.items()]


def _previous_cohort(
    establishment,
    title,
    training_end,
    companies,
    tutors,
    *,
    name="Office Manager junior — Lyon (promotion précédente)",
    people=PREVIOUS_CANDIDATES,
    prefix="candidat.precedent",
) -> Cohort:
    """Last season's apprentices in Lyon (their session was held three months ago), or those
    of another past season (``name``, ``people``)."""
    cohort = _cohort(name, establishment, title, training_end - timedelta(days=90))
    for local, _first, _last, codes in TRAINERS:
        trainer = User.objects.get(email=f"{local}@{DOMAIN}")
        for module in Module.objects.filter(bloc__title=title, code__in=codes):
            TrainingLink.objects.get_or_create(trainer=trainer, module=module, cohort=cohort)
    for index, (first, last) in enumerate(people):
        candidate = _person(
            f"{prefix}.{index + 1:02d}",
            first,
            last,
            [Role.CANDIDAT],
            establishment=establishment,
            birth_date=date(1994 + index, 2 + index, 3 + index),
        )
        Enrolment.objects.get_or_create(
            candidate=candidate,
            cohort=cohort,
            defaults={
                "route": Enrolment.Route.EPREUVES,
                "company": companies[index % len(companies)],
                "tutor": tutors[index % len(tutors)],
            },
        )
    return cohort


def _second_establishment(second, title, training_end) -> list[tuple[str, str, str]]:
    """Build the sponsored new cycle: its responsables, companies, cohort, trainers, tutors and
    candidates; return its logins."""
    sponsor = second.sponsor
    cohort = _cohort(
        "Office Manager junior — Grenoble (nouveau cycle)",
        second,
        title,
        training_end + timedelta(days=14),
        sponsor=sponsor,
    )
    logins = []
    staff = {}
    for local, first, last, role in SECOND_STAFF:
        staff[role] = _person(local, first, last, [role], second)
        logins.append((second.name, role, staff[role].email))
    companies = [
        _organisation(name, Organisation.Kind.ENTREPRISE, city=city, establishment=second)
        for name, city, *_tutor in SECOND_COMPANIES
    ]
    for index, (local, first, last, codes) in enumerate(SECOND_TRAINERS):
        trainer = _person(local, first, last, [Role.FORMATEUR], second)
        if index == 0:
            logins.append((second.name, Role.FORMATEUR, trainer.email))
        for module in Module.objects.filter(bloc__title=title, code__in=codes):
            TrainingLink.objects.get_or_create(trainer=trainer, module=module, cohort=cohort)
    tutors = [
        _person(
            f"tuteur.grenoble.{index + 1}",
            first,
            last,
            [Role.TUTEUR],
            company,
            second,
        )
        for index, (company, (*_company, first, last)) in enumerate(
            zip(companies, SECOND_COMPANIES, strict=True)
        )
    ]
    logins.append((second.name, Role.TUTEUR, tutors[0].email))
    for index, (first, last) in enumerate(SECOND_CANDIDATES):
        candidate = _person(
            f"candidat.grenoble.{index + 1:02d}",
            first,
            last,
            [Role.CANDIDAT],
            establishment=second,
            birth_date=date(1995 + index % 6, 1 + index, 10 + index),
        )
        if index == 0:
            logins.append((second.name, Role.CANDIDAT, candidate.email))
        Enrolment.objects.get_or_create(
            candidate=candidate,
            cohort=cohort,
            defaults={
                "route": Enrolment.Route.PORTEFEUILLE if index < 5 else Enrolment.Route.EPREUVES,
                "company": companies[index % len(companies)],
                "tutor": tutors[index % len(tutors)],
            },
        )
    # The new cycle has just started its evaluations: drafts opened, tutors invited, and the
    # first candidate has proved bloc 1 and submitted it.
    actor = staff[Role.RESPONSABLE_EVALUATION]
    enrolments = list(cohort.enrolments.select_related("candidate").order_by("pk"))
    for enrolment in enrolments:
        portfolio_start(enrolment=enrolment, actor=actor)
        if not TutorEvaluation.objects.filter(enrolment=enrolment).exists():
            tutor_evaluation_invite(actor=actor, enrolment=enrolment)
    portfolio = enrolments[0].portfolios.get(bloc__number=1, is_active=True)
    if portfolio.state == portfolio.State.DRAFT:
        _prove_and_submit(portfolio, enrolments[0], cohort)
    return logins


def demo_accounts() -> list[dict]:
    """Return every demo account: e-mail, password, name, role codes and establishment.

    The establishment is the one where the person holds their roles (None for the certifier's
    people and the national pool of evaluators and jury members).
    """
    accounts = []
    users = User.objects.filter(email__endswith=f"@{DOMAIN}").prefetch_related(
        "user_roles__establishment"
    )
    for user in users.order_by("email"):
        grants = list(user.user_roles.all())
        establishments = sorted({g.establishment.name for g in grants if g.establishment_id})
        accounts.append(
            {
                "email": user.email,
                "password": DEMO_PASSWORD,
                "name": str(user),
                "roles": sorted({g.role for g in grants}),
                "establishment": establishments[0] if establishments else None,
            }
        )
    return accounts


def _prove_and_submit(portfolio, enrolment, cohort) -> None:
    """Upload one PDF per competency of the portfolio's bloc, as the candidate, and submit."""
    from django.core.files.uploadedfile import SimpleUploadedFile

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


def _demo_activity(cohort) -> None:
    """Move part of the cohort along the workflow through the real services, once."""
    staff = User.objects.get(email=f"responsable@{DOMAIN}")
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

    season.portfolios_in_every_state(cohort, _prove_and_submit)
    season.memoires_and_marks(cohort)
    season.session_sitting(cohort)
    exam_day.exam_calendar(cohort)
    epreuve_marks.bloc_1_in_progress(cohort, staff)
