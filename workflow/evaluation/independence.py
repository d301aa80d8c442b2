"""Who may evaluate whom: independence from the candidate, checked from recorded data.

RULES §2: the portfolio goes to an evaluator "who took no part in the candidate's training or
accompaniment". The software refuses, with the reason, an evaluator who trained the candidate
(taught any module to a cohort they were enrolled in), accompanied them, is their tutor, works
for their company, or has declared a conflict of interest with them.
"""

from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.models import (
    Accompaniment,
    ConflictDeclaration,
    Enrolment,
    Role,
    TrainingLink,
    User,
)
from portfolio.models import Portfolio
from workflow.models import Assignment

OPEN_ASSIGNMENT_STATES = [Assignment.State.PROPOSED, Assignment.State.ACCEPTED]
LIVE_ASSIGNMENT_STATES = [*OPEN_ASSIGNMENT_STATES, Assignment.State.COMPLETED]


@dataclass
class _CandidateLinks:
    """Everything recorded about the people linked to one candidate, read once."""

    candidate_id: int
    company_ids: set[int]
    tutor_ids: set[int]
    trainings: dict[int, list[str]] = field(default_factory=dict)
    accompanists: set[int] = field(default_factory=set)
    conflicts: dict[int, str] = field(default_factory=dict)


def _candidate_links(enrolment) -> _CandidateLinks:
    candidate = enrolment.candidate
    enrolments = list(Enrolment.objects.filter(candidate=candidate).select_related("company"))
    if enrolment.pk not in {e.pk for e in enrolments}:
        enrolments.append(enrolment)
    links = _CandidateLinks(
        candidate_id=candidate.pk,
        company_ids={e.company_id for e in enrolments if e.company_id},
        tutor_ids={e.tutor_id for e in enrolments if e.tutor_id},
    )
    cohort_ids = {e.cohort_id for e in enrolments}
    for link in TrainingLink.objects.filter(cohort_id__in=cohort_ids).select_related(
        "module", "cohort"
    ):
        links.trainings.setdefault(link.trainer_id, []).append(
            f"{link.module.code} ({link.cohort.name})"
        )
    links.accompanists = set(
        Accompaniment.objects.filter(candidate=candidate).values_list("accompanist_id", flat=True)
    )
    links.conflicts = dict(
        ConflictDeclaration.objects.filter(candidate=candidate).values_list(
            "evaluator_id", "reason"
        )
    )
    return links


def _problems(evaluator, links: _CandidateLinks) -> list[str]:
    problems = []
    if not evaluator.is_active:
        problems.append(_("Ce compte est désactivé."))
    if not evaluator.has_role(Role.EVALUATEUR):
        problems.append(_("Cette personne n'a pas le rôle d'évaluateur."))
    if evaluator.pk == links.candidate_id:
        problems.append(_("Un candidat ne peut pas évaluer son propre dossier."))
    if evaluator.pk in links.trainings:
        problems.append(
            _("A formé ce candidat (module %(modules)s).")
            % {"modules": ", ".join(sorted(links.trainings[evaluator.pk]))}
        )
    if evaluator.pk in links.accompanists:
        problems.append(_("A accompagné ce candidat (accompagnement ou VAE)."))
    if evaluator.pk in links.tutor_ids:
        problems.append(_("Est le tuteur de ce candidat en entreprise."))
    if evaluator.employer_id and evaluator.employer_id in links.company_ids:
        problems.append(
            _("Travaille pour l'entreprise du candidat (%(company)s).")
            % {"company": evaluator.employer}
        )
    if evaluator.pk in links.conflicts:
        problems.append(
            _("A déclaré un conflit d'intérêts avec ce candidat : %(reason)s")
            % {"reason": links.conflicts[evaluator.pk]}
        )
    return problems


def independence_problems(evaluator, enrolment) -> list[str]:
    """Return why ``evaluator`` may not evaluate the candidate of ``enrolment`` (empty if fit)."""
    return _problems(evaluator, _candidate_links(enrolment))


def target_enrolment(target):
    return target.enrolment


def _target_filter(target) -> Q:
    if isinstance(target, Portfolio):
        return Q(portfolio=target)
    return Q(memoire=target)


def _live_pairs(target) -> set[tuple[int, int]]:
    """Return (evaluator id, rank) of the assignments on ``target`` that still count."""
    return set(
        Assignment.objects.filter(_target_filter(target))
        .exclude(state__in=[Assignment.State.DECLINED, Assignment.State.WITHDRAWN])
        .values_list("evaluator_id", "rank")
    )


def _rank_problems(evaluator_id: int, live: set[tuple[int, int]], rank: int) -> list[str]:
    if rank == Assignment.Rank.SECOND and (evaluator_id, Assignment.Rank.FIRST) in live:
        return [
            _("A réalisé la première évaluation : la seconde doit venir d'un autre évaluateur.")
        ]
    if (evaluator_id, rank) in live:
        return [_("Est déjà affecté à ce dossier.")]
    return []


def target_problems(evaluator, target, *, rank: int) -> list[str]:
    """Return the problems specific to this portfolio or mémoire and this rank."""
    return _rank_problems(evaluator.pk, _live_pairs(target), rank)


def assignment_problems(evaluator, target, *, rank: int = 1) -> list[str]:
    """Return every reason to refuse ``evaluator`` on ``target`` at ``rank``."""
    return independence_problems(evaluator, target_enrolment(target)) + target_problems(
        evaluator, target, rank=rank
    )


@dataclass
class EvaluatorOption:
    """One evaluator as the assignment page shows them: load and any reason for refusal."""

    user: User
    open_assignments: int
    problems: list[str]
    declined_before: bool = False

    @property
    def eligible(self) -> bool:
        return not self.problems


def evaluator_options(target, *, rank: int = 1) -> list[EvaluatorOption]:
    """Return every active evaluator with their open workload and their refusal reasons.

    Eligible evaluators come first, least loaded first; an evaluator who already declined this
    file comes after the others who are eligible.
    """
    links = _candidate_links(target_enrolment(target))
    evaluators = (
        User.objects.with_role(Role.EVALUATEUR)
        .annotate(
            open_assignments=Count(
                "assignments", filter=Q(assignments__state__in=OPEN_ASSIGNMENT_STATES)
            )
        )
        .prefetch_related("user_roles")
        .select_related("employer")
        .order_by("last_name", "first_name")
    )
    declined = set(
        Assignment.objects.filter(
            _target_filter(target), state=Assignment.State.DECLINED
        ).values_list("evaluator_id", flat=True)
    )
    live = _live_pairs(target)
    options = []
    for evaluator in evaluators:
        evaluator._role_cache = {r.role for r in evaluator.user_roles.all()}
        problems = _problems(evaluator, links) + _rank_problems(evaluator.pk, live, rank)
        options.append(
            EvaluatorOption(
                user=evaluator,
                open_assignments=evaluator.open_assignments,
                problems=problems,
                declined_before=evaluator.pk in declined,
            )
        )
    options.sort(
        key=lambda o: (
            not o.eligible,
            o.declined_before,
            o.open_assignments,
            o.user.last_name,
            o.user.first_name,
        )
    )
    return options


def evaluator_suggest(target, *, rank: int = 1) -> list[User]:
    """Return the eligible evaluators for ``target``, least open workload first."""
    return [o.user for o in evaluator_options(target, rank=rank) if o.eligible]
