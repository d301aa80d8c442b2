from django.urls import path

from workflow.evaluation import staff_views, views

app_name = "workflow"

urlpatterns = [
    path("mes-evaluations/", views.queue, name="queue"),
    path("affectations/<int:pk>/reponse/", views.assignment_respond, name="assignment-respond"),
    path("affectations/<int:pk>/notation/", views.scoring, name="scoring"),
    path("affectations/<int:pk>/notation/remise/", views.scoring_submit, name="scoring-submit"),
    path("centre/portefeuilles/", staff_views.staff_portfolios, name="staff-portfolios"),
    path("centre/portefeuilles/<int:pk>/", staff_views.staff_portfolio, name="staff-portfolio"),
    path(
        "centre/portefeuilles/<int:pk>/recevable/",
        staff_views.staff_declare_admissible,
        name="staff-declare-admissible",
    ),
    path("centre/portefeuilles/<int:pk>/renvoi/", staff_views.staff_return, name="staff-return"),
    path(
        "centre/portefeuilles/<int:pk>/affecter/",
        staff_views.staff_assign_portfolio,
        name="staff-assign-portfolio",
    ),
    path(
        "centre/portefeuilles/<int:pk>/conciliation/",
        staff_views.staff_reconcile,
        name="staff-reconcile",
    ),
    path(
        "centre/portefeuilles/<int:pk>/jury/", staff_views.staff_mark_ready, name="staff-mark-ready"
    ),
    path("centre/memoires/", staff_views.staff_memoires, name="staff-memoires"),
    path(
        "centre/memoires/<int:pk>/affecter/",
        staff_views.staff_assign_memoire,
        name="staff-assign-memoire",
    ),
    path(
        "centre/affectations/<int:pk>/reaffecter/",
        staff_views.staff_reassign,
        name="staff-reassign",
    ),
    path(
        "centre/affectations/<int:pk>/retirer/", staff_views.staff_withdraw, name="staff-withdraw"
    ),
    path("centre/affectations/<int:pk>/rouvrir/", staff_views.staff_reopen, name="staff-reopen"),
]
