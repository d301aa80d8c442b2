"""Dates and eligibility rules of the règlement (RULES.md §2, §4, §6), as pure functions.

Each function takes the dates it needs, including the day to judge (``on``), and returns an
``Eligibility``: whether the thing is allowed, why in French, and the date that matters (the
deadline, or the first day it becomes allowed). Nothing here reads the clock: the caller passes
today from its own time seam. Bounds are inclusive: the last day of a window is in the window.

Calendar months are added with ``add_months``: the day is clamped to the end of a shorter month
(31 January + 1 month = 28 or 29 February).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

PORTFOLIO_WINDOW_START_MONTHS = 3
PORTFOLIO_WINDOW_END_MONTHS = 6
RETAKE_VALIDITY_MONTHS = 5 * 12
RETAKES_PER_BLOC = 1
PRACTICE_RETAKE_EXPERIENCE_MONTHS = 3
RETAKE_REGISTRATION_MONTHS_BEFORE = 4
JUSTIFIED_ABSENCE_RETAKE_MONTHS = 6
FRAUD_WAITING_MONTHS = 6
REDOUBLEMENT_REQUEST_MONTHS_BEFORE = 1
FALSIFICATION_BAN_MONTHS = 10 * 12
CONVOCATION_MONTHS_BEFORE = 1
RESULTS_DEADLINE = timedelta(weeks=6)
RESULTS_WARNING = timedelta(weeks=4)
ARCHIVE_RETENTION_MONTHS = 12


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: str
    key_date: date | None
    warning: bool = False

    def __bool__(self) -> bool:
        return self.allowed


def add_months(day: date, months: int) -> date:
    """Return day moved by a number of calendar months, clamped to the end of the month."""
    month_index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    last_day = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last_day))


def fr_date(day: date) -> str:
    """Return a date as the French numeric form, 05/03/2025."""
    return day.strftime("%d/%m/%Y")


def portfolio_window(
    *, training_end: date, on: date, extended_until: date | None = None
) -> Eligibility:
    """Return whether a portfolio may be presented on a day: 3 to 6 months after training.

    ``extended_until`` is an extension granted by the establishment; it can only move the end of
    the window later.
    """
    opens = add_months(training_end, PORTFOLIO_WINDOW_START_MONTHS)
    closes = add_months(training_end, PORTFOLIO_WINDOW_END_MONTHS)
    extended = extended_until is not None and extended_until > closes
    if extended:
        closes = extended_until
    if on < opens:
        return Eligibility(
            False,
            f"Le portefeuille ne peut être présenté qu'à partir de 3 mois après la fin de la "
            f"formation, soit le {fr_date(opens)}.",
            opens,
        )
    if on > closes:
        return Eligibility(
            False,
            f"La période de présentation du portefeuille s'est terminée le {fr_date(closes)}"
            + (" (prolongation comprise)." if extended else " (6 mois après la formation)."),
            closes,
        )
    return Eligibility(
        True,
        f"Le portefeuille peut être présenté jusqu'au {fr_date(closes)}"
        + (" (prolongation accordée)." if extended else "."),
        closes,
    )


def bloc_retake(
    *, failed_on: date, on: date, bloc_validated: bool, retakes_taken: int = 0
) -> Eligibility:
    """Return whether a bloc may be retaken: once, within 5 years, only when not validated.

    ``failed_on`` is the date of the session where the bloc failed: the 5 years count from it,
    whatever later sessions decided about other blocs.
    """
    deadline = add_months(failed_on, RETAKE_VALIDITY_MONTHS)
    if bloc_validated:
        return Eligibility(False, "Ce bloc est validé : il n'y a pas de rattrapage.", None)
    if retakes_taken >= RETAKES_PER_BLOC:
        return Eligibility(
            False, "Ce bloc a déjà été repassé : un seul rattrapage est permis par bloc.", None
        )
    if on < failed_on:
        return Eligibility(
            False, "Le rattrapage n'est possible qu'après la décision du jury.", failed_on
        )
    if on > deadline:
        return Eligibility(
            False,
            f"Le délai de 5 ans pour repasser ce bloc, compté depuis le jury du "
            f"{fr_date(failed_on)} où il n'a pas été validé, a expiré le {fr_date(deadline)}.",
            deadline,
        )
    return Eligibility(
        True,
        f"Ce bloc peut être repassé une fois, au plus tard le {fr_date(deadline)}.",
        deadline,
    )


def practice_retake(
    *,
    decision_date: date,
    on: date,
    experience_start: date | None,
    practice_validated: bool = False,
) -> Eligibility:
    """Return whether the professional practice may be retaken.

    It needs at least 3 months of relevant professional experience (counted from
    ``experience_start``) and must happen within 5 years of the decision.
    """
    deadline = add_months(decision_date, RETAKE_VALIDITY_MONTHS)
    if practice_validated:
        return Eligibility(
            False, "La pratique professionnelle est validée : il n'y a pas de reprise.", None
        )
    if on > deadline:
        return Eligibility(
            False,
            f"Le délai de 5 ans après la décision pour reprendre la pratique professionnelle "
            f"a expiré le {fr_date(deadline)}.",
            deadline,
        )
    if experience_start is None:
        return Eligibility(
            False,
            "La reprise de la pratique professionnelle demande au moins 3 mois d'expérience "
            "professionnelle en rapport avec le titre.",
            None,
        )
    ready = max(add_months(experience_start, PRACTICE_RETAKE_EXPERIENCE_MONTHS), decision_date)
    if on < ready:
        return Eligibility(
            False,
            f"La reprise de la pratique professionnelle sera possible à partir du "
            f"{fr_date(ready)} (3 mois d'expérience professionnelle en rapport avec le titre).",
            ready,
        )
    return Eligibility(
        True,
        f"Un dossier sur une problématique professionnelle peut être présenté jusqu'au "
        f"{fr_date(deadline)}.",
        deadline,
    )


def retake_portfolio_window(
    *, registered_on: date, evaluation_date: date, on: date, extended_until: date | None = None
) -> Eligibility:
    """Return whether a retake's portfolio may be presented on a day.

    **Ruling** (issue 16): a retake attempt keeps no tie to the cohort's 3-to-6-month window; its
    portfolio may be presented from the registration until the retake's evaluation date, the day
    it is presented to the jury (an extension only moves the end later).
    """
    closes = evaluation_date
    extended = extended_until is not None and extended_until > closes
    if extended:
        closes = extended_until
    if on < registered_on:
        return Eligibility(
            False,
            f"Le portefeuille de rattrapage ne peut être présenté qu'à partir de l'inscription "
            f"au rattrapage, le {fr_date(registered_on)}.",
            registered_on,
        )
    if on > closes:
        return Eligibility(
            False,
            f"La période de présentation du portefeuille de rattrapage s'est terminée le "
            f"{fr_date(closes)}"
            + (" (prolongation comprise)." if extended else " (date de l'évaluation du bloc)."),
            closes,
        )
    return Eligibility(
        True,
        f"Rattrapage : le portefeuille peut être présenté jusqu'au {fr_date(closes)}"
        + (" (prolongation accordée)." if extended else ", date de l'évaluation du bloc."),
        closes,
    )


def redoublement(
    *, failed_on: date, request_date: date, training_start: date, fraud: bool
) -> Eligibility:
    """Return whether a candidate may repeat the year in a cohort starting on ``training_start``.

    **Ruling** (issue 16): repeating is one of the two ways to « repasser » a bloc, so it uses
    the bloc's single retake and must start within 5 years of the session that failed it; the
    written request comes before the training starts. After a fraud the new training starts
    only after the 6-month waiting period, and the request reaches the centre at least 1 month
    before the training starts (règlement §4).
    """
    if training_start <= failed_on:
        return Eligibility(
            False,
            f"Le redoublement se fait dans une promotion qui commence après le jury du "
            f"{fr_date(failed_on)}.",
            failed_on,
        )
    if fraud:
        opens = add_months(failed_on, FRAUD_WAITING_MONTHS)
        if training_start < opens:
            return Eligibility(
                False,
                f"Après une fraude, un délai de 6 mois s'applique : la formation du redoublement "
                f"doit commencer à partir du {fr_date(opens)}.",
                opens,
            )
        latest = add_months(training_start, -REDOUBLEMENT_REQUEST_MONTHS_BEFORE)
        if request_date > latest:
            return Eligibility(
                False,
                f"Après une fraude, la demande de redoublement devait parvenir par lettre "
                f"recommandée au plus tard le {fr_date(latest)}, 1 mois avant le début de la "
                f"formation.",
                latest,
            )
        return Eligibility(
            True,
            f"Redoublement possible : demande reçue au plus tard le {fr_date(latest)}.",
            latest,
        )
    deadline = add_months(failed_on, RETAKE_VALIDITY_MONTHS)
    if training_start > deadline:
        return Eligibility(
            False,
            f"Le délai de 5 ans pour repasser les blocs non validés, compté depuis le jury du "
            f"{fr_date(failed_on)}, expire le {fr_date(deadline)} : la formation doit commencer "
            f"au plus tard ce jour-là.",
            deadline,
        )
    if request_date > training_start:
        return Eligibility(
            False,
            f"La demande écrite de redoublement doit précéder le début de la formation, le "
            f"{fr_date(training_start)}.",
            training_start,
        )
    return Eligibility(
        True,
        f"Redoublement possible : formation commençant au plus tard le {fr_date(deadline)}.",
        deadline,
    )


def retake_registration(*, evaluation_date: date, registered_on: date) -> Eligibility:
    """Return whether a retake registration is in time: 4 months before the bloc evaluation."""
    deadline = add_months(evaluation_date, -RETAKE_REGISTRATION_MONTHS_BEFORE)
    if registered_on > deadline:
        return Eligibility(
            False,
            f"L'inscription au rattrapage devait parvenir par lettre recommandée au plus tard "
            f"le {fr_date(deadline)}, 4 mois avant l'évaluation du bloc.",
            deadline,
        )
    return Eligibility(
        True,
        f"Inscription dans les délais (au plus tard le {fr_date(deadline)}).",
        deadline,
    )


def justified_absence_retake(*, request_date: date, retake_date: date) -> Eligibility:
    """Return whether a retake after a justified absence is held within 6 months of the request."""
    deadline = add_months(request_date, JUSTIFIED_ABSENCE_RETAKE_MONTHS)
    if retake_date < request_date:
        return Eligibility(
            False,
            "Le rattrapage pour absence justifiée suit la demande écrite du candidat.",
            request_date,
        )
    if retake_date > deadline:
        return Eligibility(
            False,
            f"Le rattrapage pour absence justifiée doit avoir lieu dans les 6 mois de la "
            f"demande écrite, au plus tard le {fr_date(deadline)}.",
            deadline,
        )
    return Eligibility(
        True,
        f"Rattrapage pour absence justifiée possible jusqu'au {fr_date(deadline)}.",
        deadline,
    )


def fraud_retake(*, fraud_decision_date: date, on: date) -> Eligibility:
    """Return whether a candidate sanctioned for fraud may sit again: after 6 months, all blocs."""
    opens = add_months(fraud_decision_date, FRAUD_WAITING_MONTHS)
    if on < opens:
        return Eligibility(
            False,
            f"Après une fraude, un délai de 6 mois s'applique : nouvelle inscription possible "
            f"à partir du {fr_date(opens)}.",
            opens,
        )
    return Eligibility(
        True,
        "Le délai de 6 mois après la fraude est écoulé : le candidat repasse toutes les "
        "évaluations de bloc à la session suivante.",
        opens,
    )


def falsification_ban(*, sanction_date: date, on: date) -> Eligibility:
    """Return whether a candidate sanctioned for falsification may register again (10 years)."""
    ends = add_months(sanction_date, FALSIFICATION_BAN_MONTHS)
    if on < ends:
        return Eligibility(
            False,
            f"Falsification de résultats : interdiction de se présenter aux diplômes du réseau "
            f"pendant 10 ans, jusqu'au {fr_date(ends)}.",
            ends,
        )
    return Eligibility(True, "L'interdiction de 10 ans est terminée.", ends)


def convocation(*, exam_date: date, sent_on: date) -> Eligibility:
    """Return whether a convocation sent on a day reaches the candidate 1 month ahead."""
    latest = add_months(exam_date, -CONVOCATION_MONTHS_BEFORE)
    if sent_on > latest:
        return Eligibility(
            False,
            f"La convocation doit être envoyée au moins un mois avant l'épreuve, au plus tard "
            f"le {fr_date(latest)}.",
            latest,
        )
    return Eligibility(
        True, f"Convocation dans les délais (au plus tard le {fr_date(latest)}).", latest
    )


def results_disclosure(*, last_exam_date: date, on: date) -> Eligibility:
    """Return whether results published on a day meet the 6-week limit after the last exam.

    From 4 weeks after the last exam the answer carries a warning, so that the deadline is
    seen coming.
    """
    deadline = last_exam_date + RESULTS_DEADLINE
    if on < last_exam_date:
        return Eligibility(
            False,
            "Les résultats ne peuvent être communiqués avant la dernière épreuve.",
            last_exam_date,
        )
    if on > deadline:
        return Eligibility(
            False,
            f"Les résultats devaient être communiqués au plus tard le {fr_date(deadline)}, "
            "6 semaines après la dernière épreuve.",
            deadline,
        )
    if on >= last_exam_date + RESULTS_WARNING:
        return Eligibility(
            True,
            f"Attention : les résultats doivent être communiqués au plus tard le "
            f"{fr_date(deadline)}.",
            deadline,
            warning=True,
        )
    return Eligibility(
        True, f"Résultats à communiquer au plus tard le {fr_date(deadline)}.", deadline
    )


def archive_disposal(*, archived_on: date, on: date) -> Eligibility:
    """Return whether marked papers archived on a day may be destroyed (kept at least 1 year)."""
    earliest = add_months(archived_on, ARCHIVE_RETENTION_MONTHS)
    if on < earliest:
        return Eligibility(
            False,
            f"Les copies corrigées sont conservées au moins un an (délai de recours), "
            f"jusqu'au {fr_date(earliest)}.",
            earliest,
        )
    return Eligibility(True, "La durée minimale de conservation d'un an est écoulée.", earliest)


# --- The jury (RULES.md §6) ---------------------------------------------------------------

JURY_MIN_YEARS_IN_TARGET_JOBS = 1
JURY_MAX_INACTIVE_MONTHS = 3 * 12
JURY_PRESIDENT = "president"
JURY_PROFESSIONAL = "professional"
JURY_CCI_REPRESENTATIVE = "cci_representative"
JURY_OBSERVER = "observer"
# Exactly these voting seats, whatever the route; an observer (sponsoring establishment) may sit.
JURY_SEATS = {JURY_PRESIDENT: 1, JURY_PROFESSIONAL: 2, JURY_CCI_REPRESENTATIVE: 1}
JURY_MAX_OBSERVERS = 1
_SEAT_NAMES = {
    JURY_PRESIDENT: "président",
    JURY_PROFESSIONAL: "professionnel(s) du métier",
    JURY_CCI_REPRESENTATIVE: "représentant CCI / établissement",
}


def jury_composition(*, roles) -> Eligibility:
    """Return whether seats with these roles make a jury: 1 president, 2 professionals, 1 CCI."""
    counts: dict[str, int] = {}
    for role in roles:
        counts[role] = counts.get(role, 0) + 1
    unknown = sorted(set(counts) - set(JURY_SEATS) - {JURY_OBSERVER})
    if unknown:
        return Eligibility(False, f"Rôle de jury inconnu : {', '.join(unknown)}.", None)
    problems = [
        f"{counts.get(role, 0)} {_SEAT_NAMES[role]} au lieu de {expected}"
        for role, expected in JURY_SEATS.items()
        if counts.get(role, 0) != expected
    ]
    if counts.get(JURY_OBSERVER, 0) > JURY_MAX_OBSERVERS:
        problems.append(f"{counts[JURY_OBSERVER]} observateurs au lieu d'un au plus")
    if problems:
        return Eligibility(
            False,
            "Le jury doit compter exactement 1 président, 2 professionnels du métier et "
            "1 représentant CCI / établissement (plus un observateur facultatif) : "
            + " ; ".join(problems)
            + ".",
            None,
        )
    return Eligibility(True, "Composition du jury conforme.", None)


def jury_member_experience(
    *, years_in_target_jobs, last_active: date | None, on: date, name: str = ""
) -> Eligibility:
    """Return whether someone may sit on a jury: 1 year in the jobs, not inactive over 3 years.

    ``years_in_target_jobs`` is a number of years (Decimal or int) or None when not recorded.
    """
    who = f"{name} : " if name else ""
    if years_in_target_jobs is None or years_in_target_jobs < JURY_MIN_YEARS_IN_TARGET_JOBS:
        return Eligibility(
            False,
            f"{who}un membre du jury doit avoir exercé ou encadré les métiers visés pendant au "
            "moins 1 an" + (" (durée non renseignée)." if years_in_target_jobs is None else "."),
            None,
        )
    if last_active is None:
        return Eligibility(
            False,
            f"{who}la date de dernière activité dans les métiers visés n'est pas renseignée.",
            None,
        )
    limit = add_months(last_active, JURY_MAX_INACTIVE_MONTHS)
    if on > limit:
        return Eligibility(
            False,
            f"{who}inactif dans les métiers visés depuis plus de 3 ans (dernière activité le "
            f"{fr_date(last_active)}).",
            limit,
        )
    return Eligibility(True, f"{who}expérience conforme.", limit)


# --- Accommodations (RULES.md §5) ---------------------------------------------------------

EXTRA_TIME_NUMERATOR, EXTRA_TIME_DENOMINATOR = 1, 3  # one third extra time


def accommodated_minutes(minutes: int, *, extra_time: bool) -> int:
    """Return a test's duration with the extra third when granted, rounded up to the minute."""
    if not extra_time:
        return minutes
    total = minutes * (EXTRA_TIME_DENOMINATOR + EXTRA_TIME_NUMERATOR)
    return -(-total // EXTRA_TIME_DENOMINATOR)
