"""Confirmation of irreversible actions: what the dialog and its page without JavaScript say.

A view builds one ``Confirmation`` (what will happen: who, how many e-mails, what becomes final)
and gives it to its page, which shows it in the dialog of ``static/js/confirm.js``
(``components/confirm_dialog.html``). The view refuses the POST unless it carries
``confirmed=1`` (``accounts.access.confirmed``) and answers with ``confirmation_page``: the same
summary and a button that sends the same POST again, confirmed. Nothing has changed meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.shortcuts import render

# Fields of a refused POST that its confirmation page must not send again as they were.
_NOT_REPOSTED = frozenset({"csrfmiddlewaretoken", "confirmed"})


@dataclass(frozen=True)
class Confirmation:
    """What an irreversible action will do, said before it is done.

    ``key`` names the DOM ids: the form is ``<key>-form``, the dialog ``<key>-dialog``.
    """

    key: str
    title: str
    summary: list[str] = field(default_factory=list)
    confirm_label: str = ""
    danger: bool = False

    @property
    def form_id(self) -> str:
        return f"{self.key}-form"

    @property
    def dialog_id(self) -> str:
        return f"{self.key}-dialog"


def confirmation_page(request, confirmation: Confirmation, *, back: str, replace=None):
    """Render ``confirmation`` with a button that sends the refused POST again, confirmed, and
    a link ``back`` to leave it undone (the answer to an unconfirmed POST: nothing changed).

    ``replace`` gives fields to send with new values: what the summary, read now, states.
    """
    replace = replace or {}
    reposted = [
        (name, value)
        for name in request.POST
        if name not in _NOT_REPOSTED and name not in replace
        for value in request.POST.getlist(name)
    ]
    reposted += list(replace.items())
    return render(
        request,
        "components/confirm_page.html",
        {"confirmation": confirmation, "reposted": reposted, "back": back},
    )
