"""The server-error handler: a database outage answers the French 503 page, not a 500.

Django calls ``handler500`` from inside the ``except`` block that caught the uncaught exception,
wherever it was raised (a view, a middleware loading the session, a template), so the exception
is at hand in ``sys.exc_info()``. The 503 page renders without a request context: it needs
neither the database nor the session.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def is_database_outage(error: BaseException | None) -> bool:
    """Return whether ``error``, or an exception it was raised from, is a lost database."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, DATABASE_ERRORS):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False


def database_unavailable(request):
    """Answer 503 with the French page saying the database does not answer, and when to retry."""
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


@requires_csrf_token
def server_error(request, template_name: str = defaults.ERROR_500_TEMPLATE_NAME):
    if is_database_outage(sys.exc_info()[1]):
        return database_unavailable(request)
    return defaults.server_error(request, template_name)
