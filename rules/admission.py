"""Who may take which route, for which blocs, and who may be exempted (RULES §2, source §4).

The source opens the portefeuille de preuves to « les candidats salariés/demandeurs
d'emploi » and lets « les salariés et demandeurs d'emploi qui bénéficient d'un positionnement »
be exempted; candidates « issus de la formation » (apprentices) sit the bloc épreuves. The
title is acquired « par blocs séparés » or « dans son intégralité ».
"""

from __future__ import annotations

SALARIE = "salarie"
DEMANDEUR_EMPLOI = "demandeur_emploi"
APPRENTI = "apprenti"
STATUSES = (SALARIE, DEMANDEUR_EMPLOI, APPRENTI)

ROUTE_EPREUVES = "epreuves"
ROUTE_PORTEFEUILLE = "portefeuille"

# The statuses the source names for the portfolio route and for exemptions.
PORTFOLIO_STATUSES = frozenset({SALARIE, DEMANDEUR_EMPLOI})
EXEMPTION_STATUSES = PORTFOLIO_STATUSES

# Why an admission is refused (the services word them in French).
ROUTE_NOT_OPEN = "route_not_open"
UNKNOWN_BLOC = "unknown_bloc"


def admission_error(
    *, status: str, route: str, blocs: frozenset[str], title_blocs: frozenset[str]
) -> str | None:
    """Return why this admission is refused, or None when the source allows it.

    ``blocs`` are the numbers of the blocs enrolled for; empty means the whole title.
    """
    if status not in STATUSES:
        raise ValueError(f"Unknown status {status!r}.")
    if route == ROUTE_PORTEFEUILLE and status not in PORTFOLIO_STATUSES:
        return ROUTE_NOT_OPEN
    if not blocs <= title_blocs:
        return UNKNOWN_BLOC
    return None


def enrolled_blocs(blocs: frozenset[str], title_blocs: frozenset[str]) -> frozenset[str]:
    """Return the blocs a candidate sits: those listed, or every bloc of the title."""
    return blocs or title_blocs


def may_be_exempted(status: str) -> bool:
    """Return True when the positionnement may exempt a candidate of this status."""
    return status in EXEMPTION_STATUSES
