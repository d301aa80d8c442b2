"""The surveys' exports: every survey sent with its answer, and the response rates per cohort.

Both are ``documents.exports.Table``s, written as CSV or XLSX by the same writers as every other
export (a text cell that a spreadsheet would run as a formula is quoted there).
"""

from __future__ import annotations

from django.utils.translation import gettext

from documents.exports import Table
from surveys import selectors
from surveys.models import WAVE_MONTHS


def answers_table(user) -> Table:
    """Return one row per survey sent that ``user`` may read, answered or not."""
    table = Table(
        title=gettext("Enquêtes d'insertion"),
        headings=[
            gettext("Établissement"),
            gettext("Promotion"),
            gettext("Nom"),
            gettext("Prénom"),
            gettext("Date de certification"),
            gettext("Enquête (mois)"),
            gettext("Envoyée le"),
            gettext("Relances"),
            gettext("Répondu le"),
            gettext("Situation"),
            gettext("Intitulé du poste"),
            gettext("Employeur"),
            gettext("Lien avec le titre"),
            gettext("Accord retiré"),
        ],
    )
    for wave in selectors.sent_waves(user).iterator(chunk_size=500):
        follow_up = wave.follow_up
        candidate = follow_up.enrolment.candidate
        table.rows.append(
            [
                follow_up.establishment.name,
                follow_up.enrolment.cohort.name,
                candidate.last_name,
                candidate.first_name,
                follow_up.certified_on,
                wave.months,
                wave.due_on,
                wave.messages_sent - 1,
                wave.answered_at,
                wave.get_status_display() if wave.status else "",
                wave.job_title,
                wave.employer,
                wave.get_job_link_display() if wave.job_link else "",
                follow_up.consent == follow_up.Consent.REFUSED,
            ]
        )
    return table


def rates_table(user) -> Table:
    """Return one row per cohort that ``user`` may read: follow-ups, consents, each wave's
    surveys sent, answered and response rate (in percent)."""
    headings = [
        gettext("Établissement"),
        gettext("Promotion"),
        gettext("Certifiés suivis"),
        gettext("Accords"),
    ]
    for months in WAVE_MONTHS:
        headings += [
            gettext("%(months)s mois : envoyées") % {"months": months},
            gettext("%(months)s mois : réponses") % {"months": months},
            gettext("%(months)s mois : taux (%%)") % {"months": months},
        ]
    table = Table(title=gettext("Taux de réponse"), headings=headings)
    for row in selectors.cohort_rates(selectors.surveyed_cohorts(user)):
        cells = [row.obj.establishment.name, row.obj.name, row.follow_ups, row.consenting]
        for figures in row.waves:
            cells += [figures.sent, figures.answered, figures.rate]
        table.rows.append(cells)
    return table
