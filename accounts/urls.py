from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import notifications, views

app_name = "accounts"

urlpatterns = [
    path("", views.PreuvesLoginView.as_view(), name="login"),
    path("connexion/", views.PreuvesLoginView.as_view(), name="login-alias"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("accueil/", views.home, name="home"),
    path(
        "mot-de-passe/modifier/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change.html",
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
    path(
        "mot-de-passe/oublie/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            email_template_name="accounts/email/password_reset.txt",
            subject_template_name="accounts/email/password_reset_subject.txt",
            success_url=reverse_lazy("accounts:password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/termine/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation"),
    path("notifications/", notifications.notification_list, name="notifications"),
    path("notifications/<int:pk>/lue/", notifications.notification_read, name="notification_read"),
    path(
        "notifications/tout-lu/",
        notifications.notification_read_all,
        name="notifications_read_all",
    ),
]
