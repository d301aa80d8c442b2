"""A deterministic national network in bulk, for measurements at 10 to 10,000 candidates.

``dataset_build(candidates=N)`` writes, with ``bulk_create`` only (a few dozen queries per
table, fast on PostgreSQL, also on SQLite), the certifier CCI France and its establishments
(two by default), cohorts of 25, one enrolment per candidate (one in five on the épreuves
route), and every mark a jury needs so that each candidate's decision is complete:

* portfolio route: one portfolio per bloc, ready for the jury with its agreed mark, a submitted
  scoring by one of the 50 evaluators (a completed assignment), its manifest and 2 or 3
  evidence items (10 per candidate), each a small PDF really stored, its checks passed;
* épreuves route: the épreuves mark of every bloc;
* for everyone: a CC mark for every module with CC points, the tutor's locked 50-point grid,
  a mémoire (stored, with its manifest) marked by an evaluator, its soutenance marked;
* one jury session per establishment, in deliberation, its four members seated, holding every
  candidate of that establishment (``closed=True``: closed, with the jury's decisions).

Marks follow ten profiles (``candidate index % 10``): each candidate's decision is that of
the first candidate of its profile, which lets ``dataset_close`` compute ten files with the real
``workflow.jury.results`` code and write every decision in bulk. Protected FSM fields get
their states directly: this is a dataset, not a workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Enrolment
from audit import clock
from demo.bulk_files import evaluations_build, memoires_build, portfolios_build
from demo.bulk_network import CENT, PROFILES, bulk, criterion_points, grid_scores, network_build
from portfolio.models import Portfolio
from referentiel.models import Grid
from workflow.jury.results import candidate_file, computed_decision, decision_snapshot
from workflow.models import (
    BlocExamMark,
    CCMark,
    CriterionScore,
    JuryDecision,
    JuryMember,
    JurySession,
    SessionCandidate,
    Soutenance,
    SoutenanceScore,
    TutorEvaluation,
    TutorScore,
)


@dataclass
class Dataset:
    """The ids of the objects a measurement needs, and how many rows were written."""

    session_id: int
    session_ids: list[int]
    establishment_id: int
    cohort_id: int
    enrolment_id: int
    portfolio_id: int | None
    candidate_id: int
    epreuves_candidate_id: int | None
    staff_id: int
    admin_id: int
    evaluator_id: int
    tutor_id: int
    trainer_id: int
    president_id: int
    jury_member_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)


@transaction.atomic
def dataset_build(
    *,
    candidates: int,
    establishments: int = 2,
    epreuves_every: int = 5,
    closed: bool = False,
    key: str = "",
) -> Dataset:
    """Build the network for ``candidates`` candidates (see the module's docstring).

    ``epreuves_every``: every n-th candidate is on the épreuves route (0: nobody); ``key``
    is appended to every e-mail and organisation name, to build several datasets in one
    database.
    """
    net = network_build(
        candidates=candidates,
        establishments=establishments,
        epreuves_every=epreuves_every,
        key=key,
    )
    cc_modules = [m for bloc in net.blocs for m in bloc.modules.all() if m.cc_points > 0]
    # --- Continuous assessment --------------------------------------------------------------
    bulk(
        CCMark,
        [
            CCMark(
                enrolment=enrolment,
                module=module,
                mark=(Decimal(20) * net.ratios(i)[1]).quantize(CENT),
                out_of=20,
                entered_by=net.trainer_for(enrolment, module),
                entered_at=net.now,
            )
            for i, enrolment in enumerate(net.enrolments)
            for module in cc_modules
        ],
    )

    portfolios, items, assignments, scores = portfolios_build(net, closed=closed)
    # --- Épreuves marks ----------------------------------------------------------------------
    bulk(
        BlocExamMark,
        [
            BlocExamMark(
                enrolment=enrolment,
                bloc=bloc,
                points=(bloc.exam_points * net.ratios(i)[0][b]).quantize(CENT),
                entered_by=net.staff_of(enrolment),
                entered_at=net.now - timedelta(days=20),
            )
            for i, enrolment in enumerate(net.enrolments)
            if enrolment.route == Enrolment.Route.EPREUVES
            for b, bloc in enumerate(net.blocs)
        ],
    )

    # --- Mémoires, their scorings, tutors' grids -----------------------------------------------
    written_key = (Grid.Kind.MEMOIRE, None)
    practice = [net.ratios(i)[1] for i in range(len(net.enrolments))]
    written_totals = [sum(criterion_points(net.criteria[written_key], r)) for r in practice]
    memoires = memoires_build(net, written_totals)
    memoire_assignments, memoire_scorings = evaluations_build(
        net,
        "memoire",
        memoires,
        evaluators=[net.evaluator_for(i, 7) for i in range(len(memoires))],
        totals=written_totals,
        days_ago=38,
        comment="Mémoire clair, problématique bien posée.",
    )
    scores += grid_scores(
        CriterionScore,
        "scoring",
        memoire_scorings,
        [net.criteria[written_key]] * len(memoires),
        practice,
    )
    bulk(CriterionScore, scores)
    tutor_key = (Grid.Kind.TUTOR, None)
    evaluations = bulk(
        TutorEvaluation,
        [
            TutorEvaluation(
                enrolment=enrolment,
                tutor=enrolment.tutor,
                grid_version=net.grids[tutor_key],
                state=TutorEvaluation.State.LOCKED,
                comment="Assistante fiable, autonome sur le suivi administratif.",
                total=sum(criterion_points(net.criteria[tutor_key], practice[i])),
                invited_at=net.now - timedelta(days=60),
                submitted_at=net.now - timedelta(days=30),
                locked_at=net.now - timedelta(days=3),
            )
            for i, enrolment in enumerate(net.enrolments)
        ],
    )
    bulk(
        TutorScore,
        grid_scores(
            TutorScore,
            "evaluation",
            evaluations,
            [net.criteria[tutor_key]] * len(evaluations),
            practice,
        ),
    )

    # --- Jury sessions, members, candidates, soutenances -----------------------------------
    sessions = bulk(
        JurySession,
        [
            JurySession(
                title=net.title,
                establishment=place,
                date=net.session_day,
                place=f"{place.name}, salle du jury",
                last_exam_date=net.session_day - timedelta(days=4),
                state=JurySession.State.DELIBERATING,
            )
            for place in net.places
        ],
    )
    seats = (
        JuryMember.Role.PRESIDENT,
        JuryMember.Role.PROFESSIONAL,
        JuryMember.Role.PROFESSIONAL,
        JuryMember.Role.CCI_REPRESENTATIVE,
    )
    bulk(
        JuryMember,
        [
            JuryMember(session=session, user=net.jury[s * 4 + k], role=role)
            for s, session in enumerate(sessions)
            for k, role in enumerate(seats)
        ],
    )
    session_of = {place.pk: session for place, session in zip(net.places, sessions, strict=True)}
    bulk(
        SessionCandidate,
        [
            SessionCandidate(
                session=session_of[enrolment.cohort.establishment_id], enrolment=enrolment
            )
            for enrolment in net.enrolments
        ],
    )
    oral_key = (Grid.Kind.SOUTENANCE, None)
    start = timezone.make_aware(datetime.combine(net.session_day, time(8, 0)))
    soutenances = bulk(
        Soutenance,
        [
            Soutenance(
                session=session_of[memoire.enrolment.cohort.establishment_id],
                memoire=memoire,
                starts_at=start + timedelta(minutes=45 * (i % 12)),
                duration_minutes=40,
                base_minutes=40,
                grid_version=net.grids[oral_key],
                total=sum(criterion_points(net.criteria[oral_key], practice[i])),
                comment="Soutenance structurée, réponses précises.",
                marked_by=net.jury[net.place(memoire.enrolment) * 4],
                marked_at=start + timedelta(hours=10),
            )
            for i, memoire in enumerate(memoires)
        ],
    )
    bulk(
        SoutenanceScore,
        grid_scores(
            SoutenanceScore,
            "soutenance",
            soutenances,
            [net.criteria[oral_key]] * len(soutenances),
            practice,
        ),
    )
    first = net.enrolments[0]
    epreuves = next((e for e in net.enrolments if e.route == Enrolment.Route.EPREUVES), None)
    dataset = Dataset(
        session_id=sessions[0].pk,
        session_ids=[s.pk for s in sessions],
        establishment_id=net.places[0].pk,
        cohort_id=net.cohorts[0].pk,
        enrolment_id=first.pk,
        portfolio_id=portfolios[0].pk if portfolios else None,
        candidate_id=first.candidate_id,
        epreuves_candidate_id=epreuves.candidate_id if epreuves else None,
        staff_id=net.staff[0].pk,
        admin_id=net.admin.pk,
        evaluator_id=net.evaluators[0].pk,
        tutor_id=net.tutors[0].pk,
        trainer_id=net.trainers[0].pk,
        president_id=net.jury[0].pk,
        jury_member_ids=[u.pk for u in net.jury[:4]],
        counts={
            "candidates": len(net.enrolments),
            "cohorts": len(net.cohorts),
            "establishments": len(net.places),
            "portfolios": len(portfolios),
            "evidence": len(items),
            "memoires": len(memoires),
            "evaluators": len(net.evaluators),
            "assignments": len(assignments) + len(memoire_assignments),
            "cc_marks": len(net.enrolments) * len(cc_modules),
            "sessions": len(sessions),
        },
    )
    if closed:
        dataset_close(dataset)
    return dataset


@transaction.atomic
def dataset_close(dataset: Dataset) -> None:
    """Close every session of the dataset with the jury's decisions, written in bulk.

    Each profile's decision is computed once, by ``workflow.jury.results`` on its first
    candidate; every candidate of the profile shares it (their marks are the same).
    """
    now = clock.now()
    sessions = JurySession.objects.filter(pk__in=dataset.session_ids)
    entries = list(
        SessionCandidate.objects.filter(session__in=sessions)
        .select_related("session", "enrolment__cohort__title", "enrolment__candidate")
        .order_by("enrolment__pk")
    )
    snapshots: dict[tuple[int, str], dict] = {}
    decisions = []
    for i, entry in enumerate(entries):
        key = (i % PROFILES, entry.enrolment.route)
        if key not in snapshots:
            file = candidate_file(enrolment=entry.enrolment, session=entry.session)
            snapshots[key] = decision_snapshot(computed_decision(file), file)
        snapshot = snapshots[key]
        decisions.append(
            JuryDecision(
                session=entry.session,
                enrolment=entry.enrolment,
                computed=snapshot,
                outcome=snapshot["outcome"],
                validated_blocs=snapshot["validated_blocs"],
                recorded_by_id=dataset.president_id,
                recorded_at=now,
            )
        )
    bulk(JuryDecision, decisions)
    Portfolio.objects.filter(
        enrolment__jury_entries__session__in=sessions, state=Portfolio.State.READY_FOR_JURY
    ).update(state=Portfolio.State.DECIDED)
    sessions.update(state=JurySession.State.CLOSED, closed_at=now)
