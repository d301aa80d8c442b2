"""URLs of the tutor's and trainer's screens and the candidate's CC marks (namespace ``jury``,
assembled in ``config/urls.py``)."""

from django.urls import path

from workflow.marks import views

urlpatterns = [
    path("tuteur/", views.tutor_home, name="tutor_home"),
    path("tuteur/<int:pk>/", views.tutor_home, name="tutor_evaluation"),
    path("formateur/", views.trainer_home, name="trainer_home"),
    path("formateur/<int:cohort_id>/<int:module_id>/", views.trainer_marks, name="trainer_marks"),
    path("candidat/cc/", views.candidate_cc, name="candidate_cc"),
]
