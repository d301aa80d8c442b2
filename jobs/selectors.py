"""What the pages read of the jobs: the latest job of each key, and its status as JSON."""

from django.db.models import Max, Subquery
from django.urls import reverse

from jobs.models import Job


def latest_jobs(keys) -> dict[str, Job]:
    """Return the most recent job of each of ``keys`` that has one (one query)."""
    last = (
        Job.objects.filter(key__in=list(keys)).values("key").annotate(last=Max("pk")).values("last")
    )
    return {job.key: job for job in Job.objects.filter(pk__in=Subquery(last))}


def job_status(job: Job) -> dict:
    """Return what the progress widget shows of ``job`` (the JSON the page polls)."""
    return {
        "id": job.pk,
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "finished": job.finished,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "message": job.message,
        "error": job.error,
        "result": (
            {"url": job.result.get("url", ""), "label": job.result.get("label", "")}
            if job.state == Job.State.DONE
            else {}
        ),
        "status_url": reverse("jobs:status", args=[job.pk]),
    }
