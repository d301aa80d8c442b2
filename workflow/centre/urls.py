"""URLs of the centre's screens (namespace ``jury``, assembled in ``config/urls.py``)."""

from django.urls import path

from workflow.centre import assiduity, lists, second_chances, sitting_views, views

urlpatterns = [
    path("centre/", views.staff_dashboard, name="staff_dashboard"),
    path("centre/candidats/", lists.staff_candidates, name="staff_candidates"),
    path("centre/sessions/", lists.staff_sessions, name="staff_sessions"),
    path("centre/sessions/<int:pk>/", views.staff_session, name="staff_session"),
    path(
        "centre/sessions/<int:pk>/candidats-prets/",
        lists.staff_session_ready,
        name="staff_session_ready",
    ),
    path(
        "centre/sessions/<int:pk>/candidats-prets/ajouter/",
        lists.staff_session_ready_add,
        name="staff_session_ready_add",
    ),
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
    path(
        "centre/candidats/<int:pk>/secondes-chances/",
        second_chances.staff_second_chances,
        name="staff_second_chances",
    ),
    path(
        "centre/promotions/<int:cohort_id>/assiduite/",
        assiduity.staff_assiduity,
        name="staff_assiduity",
    ),
    path("centre/epreuves/", sitting_views.staff_sittings, name="staff_sittings"),
    path("centre/epreuves/<int:pk>/", sitting_views.staff_sitting, name="staff_sitting"),
    path("candidats/<int:pk>/historique/", views.candidate_history, name="candidate_history"),
]
