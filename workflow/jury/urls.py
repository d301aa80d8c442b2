"""URLs of the jury's screens and the candidate's results (namespace ``jury``, assembled in
``config/urls.py``)."""

from django.urls import path

from workflow.jury import views

urlpatterns = [
    path("candidat/resultats/", views.candidate_results, name="candidate_results"),
    path("sessions/", views.jury_home, name="jury_home"),
    path("sessions/<int:pk>/", views.jury_session, name="session"),
    path("sessions/<int:pk>/ouvrir/", views.jury_session_open, name="session_open"),
    path(
        "sessions/<int:pk>/soutenances/<int:soutenance_id>/",
        views.soutenance_mark,
        name="soutenance_mark",
    ),
    path("sessions/<int:pk>/deliberation/", views.deliberation, name="deliberation"),
    path(
        "sessions/<int:pk>/deliberation/candidats/<int:enrolment_pk>/",
        views.deliberation_candidate,
        name="deliberation_candidate",
    ),
]
