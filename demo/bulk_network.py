"""The people and places of the bulk dataset (``demo.bulk``): written with bulk inserts only.

The certifier, its establishments and their responsables, the national pools (50 evaluators,
the jury members), one trainer per bloc and establishment, cohorts of 25 each with one company
and its tutor, the candidates and their enrolments. ``Network`` also carries what every later
step reads: the référentiel, the grids' current versions and criteria, the dates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from accounts.models import Cohort, Enrolment, Organisation, Role, TrainingLink, User, UserRole
from audit import clock
from demo.build import DEMO_PASSWORD, FIRST_NAMES, LAST_NAMES
from referentiel.models import Grid, Title

DOMAIN = "volume.preuves.fr"
COHORT_SIZE = 25
EVALUATORS = 50
PROFILES = 10
# The share of each grid's points a profile earns, per bloc (1 to 4) and for the practice
# (written, oral, tutor), and its CC mark out of 20: totals, partials and attestations.
PROFILE_RATIOS = [
    ((Decimal("0.72"), Decimal("0.64"), Decimal("0.70"), Decimal("0.66")), Decimal("0.70")),
    ((Decimal("0.55"), Decimal("0.58"), Decimal("0.52"), Decimal("0.60")), Decimal("0.62")),
    ((Decimal("0.81"), Decimal("0.77"), Decimal("0.85"), Decimal("0.74")), Decimal("0.80")),
    ((Decimal("0.30"), Decimal("0.62"), Decimal("0.66"), Decimal("0.58")), Decimal("0.64")),
    ((Decimal("0.62"), Decimal("0.35"), Decimal("0.28"), Decimal("0.70")), Decimal("0.55")),
    ((Decimal("0.50"), Decimal("0.51"), Decimal("0.56"), Decimal("0.53")), Decimal("0.40")),
    ((Decimal("0.66"), Decimal("0.70"), Decimal("0.61"), Decimal("0.68")), Decimal("0.75")),
    ((Decimal("0.25"), Decimal("0.30"), Decimal("0.35"), Decimal("0.32")), Decimal("0.30")),
    ((Decimal("0.90"), Decimal("0.88"), Decimal("0.92"), Decimal("0.86")), Decimal("0.90")),
    ((Decimal("0.58"), Decimal("0.66"), Decimal("0.72"), Decimal("0.49")), Decimal("0.58")),
]
BATCH = 2000
CENT = Decimal("0.01")


def bulk(model, rows: list) -> list:
    return model.objects.bulk_create(rows, batch_size=BATCH)


def _people(specs: list[tuple[str, str, str]], password: str, key: str, **extra) -> list[User]:
    """Create users from (e-mail local part, first name, last name), in this order."""
    return bulk(
        User,
        [
            User(
                email=f"{local}{key}@{DOMAIN}",
                first_name=first,
                last_name=last,
                password=password,
                **extra,
            )
            for local, first, last in specs
        ],
    )


def _roles(users, role: str, establishment_ids=None) -> None:
    establishment_ids = establishment_ids or [None] * len(users)
    bulk(
        UserRole,
        [
            UserRole(user=user, role=role, establishment_id=where)
            for user, where in zip(users, establishment_ids, strict=True)
        ],
    )


def _name(index: int) -> tuple[str, str]:
    return FIRST_NAMES[index % 30], LAST_NAMES[(index // 30 + index * 7) % 30]


def criterion_points(criteria, ratio: Decimal) -> list[Decimal]:
    return [(criterion.max_points * ratio).quantize(CENT) for criterion in criteria]


def grid_scores(model, owner_field: str, owners: list, criteria: list, ratios: list) -> list:
    """Return unsaved ``model`` rows: for each owner, one per criterion of its grid (``criteria``,
    one list per owner), worth the owner's share (``ratios``) of the criterion's points."""
    return [
        model(**{owner_field: owner}, criterion=criterion, points=points)
        for owner, grid, ratio in zip(owners, criteria, ratios, strict=True)
        for criterion, points in zip(grid, criterion_points(grid, ratio), strict=True)
    ]


@dataclass
class Network:
    """Everything ``network_build`` wrote, and the référentiel the later steps read."""

    now: datetime
    today: date
    session_day: date
    training_end: date
    title: Title
    blocs: list
    grids: dict  # (grid kind, bloc id or None) → current GridVersion, its grid attached
    criteria: dict  # same keys → the version's criteria in order
    places: list[Organisation]
    staff: list[User]
    admin: User
    evaluators: list[User]
    jury: list[User]
    trainers: list[User]
    cohorts: list[Cohort]
    tutors: list[User]
    enrolments: list[Enrolment]

    def ratios(self, i: int) -> tuple[tuple[Decimal, ...], Decimal]:
        """Return candidate ``i``'s profile: its share per bloc, and for the practice and CC."""
        return PROFILE_RATIOS[i % PROFILES]

    def place(self, enrolment) -> int:
        return self.places.index(enrolment.cohort.establishment)

    def staff_of(self, enrolment) -> User:
        return self.staff[self.place(enrolment)]

    def evaluator_for(self, i: int, offset: int) -> User:
        return self.evaluators[(i + offset) % EVALUATORS]

    def trainer_for(self, enrolment, module) -> User:
        bloc = [b.pk for b in self.blocs].index(module.bloc_id)
        return self.trainers[self.place(enrolment) * len(self.blocs) + bloc]


def network_build(
    *, candidates: int, establishments: int, epreuves_every: int, key: str
) -> Network:
    """Write the network for ``candidates`` candidates (see ``demo.bulk.dataset_build``)."""
    now = clock.now()
    today = timezone.localdate()
    session_day = today - timedelta(days=3)
    training_end = session_day - timedelta(days=120)
    password = make_password(DEMO_PASSWORD)
    title = Title.objects.get(code="36390")
    blocs = list(title.blocs.order_by("number").prefetch_related("modules", "competencies"))
    grids = {}
    for grid in Grid.objects.filter(title=title, epreuve=None):
        version = grid.current_version()
        version.grid = grid
        grids[(grid.kind, grid.bloc_id)] = version
    criteria = {target: list(v.criteria.order_by("order")) for target, v in grids.items()}

    # --- Organisations and people -------------------------------------------------------
    certifier, _created = Organisation.objects.get_or_create(
        name="CCI France", kind=Organisation.Kind.CERTIFICATEUR, defaults={"city": "Paris"}
    )
    places = bulk(
        Organisation,
        [
            Organisation(
                name=f"CCI Formation Région {n + 1}{key}",
                kind=Organisation.Kind.ETABLISSEMENT,
                city=f"Ville {n + 1}",
                certifier=certifier,
            )
            for n in range(establishments)
        ],
    )
    network = Organisation.objects.create(
        name=f"Réseau national des évaluateurs{key}", kind=Organisation.Kind.ENTREPRISE
    )
    staff = _people(
        [(f"responsable.{n + 1}", "Nathalie", f"Responsable {n + 1}") for n in range(len(places))],
        password,
        key,
    )
    for role in (Role.RESPONSABLE_EVALUATION, Role.RESPONSABLE_CERTIFICATION):
        _roles(staff, role, [p.pk for p in places])
    (admin,) = _people(
        [("admin", "Philippe", "Garnier")], password, key, is_staff=True, is_superuser=True
    )
    _roles([admin], Role.ADMINISTRATEUR)
    evaluators = _people(
        [(f"evaluateur.{n + 1:02d}", *_name(n + 500)) for n in range(EVALUATORS)],
        password,
        key,
        employer=network,
    )
    _roles(evaluators, Role.EVALUATEUR)
    jury = _people(
        [(f"jury.{n + 1}", *_name(n + 700)) for n in range(4 * len(places))],
        password,
        key,
        years_in_target_jobs=Decimal("10"),
        last_active_in_target_jobs=today - timedelta(days=30),
    )
    _roles(jury, Role.JURY)
    trainers = _people(
        [
            (f"formateur.{p + 1}.bloc{bloc.number}", *_name(p * 4 + bloc.number + 800))
            for p in range(len(places))
            for bloc in blocs
        ],
        password,
        key,
    )
    _roles(trainers, Role.FORMATEUR, [p.pk for p in places for _bloc in blocs])

    # --- Cohorts, companies, tutors, candidates, enrolments ----------------------------------
    cohort_count = max(1, -(-candidates // COHORT_SIZE))
    cohorts = bulk(
        Cohort,
        [
            Cohort(
                title=title,
                establishment=places[c % len(places)],
                name=f"Office Manager junior — promotion {c + 1:04d}",
                training_start=training_end - timedelta(days=300),
                training_end=training_end,
                training_hours=title.training_hours,
                memoire_deadline=training_end + timedelta(days=180),
            )
            for c in range(cohort_count)
        ],
    )
    companies = bulk(
        Organisation,
        [
            Organisation(
                name=f"Entreprise {c + 1:04d}{key}",
                kind=Organisation.Kind.ENTREPRISE,
                city=cohort.establishment.city,
                establishment=cohort.establishment,
            )
            for c, cohort in enumerate(cohorts)
        ],
    )
    tutors = bulk(
        User,
        [
            User(
                email=f"tuteur.{c + 1:04d}{key}@{DOMAIN}",
                first_name=_name(c + 900)[0],
                last_name=_name(c + 900)[1],
                password=password,
                employer=company,
            )
            for c, company in enumerate(companies)
        ],
    )
    _roles(tutors, Role.TUTEUR, [cohort.establishment_id for cohort in cohorts])
    bulk(
        TrainingLink,
        [
            TrainingLink(
                trainer=trainers[places.index(cohort.establishment) * len(blocs) + b],
                module=module,
                cohort=cohort,
            )
            for cohort in cohorts
            for b, bloc in enumerate(blocs)
            for module in bloc.modules.all()
        ],
    )
    people = bulk(
        User,
        [
            User(
                email=f"candidat.{i + 1:06d}{key}@{DOMAIN}",
                first_name=_name(i)[0],
                last_name=_name(i)[1],
                password=password,
                birth_date=training_end.replace(year=1990 + i % 12, day=1 + i % 28),
            )
            for i in range(candidates)
        ],
    )
    _roles(
        people,
        Role.CANDIDAT,
        [cohorts[i // COHORT_SIZE].establishment_id for i in range(len(people))],
    )
    enrolments = bulk(
        Enrolment,
        [
            Enrolment(
                candidate=person,
                cohort=cohorts[i // COHORT_SIZE],
                route=Enrolment.Route.EPREUVES
                if epreuves_every and i % epreuves_every == epreuves_every - 1
                else Enrolment.Route.PORTEFEUILLE,
                company=companies[i // COHORT_SIZE],
                tutor=tutors[i // COHORT_SIZE],
            )
            for i, person in enumerate(people)
        ],
    )
    return Network(
        now=now,
        today=today,
        session_day=session_day,
        training_end=training_end,
        title=title,
        blocs=blocs,
        grids=grids,
        criteria=criteria,
        places=places,
        staff=staff,
        admin=admin,
        evaluators=evaluators,
        jury=jury,
        trainers=trainers,
        cohorts=cohorts,
        tutors=tutors,
        enrolments=enrolments,
    )
