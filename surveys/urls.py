from django.urls import path

from surveys import views

app_name = "surveys"

urlpatterns = [
    path("", views.staff, name="staff"),
    path("reponses.<str:fmt>", views.answers_export, name="answers_export"),
    path("taux.<str:fmt>", views.rates_export, name="rates_export"),
    path("mes-coordonnees/", views.mine, name="mine"),
    path("r/<str:token>/", views.answer, name="answer"),
    path("r/<str:token>/retrait/", views.withdraw, name="withdraw"),
]
