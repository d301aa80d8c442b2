"""From the recorded marks to the rules engine's decision, and who may see it.

``candidate_file`` gathers one candidate's case for a session (CC from the trainers' marks, the
portfolio's agreed mark or the épreuves mark, the mémoire's written mark, the soutenance, the
tutor's mark, the unjustified absence share, fraud); ``computed_decision`` hands it to
``rules.engine.decide``, the only place where the certification is decided. Nothing here
compares a mark with a threshold.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Enrolment
from portfolio.models import Memoire, Portfolio
from rules import eligibility, engine, wording
from workflow.jury.inputs import (
    CURRENT_EXAM_MARK_ORDER,
    CURRENT_VERSION_ORDER,
    DECIDED_SESSION_STATES,
    SessionInputs,
    session_inputs,
)
from workflow.marks.assiduity import Assiduity
from workflow.marks.cc import cc_marks_for_candidate, cc_summary
from workflow.models import (
    BlocExamMark,
    JuryDecision,
    JurySession,
)
from workflow.titles import title_rules

NOT_PRESENTED_PORTFOLIO = (Portfolio.State.NOT_SUBMITTED, Portfolio.State.WITHDRAWN)
READY_PORTFOLIO = (Portfolio.State.READY_FOR_JURY, Portfolio.State.DECIDED)


# --- Marks read from other parts of the workflow -----------------------------------------


def current_memoire(enrolment) -> Memoire | None:
    return (
        Memoire.objects.filter(enrolment=enrolment, is_active=True)
        .order_by(*CURRENT_VERSION_ORDER)
        .first()
    )


def current_portfolio(enrolment, bloc) -> Portfolio | None:
    return (
        Portfolio.objects.filter(enrolment=enrolment, bloc=bloc, is_active=True)
        .order_by(*CURRENT_VERSION_ORDER)
        .first()
    )


def current_exam_mark(enrolment, bloc) -> BlocExamMark | None:
    return (
        BlocExamMark.objects.filter(enrolment=enrolment, bloc=bloc)
        .order_by(*CURRENT_EXAM_MARK_ORDER)
        .first()
    )


def earlier_decisions(enrolment, *, before_session=None):
    """Return the enrolment's frozen decisions of other sessions, oldest first."""
    decisions = JuryDecision.objects.filter(
        enrolment=enrolment, session__state__in=DECIDED_SESSION_STATES
    ).select_related("session")
    if before_session is not None:
        decisions = decisions.exclude(session=before_session).filter(
            session__date__lte=before_session.date
        )
    return decisions.order_by("session__date", "pk")


# --- The case ----------------------------------------------------------------------------


@dataclass
class CandidateFile:
    enrolment: Enrolment
    case: engine.Case | None
    missing: list[str] = field(default_factory=list)
    carried: tuple[str, ...] = ()
    inputs: dict = field(default_factory=dict)
    fraud: bool = False
    rules: engine.TitleRules | None = None
    assiduity: Assiduity | None = None

    @property
    def complete(self) -> bool:
        return self.case is not None


def candidate_file(*, enrolment, session) -> CandidateFile:
    """Gather the candidate's marks for ``session`` into a rules-engine case."""
    inputs = session_inputs(session, enrolment_ids=[enrolment.pk])
    return file_from_inputs(inputs, inputs.enrolments[enrolment.pk])


def candidate_files(session, *, enrolment_ids=None) -> dict[int, CandidateFile]:
    """Return the case of every candidate of the session (or of ``enrolment_ids``) by
    enrolment, read in a fixed number of queries."""
    inputs = session_inputs(session, enrolment_ids=enrolment_ids)
    return {pk: file_from_inputs(inputs, enrolment) for pk, enrolment in inputs.enrolments.items()}


def file_from_inputs(inputs: SessionInputs, enrolment) -> CandidateFile:
    """Gather one candidate's marks from the loaded inputs into a rules-engine case.

    A bloc validated by an earlier decision is carried over with its marks and never
    re-evaluated. With fraud confirmed, missing marks count 0: the engine validates nothing.
    """
    fraud = enrolment.pk in inputs.fraud
    earlier = inputs.earlier.get(enrolment.pk, [])
    carried_inputs: dict[str, dict] = {}
    for decision in earlier:
        if decision.fraud:
            continue
        for number in decision.validated_blocs:
            carried_inputs[number] = (
                decision.computed.get("inputs", {}).get("blocs", {}).get(number)
            )
    structure = inputs.structures[enrolment.cohort.title_id]
    cc = cc_summary(inputs.cc_marks.get(enrolment.pk, {}), structure)
    missing: list[str] = []
    blocs: dict[str, engine.BlocResult] = {}
    case_inputs: dict = {"blocs": {}, "practice": {}}
    carried = []
    for bloc, _modules in structure:
        number = str(bloc.number)
        previous = carried_inputs.get(number)
        if previous and not fraud:
            carried.append(number)
            result = engine.BlocResult(
                cc=Decimal(previous["cc"]), exam=Decimal(previous["exam"]), presented=True
            )
        else:
            result = _bloc_result(inputs, enrolment, bloc, cc.bloc_points[bloc.pk], missing)
        blocs[number] = result
        case_inputs["blocs"][number] = {
            "cc": str(result.cc),
            "exam": str(result.exam),
            "presented": result.presented,
            "carried": number in carried,
        }
    assiduity = inputs.assiduity(enrolment)
    practice = _practice_result(inputs, enrolment, earlier, missing, assiduity.agreed_pct)
    case_inputs["practice"] = {
        "written": str(practice.written),
        "oral": str(practice.oral),
        "tutor": str(practice.tutor),
        "presented": practice.presented,
        "absence_pct": str(practice.absence_pct),
        "assiduity": assiduity.frozen(),
    }
    case_inputs["fraud"] = fraud
    case_inputs["cc_modules"] = _cc_modules_frozen(
        {"bloc": bloc, "module": module, "points": cc.module_points[module.pk]}
        for bloc, cc_modules in structure
        for module in cc_modules
    )
    complete = fraud or not missing
    case = engine.Case(blocs=blocs, practice=practice, fraud=fraud) if complete else None
    return CandidateFile(
        enrolment=enrolment,
        case=case,
        missing=[] if fraud else missing,
        carried=tuple(carried),
        inputs=case_inputs,
        fraud=fraud,
        rules=inputs.rules[enrolment.cohort.title_id],
        assiduity=assiduity,
    )


def cc_modules_inputs(enrolment) -> list[dict]:
    """Return the CC points of each module as the decision uses them, frozen with it (the relevé
    prints these, not marks corrected after the jury)."""
    return _cc_modules_frozen(cc_marks_for_candidate(enrolment))


def _cc_modules_frozen(rows) -> list[dict]:
    return [
        {
            "bloc": str(row["bloc"].number),
            "code": row["module"].code,
            "name": row["module"].name,
            "points": None if row["points"] is None else str(row["points"]),
            "max": row["module"].cc_points,
        }
        for row in rows
    ]


def _bloc_result(inputs, enrolment, bloc, cc, missing: list[str]) -> engine.BlocResult:
    enrolled = [b.pk for b in enrolment.blocs.all()]
    if enrolled and bloc.pk not in enrolled:
        # A bloc the candidate did not enrol for is not sat: never validated, and it rules out
        # the title (the engine's non-presented bloc); nothing is missing for it.
        return engine.BlocResult(cc=Decimal(0), exam=Decimal(0), presented=False)
    label = _("Bloc %(n)s") % {"n": bloc.number}
    presented = True
    exam = None
    if enrolment.route == Enrolment.Route.PORTEFEUILLE:
        portfolio = inputs.portfolios.get((enrolment.pk, bloc.pk))
        if portfolio is None:
            missing.append(_("%(b)s : aucun portefeuille.") % {"b": label})
        elif portfolio.state in NOT_PRESENTED_PORTFOLIO or (
            portfolio.state == Portfolio.State.INVALIDATED
        ):
            presented = False
        elif portfolio.state in READY_PORTFOLIO and portfolio.agreed_mark is not None:
            exam = portfolio.agreed_mark
        else:
            missing.append(
                _("%(b)s : portefeuille « %(s)s », pas encore prêt pour le jury.")
                % {"b": label, "s": portfolio.get_state_display()}
            )
    else:
        mark = inputs.exam_marks.get((enrolment.pk, bloc.pk))
        if mark is None:
            missing.append(_("%(b)s : note d'épreuves non saisie.") % {"b": label})
        elif not mark.presented:
            presented = False
        else:
            exam = mark.points
    if cc is None and presented:
        missing.append(_("%(b)s : contrôle continu incomplet.") % {"b": label})
    return engine.BlocResult(
        cc=cc if cc is not None else Decimal(0),
        exam=exam if exam is not None else Decimal(0),
        presented=presented,
    )


def _practice_result(
    inputs, enrolment, earlier, missing: list[str], absence_pct: Decimal
) -> engine.PracticeResult:
    """The practice's marks; ``absence_pct`` is the share the pedagogical team agreed to
    sanction (0 while its penalty is pending or waived)."""
    tutor = inputs.tutor_marks.get(enrolment.pk)
    if tutor is None:
        missing.append(_("Pratique professionnelle : évaluation du tuteur non remise."))
    memoire = inputs.memoires.get(enrolment.pk)
    soutenance = inputs.soutenances.get(memoire.pk) if memoire else None
    if soutenance is None and earlier:
        # Nothing new presented for the practice: its marks are those of the last decision.
        last = earlier[-1].computed.get("inputs", {}).get("practice")
        if last:
            return engine.PracticeResult(
                written=Decimal(last["written"]),
                oral=Decimal(last["oral"]),
                tutor=tutor if tutor is not None else Decimal(last["tutor"]),
                presented=last["presented"],
                absence_pct=absence_pct,
            )
    written = oral = None
    presented = True
    if memoire is None or memoire.state in (
        Memoire.State.NOT_SUBMITTED,
        Memoire.State.INVALIDATED,
    ):
        presented = False
    else:
        written = inputs.written_marks.get(memoire.pk)
        if written is None:
            missing.append(_("Pratique professionnelle : note du mémoire non saisie."))
        if soutenance is None or soutenance.marked_at is None:
            missing.append(_("Pratique professionnelle : soutenance non notée."))
        elif not soutenance.presented:
            presented = False
        else:
            oral = soutenance.total
    return engine.PracticeResult(
        written=written if written is not None else Decimal(0),
        oral=oral if oral is not None else Decimal(0),
        tutor=tutor if tutor is not None else Decimal(0),
        presented=presented,
        absence_pct=absence_pct,
    )


# --- The decision ------------------------------------------------------------------------


def computed_decision(file: CandidateFile) -> engine.Decision | None:
    """Return the engine's decision for a complete file, else None."""
    if file.case is None:
        return None
    rules = file.rules or title_rules(file.enrolment.cohort.title)
    return engine.decide(file.case, rules)


def final_validated_blocs(decision: engine.Decision, file: CandidateFile) -> list[str]:
    """Return the blocs held after the decision: the engine's plus those carried over."""
    if file.fraud:
        return []
    held = set(decision.validated_blocs) | set(file.carried)
    return sorted(held, key=engine.bloc_sort_key)


def decision_snapshot(decision: engine.Decision, file: CandidateFile) -> dict:
    """Return the decision as JSON data, exact values as strings, with the inputs used."""
    validated = final_validated_blocs(decision, file)
    outcome = decision.outcome
    if outcome == engine.OUTCOME_NONE and validated:
        outcome = engine.OUTCOME_PARTIAL
    return {
        "outcome": outcome,
        "outcome_label": str(JuryDecision.Outcome(outcome).label),
        "engine_outcome": decision.outcome,
        "points_total": str(decision.points_total),
        "points_total_display": wording.fr_number(decision.points_total),
        "points_max_display": wording.fr_number(
            sum((b.max_points for b in decision.blocs), decision.practice.max_points)
        ),
        "blocs": {
            b.number: {
                "points": str(b.points),
                "points_display": wording.fr_number(b.points),
                "max_points": str(b.max_points),
                "on_20": str(b.on_20),
                "on_20_display": wording.fr_number(b.on_20),
                "presented": b.presented,
                "passed": b.passed,
                "eliminatory": b.eliminatory,
                "carried": b.number in file.carried,
            }
            for b in decision.blocs
        },
        "practice": {
            "points": str(decision.practice.points),
            "points_display": wording.fr_number(decision.practice.points),
            "max_points": str(decision.practice.max_points),
            "on_20": str(decision.practice.on_20),
            "on_20_display": wording.fr_number(decision.practice.on_20),
            "tutor_after_penalty": str(decision.practice.tutor_after_penalty),
            "tutor_after_penalty_display": wording.fr_number(decision.practice.tutor_after_penalty),
            "presented": decision.practice.presented,
            "passed": decision.practice.passed,
        },
        "tutor_penalty_pct": None
        if decision.tutor_penalty_pct is None
        else str(decision.tutor_penalty_pct),
        "referred_to_jury": decision.referred_to_jury,
        "penalty_pending": bool(file.assiduity and file.assiduity.pending),
        "validated_blocs": validated,
        "reasons": list(decision.reasons) + _assiduity_reasons(file),
        "inputs": file.inputs,
    }


def _assiduity_reasons(file: CandidateFile) -> list[str]:
    """The assiduity penalty's line when it is pending or waived (fraud voids every mark)."""
    line = None if file.fraud or file.assiduity is None else file.assiduity.reason()
    return [line] if line else []


@dataclass
class SessionRow:
    """One candidate on the deliberation screen."""

    file: CandidateFile
    snapshot: dict | None
    recorded: JuryDecision | None

    @property
    def enrolment(self):
        return self.file.enrolment


def session_rows(session) -> list[SessionRow]:
    """Return each candidate of the session with the computed decision and any recorded one,
    read in a fixed number of queries."""
    recorded = {d.enrolment_id: d for d in JuryDecision.objects.filter(session=session)}
    frozen = JurySession.objects.filter(pk=session.pk, state__in=DECIDED_SESSION_STATES).exists()
    entries = list(
        session.candidates.select_related(
            "enrolment__candidate", "enrolment__cohort__title"
        ).order_by("enrolment__candidate__last_name", "enrolment__candidate__first_name")
    )
    if frozen:
        wanted = [e.enrolment_id for e in entries if e.enrolment_id not in recorded]
        files = candidate_files(session, enrolment_ids=wanted) if wanted else {}
    else:
        files = candidate_files(session)
    rows = []
    for entry in entries:
        enrolment = entry.enrolment
        decision_record = recorded.get(enrolment.pk)
        if frozen and decision_record is not None:
            rows.append(
                SessionRow(
                    file=CandidateFile(enrolment=enrolment, case=None),
                    snapshot=decision_record.computed,
                    recorded=decision_record,
                )
            )
            continue
        file = files[enrolment.pk]
        decision = computed_decision(file)
        snapshot = decision_snapshot(decision, file) if decision else None
        rows.append(SessionRow(file=file, snapshot=snapshot, recorded=decision_record))
    return rows


# --- Confidentiality and deadlines -------------------------------------------------------


def published_decisions(enrolment):
    """Return the decisions the candidate may read: those of published sessions only."""
    return (
        JuryDecision.objects.filter(enrolment=enrolment, session__state=JurySession.State.PUBLISHED)
        .select_related("session")
        .order_by("-session__date")
    )


def marks_disclosed(enrolment) -> bool:
    """Return whether bloc, portfolio and mémoire marks may be shown to the candidate."""
    return published_decisions(enrolment).exists()


def publication_status(session, *, on: date) -> dict:
    """Return the session's publication deadline and whether it is near, passed or was missed."""
    last_exam = session.last_exam_date or session.date
    answer = eligibility.results_disclosure(last_exam_date=last_exam, on=on)
    deadline = eligibility.results_disclosure(last_exam_date=last_exam, on=last_exam).key_date
    published = session.state == JurySession.State.PUBLISHED
    overdue = not published and not answer.allowed and on > last_exam
    return {
        "deadline": deadline,
        "message": answer.reason,
        "warning": not published and answer.warning,
        "overdue": overdue,
        "published": published,
        "published_late": published
        and session.published_at is not None
        and timezone.localdate(session.published_at) > deadline,
    }
