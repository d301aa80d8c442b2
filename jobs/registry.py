"""Which handler runs each kind of job. Upper layers register theirs in ``AppConfig.ready``.

A handler is ``handler(job, progress) -> dict``: it does the job's work, idempotently (a job
interrupted and run again must skip what was done and duplicate nothing), reports its progress
through ``progress.total(n)`` and ``progress.advance(k)``, and returns the result the page
offers when the job is done (``{"url": ..., "label": ...}``). It raises ``JobFailed`` with a
French message for a failure the user should read.
"""

from collections.abc import Callable

_HANDLERS: dict[str, Callable] = {}


class JobFailed(Exception):
    """The job cannot be done; its message (French) is shown on the page."""


def job_handler_register(kind: str, handler: Callable) -> None:
    """Register ``handler`` for the jobs of ``kind`` (once: a second, different one is a bug)."""
    registered = _HANDLERS.setdefault(kind, handler)
    if registered is not handler:
        raise ValueError(f"A handler is already registered for the jobs of kind {kind!r}.")


def job_handler(kind: str) -> Callable | None:
    return _HANDLERS.get(kind)
