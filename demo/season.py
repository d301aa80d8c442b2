"""The Lyon centre in mid-season, moved along through the real services.

The current cohort's portfolios stand in every state of the evaluation (submitted, screened,
returned with a version 2, assigned, under evaluation, overdue, double marking to reconcile,
evaluated, ready for the jury); its apprentices (the épreuves route) sat yesterday before a jury
still in deliberation (results computed, some decisions taken, one case near a threshold, one
override); the previous cohort's session is published with its documents issued.

Events in the past happen at their date: the application's one clock (``audit.clock.now``) is
set to each moment while its services run (``_at``), so every rule that reads the date (window,
due dates, convocations a month ahead, publication within 6 weeks) judges the demo as it would
have judged the real events.

Each part runs once: it is skipped when its marker (a session, a portfolio's state) exists.
"""

from __future__ import annotations

import contextlib
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import Cohort, Enrolment, TrainingLink, User
from audit import clock
from demo import epreuve_marks
from demo.common import DOMAIN, demo_pdf
from portfolio.models import Memoire, Portfolio
from portfolio.services import memoire_submit, portfolio_start
from portfolio.services.uploads import memoire_upload
from workflow.evaluation.assignments import assignment_accept, declaration_text, evaluator_assign
from workflow.evaluation.scoring import (
    portfolio_mark_ready_for_jury,
    scoring_save,
    scoring_submit,
)
from workflow.evaluation.screening import portfolio_declare_admissible, portfolio_return
from workflow.jury.closing import results_refresh
from workflow.jury.deliberation import (
    jury_decision_record,
    jury_deliberation_close,
    jury_deliberation_open,
    jury_results_publish,
)
from workflow.jury.results import candidate_file, computed_decision
from workflow.jury.sessions import (
    jury_candidate_add,
    jury_convocations_send,
    jury_member_add,
    jury_session_compose,
    jury_session_create,
)
from workflow.jury.soutenances import soutenance_mark, soutenance_schedule
from workflow.marks.assiduity import assiduity_decide
from workflow.marks.attendance import absence_record
from workflow.marks.cc import bloc_cc_points, cc_mark_enter
from workflow.marks.tutoring import (
    tutor_evaluation_invite,
    tutor_evaluation_save,
    tutor_evaluation_submit,
)
from workflow.models import CCMark, JuryMember, JurySession, SessionCandidate, TutorEvaluation

PLACE = "CCI Lyon Métropole, 21 rue de la République, salle Bellecour"
RETURN_REASON = (
    "Les preuves des compétences C1.4 et C1.5 manquent : ajoutez le compte rendu de réunion "
    "et le tableau de bord que vous avez cités."
)
OVERRIDE_MOTIVE = (
    "Bloc 4 à moins d'un point du minimum ; le jury, au vu de la soutenance et de "
    "l'appréciation du tuteur, valide le bloc et délivre le titre."
)

# Each apprentice of a session: the share of every maximum they reach (CC, épreuves, mémoire,
# soutenance, tutor), and bloc 4's own share when it differs. Ten on twenty is 0.5.
PROFILES = [
    {"all": "0.72"},  # total
    {"all": "0.64"},  # total
    {"all": "0.66", "bloc4": "0.10"},  # partial: bloc 4 below its minimum (certificats de bloc)
    {"all": "0.35"},  # none: attestation de suivi de formation
    {"all": "0.58", "bloc2": "0.45"},  # total, bloc 2 at 10.04/20: near a threshold
    {"all": "0.62", "bloc4": "0.24"},  # partial, bloc 4 at 7.86/20: the jury overrides
]


@contextlib.contextmanager
def _at(moment: datetime):
    """Run the enclosed services as if it were ``moment`` (the application's one clock)."""
    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _pdf(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("document.pdf", demo_pdf(text), "application/pdf")


def _share(profile: dict, key: str) -> Decimal:
    return Decimal(profile.get(key, profile["all"]))


def _points(maximum, share: Decimal, step: Decimal = Decimal("0.25")) -> Decimal:
    """Return ``share`` of ``maximum``, rounded up to the grid's step."""
    raw = Decimal(maximum) * share
    steps = (raw / step).to_integral_value(rounding="ROUND_CEILING")
    return min(Decimal(maximum), steps * step)


def _grid_scores(criteria, share: Decimal) -> dict:
    """Spread ``share`` of the grid over its criteria, each with a comment."""
    return {
        c.pk: {
            "points": _points(c.max_points, share),
            "comment": "Critère appuyé sur les preuves du dossier.",
            "evidence": [],
        }
        for c in criteria
    }


def _score(assignment, share: Decimal, comment: str, *, submit: bool = True):
    scoring = assignment.scoring
    scoring = scoring_save(
        scoring=scoring,
        actor=assignment.evaluator,
        overall_comment=comment,
        scores=_grid_scores(scoring.grid_version.criteria.all(), share),
    )
    if submit:
        scoring = scoring_submit(scoring=scoring, actor=assignment.evaluator)
    return scoring


def _settled(
    assignment, share: Decimal, other: User, staff: User, due: date, comment: str = ""
) -> None:
    """Score ``assignment`` (a portfolio's or a mémoire's) at ``share``; when double marking
    asks for a second evaluation (a mark near a threshold, or the control draw), ``other`` gives
    one close to the first, so that the two marks are averaged."""
    _score(assignment, share, comment or "Dossier complet, preuves variées.")
    target = type(assignment.target).objects.get(pk=assignment.target.pk)
    if target.state == Portfolio.State.SECOND_EVALUATION:  # the mémoire's state has this code
        second = _assign(target, other, staff, due, rank=2)
        _score(second, share, "Analyse solide, conclusions proches de la première évaluation.")


def _assign(target, evaluator, staff, due: date, *, rank: int = 1, accept: bool = True):
    assignment = evaluator_assign(
        target=target, evaluator=evaluator, actor=staff, due_date=due, rank=rank
    )
    if accept:
        assignment = assignment_accept(
            assignment=assignment, actor=evaluator, declaration=declaration_text(assignment)
        )
    return assignment


def _tutor_grid(enrolment, share: Decimal, *, submit: bool = True) -> None:
    evaluation = TutorEvaluation.objects.filter(enrolment=enrolment, attempt=1).first()
    if evaluation is None:
        evaluation = tutor_evaluation_invite(actor=_staff(), enrolment=enrolment)
    if evaluation.state not in {"invited", "in_progress"}:
        return
    criteria = evaluation.grid_version.criteria.order_by("order")
    tutor_evaluation_save(
        actor=enrolment.tutor,
        evaluation=evaluation,
        points={c.pk: _points(c.max_points, share, Decimal("0.5")) for c in criteria},
        comment="Autonome et rigoureuse ; a pris en charge le suivi des fournisseurs.",
    )
    if submit:
        tutor_evaluation_submit(actor=enrolment.tutor, evaluation=evaluation)


def _cc_marks(enrolment, share: Decimal, *, skip_modules: tuple[str, ...] = ()) -> None:
    """Enter every CC mark of the candidate's cohort, as each module's trainer, but ``skip``."""
    links = TrainingLink.objects.filter(cohort=enrolment.cohort, module__cc_points__gt=0)
    done = set(CCMark.objects.filter(enrolment=enrolment).values_list("module_id", flat=True))
    for link in links.select_related("module", "trainer").order_by("module__code"):
        if link.module_id in done or link.module.code in skip_modules:
            continue
        cc_mark_enter(
            actor=link.trainer,
            enrolment=enrolment,
            module=link.module,
            mark=_points(20, share, Decimal("0.5")),
            out_of=20,
        )


def _staff() -> User:
    return User.objects.get(email=f"responsable@{DOMAIN}")


def _people(*locals_: str) -> list[User]:
    by_email = {u.email: u for u in User.objects.filter(email__endswith=f"@{DOMAIN}")}
    return [by_email[f"{local}@{DOMAIN}"] for local in locals_]


# --- The current cohort's portfolios, in every state of the evaluation ------------------------


def portfolios_in_every_state(cohort: Cohort, prove_and_submit) -> None:
    """Move bloc 1 of the first ten salaried candidates (and the first one's bloc 2) to each
    state of the evaluation, once."""
    staff = _staff()
    first, second, third, fourth = _people(
        "evaluateur", "evaluateur.deux", "evaluateur.trois", "evaluateur.quatre"
    )
    enrolments = list(
        cohort.enrolments.filter(route=Enrolment.Route.PORTEFEUILLE)
        .select_related("candidate", "tutor")
        .order_by("pk")
    )
    marker = enrolments[9].portfolios.get(bloc__number=1, is_active=True)
    if marker.state != Portfolio.State.DRAFT:
        return
    today = clock.today()
    started = today - timedelta(days=25)

    def bloc(index, number=1):
        return enrolments[index].portfolios.get(bloc__number=number, is_active=True)

    # Submitted 25 days ago and screened (one returned: its version 2 opens); then assigned.
    with _at(_moment(started, 10)):
        prove_and_submit(bloc(0, 2), enrolments[0], cohort)
        portfolio_return(portfolio=bloc(0, 2), actor=staff, reason=RETURN_REASON)
        for index in range(10):
            prove_and_submit(bloc(index), enrolments[index], cohort)
        for index in range(10):
            if index != 1:  # candidate 2's portfolio waits for its screening
                portfolio_declare_admissible(portfolio=bloc(index), actor=staff)
        # Due a week ago and still not handed in: the dashboard lists it, reminders are due.
        _assign(bloc(3), second, staff, started + timedelta(days=18))
        _assign(bloc(5), third, staff, today + timedelta(days=14), accept=False)
        _assign(bloc(0), first, staff, today + timedelta(days=10))
        _assign(bloc(4), first, staff, today + timedelta(days=10))
        for index in (6, 7, 8, 9):
            _assign(bloc(index), fourth if index % 2 else first, staff, today + timedelta(days=5))
    with _at(_moment(today - timedelta(days=6), 16)):
        # Under evaluation: the grid filled, saved as a draft.
        draft = "Preuves pertinentes ; à compléter sur le pilotage."
        _score(first.assignments.get(portfolio=bloc(0)), Decimal("0.7"), draft, submit=False)
        _score(first.assignments.get(portfolio=bloc(4)), Decimal("0.6"), draft, submit=False)
        # Evaluated, then sent to the jury. A portfolio the control draw picked (it depends on
        # the portfolio's id and the secret key) is marked a second time, close to the first.
        due = today + timedelta(days=5)
        _settled(fourth.assignments.get(portfolio=bloc(7)), Decimal("0.74"), second, staff, due)
        portfolio_mark_ready_for_jury(portfolio=bloc(7), actor=staff)
        _settled(first.assignments.get(portfolio=bloc(6)), Decimal("0.68"), second, staff, due)
        # Evaluated, not yet sent to the jury.
        _settled(fourth.assignments.get(portfolio=bloc(9)), Decimal("0.66"), second, staff, due)
        # Scored at 10/20 with the CC: a second evaluator is required.
        _score(first.assignments.get(portfolio=bloc(8)), _at_ten(bloc(8)), "Juste suffisant.")
    with _at(_moment(today - timedelta(days=3), 11)):
        portfolio = bloc(8)
        if portfolio.state == Portfolio.State.SECOND_EVALUATION:
            assignment = _assign(portfolio, third, staff, today + timedelta(days=7), rank=2)
            # Far from the first mark: the staff must reconcile the two.
            _score(assignment, Decimal("0.85"), "Les preuves couvrent largement le bloc.")


def _at_ten(portfolio) -> Decimal:
    """Return the share of the grid that puts the bloc, with its CC, at 10/20."""
    bloc = portfolio.bloc
    cc = bloc_cc_points(portfolio.enrolment, bloc) or Decimal(0)
    wanted = (Decimal(bloc.cc_points) + Decimal(bloc.exam_points)) / 2 - cc
    return max(Decimal(0), min(Decimal(1), wanted / Decimal(bloc.exam_points)))


# --- Mémoires, tutors, CC, attendance ----------------------------------------------------------


def memoires_and_marks(cohort: Cohort) -> None:
    """Mémoires in several states, tutors' grids entered and pending, CC marks and absences."""
    staff = _staff()
    (evaluator,) = _people("evaluateur.cinq")
    enrolments = list(cohort.enrolments.select_related("candidate", "tutor").order_by("pk"))
    memoires = {m.enrolment_id: m for m in Memoire.objects.filter(enrolment__in=enrolments)}
    if any(
        m.state != Memoire.State.DRAFT
        for m in memoires.values()
        if m.enrolment_id in {e.pk for e in enrolments[:3]}
    ):
        return
    today = clock.today()
    with _at(_moment(today - timedelta(days=12), 9)):
        for number, enrolment in enumerate(enrolments[:3]):
            memoire = memoires[enrolment.pk]
            memoire_upload(
                memoire=memoire,
                actor=enrolment.candidate,
                uploaded_file=_pdf(f"Mémoire {enrolment.candidate}"),
                subject="Dématérialiser le circuit des factures fournisseurs d'une PME",
            )
            if number:
                memoire_submit(
                    memoire=memoire, actor=enrolment.candidate, declaration_accepted=True
                )
        _assign(memoires[enrolments[2].pk], evaluator, staff, today + timedelta(days=20))
        for number, enrolment in enumerate(enrolments[:12]):
            _tutor_grid(enrolment, Decimal("0.7"), submit=number % 3 != 0)  # some in progress
        for number, enrolment in enumerate(enrolments[10:14]):
            _cc_marks(enrolment, Decimal("0.6"), skip_modules=("M4.1", "M3.4")[: number % 3])
        absence_record(
            actor=staff,
            enrolment=enrolments[4],
            date=cohort.training_end - timedelta(days=40),
            hours=Decimal(7),
            justified=False,
            note="Absent sans prévenir.",
        )
        # The pedagogical team agrees to the penalty those 7 hours propose (RULES.md §3).
        assiduity_decide(actor=staff, enrolment=enrolments[4], agree=True)
        absence_record(
            actor=staff,
            enrolment=enrolments[5],
            date=cohort.training_end - timedelta(days=60),
            hours=Decimal("3.5"),
            justified=True,
            justification="medical",
        )


# --- A session of apprentices, and its jury ------------------------------------------------------


def _session_ready(session, enrolments, staff, evaluator, day: date) -> None:
    """Give each apprentice every mark a jury needs and put them before ``session``."""
    (other,) = _people("evaluateur.deux")
    for turn, (enrolment, profile) in enumerate(zip(enrolments, PROFILES, strict=False)):
        share = _share(profile, "all")
        _cc_marks(enrolment, share)
        # Each bloc's épreuves mark is the sum of its épreuves, marked by independent examiners.
        for bloc in enrolment.cohort.title.blocs.order_by("number"):
            epreuve_marks.bloc_marked(
                enrolment=enrolment,
                bloc=bloc,
                points=_points(bloc.exam_points, _share(profile, f"bloc{bloc.number}")),
                staff=staff,
                turn=turn + bloc.number,
            )
        _tutor_grid(enrolment, share)
        memoire = Memoire.objects.get(enrolment=enrolment, is_active=True)
        memoire_upload(
            memoire=memoire,
            actor=enrolment.candidate,
            uploaded_file=_pdf(f"Mémoire {enrolment.candidate} {day}"),
            subject="Mettre en place le suivi des congés et des absences d'une équipe de 40",
        )
        memoire_submit(memoire=memoire, actor=enrolment.candidate, declaration_accepted=True)
        # The evaluator scores the written part on the national grid (out of 125); a second
        # one when double marking asks.
        due = clock.today() + timedelta(days=10)
        assignment = _assign(memoire, evaluator, staff, due)
        _settled(assignment, share, other, staff, due, "Mémoire structuré, problématique posée.")
        jury_candidate_add(actor=staff, session=session, enrolment=enrolment)


def _jury(session, staff) -> User:
    president, pro1, pro2, cci = _people("jury.president", "jury.pro1", "jury.pro2", "jury.cci")
    jury_member_add(actor=staff, session=session, user=president, role=JuryMember.Role.PRESIDENT)
    for member in (pro1, pro2):
        jury_member_add(
            actor=staff, session=session, user=member, role=JuryMember.Role.PROFESSIONAL
        )
    jury_member_add(actor=staff, session=session, user=cci, role=JuryMember.Role.CCI_REPRESENTATIVE)
    return president


def _soutenances(session, enrolments, staff, day: date) -> None:
    for number, enrolment in enumerate(enrolments):
        soutenance_schedule(
            actor=staff,
            session=session,
            enrolment=enrolment,
            starts_at=_moment(day, 8 + number, 30),
            base_minutes=40,
        )


def _mark_soutenances(session, enrolments, president) -> None:
    for enrolment, profile in zip(enrolments, PROFILES, strict=False):
        soutenance = session.soutenances.get(memoire__enrolment=enrolment)
        soutenance_mark(
            actor=president,
            soutenance=soutenance,
            points={
                c.pk: _points(c.max_points, _share(profile, "all"))
                for c in soutenance.grid_version.criteria.all()
            },
            comment="Présentation claire, réponses précises aux questions du jury.",
        )


def _session_held(cohort, enrolments, staff, evaluator, day: date):
    """Plan the session of ``day`` six weeks ahead, seat its jury, put the apprentices before
    it with every mark, schedule their soutenances and send the convocations; return the
    session and its president."""
    with _at(_moment(day - timedelta(days=45), 10)):
        session = jury_session_create(
            actor=staff,
            title=cohort.title,
            establishment=cohort.establishment,
            date=day,
            place=PLACE,
            last_exam_date=day - timedelta(days=7),
        )
        president = _jury(session, staff)
        _session_ready(session, enrolments, staff, evaluator, day)
        jury_session_compose(actor=staff, session=session)
        _soutenances(session, enrolments, staff, day)
        jury_convocations_send(actor=staff, session=session)
    return session, president


def session_sitting(cohort: Cohort) -> JurySession | None:
    """Yesterday's session of six apprentices, still in deliberation; return it."""
    staff = _staff()
    day = clock.today() - timedelta(days=1)
    enrolments = list(
        cohort.enrolments.filter(route=Enrolment.Route.EPREUVES)
        .select_related("candidate", "tutor", "cohort__title")
        .order_by("pk")[: len(PROFILES)]
    )
    # Built once, whatever the day the demo runs again.
    if SessionCandidate.objects.filter(enrolment=enrolments[0]).exists():
        return None
    (evaluator,) = _people("evaluateur.cinq")
    session, president = _session_held(cohort, enrolments, staff, evaluator, day)
    with _at(_moment(day, 15)):
        _mark_soutenances(session, enrolments, president)
        jury_deliberation_open(actor=president, session=session)
    with _at(_moment(day, 17, 30)):
        # Three decisions taken as computed, and the override; two left to decide.
        for enrolment in enrolments[:3]:
            _record(session, enrolment, president)
        _record(
            session,
            enrolments[5],
            president,
            outcome="total",
            validated=["1", "2", "3", "4"],
            motive=OVERRIDE_MOTIVE,
        )
        # The engine's results, stored for the deliberation screen.
        results_refresh(session=session, actor=president)
    return session


def _record(session, enrolment, president, *, outcome=None, validated=None, motive="") -> None:
    decision = computed_decision(candidate_file(enrolment=enrolment, session=session))
    jury_decision_record(
        actor=president,
        session=session,
        enrolment=enrolment,
        outcome=outcome or decision.outcome,
        validated_blocs=decision.validated_blocs if validated is None else validated,
        motive=motive,
    )


# --- Last season's session, published, its documents issued ------------------------------------


def session_published(previous: Cohort) -> JurySession | None:
    """The previous cohort's session, three months ago: closed, published, documents issued."""
    from documents.services import (
        attestation_issue,
        certificat_issue,
        convocation_issue,
        proces_verbal_issue,
        releve_issue,
    )

    staff = _staff()
    day = previous.training_end + timedelta(days=120)
    if JurySession.objects.filter(establishment=previous.establishment, date=day).exists():
        return None
    (evaluator,) = _people("evaluateur.cinq")
    enrolments = list(
        previous.enrolments.select_related("candidate", "tutor", "cohort__title").order_by("pk")
    )
    with _at(_moment(day - timedelta(days=50), 9)):
        for enrolment in enrolments:
            portfolio_start(enrolment=enrolment, actor=staff)
    session, president = _session_held(previous, enrolments, staff, evaluator, day)
    with _at(_moment(day - timedelta(days=30), 9)):
        for entry in session.candidates.select_related("enrolment"):
            convocation_issue(entry=entry, actor=staff)
    with _at(_moment(day, 16)):
        _mark_soutenances(session, enrolments, president)
        jury_deliberation_open(actor=president, session=session)
    with _at(_moment(day, 18)):
        jury_deliberation_close(actor=president, session=session, confirm=True)
    with _at(_moment(day + timedelta(days=7), 9)):
        session.refresh_from_db()
        jury_results_publish(actor=staff, session=session)
        proces_verbal_issue(session=session, actor=staff)
        for decision in session.decisions.select_related("enrolment"):
            releve_issue(session=session, enrolment=decision.enrolment, actor=staff)
            if decision.outcome == "total":
                continue
            # Without the title: a certificat per bloc validated, and the attestation.
            for number in decision.validated_blocs:
                certificat_issue(
                    session=session, enrolment=decision.enrolment, bloc_number=number, actor=staff
                )
            attestation_issue(session=session, enrolment=decision.enrolment, actor=staff)
    return session
