from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from jobs.access import job_may_see
from jobs.models import Job
from jobs.selectors import job_status


@login_required
@require_GET
def status(request, job_pk):
    """The job's progress as JSON, polled by static/js/jobs.js; anyone else gets a 404."""
    job = get_object_or_404(Job, pk=job_pk)
    if not job_may_see(request.user, job):
        raise Http404
    response = JsonResponse(job_status(job))
    response["Cache-Control"] = "no-store"
    return response
