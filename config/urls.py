from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("documents/", include("documents.urls")),
    path("portefeuilles/", include("portfolio.urls")),
    path("jury/", include("workflow.jury.urls")),
    path("evaluation/", include("workflow.evaluation.urls")),
    path("", include("accounts.urls")),
]
