"""Deliberation on the engine's decisions, overrides with a motive, closing, publication."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from audit import clock
from audit.clock import today
from audit.trail import audit_event, audit_record, audit_record_many
from portfolio.models import Portfolio
from rules import eligibility, engine
from workflow.errors import WorkflowError
from workflow.jury.access import is_president
from workflow.jury.computed import (
    STORED_COLUMNS,
    adoptable_entries,
    results_mark_stale,
    rows_store,
    session_results_refresh,
    stored_fields,
)
from workflow.jury.publication import results_notify_start
from workflow.jury.results import (
    candidate_file,
    candidate_files,
    computed_decision,
    decision_snapshot,
)
from workflow.jury.sessions import (
    composition_problems,
    session_audit,
    session_enrolments,
    session_lock,
    session_require_state,
)
from workflow.marks.tutoring import tutor_evaluations_lock
from workflow.models import (
    JuryDecision,
    JurySession,
    SessionCandidate,
    Soutenance,
)
from workflow.transitions import fire_all


def last_soutenance_end(session):
    """Return when the session's last soutenance ends (its start plus its duration), or None."""
    slots = Soutenance.objects.filter(session=session).values_list("starts_at", "duration_minutes")
    return max((start + timedelta(minutes=minutes) for start, minutes in slots), default=None)


def session_require_held(session, *, action: str) -> None:
    """Refuse ``action`` before the session's day and before its last soutenance has ended.

    The jury deliberates on what it has heard: nothing is decided, closed or published ahead.
    """
    if today() < session.date:
        raise WorkflowError(
            _(
                "Le jury se réunit le %(date)s : %(action)s n'est possible qu'à partir de ce "
                "jour-là."
            )
            % {"date": eligibility.fr_date(session.date), "action": action}
        )
    ends = last_soutenance_end(session)
    if ends is not None and clock.now() < ends:
        ends = timezone.localtime(ends)
        raise WorkflowError(
            _(
                "La dernière soutenance se termine le %(date)s à %(time)s : %(action)s n'est "
                "possible qu'après elle."
            )
            % {
                "date": eligibility.fr_date(ends.date()),
                "time": ends.strftime("%H h %M"),
                "action": action,
            }
        )


def jury_deliberation_open(*, actor, session) -> JurySession:
    """The jury sits: open the deliberation and lock the tutors' evaluations."""
    with transaction.atomic():
        session = session_lock(session)
        if not (is_president(actor, session) or staff_may(actor, session, Duty.CERTIFICATION)):
            raise WorkflowError(
                _(
                    "Le président du jury ou le responsable de la certification de "
                    "l'établissement ouvre la délibération."
                )
            )
        session_require_state(session, JurySession.State.COMPOSED)
        session_require_held(session, action=_("l'ouverture de la délibération"))
        if not session.candidates.exists():
            raise WorkflowError(_("Aucun candidat n'est inscrit à cette session."))
        problems = composition_problems(session)
        if problems:
            raise WorkflowError(" ".join(problems))
        before = session.state
        session.open_deliberation()
        session.save()
        tutor_evaluations_lock(actor=actor, enrolments=session_enrolments(session), session=session)
        session_audit(actor, session, "jury_session.open_deliberation", before)
    return session


def _check_final(snapshot: dict, outcome: str, validated: list[str], file) -> None:
    all_blocs = sorted(snapshot["blocs"], key=engine.bloc_sort_key)
    if outcome not in JuryDecision.Outcome.values:
        raise WorkflowError(_("Décision inconnue."))
    if any(number not in all_blocs for number in validated):
        raise WorkflowError(_("Bloc inconnu dans la liste des blocs validés."))
    if file.fraud and (outcome != engine.OUTCOME_NONE or validated):
        raise WorkflowError(
            _("La fraude est établie : la session est invalidée et aucun bloc n'est validé.")
        )
    if outcome == engine.OUTCOME_TOTAL and validated != all_blocs:
        raise WorkflowError(_("La certification totale valide tous les blocs."))
    if outcome == engine.OUTCOME_PARTIAL and not validated:
        raise WorkflowError(_("Une certification partielle valide au moins un bloc."))
    if outcome == engine.OUTCOME_NONE and validated:
        raise WorkflowError(_("Sans certification, aucun bloc n'est validé."))
    lost = [number for number in file.carried if number not in validated]
    if lost:
        raise WorkflowError(
            _("Les blocs déjà validés (%(b)s) restent acquis.") % {"b": ", ".join(lost)}
        )


def jury_decision_record(
    *, actor, session, enrolment, outcome: str, validated_blocs, motive: str = ""
) -> JuryDecision:
    """Record the jury's decision for a candidate; a decision other than the computed one
    (or any decision on a case referred to the jury) needs a written motive."""
    with transaction.atomic():
        session = session_lock(session)
        if not is_president(actor, session):
            raise WorkflowError(_("Le président du jury enregistre les décisions."))
        session_require_state(session, JurySession.State.DELIBERATING)
        if not session.candidates.filter(enrolment=enrolment).exists():
            raise WorkflowError(_("Ce candidat n'est pas inscrit à cette session."))
        file = candidate_file(enrolment=enrolment, session=session)
        decision = computed_decision(file)
        if decision is None:
            raise WorkflowError(_("Dossier incomplet : %(m)s") % {"m": " ".join(file.missing)})
        snapshot = decision_snapshot(decision, file)
        validated = sorted({str(n) for n in validated_blocs}, key=engine.bloc_sort_key)
        _check_final(snapshot, outcome, validated, file)
        differs = outcome != snapshot["outcome"] or validated != snapshot["validated_blocs"]
        motive = motive.strip()
        pending = snapshot.get("penalty_pending", False)
        if (differs or snapshot["referred_to_jury"] or pending) and not motive:
            if differs:
                message = _(
                    "Le jury s'écarte de la décision calculée ou statue sur un cas renvoyé : "
                    "indiquez le motif."
                )
            elif snapshot["referred_to_jury"]:
                message = _("Ce cas est renvoyé au jury : indiquez le motif de sa décision.")
            else:
                message = _(
                    "La pénalité d'assiduité attend l'accord de l'équipe pédagogique : "
                    "indiquez le motif de la décision du jury."
                )
            raise WorkflowError(message, field_errors={"motive": [message]})
        previous = JuryDecision.objects.filter(session=session, enrolment=enrolment).first()
        before = (
            {"outcome": previous.outcome, "validated_blocs": previous.validated_blocs}
            if previous
            else None
        )
        record, _created = JuryDecision.objects.update_or_create(
            session=session,
            enrolment=enrolment,
            defaults={
                "computed": snapshot,
                "outcome": outcome,
                "validated_blocs": validated,
                "override_motive": motive,
                "fraud": file.fraud,
                "recorded_by": actor,
                "recorded_at": clock.now(),
            },
        )
        SessionCandidate.objects.filter(session=session, enrolment=enrolment).update(
            overridden=record.is_override
        )
        audit_record(
            actor=actor,
            action="jury_decision.override" if differs else "jury_decision.record",
            obj=record,
            candidate=enrolment.candidate,
            before=before,
            after={
                "outcome": outcome,
                "validated_blocs": validated,
                "computed_outcome": snapshot["outcome"],
                "computed_validated_blocs": snapshot["validated_blocs"],
            },
            reason=motive,
        )
    return record


def jury_decisions_adopt(*, actor, session, expected: dict[str, int] | None = None) -> int:
    """Record the computed decision of every candidate of the session without a decision whose
    file is complete and unflagged (near a threshold, referred, fraud); return how many.

    The stale results are recomputed first, under the lock of every candidate's row: the
    decisions adopted are those of the marks as they stand. ``expected`` (how many by outcome,
    as the president's confirmation said) must still hold, else nothing is recorded. Written in
    bulk, one audit line per candidate: a fixed number of queries whatever the session's size.
    """
    with transaction.atomic():
        session = session_lock(session)
        if not is_president(actor, session):
            raise WorkflowError(_("Le président du jury enregistre les décisions."))
        session_require_state(session, JurySession.State.DELIBERATING)
        list(SessionCandidate.objects.select_for_update().filter(session=session).values("pk"))
        session_results_refresh(session)
        entries = list(
            adoptable_entries(session).select_related("enrolment__candidate").order_by("pk")
        )
        if not entries:
            raise WorkflowError(
                _(
                    "Aucune décision calculée à adopter : chaque candidat a déjà une décision, "
                    "un dossier incomplet ou un signalement à examiner un par un."
                )
            )
        counts: dict[str, int] = {}
        for entry in entries:
            counts[entry.computed_outcome] = counts.get(entry.computed_outcome, 0) + 1
        if expected is not None and counts != expected:
            raise WorkflowError(
                _(
                    "Les décisions calculées ont changé depuis l'affichage de la page (une note "
                    "a été modifiée) : rien n'a été enregistré. Vérifiez le nouveau résumé, "
                    "puis confirmez à nouveau."
                )
            )
        records = _decisions_bulk_record(
            actor=actor,
            session=session,
            rows=[(entry.enrolment, entry.computed, False) for entry in entries],
            action="jury_decision.adopt",
        )
        # These decisions count as earlier ones in the candidates' other sessions.
        results_mark_stale([e.enrolment_id for e in entries], except_session=session)
    return len(records)


def _decisions_bulk_record(*, actor, session, rows, action: str) -> list[JuryDecision]:
    """Record the decisions ``rows`` ((enrolment, snapshot, fraud) each) as their snapshots
    say, in bulk, with one audit line each (``action``); return them."""
    at = clock.now()
    records = JuryDecision.objects.bulk_create(
        [
            JuryDecision(
                session=session,
                enrolment=enrolment,
                computed=snapshot,
                outcome=snapshot["outcome"],
                validated_blocs=snapshot["validated_blocs"],
                fraud=fraud,
                recorded_by=actor,
                recorded_at=at,
            )
            for enrolment, snapshot, fraud in rows
        ],
        batch_size=2000,
    )
    decision_type = ContentType.objects.get_for_model(JuryDecision)
    audit_record_many(
        [
            audit_event(
                actor=actor,
                action=action,
                obj=record,
                object_type=decision_type,
                candidate=record.enrolment.candidate,
                after={"outcome": record.outcome, "validated_blocs": record.validated_blocs},
            )
            for record in records
        ]
    )
    return records


def close_require(*, actor, session, confirm: bool) -> None:
    """Refuse a closing by anyone but the president, outside the deliberation, before the
    session was held, or unconfirmed."""
    if not is_president(actor, session):
        raise WorkflowError(_("Seul le président du jury clôt la délibération."))
    session_require_state(session, JurySession.State.DELIBERATING)
    session_require_held(session, action=_("la clôture de la délibération"))
    if not confirm:
        raise WorkflowError(
            _("Confirmez la clôture : les résultats seront figés et ne pourront plus changer.")
        )


def jury_deliberation_close(*, actor, session, confirm: bool) -> JurySession:
    """Close the deliberation: every result is frozen. The president confirms.

    Every candidate without a recorded decision gets the engine's, computed afresh from the
    marks read in bulk; decisions, portfolio transitions and audit lines are written in bulk, in
    one transaction: a fixed number of queries per thousand candidates.
    """
    with transaction.atomic():
        session = session_lock(session)
        close_require(actor=actor, session=session, confirm=confirm)
        recorded = set(
            JuryDecision.objects.filter(session=session).values_list("enrolment_id", flat=True)
        )
        files = candidate_files(session)
        problems, pending = [], []
        for file in sorted(files.values(), key=_by_name):
            if file.enrolment.pk in recorded:
                continue
            decision = computed_decision(file)
            if decision is None:
                problems.append(f"{file.enrolment.candidate} : {' '.join(file.missing)}")
                continue
            snapshot = decision_snapshot(decision, file)
            if snapshot["referred_to_jury"]:
                problems.append(
                    _("%(c)s : cas renvoyé au jury, la décision doit être enregistrée.")
                    % {"c": file.enrolment.candidate}
                )
                continue
            if snapshot["penalty_pending"]:
                problems.append(
                    _(
                        "%(c)s : pénalité d'assiduité en attente de l'accord de l'équipe "
                        "pédagogique, la décision doit être enregistrée."
                    )
                    % {"c": file.enrolment.candidate}
                )
                continue
            pending.append((file, snapshot))
        if problems:
            raise WorkflowError(_("Clôture impossible : %(p)s") % {"p": " ; ".join(problems)})
        at = clock.now()
        _decisions_bulk_record(
            actor=actor,
            session=session,
            rows=[(file.enrolment, snapshot, file.fraud) for file, snapshot in pending],
            action="jury_decision.record",
        )
        enrolments = SessionCandidate.objects.filter(session=session).values("enrolment_id")
        _portfolios_decide(actor=actor, enrolments=enrolments)
        tutor_evaluations_lock(actor=actor, enrolments=enrolments, session=session)
        before = session.state
        session.close()
        session.closed_at = at
        session.save()
        session_audit(actor, session, "jury_session.close", before)
        _results_freeze(session, files)
        # These decisions now count as earlier ones in the candidates' later sessions.
        results_mark_stale(SessionCandidate.objects.filter(session=session).values("enrolment_id"))
    return session


def _portfolios_decide(*, actor, enrolments) -> None:
    """Move the candidates' portfolios ready for the jury to "decided", in bulk (their mark is
    the same in both states: no stored result goes stale)."""
    portfolios = list(
        Portfolio.objects.select_for_update()
        .filter(enrolment__in=enrolments, is_active=True, state=Portfolio.State.READY_FOR_JURY)
        .select_related("enrolment__candidate", "bloc")
        .order_by("pk")
    )
    fire_all(portfolios, "decide", actor=actor, action="portfolio.decide")


def _by_name(file) -> tuple[str, str, int]:
    candidate = file.enrolment.candidate
    return (candidate.last_name, candidate.first_name, file.enrolment.pk)


def _results_freeze(session, files) -> None:
    """Store every decision of the closed session on its candidates (recorded during the
    deliberation or at closing), so that the screen's filters answer for the frozen session."""
    decisions = {d.enrolment_id: d for d in JuryDecision.objects.filter(session=session)}
    entries = list(SessionCandidate.objects.filter(session=session).order_by("pk"))
    for entry in entries:
        record = decisions[entry.enrolment_id]
        file = files[entry.enrolment_id]
        decision = computed_decision(file)
        fields = stored_fields(record.computed, rules=file.rules, decision=decision)
        for name, value in fields.items():
            setattr(entry, name, value)
        entry.overridden = record.is_override
        entry.stale = False
        entry.computed_at = clock.now()
    rows_store(entries, [*STORED_COLUMNS, "overridden"])


def publication_is_late(session, *, on) -> bool:
    """Return whether results published on ``on`` miss the 6 weeks after the last exam."""
    deadline = eligibility.results_disclosure(
        last_exam_date=session.last_exam_date or session.date, on=on
    )
    return not deadline.allowed and on > deadline.key_date


def jury_results_publish(*, actor, session, late_reason: str = "") -> JurySession:
    """Publish a closed session's results; each candidate is told once, after commit.

    Past the 6 weeks after the last exam (RULES.md §6) the results still go out, but only with
    the reason for the delay, kept on the session and in the audit trail.
    """
    with transaction.atomic():
        session = session_lock(session)
        if not (staff_may(actor, session, Duty.CERTIFICATION) or is_president(actor, session)):
            raise WorkflowError(
                _(
                    "Le responsable de la certification de l'établissement ou le président du "
                    "jury publie les résultats."
                )
            )
        session_require_state(session, JurySession.State.CLOSED)
        session_require_held(session, action=_("la publication des résultats"))
        on = today()
        disclosure = eligibility.results_disclosure(
            last_exam_date=session.last_exam_date or session.date, on=on
        )
        late_reason = late_reason.strip()
        late = publication_is_late(session, on=on)
        if late and not late_reason:
            raise WorkflowError(
                _("%(reason)s Indiquez le motif du retard pour publier les résultats.")
                % {"reason": disclosure.reason},
                field_errors={"late_reason": [_("Indiquez le motif de la publication tardive.")]},
            )
        before = session.state
        session.publish()
        session.published_at = clock.now()
        session.late_publication_reason = late_reason if late else ""
        session.save()
        session_audit(
            actor,
            session,
            "jury_session.publish",
            before,
            late_reason if late else (disclosure.reason if disclosure.warning else ""),
        )
        # Each candidate is told by a background job, in chunks, once (workflow.jury.publication).
        results_notify_start(session=session, actor=actor)
    return session
