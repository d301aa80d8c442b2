from django.urls import path

from workflow.evaluation import views

app_name = "workflow"

urlpatterns = [
    path("mes-evaluations/", views.queue, name="queue"),
    path("affectations/<int:pk>/reponse/", views.assignment_respond, name="assignment-respond"),
    path("affectations/<int:pk>/notation/", views.scoring, name="scoring"),
    path("affectations/<int:pk>/notation/remise/", views.scoring_submit, name="scoring-submit"),
    path("centre/portefeuilles/", views.staff_portfolios, name="staff-portfolios"),
    path("centre/portefeuilles/<int:pk>/", views.staff_portfolio, name="staff-portfolio"),
    path(
        "centre/portefeuilles/<int:pk>/recevable/",
        views.staff_declare_admissible,
        name="staff-declare-admissible",
    ),
    path("centre/portefeuilles/<int:pk>/renvoi/", views.staff_return, name="staff-return"),
    path(
        "centre/portefeuilles/<int:pk>/affecter/",
        views.staff_assign_portfolio,
        name="staff-assign-portfolio",
    ),
    path(
        "centre/portefeuilles/<int:pk>/conciliation/",
        views.staff_reconcile,
        name="staff-reconcile",
    ),
    path("centre/portefeuilles/<int:pk>/jury/", views.staff_mark_ready, name="staff-mark-ready"),
    path("centre/memoires/", views.staff_memoires, name="staff-memoires"),
    path(
        "centre/memoires/<int:pk>/affecter/",
        views.staff_assign_memoire,
        name="staff-assign-memoire",
    ),
    path("centre/affectations/<int:pk>/reaffecter/", views.staff_reassign, name="staff-reassign"),
    path("centre/affectations/<int:pk>/retirer/", views.staff_withdraw, name="staff-withdraw"),
    path("centre/affectations/<int:pk>/rouvrir/", views.staff_reopen, name="staff-reopen"),
]
