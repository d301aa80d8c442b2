"""Jury sessions: creation, composition, candidates, soutenances, deliberation, results.

Each service checks who acts, locks the session row, runs its django-fsm transition, writes the
audit trail in the same transaction and queues e-mail for after the commit. Every rule of the
règlement comes from ``workflow.eligibility`` and every decision from ``workflow.rules``.
"""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Cohort, Enrolment, Role, TrainingLink
from portfolio.models import Memoire, Portfolio
from referentiel.models import Grid
from referentiel.services import grid_version_freeze
from workflow import audit, eligibility, rules
from workflow.access import is_centre_staff
from workflow.accommodations import accommodations_text, has_extra_time
from workflow.audit import audit_record
from workflow.errors import WorkflowError
from workflow.jury_access import is_president, is_voting_member
from workflow.models import (
    JuryDecision,
    JuryMember,
    JurySession,
    SessionCandidate,
    Soutenance,
    SoutenanceScore,
    TutorEvaluation,
)
from workflow.notifications import notify
from workflow.results import (
    candidate_file,
    computed_decision,
    current_memoire,
    current_portfolio,
    decision_snapshot,
)
from workflow.transitions import today
from workflow.tutoring import tutor_evaluations_lock


def _require_staff(actor) -> None:
    if not is_centre_staff(actor):
        raise WorkflowError(_("Cette action est réservée au personnel du centre."))


def _lock(session) -> JurySession:
    return JurySession.objects.select_for_update().get(pk=session.pk)


def _require_state(session, *states) -> None:
    if session.state not in states:
        raise WorkflowError(
            _("La session est « %(state)s » : cette action n'est pas possible maintenant.")
            % {"state": session.get_state_display()}
        )


def _audit_session(actor, session, action, before, reason=""):
    audit_record(
        actor=actor,
        action=action,
        obj=session,
        before={"state": before},
        after={"state": session.state},
        reason=reason,
    )


# --- Creation and composition ------------------------------------------------------------


def jury_session_create(
    *, actor, title, establishment, date: date, place: str, last_exam_date: date | None = None
) -> JurySession:
    """Plan a jury session."""
    _require_staff(actor)
    if not place.strip():
        raise WorkflowError(_("Indiquez le lieu de la session."))
    if last_exam_date is not None and last_exam_date > date:
        raise WorkflowError(_("La dernière épreuve ne peut pas suivre la session de jury."))
    with transaction.atomic():
        session = JurySession.objects.create(
            title=title,
            establishment=establishment,
            date=date,
            place=place.strip(),
            last_exam_date=last_exam_date,
        )
        audit_record(
            actor=actor,
            action="jury_session.create",
            obj=session,
            after={"state": session.state, "date": date.isoformat(), "place": session.place},
        )
    return session


def _member_experience(user, on: date) -> eligibility.Eligibility:
    return eligibility.jury_member_experience(
        years_in_target_jobs=user.years_in_target_jobs,
        last_active=user.last_active_in_target_jobs,
        on=on,
        name=str(user),
    )


def _trained_candidates(user, enrolments) -> list[str]:
    """Return the candidates among ``enrolments`` whose cohort ``user`` trained."""
    cohorts = set(
        TrainingLink.objects.filter(trainer=user).values_list("cohort_id", flat=True).distinct()
    )
    return [str(e.candidate) for e in enrolments if e.cohort_id in cohorts]


def jury_member_add(*, actor, session, user, role: str) -> JuryMember:
    """Seat someone on a planned session, refused when they may not sit on a jury."""
    _require_staff(actor)
    if role not in JuryMember.Role.values:
        raise WorkflowError(_("Rôle de jury inconnu."))
    if not user.has_role(Role.JURY):
        raise WorkflowError(_("%(user)s n'a pas le rôle de membre de jury.") % {"user": user})
    with transaction.atomic():
        session = _lock(session)
        _require_state(session, JurySession.State.PLANNED)
        if role != JuryMember.Role.OBSERVER:
            answer = _member_experience(user, session.date)
            if not answer:
                raise WorkflowError(answer.reason)
        if JuryMember.objects.filter(session=session, user=user).exists():
            raise WorkflowError(_("%(user)s siège déjà dans ce jury.") % {"user": user})
        member = JuryMember.objects.create(session=session, user=user, role=role)
        audit_record(
            actor=actor,
            action="jury_member.add",
            obj=session,
            after={"user": user.pk, "role": role},
        )
    return member


def jury_member_remove(*, actor, member) -> None:
    _require_staff(actor)
    with transaction.atomic():
        session = _lock(member.session)
        _require_state(session, JurySession.State.PLANNED)
        audit_record(
            actor=actor,
            action="jury_member.remove",
            obj=session,
            before={"user": member.user_id, "role": member.role},
        )
        member.delete()


def _session_enrolments(session) -> list[Enrolment]:
    return [
        entry.enrolment
        for entry in session.candidates.select_related("enrolment__candidate", "enrolment__cohort")
    ]


def _observer_sponsors(session) -> set[int]:
    cohorts = Cohort.objects.filter(
        enrolments__jury_entries__session=session
    ) | Cohort.objects.filter(establishment=session.establishment)
    return {pk for pk in cohorts.values_list("sponsor_id", flat=True) if pk}


def composition_problems(session) -> list[str]:
    """Return every reason the session's jury may not sit as composed (empty when it may)."""
    members = list(session.members.select_related("user__employer"))
    problems = []
    answer = eligibility.jury_composition(roles=[m.role for m in members])
    if not answer:
        problems.append(answer.reason)
    enrolments = _session_enrolments(session)
    for member in members:
        if member.role == JuryMember.Role.OBSERVER:
            if member.user.employer_id not in _observer_sponsors(session):
                problems.append(
                    _(
                        "%(user)s : l'observateur doit représenter l'établissement parrain "
                        "d'une promotion de la session."
                    )
                    % {"user": member.user}
                )
            continue
        experience = _member_experience(member.user, session.date)
        if not experience:
            problems.append(experience.reason)
        if member.role == JuryMember.Role.CCI_REPRESENTATIVE:
            trained = _trained_candidates(member.user, enrolments)
            if trained:
                problems.append(
                    _(
                        "%(user)s : le représentant CCI / établissement ne doit pas avoir formé "
                        "les candidats (a formé %(names)s)."
                    )
                    % {"user": member.user, "names": ", ".join(trained)}
                )
    return problems


def jury_session_compose(*, actor, session) -> JurySession:
    """Declare the jury composed, refused with every reason when it is not regular."""
    _require_staff(actor)
    with transaction.atomic():
        session = _lock(session)
        _require_state(session, JurySession.State.PLANNED)
        problems = composition_problems(session)
        if problems:
            raise WorkflowError(" ".join(problems))
        before = session.state
        session.compose()
        session.save()
        _audit_session(
            actor,
            session,
            "jury_session.compose",
            before,
        )
    return session


def jury_session_reopen_composition(*, actor, session, reason: str) -> JurySession:
    _require_staff(actor)
    if not reason.strip():
        raise WorkflowError(_("Indiquez pourquoi la composition est modifiée."))
    with transaction.atomic():
        session = _lock(session)
        _require_state(session, JurySession.State.COMPOSED)
        before = session.state
        session.reopen_composition()
        session.save()
        _audit_session(actor, session, "jury_session.reopen_composition", before, reason)
    return session


# --- Candidates, soutenances, convocations -----------------------------------------------


def candidate_readiness(enrolment) -> list[str]:
    """Return why the candidate's files are not ready for a jury (empty when they are)."""
    problems = []
    if enrolment.route == Enrolment.Route.PORTEFEUILLE:
        for bloc in enrolment.cohort.title.blocs.order_by("number"):
            portfolio = current_portfolio(enrolment, bloc)
            if portfolio is None:
                continue  # nothing to present for this bloc (validated earlier or not entered)
            if portfolio.state not in (
                Portfolio.State.READY_FOR_JURY,
                Portfolio.State.DECIDED,
                Portfolio.State.NOT_SUBMITTED,
                Portfolio.State.WITHDRAWN,
            ):
                problems.append(
                    _("Bloc %(n)s : portefeuille « %(s)s », pas prêt pour le jury.")
                    % {"n": bloc.number, "s": portfolio.get_state_display()}
                )
    memoire = current_memoire(enrolment)
    if memoire is not None and memoire.state not in (
        Memoire.State.WRITTEN_MARKED,
        Memoire.State.SOUTENANCE_SCHEDULED,
        Memoire.State.SOUTENANCE_MARKED,
        Memoire.State.NOT_SUBMITTED,
    ):
        problems.append(
            _("Mémoire « %(s)s » : l'écrit doit être noté avant la soutenance.")
            % {"s": memoire.get_state_display()}
        )
    if not TutorEvaluation.objects.filter(
        enrolment=enrolment,
        state__in=[TutorEvaluation.State.SUBMITTED, TutorEvaluation.State.LOCKED],
    ).exists():
        problems.append(_("L'évaluation du tuteur n'est pas remise."))
    return problems


def jury_candidate_add(*, actor, session, enrolment) -> SessionCandidate:
    """Put a candidate whose files are ready before the session."""
    _require_staff(actor)
    if enrolment.cohort.title_id != session.title_id:
        raise WorkflowError(_("Ce candidat ne prépare pas le titre de cette session."))
    with transaction.atomic():
        session = _lock(session)
        _require_state(session, JurySession.State.PLANNED, JurySession.State.COMPOSED)
        if session.candidates.filter(enrolment=enrolment).exists():
            raise WorkflowError(_("Ce candidat est déjà inscrit à cette session."))
        problems = candidate_readiness(enrolment)
        if problems:
            raise WorkflowError(
                _("Dossier incomplet pour %(c)s : %(p)s")
                % {"c": enrolment.candidate, "p": " ".join(problems)}
            )
        for member in session.members.filter(role=JuryMember.Role.CCI_REPRESENTATIVE):
            if _trained_candidates(member.user, [enrolment]):
                raise WorkflowError(
                    _(
                        "%(user)s, représentant CCI / établissement de ce jury, a formé ce "
                        "candidat : changez la composition avant de l'inscrire."
                    )
                    % {"user": member.user}
                )
        entry = SessionCandidate.objects.create(session=session, enrolment=enrolment)
        audit_record(
            actor=actor,
            action="jury_session.candidate_add",
            obj=session,
            candidate=enrolment.candidate,
            after={"enrolment": enrolment.pk},
        )
    return entry


def soutenance_grid_version(title):
    grid = Grid.objects.get(title=title, kind=Grid.Kind.SOUTENANCE, bloc=None, epreuve=None)
    return grid.current_version()


def soutenance_schedule(
    *, actor, session, enrolment, starts_at: datetime, base_minutes: int
) -> Soutenance:
    """Give the candidate a soutenance slot; extra time is added when it is granted."""
    _require_staff(actor)
    if base_minutes <= 0:
        raise WorkflowError(_("La durée de la soutenance doit être positive."))
    with transaction.atomic():
        session = _lock(session)
        _require_state(session, JurySession.State.PLANNED, JurySession.State.COMPOSED)
        if not session.candidates.filter(enrolment=enrolment).exists():
            raise WorkflowError(_("Ce candidat n'est pas inscrit à cette session."))
        if timezone.localdate(starts_at) != session.date:
            raise WorkflowError(_("La soutenance a lieu le jour de la session."))
        memoire = current_memoire(enrolment)
        if memoire is None:
            raise WorkflowError(_("Ce candidat n'a pas de mémoire."))
        memoire = Memoire.objects.select_for_update().get(pk=memoire.pk)
        if memoire.state != Memoire.State.WRITTEN_MARKED:
            raise WorkflowError(
                _("Mémoire « %(s)s » : seule un mémoire dont l'écrit est noté se programme.")
                % {"s": memoire.get_state_display()}
            )
        duration = eligibility.accommodated_minutes(
            base_minutes, extra_time=has_extra_time(enrolment)
        )
        memoire.schedule_soutenance()
        memoire.save()
        soutenance = Soutenance.objects.create(
            session=session,
            memoire=memoire,
            starts_at=starts_at,
            base_minutes=base_minutes,
            duration_minutes=duration,
            grid_version=grid_version_freeze(version=soutenance_grid_version(session.title)),
        )
        audit_record(
            actor=actor,
            action="soutenance.schedule",
            obj=memoire,
            candidate=enrolment.candidate,
            before={"state": Memoire.State.WRITTEN_MARKED},
            after={
                "state": memoire.state,
                "starts_at": starts_at.isoformat(),
                "duration_minutes": duration,
            },
        )
    return soutenance


def jury_convocations_send(*, actor, session) -> int:
    """Send every candidate's convocation, at least one month ahead; return how many are new."""
    _require_staff(actor)
    with transaction.atomic():
        session = _lock(session)
        _require_state(session, JurySession.State.COMPOSED)
        answer = eligibility.convocation(exam_date=session.date, sent_on=today())
        if not answer:
            raise WorkflowError(answer.reason)
        sent = 0
        for enrolment in _session_enrolments(session):
            soutenance = Soutenance.objects.filter(
                session=session, memoire__enrolment=enrolment
            ).first()
            context = {
                "candidate": str(enrolment.candidate),
                "date": eligibility.fr_date(session.date),
                "place": session.place,
                "soutenance_time": timezone.localtime(soutenance.starts_at).strftime("%H h %M")
                if soutenance
                else "",
                "duration_minutes": soutenance.duration_minutes if soutenance else None,
                "accommodations": accommodations_text(enrolment),
            }
            if notify(
                key=f"convocation:{session.pk}:{enrolment.pk}",
                recipient=enrolment.candidate,
                template="convocation",
                context=context,
            ):
                sent += 1
                audit_record(
                    actor=actor,
                    action="convocation.send",
                    obj=session,
                    candidate=enrolment.candidate,
                    after={"date": session.date.isoformat()},
                )
    return sent


def _parse_points(version, points: dict) -> dict:
    criteria = {c.pk: c for c in version.criteria.all()}
    parsed = {}
    for criterion in criteria.values():
        raw = points.get(criterion.pk, points.get(str(criterion.pk)))
        if raw in (None, ""):
            raise WorkflowError(_("« %(label)s » : note manquante.") % {"label": criterion.label})
        try:
            value = Decimal(str(raw).replace(",", "."))
        except InvalidOperation:
            raise WorkflowError(
                _("« %(label)s » : la note doit être un nombre.") % {"label": criterion.label}
            ) from None
        if not value.is_finite() or value < 0 or value > criterion.max_points:
            raise WorkflowError(
                _("« %(label)s » : la note doit être comprise entre 0 et %(max)s.")
                % {"label": criterion.label, "max": criterion.max_points}
            )
        parsed[criterion.pk] = value
    return parsed


def soutenance_mark(
    *, actor, soutenance, points: dict | None = None, comment: str = "", presented: bool = True
) -> Soutenance:
    """Record the jury's soutenance mark on the national grid (/75), or the candidate's absence."""
    with transaction.atomic():
        session = _lock(soutenance.session)
        if not is_voting_member(actor, session):
            raise WorkflowError(_("Seuls les membres votants de ce jury notent la soutenance."))
        _require_state(session, JurySession.State.COMPOSED, JurySession.State.DELIBERATING)
        soutenance = Soutenance.objects.select_for_update().get(pk=soutenance.pk)
        memoire = Memoire.objects.select_for_update().get(pk=soutenance.memoire_id)
        if soutenance.marked_at is not None:
            raise WorkflowError(_("Cette soutenance est déjà notée."))
        if memoire.state != Memoire.State.SOUTENANCE_SCHEDULED:
            raise WorkflowError(_("Ce mémoire n'est pas en attente de soutenance."))
        if presented:
            parsed = _parse_points(soutenance.grid_version, points or {})
            for criterion_id, value in parsed.items():
                SoutenanceScore.objects.create(
                    soutenance=soutenance, criterion_id=criterion_id, points=value
                )
            soutenance.total = sum(parsed.values(), Decimal(0))
            memoire.mark_soutenance()
            memoire.save()
        soutenance.presented = presented
        soutenance.comment = comment
        soutenance.marked_by, soutenance.marked_at = actor, audit.now()
        soutenance.save()
        audit_record(
            actor=actor,
            action="soutenance.mark",
            obj=memoire,
            candidate=memoire.enrolment.candidate,
            before={"state": Memoire.State.SOUTENANCE_SCHEDULED},
            after={
                "state": memoire.state,
                "presented": presented,
                "total": None if soutenance.total is None else str(soutenance.total),
            },
        )
    return soutenance


# --- Deliberation ------------------------------------------------------------------------


def jury_deliberation_open(*, actor, session) -> JurySession:
    """The jury sits: open the deliberation and lock the tutors' evaluations."""
    with transaction.atomic():
        session = _lock(session)
        if not (is_president(actor, session) or is_centre_staff(actor)):
            raise WorkflowError(
                _("Le président du jury ou le personnel du centre ouvre la délibération.")
            )
        _require_state(session, JurySession.State.COMPOSED)
        if not session.candidates.exists():
            raise WorkflowError(_("Aucun candidat n'est inscrit à cette session."))
        problems = composition_problems(session)
        if problems:
            raise WorkflowError(" ".join(problems))
        before = session.state
        session.open_deliberation()
        session.save()
        tutor_evaluations_lock(
            actor=actor, enrolments=_session_enrolments(session), session=session
        )
        _audit_session(actor, session, "jury_session.open_deliberation", before)
    return session


def _check_final(snapshot: dict, outcome: str, validated: list[str], file) -> None:
    all_blocs = sorted(snapshot["blocs"], key=rules.bloc_sort_key)
    if outcome not in JuryDecision.Outcome.values:
        raise WorkflowError(_("Décision inconnue."))
    if any(number not in all_blocs for number in validated):
        raise WorkflowError(_("Bloc inconnu dans la liste des blocs validés."))
    if file.fraud and (outcome != rules.OUTCOME_NONE or validated):
        raise WorkflowError(
            _("La fraude est établie : la session est invalidée et aucun bloc n'est validé.")
        )
    if outcome == rules.OUTCOME_TOTAL and validated != all_blocs:
        raise WorkflowError(_("La certification totale valide tous les blocs."))
    if outcome == rules.OUTCOME_PARTIAL and not validated:
        raise WorkflowError(_("Une certification partielle valide au moins un bloc."))
    if outcome == rules.OUTCOME_NONE and validated:
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
        session = _lock(session)
        if not is_president(actor, session):
            raise WorkflowError(_("Le président du jury enregistre les décisions."))
        _require_state(session, JurySession.State.DELIBERATING)
        if not session.candidates.filter(enrolment=enrolment).exists():
            raise WorkflowError(_("Ce candidat n'est pas inscrit à cette session."))
        file = candidate_file(enrolment=enrolment, session=session)
        decision = computed_decision(file)
        if decision is None:
            raise WorkflowError(_("Dossier incomplet : %(m)s") % {"m": " ".join(file.missing)})
        snapshot = decision_snapshot(decision, file)
        validated = sorted({str(n) for n in validated_blocs}, key=rules.bloc_sort_key)
        _check_final(snapshot, outcome, validated, file)
        differs = outcome != snapshot["outcome"] or validated != snapshot["validated_blocs"]
        motive = motive.strip()
        if (differs or snapshot["referred_to_jury"]) and not motive:
            raise WorkflowError(
                _(
                    "Le jury s'écarte de la décision calculée ou statue sur un cas renvoyé : "
                    "indiquez le motif."
                )
                if differs
                else _("Ce cas est renvoyé au jury : indiquez le motif de sa décision.")
            )
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
                "recorded_at": audit.now(),
            },
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


def jury_deliberation_close(*, actor, session, confirm: bool) -> JurySession:
    """Close the deliberation: every result is frozen. The president confirms."""
    with transaction.atomic():
        session = _lock(session)
        if not is_president(actor, session):
            raise WorkflowError(_("Seul le président du jury clôt la délibération."))
        _require_state(session, JurySession.State.DELIBERATING)
        if not confirm:
            raise WorkflowError(
                _("Confirmez la clôture : les résultats seront figés et ne pourront plus changer.")
            )
        recorded = {d.enrolment_id: d for d in JuryDecision.objects.filter(session=session)}
        problems, pending = [], []
        for enrolment in _session_enrolments(session):
            if enrolment.pk in recorded:
                continue
            file = candidate_file(enrolment=enrolment, session=session)
            decision = computed_decision(file)
            if decision is None:
                problems.append(f"{enrolment.candidate} : {' '.join(file.missing)}")
                continue
            snapshot = decision_snapshot(decision, file)
            if snapshot["referred_to_jury"]:
                problems.append(
                    _("%(c)s : cas renvoyé au jury, la décision doit être enregistrée.")
                    % {"c": enrolment.candidate}
                )
                continue
            pending.append((enrolment, snapshot, file))
        if problems:
            raise WorkflowError(_("Clôture impossible : %(p)s") % {"p": " ; ".join(problems)})
        at = audit.now()
        for enrolment, snapshot, file in pending:
            record = JuryDecision.objects.create(
                session=session,
                enrolment=enrolment,
                computed=snapshot,
                outcome=snapshot["outcome"],
                validated_blocs=snapshot["validated_blocs"],
                fraud=file.fraud,
                recorded_by=actor,
                recorded_at=at,
            )
            audit_record(
                actor=actor,
                action="jury_decision.record",
                obj=record,
                candidate=enrolment.candidate,
                after={"outcome": record.outcome, "validated_blocs": record.validated_blocs},
            )
        enrolments = _session_enrolments(session)
        for portfolio in Portfolio.objects.select_for_update().filter(
            enrolment__in=enrolments, is_active=True, state=Portfolio.State.READY_FOR_JURY
        ):
            portfolio.decide()
            portfolio.save()
            audit_record(
                actor=actor,
                action="portfolio.decide",
                obj=portfolio,
                candidate=portfolio.enrolment.candidate,
                before={"state": Portfolio.State.READY_FOR_JURY},
                after={"state": portfolio.state},
            )
        tutor_evaluations_lock(actor=actor, enrolments=enrolments, session=session)
        before = session.state
        session.close()
        session.closed_at = at
        session.save()
        _audit_session(actor, session, "jury_session.close", before)
    return session


def jury_results_publish(*, actor, session) -> JurySession:
    """Publish a closed session's results; each candidate is told once, after commit."""
    with transaction.atomic():
        session = _lock(session)
        if not (is_centre_staff(actor) or is_president(actor, session)):
            raise WorkflowError(
                _("Le personnel du centre ou le président du jury publie les résultats.")
            )
        _require_state(session, JurySession.State.CLOSED)
        disclosure = eligibility.results_disclosure(
            last_exam_date=session.last_exam_date or session.date, on=today()
        )
        before = session.state
        session.publish()
        session.published_at = audit.now()
        session.save()
        _audit_session(
            actor,
            session,
            "jury_session.publish",
            before,
            "" if disclosure.allowed and not disclosure.warning else disclosure.reason,
        )
        for decision in JuryDecision.objects.filter(session=session).select_related(
            "enrolment__candidate"
        ):
            notify(
                key=f"results_published:{session.pk}:{decision.enrolment_id}",
                recipient=decision.enrolment.candidate,
                template="results_published",
                context={
                    "candidate": str(decision.enrolment.candidate),
                    "outcome": decision.get_outcome_display(),
                    "date": eligibility.fr_date(session.date),
                },
            )
    return session
