"""System checks of the portfolio settings: a malformed scanner setting stops the server."""

from django.conf import settings
from django.core.checks import Error, register

from portfolio import scanning


@register()
def virus_scanner_check(app_configs=None, **kwargs):
    """Refuse to start with a PREUVES_VIRUS_SCANNER that names no scanner we can use."""
    try:
        scanning.scanner_from_url(settings.PREUVES_VIRUS_SCANNER)
    except ValueError as error:
        return [
            Error(
                f"PREUVES_VIRUS_SCANNER is invalid: {error}",
                hint="Use clamd://host:3310, clamd:///path/to/clamd.sock or none.",
                id="portfolio.E001",
            )
        ]
    return []
