from django.urls import path

from centres.views import admission, cohorts, invitations, links, people

app_name = "centres"

urlpatterns = [
    path("", cohorts.index, name="index"),
    path("promotions/", cohorts.cohort_list, name="cohort_list"),
    path("promotions/nouvelle/", cohorts.cohort_create, name="cohort_create"),
    path("promotions/<int:pk>/", cohorts.cohort_detail, name="cohort_detail"),
    path("promotions/<int:pk>/modifier/", cohorts.cohort_edit, name="cohort_edit"),
    path(
        "promotions/<int:cohort_pk>/inscriptions/<int:pk>/",
        cohorts.enrolment_edit,
        name="enrolment_edit",
    ),
    path(
        "promotions/<int:cohort_pk>/inscriptions/<int:pk>/admission/",
        admission.enrolment_admission,
        name="enrolment_admission",
    ),
    path(
        "promotions/<int:pk>/interventions/",
        cohorts.training_link_add,
        name="training_link_add",
    ),
    path(
        "interventions/<int:pk>/retirer/",
        cohorts.training_link_remove,
        name="training_link_remove",
    ),
    path("personnes/", people.person_list, name="person_list"),
    path("personnes/nouvelle/", people.person_create, name="person_create"),
    path("personnes/<int:pk>/modifier/", people.person_edit, name="person_edit"),
    path("accompagnements/", links.accompaniment_list, name="accompaniment_list"),
    path(
        "accompagnements/<int:pk>/retirer/",
        links.accompaniment_remove,
        name="accompaniment_remove",
    ),
    path("conflits/", links.conflict_list, name="conflict_list"),
    path("conflits/<int:pk>/retirer/", links.conflict_remove, name="conflict_remove"),
    path("invitations/", invitations.invitation_list, name="invitation_list"),
    path("invitations/tous/", invitations.invitations_send_all, name="invitations_send_all"),
    path(
        "invitations/selection/",
        invitations.invitations_send_selected,
        name="invitations_send_selected",
    ),
    path("invitations/<int:pk>/renvoyer/", invitations.invitation_resend, name="invitation_resend"),
    path("invitations/<int:pk>/revoquer/", invitations.invitation_revoke, name="invitation_revoke"),
]
