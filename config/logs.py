"""Request IDs in every log line, and an optional JSON log format.

nginx gives each request an ID (``$request_id``) and passes it in ``X-Request-ID``; the
middleware below keeps it for the time of the request (or makes one when the request came
without a usable ID), returns it in the response's ``X-Request-ID`` and lets every log line
written meanwhile carry it, so that the proxy's line, gunicorn's access line and the
application's own lines of one request can be found together.

``DJANGO_LOG_FORMAT=json`` writes one JSON object per line (time, level, logger, message,
request_id, and the traceback of an exception), for log collectors.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

from django.core.signals import request_finished

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
NO_REQUEST = "-"
# What an ID from the proxy may look like: nginx's 32 hex digits, a UUID, or any short token;
# anything else (too long, spaces, control characters) is replaced by a fresh ID.
USABLE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "preuves_request_id", default=NO_REQUEST
)


def request_id_from(meta) -> str:
    """Return the request's ID as the proxy gave it, or a fresh one."""
    given = meta.get(META_KEY, "")
    if USABLE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def forget_request_id(**kwargs) -> None:
    current_request_id.set(NO_REQUEST)


class RequestIdMiddleware:
    """Keep the request's ID for the log lines written while it runs; return it in a header.

    The ID stays set until the response is closed (``request_finished``): Django writes its
    « Not Found » and error lines after the middleware has returned.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        request_finished.connect(forget_request_id, dispatch_uid="preuves.forget_request_id")

    def __call__(self, request):
        request_id = request_id_from(request.META)
        request.request_id = request_id
        current_request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Give every record a ``request_id`` attribute ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        status = getattr(record, "status_code", None)
        if isinstance(status, int):
            entry["status"] = status
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def logging_config(*, level: str, tasks_level: str, json_lines: bool) -> dict:
    """Return the LOGGING setting: one line per event, with its request ID.

    Django's default configuration gives the "django" logger a console handler of its own;
    beside the root's, every django.* line (a 404's « Not Found », a 500's traceback) printed
    twice. Naming "django" here drops that handler (its lines reach the root's once), and resets
    its children, so runserver's request lines ("django.server") get back their own handler and
    format, without propagating.
    """
    console_format = "json" if json_lines else "text"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "config.logs.RequestIdFilter"}},
        "formatters": {
            "text": {"format": "{levelname} {name} [{request_id}] {message}", "style": "{"},
            "json": {"()": "config.logs.JsonFormatter"},
            "django.server": {
                "()": "django.utils.log.ServerFormatter",
                "format": "[{server_time}] {message}",
                "style": "{",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": console_format,
            },
            "django.server": {
                "class": "logging.StreamHandler",
                "filters": ["request_id"],
                "formatter": "json" if json_lines else "django.server",
            },
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django": {"level": level},
            "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
            "django_tasks": {"level": tasks_level},
            # WeasyPrint reports every rendering step at INFO.
            "weasyprint": {"level": "WARNING"},
            "weasyprint.progress": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
        },
    }
