from django.urls import path

from workflow.jury import views

app_name = "jury"

urlpatterns = [
    path("tuteur/", views.tutor_home, name="tutor_home"),
    path("tuteur/<int:pk>/", views.tutor_home, name="tutor_evaluation"),
    path("formateur/", views.trainer_home, name="trainer_home"),
    path("formateur/<int:cohort_id>/<int:module_id>/", views.trainer_marks, name="trainer_marks"),
    path("candidat/cc/", views.candidate_cc, name="candidate_cc"),
    path("candidat/resultats/", views.candidate_results, name="candidate_results"),
    path("centre/", views.staff_dashboard, name="staff_dashboard"),
    path("centre/sessions/<int:pk>/", views.staff_session, name="staff_session"),
    path("centre/candidats/<int:pk>/", views.staff_candidate, name="staff_candidate"),
    path(
        "centre/candidats/<int:pk>/amenagements/<int:accommodation_id>/retirer/",
        views.staff_accommodation_remove,
        name="staff_accommodation_remove",
    ),
    path(
        "centre/candidats/<int:pk>/absences/<int:absence_id>/supprimer/",
        views.staff_absence_delete,
        name="staff_absence_delete",
    ),
    path("candidats/<int:pk>/historique/", views.candidate_history, name="candidate_history"),
    path("sessions/", views.jury_home, name="jury_home"),
    path("sessions/<int:pk>/", views.jury_session, name="session"),
    path("sessions/<int:pk>/ouvrir/", views.jury_session_open, name="session_open"),
    path(
        "sessions/<int:pk>/soutenances/<int:soutenance_id>/",
        views.soutenance_mark,
        name="soutenance_mark",
    ),
    path("sessions/<int:pk>/deliberation/", views.deliberation, name="deliberation"),
]
