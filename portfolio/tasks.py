"""Background tasks of the portfolio app (Django's tasks API, through django-tasks)."""

from dataclasses import asdict

from django_tasks import task

from portfolio.services.rescan import rescan_held_files


@task()
def rescan_held_files_task() -> dict:
    """Scan again the held and never-scanned files; return the run's report."""
    return asdict(rescan_held_files())
