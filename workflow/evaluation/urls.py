from django.urls import path

from workflow.evaluation import bulk_views, epreuve_views, staff_views, subject_views, views

app_name = "workflow"

urlpatterns = [
    path("sujets/", subject_views.subjects_manage, name="subjects-manage"),
    path("sujets/<int:pk>/remplacer/", subject_views.subject_replace, name="subject-replace"),
    path("sujets/<int:pk>/telecharger/", subject_views.subject_download, name="subject-download"),
    path("centre/sujets/", subject_views.subjects_available, name="subjects-available"),
    path("mes-evaluations/", views.queue, name="queue"),
    path("affectations/<int:pk>/reponse/", views.assignment_respond, name="assignment-respond"),
    path("affectations/<int:pk>/notation/", views.scoring, name="scoring"),
    path("affectations/<int:pk>/notation/champ/", views.scoring_field, name="scoring-field"),
    path("affectations/<int:pk>/notation/remise/", views.scoring_submit, name="scoring-submit"),
    path("mes-epreuves/", epreuve_views.examiner_marks, name="examiner-marks"),
    path("epreuves/<int:pk>/", epreuve_views.examiner_mark, name="examiner-mark"),
    path("centre/epreuves/", epreuve_views.staff_epreuve_marks, name="staff-epreuve-marks"),
    path("copies/<int:pk>/", epreuve_views.epreuve_paper_download, name="epreuve-paper"),
    path("centre/portefeuilles/", staff_views.staff_portfolios, name="staff-portfolios"),
    path(
        "centre/portefeuilles/selection/",
        bulk_views.staff_bulk_portfolios,
        name="staff-bulk-portfolios",
    ),
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
    path("centre/memoires/selection/", bulk_views.staff_bulk_memoires, name="staff-bulk-memoires"),
    path(
        "centre/memoires/<int:pk>/affecter/",
        staff_views.staff_assign_memoire,
        name="staff-assign-memoire",
    ),
    path(
        "centre/memoires/<int:pk>/conciliation/",
        staff_views.staff_reconcile_memoire,
        name="staff-reconcile-memoire",
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
