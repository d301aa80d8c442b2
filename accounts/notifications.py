"""The notification centre: the e-mails a user was sent, listed for them in the application.

Anyone signed in sees their own notifications only, newest first, a page at a time, and marks
one or all of them read. Someone else's notification answers 404.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.listing import paginate, query_without
from audit.models import Notification
from audit.notifications import notification_text, notifications_mark_read

PAGE_SIZE = 20


@login_required
def notification_list(request):
    page = paginate(
        request,
        Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk"),
        PAGE_SIZE,
    )
    rows = []
    for notification in page:
        notification.recipient = request.user  # already loaded: no query per row
        rows.append(
            {
                "notification": notification,
                "text": notification_text(notification),
                "path": notification.context.get("path", ""),
            }
        )
    return render(
        request,
        "accounts/notifications.html",
        {"page": page, "rows": rows, "query": query_without(request)},
    )


@login_required
@require_POST
def notification_read(request, pk):
    if not Notification.objects.filter(pk=pk, recipient=request.user).exists():
        raise Http404
    notifications_mark_read(recipient=request.user, notification_id=pk)
    return _back(request)


@login_required
@require_POST
def notification_read_all(request):
    notifications_mark_read(recipient=request.user)
    return _back(request)


def _back(request):
    """Return to the page of the list the button was on."""
    page = request.POST.get("page", "")
    url = reverse("accounts:notifications")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)
