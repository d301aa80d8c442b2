from django.contrib import admin
from django.urls import include, path
from django.views.decorators.http import require_safe

from config import health
from workflow.centre import urls as centre_urls
from workflow.jury import urls as jury_urls
from workflow.marks import urls as marks_urls

# The tutor's, trainer's, centre's and jury's screens live in three workflow sub-packages but
# share one URL prefix and the namespace "jury" they had before the split, so no URL changed.
jury_namespace = (
    [*marks_urls.urlpatterns, *centre_urls.urlpatterns, *jury_urls.urlpatterns],
    "jury",
)

urlpatterns = [
    # Answered by config.health.HealthCheckMiddleware before any other middleware; named here
    # so that they resolve like every other page.
    path("healthz", require_safe(health.healthz), name="healthz"),
    path("readyz", require_safe(health.readyz), name="readyz"),
    path("admin/", admin.site.urls),
    path("documents/", include("documents.urls")),
    path("travaux/", include("jobs.urls")),
    path("centre/", include("centres.urls")),
    path("enquetes/", include("surveys.urls")),
    path("portefeuilles/", include("portfolio.urls")),
    path("jury/", include(jury_namespace)),
    path("evaluation/", include("workflow.evaluation.urls")),
    path("", include("accounts.urls")),
]

# A database outage answers the French 503 page; any other uncaught error the 500 page.
handler500 = "config.errors.server_error"
