"""Downloads of the stored files that higher packages keep (the workflow's marked papers)."""

from portfolio.models import ScanStatus
from portfolio.views import _infected, _serve


def stored_file_download(request, stored, record):
    """Answer the download of a stored file whose access the caller checked: refused when found
    infected, else ``record()`` (its audit line) and the file, as an attachment."""
    if stored.scan_status == ScanStatus.INFECTED:
        return _infected(request, stored)
    record()
    return _serve(stored.file.name, stored.content_type, stored.original_name, inline=False)
