"""What each irreversible action of the jury and of the sessions' organisation will do, said
before it is done (``accounts.confirm``): who, how many, which e-mails, what becomes final.

Each function reads a few counts (a fixed number of queries whatever the session's size) and
returns the ``Confirmation`` that the page's dialog and the page without JavaScript show.
"""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from accounts.confirm import Confirmation
from rules import eligibility
from workflow.jury import agenda
from workflow.jury.computed import SHOW_FILTERS, adoptable_counts
from workflow.models import JuryDecision, SessionCandidate, Soutenance

# Past this many, a summary names the first candidates and counts the others.
NAMES_SHOWN = 10


def outcome_counts_text(counts: dict[str, int]) -> str:
    """Return « Certification totale (titre) : 3 ; … » for counts by outcome, in the outcomes'
    order, leaving out the outcomes no one gets."""
    return " ; ".join(
        f"{label} : {counts[value]}"
        for value, label in JuryDecision.Outcome.choices
        if counts.get(value)
    )


def _names(entries, total: int) -> str:
    names = ", ".join(str(e.enrolment.candidate) for e in entries)
    if total > len(entries):
        return _("%(names)s et %(n)s autre(s)") % {"names": names, "n": total - len(entries)}
    return names


def publish_confirmation(session, *, late: bool) -> Confirmation:
    """Publishing a closed session's results: who learns what, by e-mail, for good."""
    counts = dict(
        JuryDecision.objects.filter(session=session)
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("pk"))
    )
    total = sum(counts.values())
    first = list(
        JuryDecision.objects.filter(session=session)
        .select_related("enrolment__candidate")
        .order_by("enrolment__candidate__last_name", "enrolment__candidate__first_name", "pk")[
            :NAMES_SHOWN
        ]
    )
    summary = [
        _("%(n)s candidat(s) voient leur résultat : %(detail)s.")
        % {"n": total, "detail": outcome_counts_text(counts) or "—"},
        _("Candidats : %(names)s.") % {"names": _names(first, total)} if first else "",
        _("%(n)s e-mail(s) partent, un par candidat, pour annoncer les résultats.") % {"n": total},
        _(
            "La publication est définitive : les résultats publiés ne peuvent plus être "
            "modifiés ni retirés."
        ),
    ]
    if late:
        summary.append(
            _("La publication est tardive : le motif indiqué est conservé avec la session.")
        )
    return Confirmation(
        key="publish",
        title=_("Publier les résultats ?"),
        summary=[line for line in summary if line],
        confirm_label=_("Publier les résultats de %(n)s candidat(s)") % {"n": total},
    )


def convocations_confirmation(session) -> Confirmation:
    """Sending the convocations: how many e-mails, to whom, and that they cannot be recalled."""
    total = SessionCandidate.objects.filter(session=session).count()
    already = agenda.convocations_sent(session).count()
    scheduled = Soutenance.objects.filter(session=session).count()
    new = max(total - already, 0)
    summary = [
        _("%(n)s e-mail(s) de convocation partent maintenant : jury du %(date)s, %(place)s.")
        % {"n": new, "date": eligibility.fr_date(session.date), "place": session.place},
    ]
    if already:
        summary.append(
            _("%(n)s candidat(s) déjà convoqué(s) ne reçoivent rien de plus.") % {"n": already}
        )
    if total > scheduled:
        summary.append(
            _(
                "%(n)s candidat(s) n'ont pas d'heure de soutenance : leur convocation part "
                "sans heure."
            )
            % {"n": total - scheduled}
        )
    summary.append(
        _(
            "Une convocation envoyée ne peut pas être retirée : vérifiez la date, le lieu et "
            "les heures."
        )
    )
    return Confirmation(
        key="convocations",
        title=_("Envoyer les convocations ?"),
        summary=summary,
        confirm_label=_("Envoyer %(n)s convocation(s)") % {"n": new},
    )


def close_confirmation(session) -> Confirmation:
    """Closing the deliberation: which decisions the candidates without one get, what freezes."""
    recorded = JuryDecision.objects.filter(session=session).count()
    rows = (
        SessionCandidate.objects.filter(SHOW_FILTERS["undecided"], session=session)
        .order_by()
        .values_list("computed_outcome", "referred", "penalty_pending")
        .annotate(n=Count("pk"))
    )
    adopted: dict[str, int] = {}
    incomplete = referred = pending = 0
    for outcome, is_referred, is_pending, n in rows:
        if not outcome:
            incomplete += n
        elif is_referred:
            referred += n
        elif is_pending:
            pending += n
        else:
            adopted[outcome] = adopted.get(outcome, 0) + n
    summary = [
        _("%(n)s décision(s) enregistrée(s) par le jury restent telles quelles.") % {"n": recorded},
        _("%(n)s candidat(s) sans décision reçoivent la décision calculée : %(detail)s.")
        % {"n": sum(adopted.values()), "detail": outcome_counts_text(adopted) or "—"},
        _(
            "Les portefeuilles passent à « décidé » et les évaluations des tuteurs sont "
            "verrouillées."
        ),
        _(
            "Les résultats sont figés : aucune décision ne pourra plus être modifiée. Aucun "
            "e-mail n'est envoyé : les candidats ne voient rien avant la publication."
        ),
    ]
    if incomplete or referred:
        summary.append(
            _(
                "Clôture impossible pour l'instant : %(i)s dossier(s) incomplet(s) et %(r)s cas "
                "renvoyé(s) au jury sans décision."
            )
            % {"i": incomplete, "r": referred}
        )
    if pending:
        summary.append(
            _(
                "Clôture impossible pour l'instant : %(n)s pénalité(s) d'assiduité en attente de "
                "l'accord de l'équipe pédagogique, sans décision du jury."
            )
            % {"n": pending}
        )
    return Confirmation(
        key="close",
        title=_("Clore la délibération ?"),
        summary=summary,
        confirm_label=_("Clore la délibération"),
    )


def adopt_confirmation(session) -> tuple[Confirmation, dict[str, int]]:
    """Adopting the computed decisions of the unflagged candidates without one; return it with
    the counts by outcome it states (the service checks they still hold)."""
    counts = adoptable_counts(session)
    total = sum(counts.values())
    summary = [
        _(
            "%(n)s candidat(s) sans décision, au dossier complet et sans signalement, reçoivent "
            "la décision calculée : %(detail)s."
        )
        % {"n": total, "detail": outcome_counts_text(counts) or "—"},
        _(
            "Les candidats proches d'un seuil, renvoyés au jury, en fraude ou au dossier "
            "incomplet, et ceux qui ont déjà une décision, ne changent pas : décidez-les un par "
            "un."
        ),
        _(
            "Chaque décision est enregistrée au nom du président et tracée dans l'historique du "
            "candidat ; aucun e-mail n'est envoyé."
        ),
    ]
    return (
        Confirmation(
            key="adopt",
            title=_("Adopter les décisions calculées ?"),
            summary=summary,
            confirm_label=_("Adopter %(n)s décision(s)") % {"n": total},
        ),
        counts,
    )


def open_confirmation(session) -> Confirmation:
    """Opening the deliberation: the tutors' evaluations lock, the marks are those heard."""
    total = SessionCandidate.objects.filter(session=session).count()
    return Confirmation(
        key="open",
        title=_("Ouvrir la délibération ?"),
        summary=[
            _("La délibération porte sur %(n)s candidat(s).") % {"n": total},
            _(
                "Les évaluations des tuteurs de ces candidats sont verrouillées : elles ne "
                "pourront plus être modifiées."
            ),
            _("La composition du jury ne peut plus changer."),
        ],
        confirm_label=_("Ouvrir la délibération"),
    )


def absent_confirmation(soutenance) -> Confirmation:
    """Recording a candidate absent from the soutenance: no mark, for good."""
    name = soutenance.memoire.enrolment.candidate
    return Confirmation(
        key="absent",
        title=_("Déclarer %(name)s absent(e) ?") % {"name": name},
        summary=[
            _(
                "La soutenance de %(name)s est enregistrée comme non présentée : aucune note, et "
                "elle ne pourra plus être notée."
            )
            % {"name": name},
            _(
                "Sans soutenance, la pratique professionnelle n'est pas validée : le titre "
                "complet ne peut pas être obtenu à cette session."
            ),
        ],
        confirm_label=_("Confirmer l'absence"),
        danger=True,
    )


def fraud_confirmation(report) -> Confirmation:
    """Establishing a fraud: the candidate's session is invalidated, and they are told."""
    name = report.enrolment.candidate
    return Confirmation(
        key=f"fraud-{report.pk}",
        title=_("Établir la fraude de %(name)s ?") % {"name": name},
        summary=[
            _(
                "La session de %(name)s est invalidée : ses portefeuilles et son mémoire sont "
                "invalidés et aucun bloc n'est validé à cette session."
            )
            % {"name": name},
            _("Un e-mail l'en informe."),
            _("La décision est définitive : elle ne peut pas être annulée ici."),
        ],
        confirm_label=_("Établir la fraude"),
        danger=True,
    )


def tutor_invite_confirmation(enrolment) -> Confirmation:
    """Inviting the tutor: an e-mail leaves, it cannot be recalled."""
    tutor = enrolment.tutor
    return Confirmation(
        key="tutor",
        title=_("Inviter le tuteur ?"),
        summary=[
            _(
                "Un e-mail part à %(tutor)s (%(email)s) avec le lien vers la grille "
                "d'évaluation de %(candidate)s."
            )
            % {
                "tutor": tutor or "—",
                "email": getattr(tutor, "email", "—"),
                "candidate": enrolment.candidate,
            },
            _("Un e-mail envoyé ne peut pas être retiré."),
        ],
        confirm_label=_("Envoyer l'invitation"),
    )
