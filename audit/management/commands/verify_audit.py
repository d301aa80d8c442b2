"""Recompute the audit trail's hash chain; exit 1 naming the first broken row."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit import chain
from audit.models import AuditEvent


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse's description needs a real str.
        return _(
            "Recalcule la chaîne d'empreintes du journal d'audit, ligne par ligne dans l'ordre "
            "des identifiants. Code de sortie 1 si une ligne a été modifiée, supprimée ou "
            "insérée, avec la première ligne en défaut."
        )

    def handle(self, *args, **options):
        redactions = [
            (pk, chain.redaction_covers(after))
            for pk, after in AuditEvent.objects.filter(action=chain.REDACTION_ACTION)
            .order_by("pk")
            .values_list("pk", "after")
        ]
        rows = (
            AuditEvent.objects.order_by("pk")
            .values_list(*chain.CHECKED_FIELDS)
            .iterator(chunk_size=2000)
        )
        verdict = chain.verify(rows, redactions)
        first = verdict.first
        if first is not None:
            raise CommandError(
                _(
                    "Journal d'audit altéré : %(count)s ligne(s) en défaut sur %(total)s. "
                    "Première : ligne %(id)s (%(at)s, %(action)s) — %(problem)s."
                )
                % {
                    "count": len(verdict.breaks),
                    "total": verdict.count,
                    "id": first.pk,
                    "at": chain.utc_text(first.at),
                    "action": first.action,
                    "problem": first.problem,
                }
            )
        self.stdout.write(
            _(
                "Journal d'audit intègre : %(count)s ligne(s) dont %(redacted)s effacée(s), "
                "dernière empreinte %(head)s."
            )
            % {"count": verdict.count, "redacted": verdict.redacted, "head": verdict.head}
        )
