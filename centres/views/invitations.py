"""Invitations: who has signed in, who is waiting, and inviting everyone at once."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import Duty, confirmed, staff_establishments
from accounts.confirm import Confirmation, confirmation_page
from accounts.listing import list_page
from accounts.selection import Refusal, in_scope, selection_or_message
from audit import clock
from centres import selectors, services
from centres.filters import PersonFilter
from centres.forms import BulkInvitationForm
from centres.services import BackOfficeError
from centres.views.base import centre_staff, may_manage, require_manage

NOT_SIGNED_IN = "non-connectes"


def invitation_status(account, now) -> tuple[str, str]:
    """Return (key, French label) for where ``account`` stands with signing in."""
    if account.last_login:
        return "signed_in", _("Connecté(e) le %(date)s") % {
            "date": timezone.localtime(account.last_login).strftime("%d/%m/%Y")
        }
    if account.invited_at is None:
        if account.has_usable_password():
            return "password", _("Mot de passe choisi, jamais connecté(e)")
        return "never_invited", _("Sans mot de passe, jamais invité(e)")
    if account.invitation_used_at:
        return "password", _("Invitation utilisée le %(date)s") % {
            "date": timezone.localtime(account.invitation_used_at).strftime("%d/%m/%Y")
        }
    if account.invitation_expires_at <= now:
        return "expired", _("Invitation expirée (envoyée le %(date)s)") % {
            "date": timezone.localtime(account.invited_at).strftime("%d/%m/%Y")
        }
    return "invited", _("Invité(e) le %(sent)s, expire le %(expires)s") % {
        "sent": timezone.localtime(account.invited_at).strftime("%d/%m/%Y"),
        "expires": timezone.localtime(account.invitation_expires_at).strftime("%d/%m/%Y"),
    }


@centre_staff
def invitation_list(request):
    not_signed_in = request.GET.get("filtre") == NOT_SIGNED_IN
    scope = staff_establishments(request.user, Duty.READ)
    listing = list_page(
        request, selectors.invitable_accounts(scope, not_signed_in=not_signed_in), PersonFilter
    )
    page = listing.page
    now = clock.now()
    for account in page:
        account.status, account.status_label = invitation_status(account, now)
    manage = may_manage(request.user)
    return render(
        request,
        "centres/invitation_list.html",
        {
            "page": page,
            "not_signed_in": not_signed_in,
            "query": listing.query,
            "search": listing.filters,
            "filter_value": NOT_SIGNED_IN,
            "may_manage": manage,
            "bulk_form": BulkInvitationForm(user=request.user) if manage else None,
            "bulk_actions": [("inviter", _("Inviter la sélection"))] if manage else [],
            "bulk_url": reverse("centres:invitations_send_selected"),
            "page_ids": [account.pk for account in page if account.status != "signed_in"],
        },
    )


@centre_staff
@require_POST
def invitations_send_all(request):
    require_manage(request.user)
    form = BulkInvitationForm(request.POST, user=request.user)
    if not form.is_valid():
        messages.error(request, _("Choisissez l'un de vos établissements."))
        return redirect("centres:invitation_list")
    establishment = form.cleaned_data["establishment"]
    if not confirmed(request):
        return confirmation_page(
            request,
            _bulk_confirmation(establishment),
            back=reverse("centres:invitation_list"),
        )
    count = services.invitations_send_all(
        actor=request.user,
        establishment=establishment,
        base_url=request.build_absolute_uri("/"),
    )
    if count:
        messages.success(
            request,
            ngettext("%(count)d invitation envoyée.", "%(count)d invitations envoyées.", count)
            % {"count": count},
        )
    else:
        messages.success(
            request,
            _("Aucune invitation envoyée : chaque compte a un mot de passe ou un lien valable."),
        )
    return redirect("centres:invitation_list")


def _bulk_confirmation(establishment) -> Confirmation:
    """Inviting everyone: as many e-mails as accounts to invite, and none can be recalled."""
    count = selectors.accounts_without_password(frozenset({establishment.pk})).count()
    return Confirmation(
        key="invite-all",
        title=_("Inviter tous les comptes sans mot de passe ?"),
        summary=[
            _(
                "%(n)d e-mail(s) partent maintenant vers les comptes de %(establishment)s qui "
                "n'ont ni mot de passe ni lien encore valable."
            )
            % {"n": count, "establishment": establishment},
            _("Un e-mail parti ne peut pas être rappelé ; chaque lien peut ensuite être révoqué."),
        ],
        confirm_label=_("Envoyer les invitations"),
    )


@centre_staff
@require_POST
def invitation_resend(request, pk):
    require_manage(request.user)
    person = selectors.invitable_account_or_404(request.user, pk)
    services.invitation_resend(
        actor=request.user, person=person, base_url=request.build_absolute_uri("/")
    )
    messages.success(
        request, _("Nouvelle invitation envoyée à %(email)s.") % {"email": person.email}
    )
    return redirect(_back(request))


@centre_staff
@require_POST
def invitation_revoke(request, pk):
    require_manage(request.user)
    person = selectors.invitable_account_or_404(request.user, pk)
    revoked = services.invitation_revoke(actor=request.user, person=person)
    if revoked:
        messages.success(
            request,
            _("Invitation de %(email)s révoquée : le lien ne fonctionne plus.")
            % {"email": person.email},
        )
    else:
        messages.warning(
            request, _("%(email)s n'avait aucune invitation valable.") % {"email": person.email}
        )
    return redirect(_back(request))


def _back(request) -> str:
    url = reverse("centres:invitation_list")
    if request.POST.get("filtre") == NOT_SIGNED_IN:
        url += f"?filtre={NOT_SIGNED_IN}"
    return url


def _invitation_plan(request, ids):
    """Return the selected accounts to invite and the refusals of the others."""
    scope = staff_establishments(request.user, Duty.MANAGE)
    rows, refusals = in_scope(selectors.invitable_accounts(scope), ids)
    now = clock.now()
    planned = []
    for account in rows:
        account.status, account.status_label = invitation_status(account, now)
        if account.status == "signed_in":
            refusals.append(
                Refusal(
                    account.get_full_name(), _("Déjà connecté(e) : aucune invitation à envoyer.")
                )
            )
        else:
            planned.append(account)
    return planned, refusals


@centre_staff
def invitations_send_selected(request):
    """Show who the selection would invite (a fresh link each); invite them once confirmed."""
    back = reverse("centres:invitation_list")
    if request.method != "POST":
        return redirect(back)
    require_manage(request.user)
    ids = selection_or_message(
        request, empty=_("Cochez au moins une personne avant de choisir l'action.")
    )
    if ids is None:
        return redirect(back)
    planned, refusals = _invitation_plan(request, ids)
    context = {"back": back, "refusals": refusals}
    if not confirmed(request):
        return render(
            request,
            "centres/invitation_bulk.html",
            {**context, "planned": planned, "ids": [a.pk for a in planned]},
        )
    done = []
    for person in planned:
        try:
            services.invitation_resend(
                actor=request.user, person=person, base_url=request.build_absolute_uri("/")
            )
        except BackOfficeError as error:
            refusals.append(Refusal(person.get_full_name(), error.message))
        else:
            done.append(f"{person.get_full_name()} ({person.email})")
    return render(
        request, "centres/invitation_bulk.html", {**context, "done": done, "report": True}
    )
