"""Jury sessions: creation, members and composition, candidates and readiness, convocations.

Each service checks who acts, locks the session row, runs its django-fsm transition, writes the
audit trail in the same transaction and queues e-mail for after the commit. Every rule of the
règlement comes from ``rules.eligibility`` and every decision from ``rules.engine``; the
soutenances and the deliberation are in ``soutenances`` and ``deliberation`` beside this module.
"""

from datetime import date

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_establishments, staff_may
from accounts.models import Cohort, Enrolment, Role, TrainingLink
from audit import clock, ics
from audit.clock import today
from audit.notifications import notify_many
from audit.trail import audit_event, audit_record, audit_record_many
from portfolio.models import Memoire, Portfolio
from portfolio.services import portfolio_window
from rules import eligibility
from workflow.errors import WorkflowError
from workflow.jury import agenda
from workflow.jury.accommodations import accommodations_texts
from workflow.jury.falsification import falsification_ban_check
from workflow.jury.results import current_memoire, current_portfolio
from workflow.models import (
    JuryMember,
    JurySession,
    SessionCandidate,
    Soutenance,
    TutorEvaluation,
)


def require_certification(actor, obj) -> None:
    """Refuse anyone but the responsable de la certification of ``obj``'s establishment."""
    if not staff_may(actor, obj, Duty.CERTIFICATION):
        raise WorkflowError(
            _(
                "Cette action est réservée au responsable du processus de certification de "
                "l'établissement."
            )
        )


def session_lock(session) -> JurySession:
    return JurySession.objects.select_for_update().get(pk=session.pk)


def session_require_state(session, *states) -> None:
    if session.state not in states:
        raise WorkflowError(
            _("La session est « %(state)s » : cette action n'est pas possible maintenant.")
            % {"state": session.get_state_display()}
        )


def session_audit(actor, session, action, before, reason=""):
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
    if establishment is None or establishment.pk not in staff_establishments(
        actor, Duty.CERTIFICATION
    ):
        raise WorkflowError(
            _(
                "Cette action est réservée au responsable du processus de certification de "
                "l'établissement."
            )
        )
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
    require_certification(actor, session)
    if role not in JuryMember.Role.values:
        raise WorkflowError(_("Rôle de jury inconnu."))
    if not user.has_role(Role.JURY):
        raise WorkflowError(_("%(user)s n'a pas le rôle de membre de jury.") % {"user": user})
    with transaction.atomic():
        session = session_lock(session)
        session_require_state(session, JurySession.State.PLANNED)
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
    require_certification(actor, member)
    with transaction.atomic():
        session = session_lock(member.session)
        session_require_state(session, JurySession.State.PLANNED)
        audit_record(
            actor=actor,
            action="jury_member.remove",
            obj=session,
            before={"user": member.user_id, "role": member.role},
        )
        member.delete()


def session_enrolments(session) -> list[Enrolment]:
    return [
        entry.enrolment
        for entry in session.candidates.select_related("enrolment__candidate", "enrolment__cohort")
    ]


def _observer_sponsors(session) -> set[int]:
    cohorts = Cohort.objects.filter(
        enrolments__jury_entries__session=session
    ) | Cohort.objects.filter(establishment=session.establishment)
    return {pk for pk in cohorts.values_list("sponsor_id", flat=True) if pk}


def _sponsored_cohorts(session) -> list[Cohort]:
    """Return the sponsored cohorts (an establishment's first two) among the candidates."""
    return list(
        Cohort.objects.filter(enrolments__jury_entries__session=session, sponsor__isnull=False)
        .select_related("sponsor")
        .distinct()
        .order_by("name", "pk")
    )


def _observer_employers(members) -> set[int]:
    return {
        member.user.employer_id
        for member in members
        if member.role == JuryMember.Role.OBSERVER and member.user.employer_id
    }


def _missing_sponsor_observer(cohort, observer_employers) -> str | None:
    """Return why a sponsored cohort's jury is irregular without its sponsor's observer."""
    if cohort.sponsor_id in observer_employers:
        return None
    return _(
        "La promotion « %(cohort)s » est un cycle parrainé par %(sponsor)s : le jury doit "
        "compter un observateur de cet établissement parrain."
    ) % {"cohort": cohort.name, "sponsor": cohort.sponsor}


def composition_problems(session) -> list[str]:
    """Return every reason the session's jury may not sit as composed (empty when it may)."""
    members = list(session.members.select_related("user__employer"))
    problems = []
    answer = eligibility.jury_composition(roles=[m.role for m in members])
    if not answer:
        problems.append(answer.reason)
    observer_employers = _observer_employers(members)
    for cohort in _sponsored_cohorts(session):
        missing = _missing_sponsor_observer(cohort, observer_employers)
        if missing:
            problems.append(missing)
    enrolments = session_enrolments(session)
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
    require_certification(actor, session)
    with transaction.atomic():
        session = session_lock(session)
        session_require_state(session, JurySession.State.PLANNED)
        problems = composition_problems(session)
        if problems:
            raise WorkflowError(" ".join(problems))
        before = session.state
        session.compose()
        session.save()
        session_audit(
            actor,
            session,
            "jury_session.compose",
            before,
        )
    return session


def jury_session_reopen_composition(*, actor, session, reason: str) -> JurySession:
    require_certification(actor, session)
    if not reason.strip():
        raise WorkflowError(_("Indiquez pourquoi la composition est modifiée."))
    with transaction.atomic():
        session = session_lock(session)
        session_require_state(session, JurySession.State.COMPOSED)
        before = session.state
        session.reopen_composition()
        session.save()
        session_audit(actor, session, "jury_session.reopen_composition", before, reason)
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


def candidate_window_problems(enrolment, session) -> list[str]:
    """Return why the session's date is outside the candidate's window (empty when inside).

    Only the portfolio route has a window (RULES.md §2): each portfolio first presented at this
    session is judged on the session's date by the rule used at submission, an extension granted
    included. The règlement sets none for the épreuves route, and a retake (a later attempt)
    keeps to the retake's own dates.
    """
    if enrolment.route != Enrolment.Route.PORTEFEUILLE:
        return []
    blocs_by_reason: dict[str, list[str]] = {}
    for bloc in enrolment.cohort.title.blocs.order_by("number"):
        portfolio = current_portfolio(enrolment, bloc)
        if portfolio is None or portfolio.attempt > 1:
            continue
        if portfolio.state != Portfolio.State.READY_FOR_JURY:
            continue
        answer = portfolio_window(portfolio, on=session.date)
        if not answer:
            blocs_by_reason.setdefault(answer.reason, []).append(str(bloc.number))
    return [
        _("Bloc(s) %(blocs)s : %(reason)s") % {"blocs": ", ".join(blocs), "reason": reason}
        for reason, blocs in blocs_by_reason.items()
    ]


def jury_candidate_add(*, actor, session, enrolment, derogation: str = "") -> SessionCandidate:
    """Put a candidate whose files are ready before the session.

    Outside the candidate's window (``candidate_window_problems``) they join only with a
    derogation: the reason the certification staff give, kept on the entry and audited.
    """
    require_certification(actor, session)
    if enrolment.cohort.establishment_id != session.establishment_id:
        raise WorkflowError(
            _("Ce candidat n'est pas inscrit dans l'établissement de cette session.")
        )
    if enrolment.cohort.title_id != session.title_id:
        raise WorkflowError(_("Ce candidat ne prépare pas le titre de cette session."))
    with transaction.atomic():
        session = session_lock(session)
        session_require_state(session, JurySession.State.PLANNED, JurySession.State.COMPOSED)
        if session.candidates.filter(enrolment=enrolment).exists():
            raise WorkflowError(_("Ce candidat est déjà inscrit à cette session."))
        falsification_ban_check(enrolment.candidate, on=clock.today())
        problems = candidate_readiness(enrolment)
        if problems:
            raise WorkflowError(
                _("Dossier incomplet pour %(c)s : %(p)s")
                % {"c": enrolment.candidate, "p": " ".join(problems)}
            )
        if session.state == JurySession.State.COMPOSED and enrolment.cohort.sponsor_id:
            observers = session.members.filter(role=JuryMember.Role.OBSERVER)
            missing = _missing_sponsor_observer(
                enrolment.cohort, _observer_employers(observers.select_related("user"))
            )
            if missing:
                raise WorkflowError(
                    missing + " " + _("Rouvrez la composition avant d'inscrire ce candidat.")
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
        outside = candidate_window_problems(enrolment, session)
        derogation = derogation.strip() if outside else ""
        if outside and not derogation:
            raise WorkflowError(
                _(
                    "Le jury du %(date)s est hors de la période de présentation de "
                    "%(candidate)s. %(problems)s Inscrivez ce candidat à une session de sa "
                    "période, ou indiquez le motif d'une dérogation."
                )
                % {
                    "date": eligibility.fr_date(session.date),
                    "candidate": enrolment.candidate,
                    "problems": " ".join(outside),
                },
                field_errors={
                    "derogation": [_("Hors période : indiquez le motif de la dérogation.")]
                },
            )
        entry = SessionCandidate.objects.create(
            session=session,
            enrolment=enrolment,
            derogation_reason=derogation,
            derogation_by=actor if derogation else None,
        )
        audit_record(
            actor=actor,
            action="jury_session.candidate_add",
            obj=session,
            candidate=enrolment.candidate,
            after={"enrolment": enrolment.pk, "outside_window": outside},
            reason=derogation,
        )
    return entry


def jury_convocations_send(*, actor, session) -> int:
    """Send every candidate's convocation, at least one month ahead; return how many are new."""
    require_certification(actor, session)
    with transaction.atomic():
        session = session_lock(session)
        session_require_state(session, JurySession.State.COMPOSED)
        answer = eligibility.convocation(exam_date=session.date, sent_on=today())
        if not answer:
            raise WorkflowError(answer.reason)
        enrolments = session_enrolments(session)
        # One query for the slots, one for the accommodations, one insert for the e-mails and
        # one for the audit lines, however many candidates the session convokes.
        slots: dict[int, Soutenance] = {}
        for soutenance in Soutenance.objects.filter(
            session=session, memoire__enrolment__in=enrolments
        ).select_related("memoire"):
            slots.setdefault(soutenance.memoire.enrolment_id, soutenance)
        texts = accommodations_texts(enrolments)
        keys = {e.pk: agenda.convocation_key(session, e) for e in enrolments}
        new_keys = set(
            notify_many(
                [
                    {
                        "key": keys[e.pk],
                        "recipient": e.candidate,
                        "template": "convocation",
                        "context": _convocation_context(session, e, slots.get(e.pk), texts[e.pk]),
                    }
                    for e in enrolments
                ]
            )
        )
        object_type = ContentType.objects.get_for_model(JurySession)
        audit_record_many(
            [
                audit_event(
                    actor=actor,
                    action="convocation.send",
                    obj=session,
                    object_type=object_type,
                    candidate=e.candidate,
                    after={"date": session.date.isoformat()},
                )
                for e in enrolments
                if keys[e.pk] in new_keys
            ]
        )
    return len(new_keys)


def _convocation_context(session, enrolment, soutenance, accommodations: list[str]) -> dict:
    return {
        "candidate": str(enrolment.candidate),
        "date": eligibility.fr_date(session.date),
        "place": session.place,
        "soutenance_time": timezone.localtime(soutenance.starts_at).strftime("%H h %M")
        if soutenance
        else "",
        "duration_minutes": soutenance.duration_minutes if soutenance else None,
        "accommodations": accommodations,
        "path": agenda.convocation_path(session, enrolment),
        "attachments": [
            {
                "filename": "convocation.ics",
                "content": ics.calendar(
                    [agenda.convocation_event(session, enrolment, soutenance)],
                    name="Convocation",
                    now=clock.now(),
                ),
                "mimetype": "text/calendar",
            }
        ],
    }


# --- Deliberation ------------------------------------------------------------------------
