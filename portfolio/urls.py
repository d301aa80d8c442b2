from django.urls import path

from portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("", views.candidate_home, name="home"),
    path("inscription/<int:pk>/ouvrir/", views.enrolment_start, name="start"),
    path("<int:pk>/", views.portfolio_detail, name="detail"),
    path("<int:pk>/couverture/", views.portfolio_coverage, name="coverage"),
    path("<int:pk>/depot/", views.portfolio_submit, name="submit"),
    path("<int:pk>/nouvelle-version/", views.portfolio_new_version, name="new_version"),
    path("<int:pk>/prolongation/", views.portfolio_extension, name="extension"),
    path("preuves/<int:pk>/modifier/", views.evidence_edit, name="evidence_edit"),
    path("preuves/<int:pk>/retirer/", views.evidence_remove, name="evidence_remove"),
    path("preuves/<int:pk>/fichier/", views.evidence_download, name="evidence_download"),
    path("preuves/<int:pk>/lecture/", views.evidence_read, name="evidence_read"),
    path("preuves/<int:pk>/vignette/", views.evidence_thumbnail, name="evidence_thumbnail"),
    path("memoire/<int:pk>/", views.memoire_detail, name="memoire"),
    path("memoire/<int:pk>/fichier/", views.memoire_download, name="memoire_download"),
    path("memoire/<int:pk>/lecture/", views.memoire_read, name="memoire_read"),
]
