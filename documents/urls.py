from django.urls import path

from documents import agenda, sittings, views
from documents.models import IssuedDocument

app_name = "documents"

urlpatterns = [
    path("", views.index, name="index"),
    path("exports/evaluateurs.<str:fmt>", views.workload_export, name="workload_export"),
    path(
        "exports/promotions/<int:cohort_pk>.<str:fmt>",
        views.cohort_progress_export,
        name="cohort_progress_export",
    ),
    path(
        "exports/candidats/<int:enrolment_pk>/historique.<str:fmt>",
        views.candidate_history_export,
        name="candidate_history_export",
    ),
    path("import/candidats/", views.candidate_import, name="candidate_import"),
    path(
        "import/candidats/confirmer/",
        views.candidate_import_confirm,
        name="candidate_import_confirm",
    ),
    path("verifier/", views.document_verify, name="verify"),
    path("mes-documents/", views.my_documents, name="mine"),
    path("mon-agenda/", agenda.calendar_page, name="agenda"),
    path("mon-agenda/renouveler/", agenda.calendar_renew, name="agenda_renew"),
    path("agenda/<str:token>.ics", agenda.calendar_feed, name="agenda_feed"),
    path("piece/<str:reference>/", views.document_download, name="download"),
    path("sessions/<int:session_pk>/", views.session_documents, name="session"),
    path(
        "sessions/<int:session_pk>/proces-verbal.pdf",
        views.session_document,
        {"kind": IssuedDocument.Kind.PROCES_VERBAL},
        name="proces_verbal",
    ),
    path(
        "sessions/<int:session_pk>/resultats.<str:fmt>",
        views.session_results_export,
        name="session_results_export",
    ),
    path(
        "sessions/<int:session_pk>/resultats/fichier-<int:job_pk>/",
        views.session_results_file,
        name="session_results_file",
    ),
    path(
        "sessions/<int:session_pk>/documents-des-candidats/",
        views.session_results_issue,
        name="session_results_issue",
    ),
    path(
        "sessions/<int:session_pk>/candidats/<int:enrolment_pk>/certificat-bloc-<int:bloc>.pdf",
        views.result_download,
        {"kind": "certificat"},
        name="certificat",
    ),
    path(
        "sessions/<int:session_pk>/candidats/<int:enrolment_pk>/<str:kind>.pdf",
        views.result_download,
        name="result",
    ),
    path("candidats/<int:enrolment_pk>/", views.candidate_documents, name="candidate"),
    path(
        "sessions/<int:session_pk>/archive.zip",
        views.session_document,
        {"kind": IssuedDocument.Kind.ARCHIVE},
        name="session_archive",
    ),
    path(
        "epreuves/<int:sitting_pk>/convocation/<int:enrolment_pk>.pdf",
        sittings.sitting_convocation,
        name="sitting_convocation",
    ),
    path("epreuves/<int:sitting_pk>/emargement.pdf", sittings.sitting_sheet, name="sitting_sheet"),
    path(
        "sessions/<int:session_pk>/convocation/<int:enrolment_pk>.pdf",
        views.convocation_download,
        name="convocation",
    ),
]
