"""A background job seen from the browser: the staff start the procès-verbal, the page shows
its progress bar, and the database worker's work shows up (bar full, status, download link)
without the page being reloaded."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from documents.models import IssuedDocument
from jobs.models import Job
from tests.browser import steps
from tests.browser.support import screenshot
from tests.workflow.jury.helpers import jury_timeline, session_with_candidate  # noqa: F401
from workflow.jury import deliberation

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("jury_timeline", "local_storage")]


def test_staff_follow_the_proces_verbal_job_to_its_download_link(page, sign_in, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    session, members, centre, _enrolment = session_with_candidate()
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    sign_in(page, centre)
    page.goto(reverse("documents:session", args=[session.pk]))
    with page.expect_navigation():
        page.get_by_role("button", name="Établir : Procès-verbal du jury").click()
    job = Job.objects.get()
    assert page.url.endswith(f"#job-{job.pk}")
    box = page.locator(f"#job-{job.pk}")
    status = box.locator("[data-job-text]")
    expect(status).to_contain_text("En attente")
    expect(box.get_by_label("Procès-verbal")).to_be_visible()  # the bar, by its label
    expect(box.locator("[data-job-result]")).to_be_hidden()
    expect(box.get_by_role("link", name="Actualiser la progression")).to_be_hidden()  # JS polls
    steps.check_page(page)
    page.evaluate("window.notReloaded = true")

    # The database worker (as `make run` starts it) runs the job while the page is open.
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    link = box.get_by_role("link", name=re.compile("Télécharger"))
    expect(link).to_be_visible()
    expect(status).to_contain_text("Terminé")
    assert page.evaluate("window.notReloaded") is True  # updated in place
    bar = box.locator("progress")
    assert bar.evaluate("(el) => el.value === el.max && el.max > 0")
    document = IssuedDocument.objects.get(kind="proces_verbal")
    assert link.get_attribute("href") == reverse("documents:download", args=[document.reference])
    steps.check_page(page)
    screenshot(page, "travail-proces-verbal-termine")
