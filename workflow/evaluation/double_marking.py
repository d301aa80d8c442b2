"""When a portfolio or a mémoire needs a second evaluation, and how two marks become one.

A second, independent evaluation is required when the first mark leaves the bloc (its CC plus
the portfolio mark) within 1 point on 20 of a decision threshold (the bloc's minimum, 8/20, or
its validation mark, 10/20), and for a random sample of portfolios
(``PREUVES_DOUBLE_MARKING_SAMPLE_PCT``, default 10 %). The mémoire's written mark likewise, near
the professional practice's threshold (10/20) or drawn in the same sample.

The sample is drawn from an HMAC of the portfolio's id keyed with the project's SECRET_KEY: the
draw is reproducible (the centre can show why a file was drawn, the same file always gives the
same answer) but an evaluator cannot predict it without the secret. ``random.Random`` seeded
with the bare id would be reproducible but guessable; ``secrets`` would be unguessable but not
reproducible.

Two marks within ``PREUVES_DOUBLE_MARKING_GAP_ON_20`` points on 20 of the épreuve are averaged
(exact Decimal); beyond that the centre's staff reconcile them.
"""

import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from portfolio.models import Memoire
from rules import wording
from workflow.marks.cc import bloc_cc_points

THRESHOLD_MARGIN_ON_20 = Decimal(1)
TWENTY = Decimal(20)


def on_20(points: Decimal, out_of) -> Decimal:
    """Return ``points / out_of × 20`` exactly enough for comparisons (no early rounding)."""
    return Decimal(points) * TWENTY / Decimal(out_of)


def near_threshold(points: Decimal, out_of, bloc) -> bool:
    """Return True when ``points / out_of`` lies within 1 point on 20 of 8/20 or 10/20.

    Compared by cross-multiplication, so that no division rounds a mark across a boundary.
    """
    points, out_of = Decimal(points), Decimal(out_of)
    return any(
        abs(points * TWENTY - threshold * out_of) <= THRESHOLD_MARGIN_ON_20 * out_of
        for threshold in (bloc.minimum_on_20, bloc.validation_on_20)
    )


def sample_draw(portfolio_id: int, *, kind: str = "") -> Decimal:
    """Return the file's reproducible draw, a percentage in [0, 100) (``kind``: "" for a
    portfolio, "memoire:" for a mémoire, whose ids are drawn apart from the portfolios')."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(),
        f"double-marking:{kind}{portfolio_id}".encode(),
        hashlib.sha256,
    ).digest()
    return Decimal(int.from_bytes(digest[:8], "big") % 10_000) / 100


def is_sampled(portfolio_id: int, *, kind: str = "") -> bool:
    draw = sample_draw(portfolio_id, kind=kind)
    return draw < Decimal(settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT)


def threshold_reason(bloc, cc: Decimal | None, mark: Decimal, *, out_of) -> str:
    """Return why a first mark ``mark`` (out of ``out_of``) with the bloc's CC points ``cc``
    (None: unknown, the mark is judged alone) lies near a threshold, or "" when it does not."""
    if cc is None:
        points, total = Decimal(mark), Decimal(out_of)
        basis = _("note du portefeuille seule, CC inconnu")
    else:
        points, total = cc + Decimal(mark), bloc.cc_points + Decimal(out_of)
        basis = _("CC compris")
    if not near_threshold(points, total, bloc):
        return ""
    return _("Note proche d'un seuil de décision : %(mark)s/20 (%(basis)s).") % {
        "mark": wording.fr_number(on_20(points, total)),
        "basis": basis,
    }


@dataclass(frozen=True)
class PracticeThresholds:
    """The professional practice's one threshold (10/20: both its minimum and its validation),
    read as a bloc's two by ``near_threshold``."""

    minimum_on_20: Decimal
    validation_on_20: Decimal


def written_threshold_reason(memoire, mark: Decimal, *, out_of) -> str:
    """Return why a mémoire's first written mark lies within 1 point on 20 of the professional
    practice's threshold (10/20), judged alone, or "" when it does not.

    The written mark is judged alone because it is the one firm part of the practice when it is
    scored: the soutenance is marked after it (the mémoire's states order them), and the tutor's
    mark waits on the pedagogical team's agreement to its absence penalty.
    """
    threshold = Decimal(memoire.enrolment.cohort.title.practice_minimum_on_20)
    if not near_threshold(mark, out_of, PracticeThresholds(threshold, threshold)):
        return ""
    return _("Note proche du seuil de la pratique professionnelle : %(mark)s/20 (écrit seul).") % {
        "mark": wording.fr_number(on_20(Decimal(mark), out_of))
    }


def double_marking_reasons(target, mark: Decimal, *, out_of) -> list[str]:
    """Return why ``target`` (a portfolio or a mémoire), first marked ``mark`` out of
    ``out_of``, needs a second marking (empty: it does not)."""
    if isinstance(target, Memoire):
        near = written_threshold_reason(target, mark, out_of=out_of)
        sampled = is_sampled(target.pk, kind="memoire:")
    else:
        bloc = target.bloc
        near = threshold_reason(bloc, bloc_cc_points(target.enrolment, bloc), mark, out_of=out_of)
        sampled = is_sampled(target.pk)
    reasons = [near] if near else []
    if sampled:
        reasons.append(_("Tirage aléatoire de contrôle."))
    return reasons


def within_gap(first: Decimal, second: Decimal, *, out_of) -> bool:
    """Return True when the two marks differ by no more than the allowed gap on 20."""
    gap = Decimal(settings.PREUVES_DOUBLE_MARKING_GAP_ON_20)
    return abs(Decimal(first) - Decimal(second)) * TWENTY <= gap * Decimal(out_of)


def mean(first: Decimal, second: Decimal) -> Decimal:
    return (Decimal(first) + Decimal(second)) / 2
