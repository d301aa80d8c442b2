"""Idle expiry of the sessions that can change marks and decisions."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.utils.translation import gettext as _

from accounts.models import Role
from audit import clock

# Candidates and company tutors keep Django's SESSION_COOKIE_AGE; every other role (staff,
# trainers, evaluators, jury members, the certifier's people) signs in again after idling.
LONG_SESSION_ROLES = frozenset({Role.CANDIDAT, Role.TUTEUR})
LAST_SEEN = "preuves_last_seen"
IDLE_LIMIT = "preuves_idle_limit"
# The roles held at sign-in, which the navigation shows without reading them again on each page.
ROLES = "preuves_roles"
# Record activity at most this often, so that a busy page does not write the session each time.
TOUCH_EVERY = 60


def idle_limit_for(user) -> int:
    """Return the seconds of inactivity after which ``user``'s session ends (0 = the default)."""
    if user.is_staff or user.is_superuser or user.role_set - LONG_SESSION_ROLES:
        return settings.PREUVES_STAFF_SESSION_IDLE_SECONDS
    return 0


def idle_clock_start(sender, request, user, **kwargs):
    """Fix the session's idle limit when its user signs in, and start counting from now; keep
    the roles for the navigation (``session_roles``)."""
    request.session[ROLES] = sorted(user.role_set)
    limit = request.session[IDLE_LIMIT] = idle_limit_for(user)
    if limit:
        request.session[LAST_SEEN] = clock.now().timestamp()
        request.session.set_expiry(limit)


def session_roles(request) -> set[str]:
    """Return the user's roles for showing the navigation: those already read during this
    request, else those kept in the session at sign-in (read and kept now for an older session).

    Only what the navigation shows comes from here: every access check reads the roles afresh,
    so a role withdrawn since sign-in shows a link that answers 403, nothing more.
    """
    user = request.user
    if hasattr(user, "_role_cache"):
        return set(user._role_cache)
    session = getattr(request, "session", None)
    if session is None:
        return set(user.role_set)
    if ROLES not in session:
        session[ROLES] = sorted(user.role_set)
    return set(session[ROLES])


class IdleSessionMiddleware:
    """Sign out staff, evaluator and jury sessions idle for ``PREUVES_STAFF_SESSION_IDLE_SECONDS``.

    The last activity is kept in the session and checked on each request against the project's
    clock; the stored session and its cookie are given the same idle age, so an abandoned one
    also expires on the server.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request):
        session = request.session
        limit = session.get(IDLE_LIMIT)
        if limit is None:  # a session opened before this middleware was deployed
            limit = session[IDLE_LIMIT] = idle_limit_for(request.user)
        if not limit:
            return
        now = clock.now().timestamp()
        last_seen = session.get(LAST_SEEN)
        if last_seen is not None and now - last_seen > limit:
            logout(request)
            messages.info(
                request,
                _("Votre session a expiré après %(hours)s heures d'inactivité : reconnectez-vous.")
                % {"hours": limit // 3600},
            )
            return
        if last_seen is None or now - last_seen >= TOUCH_EVERY:
            session[LAST_SEEN] = now
            session.set_expiry(limit)
