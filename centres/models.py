"""The one fact the back office adds: which establishment recorded a member of the national pool.

Evaluators and jury members belong to the certifier's national pool, so their role carries no
establishment (``accounts.UserRole`` forbids it). The establishment that recorded one keeps the
right to correct the record and to invite the person; every other establishment only sees them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PoolRecord(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="pool_records",
    )
    establishment = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("établissement"),
        on_delete=models.PROTECT,
        related_name="pool_records",
        limit_choices_to={"kind": "etablissement"},
    )
    recorded_at = models.DateTimeField(_("enregistré le"), default=timezone.now)

    establishment_path = "establishment"

    class Meta:
        verbose_name = _("membre du vivier enregistré")
        verbose_name_plural = _("membres du vivier enregistrés")
        constraints = [
            models.UniqueConstraint(fields=["user", "establishment"], name="pool_record_unique")
        ]

    def __str__(self):
        return f"{self.user} ({self.establishment})"
