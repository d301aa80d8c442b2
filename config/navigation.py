"""The persistent navigation: the sections of each role's work, computed from the user's roles.

One context processor reads the roles the request already knows (read by an access check, else
kept in the session at sign-in: ``accounts.middleware.session_roles``) and the view name the
request resolved to: it runs no query. A section is current when the page's view belongs to it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.middleware import session_roles
from accounts.models import Role

STAFF_ROLES = (
    Role.RESPONSABLE_EVALUATION,
    Role.RESPONSABLE_CERTIFICATION,
    Role.ADMINISTRATEUR,
    Role.AUDITEUR,
)


@dataclass(frozen=True)
class Section:
    """One entry of the navigation: its label, where it leads, and the views it covers."""

    key: str
    label: str
    url_name: str
    views: tuple[str, ...] = ()  # view names, or "namespace:" prefixes ending with a colon
    anchor: str = ""

    def covers(self, view_name: str) -> bool:
        return any(
            view_name.startswith(v) if v.endswith((":", "-")) else view_name == v
            for v in (self.url_name, *self.views)
        )


CANDIDATE = (
    Section(
        "my-portfolios",
        _("Mes portefeuilles"),
        "portfolio:home",
        (
            "portfolio:detail",
            "portfolio:coverage",
            "portfolio:submit",
            "portfolio:new_version",
            "portfolio:extension",
            "portfolio:evidence_edit",
            "portfolio:start",
        ),
    ),
    Section("my-memoire", _("Mon mémoire"), "portfolio:home", ("portfolio:memoire",), "memoire"),
    Section("my-marks", _("Mes notes"), "jury:candidate_cc", ("jury:candidate_results",)),
    Section("my-documents", _("Mes documents"), "documents:mine"),
    Section("my-surveys", _("Mes enquêtes"), "surveys:mine"),
)
EVALUATOR = (
    Section(
        "queue",
        _("Mes évaluations"),
        "workflow:queue",
        ("workflow:assignment-respond", "workflow:scoring", "workflow:scoring-submit"),
    ),
    Section(
        "examiner",
        _("Mes épreuves à corriger"),
        "workflow:examiner-marks",
        ("workflow:examiner-mark",),
    ),
)
TUTOR = (Section("tutor", _("Mes alternants"), "jury:tutor_home", ("jury:tutor_evaluation",)),)
TRAINER = (Section("trainer", _("Contrôle continu"), "jury:trainer_home", ("jury:trainer_marks",)),)
JURY = (
    Section(
        "jury",
        _("Mes jurys"),
        "jury:jury_home",
        ("jury:session", "jury:session_open", "jury:soutenance_mark", "jury:deliberation"),
    ),
)
STAFF = (
    Section("dashboard", _("Tableau de bord"), "jury:staff_dashboard"),
    Section(
        "candidates",
        _("Candidats"),
        "jury:staff_candidates",
        ("jury:staff_candidate", "jury:candidate_history", "jury:staff_candidates_"),
    ),
    Section(
        "portfolios",
        _("Portefeuilles"),
        "workflow:staff-portfolios",
        (
            "workflow:staff-portfolio",
            "workflow:staff-declare-admissible",
            "workflow:staff-return",
            "workflow:staff-assign-portfolio",
            "workflow:staff-reconcile",
            "workflow:staff-mark-ready",
            "workflow:staff-bulk-portfolios",
            "workflow:staff-reassign",
            "workflow:staff-withdraw",
            "workflow:staff-reopen",
        ),
    ),
    Section(
        "memoires",
        _("Mémoires"),
        "workflow:staff-memoires",
        ("workflow:staff-assign-memoire", "workflow:staff-bulk-memoires"),
    ),
    Section("epreuves", _("Épreuves"), "jury:staff_sittings", ("jury:staff_sitting",)),
    Section("epreuve-marks", _("Notes des épreuves"), "workflow:staff-epreuve-marks"),
    Section("sessions", _("Sessions"), "jury:staff_sessions", ("jury:staff_session",)),
    Section("documents", _("Documents"), "documents:index", ("documents:",)),
    Section("backoffice", _("Back office"), "centres:index", ("centres:",)),
    Section(
        "surveys",
        _("Enquêtes"),
        "surveys:staff",
        ("surveys:answers_export", "surveys:rates_export"),
    ),
)
# The confidential national subjects: uploaded by the certifier, read by the responsables of
# the evaluation process (workflow.evaluation.subjects).
SUBJECTS_UPLOAD = (
    Section(
        "subjects-manage", _("Sujets nationaux"), "workflow:subjects-manage", ("workflow:subject-",)
    ),
)
SUBJECTS_READ = (Section("subjects", _("Sujets des épreuves"), "workflow:subjects-available"),)

# The sections of each role, in the order a person holding several roles sees them.
ROLE_SECTIONS = (
    ((Role.CANDIDAT,), CANDIDATE),
    ((Role.EVALUATEUR,), EVALUATOR),
    ((Role.TUTEUR,), TUTOR),
    ((Role.FORMATEUR,), TRAINER),
    (STAFF_ROLES, STAFF),
    ((Role.ADMINISTRATEUR,), SUBJECTS_UPLOAD),
    ((Role.RESPONSABLE_EVALUATION,), SUBJECTS_READ),
    ((Role.JURY,), JURY),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    current: bool


def sections_for(held: set[str]) -> list[Section]:
    """Return the sections of the roles ``held``, each once, in the roles' order."""
    seen, sections = set(), []
    for roles, role_sections in ROLE_SECTIONS:
        if not held.intersection(roles):
            continue
        for section in role_sections:
            if section.key in seen:
                continue
            seen.add(section.key)
            sections.append(section)
    return sections


def current_view(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def navigation(request) -> dict:
    """Return the links of the navigation of the user's roles, the current one marked."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"nav_links": []}
    sections = sections_for(session_roles(request))
    if not sections:
        return {"nav_links": []}
    view = current_view(request)
    # Only one link is the current page: the first section covering the view.
    current = next((s.key for s in sections if view and s.covers(view)), None)
    links = []
    for section in sections:
        url = reverse(section.url_name)
        if section.anchor:
            url += f"#{section.anchor}"
        links.append(NavLink(str(section.label), url, section.key == current))
    return {"nav_links": links}
