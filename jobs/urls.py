from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("<int:job_pk>/etat.json", views.status, name="status"),
]
