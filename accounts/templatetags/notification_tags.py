"""The unread count of the notification centre's link, read once per request."""

from django import template

from audit.notifications import notifications_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """Return the signed-in user's unread notifications (0 for a visitor), in one query."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = notifications_unread_count(user)
    return request._unread_notifications
