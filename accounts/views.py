from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import services
from accounts.forms import EmailAuthenticationForm, InvitationPasswordForm
from accounts.models import Invitation, Role

# What each role does, in the order a person holding several roles sees them.
ROLE_HOMES = [
    (
        Role.CANDIDAT,
        gettext_lazy("Constituer vos portefeuilles de preuves et votre mémoire, suivre vos notes."),
    ),
    (
        Role.EVALUATEUR,
        gettext_lazy("Accepter vos affectations et noter les portefeuilles sur la grille."),
    ),
    (Role.TUTEUR, gettext_lazy("Saisir l'évaluation en entreprise (50 points) de vos alternants.")),
    (Role.FORMATEUR, gettext_lazy("Saisir les notes de contrôle continu de vos modules.")),
    (
        Role.RESPONSABLE_EVALUATION,
        gettext_lazy(
            "Organiser les évaluations de votre établissement : recevabilité, affectations, "
            "notes, assiduité, aménagements."
        ),
    ),
    (
        Role.RESPONSABLE_CERTIFICATION,
        gettext_lazy(
            "Organiser la certification de votre établissement : jurys, délibérations, "
            "publication, documents et exports."
        ),
    ),
    (Role.JURY, gettext_lazy("Noter les soutenances et délibérer en session de jury.")),
    (
        Role.ADMINISTRATEUR,
        gettext_lazy("Administrer le réseau : établissements, référentiel, grilles et comptes."),
    ),
    (
        Role.AUDITEUR,
        gettext_lazy("Consulter, sans rien modifier, les dossiers de tous les établissements."),
    ),
]


class PreuvesLoginView(LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


@login_required
def home(request):
    roles = [(role, text) for role, text in ROLE_HOMES if request.user.has_role(role)]
    return render(request, "accounts/home.html", {"roles": roles})


def invitation_accept(request, token):
    invitation = Invitation.find_usable(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = InvitationPasswordForm(invitation.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation, password=form.cleaned_data["new_password1"]
            )
        except ValueError:
            return render(request, "accounts/invitation_invalid.html", status=404)
        login(request, user, backend="accounts.backends.EmailBackend")
        messages.success(request, _("Votre mot de passe est enregistré. Bienvenue sur Preuves."))
        return redirect("accounts:home")
    return render(request, "accounts/invitation.html", {"form": form, "invited": invitation.user})
