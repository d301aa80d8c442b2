"""Every change to portfolios, evidence and mémoires: one function per business action, in
``uploads`` (files, storage, evidence) and ``submission`` (start, window, submit, manifests)."""

from portfolio.services.common import PortfolioError as PortfolioError
from portfolio.services.common import memoire_deadline_open as memoire_deadline_open
from portfolio.services.submission import MANIFEST_FORMAT as MANIFEST_FORMAT
from portfolio.services.submission import MEMOIRE_DECLARATION as MEMOIRE_DECLARATION
from portfolio.services.submission import PORTFOLIO_DECLARATION as PORTFOLIO_DECLARATION
from portfolio.services.submission import Coverage as Coverage
from portfolio.services.submission import CoverageLine as CoverageLine
from portfolio.services.submission import canonical_json as canonical_json
from portfolio.services.submission import manifest_digest as manifest_digest
from portfolio.services.submission import memoire_submit as memoire_submit
from portfolio.services.submission import portfolio_coverage as portfolio_coverage
from portfolio.services.submission import portfolio_deadline as portfolio_deadline
from portfolio.services.submission import portfolio_extension_grant as portfolio_extension_grant
from portfolio.services.submission import portfolio_new_version as portfolio_new_version
from portfolio.services.submission import portfolio_start as portfolio_start
from portfolio.services.submission import portfolio_submit as portfolio_submit
from portfolio.services.submission import portfolio_window as portfolio_window
from portfolio.services.submission import portfolio_window_bounds as portfolio_window_bounds
from portfolio.services.submission import portfolios_coverage as portfolios_coverage
from portfolio.services.uploads import MEMOIRE_KINDS as MEMOIRE_KINDS
from portfolio.services.uploads import download_record as download_record
from portfolio.services.uploads import evidence_remove as evidence_remove
from portfolio.services.uploads import evidence_update as evidence_update
from portfolio.services.uploads import evidence_upload as evidence_upload
from portfolio.services.uploads import file_title as file_title
from portfolio.services.uploads import memoire_limits as memoire_limits
from portfolio.services.uploads import memoire_upload as memoire_upload
from portfolio.services.uploads import stored_name_in_use as stored_name_in_use
from portfolio.services.uploads import upload_limits as upload_limits

__all__ = [
    "file_title",
    "MEMOIRE_DECLARATION",
    "PORTFOLIO_DECLARATION",
    "Coverage",
    "PortfolioError",
    "evidence_remove",
    "evidence_update",
    "evidence_upload",
    "memoire_submit",
    "memoire_upload",
    "portfolio_coverage",
    "portfolios_coverage",
    "portfolio_extension_grant",
    "portfolio_new_version",
    "portfolio_start",
    "portfolio_submit",
    "portfolio_window",
    "portfolio_window_bounds",
]
