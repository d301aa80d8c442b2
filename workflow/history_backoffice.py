"""The words of a history line for the centre's back office: people, cohorts, imports,
retention and the audit's own redactions (``workflow.history.Details`` is made of these and the
portfolio's, marks' and jury's words); and the dates as a history line writes them."""

from __future__ import annotations

import contextlib
from datetime import date, datetime

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from accounts.models import Role


def _day(value) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10]) if len(value) <= 10 else _moment(value)
        except ValueError:
            return ""
    return value.strftime("%d/%m/%Y")


def _moment(value: str):
    moment = datetime.fromisoformat(value)
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


class BackOfficeDetails:
    """The back office's actions in words; ``Details`` gives ``before``, ``after``, ``model``
    and the ``_person``, ``_choice`` and ``_count`` helpers."""

    # --- comptes et promotions
    def _changed_fields(self) -> list[str]:
        changed = [
            key
            for key in sorted(set(self.before) | set(self.after))
            if self.before.get(key) != self.after.get(key)
        ]
        words = []
        for key in changed:
            with contextlib.suppress(FieldDoesNotExist):  # a snapshot key that is no field
                words.append(str(self.model._meta.get_field(key).verbose_name))
        return [_("modifié : %(fields)s") % {"fields": ", ".join(words)}] if words else []

    _cohort_updated = _person_updated = _changed_fields

    def _enrolment_training_end_set(self) -> list[str]:
        old, new = _day(self.before.get("training_end")), _day(self.after.get("training_end"))
        return [f"{old or _('non fixée')} → {new or _('non fixée')}"]

    def _training_link(self) -> list[str]:
        values = self.after or self.before
        return [self._person("trainer"), _("module %(code)s") % {"code": values.get("module")}]

    _training_link_added = _training_link_removed = _training_link

    def _person_created(self) -> list[str]:
        return [self._choice(Role, self.after.get("role"))]

    def _accompaniment(self) -> list[str]:
        return [self._person("accompanist")]

    _accompaniment_recorded = _accompaniment_removed = _accompaniment

    def _conflict(self) -> list[str]:
        return [self._person("evaluator")]

    _conflict_recorded = _conflict_removed = _conflict

    def _invitations_sent_in_bulk(self) -> list[str]:
        return [
            self._count("count", ngettext_lazy("%(n)s compte invité", "%(n)s comptes invités", "n"))
        ]

    def _invitation_revoked(self) -> list[str]:
        return [
            self._count("count", ngettext_lazy("%(n)s lien annulé", "%(n)s liens annulés", "n"))
        ]

    def _candidates_imported(self) -> list[str]:
        return [
            self._count("rows", ngettext_lazy("%(n)s ligne lue", "%(n)s lignes lues", "n")),
            self._count(
                "new_candidates", ngettext_lazy("%(n)s candidat créé", "%(n)s candidats créés", "n")
            ),
            self._count(
                "new_enrolments",
                ngettext_lazy("%(n)s inscription créée", "%(n)s inscriptions créées", "n"),
            ),
            self._count(
                "changed_enrolments",
                ngettext_lazy("%(n)s inscription modifiée", "%(n)s inscriptions modifiées", "n"),
            ),
        ]

    # --- conservation et journal
    def _retention_applied(self) -> list[str]:
        return [
            self._count("candidates", ngettext_lazy("%(n)s candidat", "%(n)s candidats", "n")),
            self._count(
                "evidence_files",
                ngettext_lazy("%(n)s preuve supprimée", "%(n)s preuves supprimées", "n"),
            ),
            self._count(
                "memoire_files",
                ngettext_lazy("%(n)s mémoire supprimé", "%(n)s mémoires supprimés", "n"),
            ),
            self._count(
                "audit_rows_redacted",
                ngettext_lazy(
                    "%(n)s ligne du journal effacée", "%(n)s lignes du journal effacées", "n"
                ),
            ),
        ]

    def _audit_redacted(self) -> list[str]:
        return [
            self._count("count", ngettext_lazy("%(n)s ligne effacée", "%(n)s lignes effacées", "n"))
        ]
