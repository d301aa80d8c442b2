"""The centre's first look at a submitted portfolio: admissible, or returned with a reason."""

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.notifications import notify
from audit.trail import audit_record
from portfolio.models import Portfolio
from portfolio.services import portfolio_new_version
from workflow.describe import mail_context
from workflow.errors import WorkflowError
from workflow.evaluation import policy
from workflow.transitions import fire, lock, save

NOT_SUBMITTED = _(
    "Ce portefeuille n'est plus en attente d'examen de recevabilité : rechargez la page."
)


def _screener_only(actor, portfolio):
    if not policy.may_evaluate(actor, portfolio):
        raise WorkflowError(_("Seul le personnel du centre peut examiner la recevabilité."))


def portfolio_declare_admissible(*, portfolio: Portfolio, actor) -> Portfolio:
    """Declare a submitted portfolio admissible, ready for an evaluator; return it."""
    _screener_only(actor, portfolio)
    with transaction.atomic():
        portfolio = lock(Portfolio, portfolio.pk)
        if not portfolio.is_active:
            raise WorkflowError(NOT_SUBMITTED)
        before, after = fire(portfolio, "declare_admissible", message=NOT_SUBMITTED)
        save(portfolio)
        audit_record(
            actor=actor,
            action="portfolio.declare_admissible",
            obj=portfolio,
            candidate=portfolio.enrolment.candidate,
            before={"state": before},
            after={"state": after},
        )
        notify(
            key=f"portfolio:{portfolio.pk}:admissible",
            recipient=portfolio.enrolment.candidate,
            template="portfolio_admissible",
            context=mail_context(portfolio),
        )
    return portfolio


def portfolio_return(*, portfolio: Portfolio, actor, reason: str) -> Portfolio:
    """Return a submitted portfolio to its candidate for changes, with ``reason``; return it."""
    _screener_only(actor, portfolio)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(
            _("Indiquez au candidat ce qu'il doit compléter ou corriger."),
            field_errors={"reason": [_("Le motif du renvoi est obligatoire.")]},
        )
    with transaction.atomic():
        portfolio = lock(Portfolio, portfolio.pk)
        if not portfolio.is_active:
            raise WorkflowError(NOT_SUBMITTED)
        before, after = fire(portfolio, "return_for_changes", message=NOT_SUBMITTED)
        portfolio.return_reason = reason
        save(portfolio)
        event = audit_record(
            actor=actor,
            action="portfolio.return",
            obj=portfolio,
            candidate=portfolio.enrolment.candidate,
            before={"state": before},
            after={"state": after},
            reason=reason,
        )
        # The candidate gets a new draft version at once; this one stays readable as it was.
        portfolio_new_version(portfolio=portfolio, actor=actor)
        notify(
            key=f"portfolio:{portfolio.pk}:returned:{event.pk}",
            recipient=portfolio.enrolment.candidate,
            template="portfolio_returned",
            context=mail_context(portfolio, reason=reason, path=reverse("accounts:home")),
        )
    return portfolio
