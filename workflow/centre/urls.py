"""URLs of the centre's screens (namespace ``jury``, assembled in ``config/urls.py``)."""

from django.urls import path

from workflow.centre import views

urlpatterns = [
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
]
