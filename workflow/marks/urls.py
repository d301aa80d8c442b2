"""URLs of the tutor's and trainer's screens and the candidate's CC marks (namespace ``jury``,
assembled in ``config/urls.py``)."""

from django.urls import path

from workflow.marks import cc_views, views

urlpatterns = [
    path("tuteur/", views.tutor_home, name="tutor_home"),
    path("tuteur/<int:pk>/", views.tutor_home, name="tutor_evaluation"),
    path("tuteur/<int:pk>/champ/", views.tutor_field, name="tutor_field"),
    path("formateur/", views.trainer_home, name="trainer_home"),
    path("formateur/<int:cohort_id>/<int:module_id>/", views.trainer_marks, name="trainer_marks"),
    path(
        "formateur/<int:cohort_id>/<int:module_id>/grille/",
        cc_views.cc_grid_page,
        name="cc_grid",
    ),
    path(
        "formateur/<int:cohort_id>/<int:module_id>/grille/cellule/",
        cc_views.cc_grid_cell,
        name="cc_grid_cell",
    ),
    path(
        "formateur/<int:cohort_id>/<int:module_id>/import/",
        cc_views.cc_import_page,
        name="cc_import",
    ),
    path(
        "formateur/<int:cohort_id>/<int:module_id>/import/confirmer/",
        cc_views.cc_import_confirm,
        name="cc_import_confirm",
    ),
    path("candidat/cc/", views.candidate_cc, name="candidate_cc"),
]
