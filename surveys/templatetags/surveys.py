"""The personal link of a survey, written into its e-mail when the e-mail is sent.

The notification stores only the survey's id: the link is derived from the survey's nonce with
the secret key at the time of sending, so that no working link rests in the database.
"""

from django import template
from django.conf import settings
from django.urls import reverse

from surveys.models import SurveyWave
from surveys.tokens import token_of

register = template.Library()


def survey_url(wave: SurveyWave) -> str:
    """Return the path of ``wave``'s personal link."""
    return reverse("surveys:answer", args=[token_of(wave.nonce)])


@register.simple_tag
def survey_link(wave_id) -> str:
    """Return the full address of the survey ``wave_id``'s personal link ("" if it is gone)."""
    wave = SurveyWave.objects.filter(pk=wave_id).only("nonce").first()
    if wave is None:
        return ""
    return getattr(settings, "PREUVES_SITE_URL", "").rstrip("/") + survey_url(wave)
