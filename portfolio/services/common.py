"""What the portfolio services share: the error users can act on, the clock, and the checks of
who acts and of what may still change.

Each service function checks who acts, validates, does its work in one transaction with its audit
row, and queues notifications after commit. Errors the user can act on are ``PortfolioError``
with a French message and, when it belongs to one, the form field it is about.
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from accounts.models import Enrolment
from audit.clock import today
from portfolio.models import Memoire, Portfolio
from portfolio.windows import fr_date


class PortfolioError(Exception):
    """A refusal the user can act on: a French message, a stable code, maybe a form field."""

    def __init__(self, message: str, *, code: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


def _require_candidate(actor, enrolment: Enrolment) -> None:
    if actor is None or actor.pk != enrolment.candidate_id:
        raise PortfolioError(
            _("Seul le candidat peut modifier ou déposer ce dossier."), code="forbidden"
        )


def _require_editable_portfolio(portfolio: Portfolio) -> None:
    if not portfolio.is_active:
        raise PortfolioError(
            _("Cette version du portefeuille est archivée : travaillez sur la version en cours."),
            code="not_active",
        )
    if portfolio.state != Portfolio.State.DRAFT:
        raise PortfolioError(
            _("Ce portefeuille a été déposé : il ne peut plus être modifié."), code="frozen"
        )


def _require_editable_memoire(memoire: Memoire) -> None:
    if not memoire.is_active or memoire.state != Memoire.State.DRAFT:
        raise PortfolioError(
            _("Ce mémoire a été déposé : il ne peut plus être modifié."), code="frozen"
        )


def memoire_deadline_open(memoire: Memoire, *, on: date | None = None) -> bool:
    deadline = memoire.enrolment.cohort.memoire_deadline
    return deadline is None or (on or today()) <= deadline


def _require_memoire_deadline(memoire: Memoire) -> None:
    if not memoire_deadline_open(memoire):
        deadline = memoire.enrolment.cohort.memoire_deadline
        raise PortfolioError(
            _(
                "La date limite de dépôt du mémoire (%(date)s) est dépassée. Contactez le centre "
                "de formation."
            )
            % {"date": fr_date(deadline)},
            code="deadline_passed",
        )
