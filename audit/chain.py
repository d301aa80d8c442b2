"""The hash chain of the audit trail: the canonical form of a row, its hash, and the check.

Every row stores ``hash`` = SHA-256 of the canonical JSON text of this array, in this order::

    ["preuves-audit/1", previous_hash, at, action, actor_id, candidate_id, object_type_id,
     object_id, personal_digest]

- ``previous_hash``: the ``hash`` of the row before it in primary-key order; 64 zeros for the
  first row (``GENESIS``).
- ``at``: the time in UTC, ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (always six decimals).
- ``actor_id``, ``candidate_id``, ``object_type_id``: integers or null; ``action`` and
  ``object_id``: strings.
- ``personal_digest``: SHA-256 of the canonical JSON of ``{"after", "before", "object_repr",
  "reason", "salt"}``, the fields that may hold personal data, with the row's random salt. A
  redacted row keeps this digest but loses its salt, its personal fields (replaced by
  ``REDACTED``) and its ``after``/``before`` (null): the chain still verifies, and the kept
  digest reveals nothing of what was removed (the salt cannot be guessed).

Canonical JSON: keys sorted, no spaces (``,`` and ``:``), ASCII only (``\\uXXXX`` escapes), and
numbers written in one form whatever their Python type (``1``, ``1.0`` and ``1e0`` all ``1``;
``0.1`` is ``0.1``; ``1e20`` is ``100000000000000000000``), because PostgreSQL's jsonb gives
back a number in its own form; NaN and infinities are refused. The text is hashed as UTF-8.
The hex digests are lower case.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

VERSION = "preuves-audit/1"
GENESIS = "0" * 64
# The stored marker that replaces a redacted row's object_repr and reason (searched for).
REDACTED = "Supprimé (durée de conservation écoulée)"
# The action of the row that every redaction appends, listing the rows it redacted.
REDACTION_ACTION = "audit_redacted"
# The key of the PostgreSQL advisory lock that serialises appends (any constant bigint).
APPEND_LOCK_KEY = 7_043_652_170_412_001


def canonical_json(value) -> str:
    """Return the one canonical JSON text of ``value`` (see the module docstring)."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=True)
    if isinstance(value, dict):
        items = sorted((str(key), item) for key, item in value.items())
        return "{" + ",".join(f"{canonical_json(k)}:{canonical_json(v)}" for k, v in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(item) for item in value) + "]"
    raise TypeError(f"not JSON: {type(value).__name__}")


def _number(value: int | float) -> str:
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        raise ValueError("NaN and infinities have no JSON form.")
    number = Decimal(repr(value))
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_text(at: datetime) -> str:
    """Return ``at`` as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``; a naive time is read as Django does."""
    if timezone.is_naive(at):
        at = timezone.make_aware(at, timezone.get_default_timezone() if settings.USE_TZ else UTC)
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def personal_digest(*, object_repr: str, before, after, reason: str, salt: str) -> str:
    return sha256(
        canonical_json(
            {
                "after": after,
                "before": before,
                "object_repr": object_repr,
                "reason": reason,
                "salt": salt,
            }
        )
    )


def row_hash(
    *,
    previous_hash: str,
    at: datetime,
    action: str,
    actor_id,
    candidate_id,
    object_type_id,
    object_id: str,
    personal_digest: str,
) -> str:
    return sha256(
        canonical_json(
            [
                VERSION,
                previous_hash,
                utc_text(at),
                action,
                actor_id,
                candidate_id,
                object_type_id,
                object_id,
                personal_digest,
            ]
        )
    )


def seal(event, previous_hash: str) -> None:
    """Fill ``event``'s salt, personal digest, previous hash and hash (a model instance, live
    or historical), chaining it to ``previous_hash``."""
    event.content_salt = secrets.token_hex(16)
    event.personal_digest = personal_digest(
        object_repr=event.object_repr,
        before=event.before,
        after=event.after,
        reason=event.reason,
        salt=event.content_salt,
    )
    event.previous_hash = previous_hash
    event.hash = row_hash(
        previous_hash=previous_hash,
        at=event.at,
        action=event.action,
        actor_id=event.actor_id,
        candidate_id=event.candidate_id,
        object_type_id=event.object_type_id,
        object_id=event.object_id,
        personal_digest=event.personal_digest,
    )


# The columns a check reads, in this order.
CHECKED_FIELDS = (
    "pk",
    "at",
    "action",
    "actor_id",
    "candidate_id",
    "object_type_id",
    "object_id",
    "object_repr",
    "before",
    "after",
    "reason",
    "content_salt",
    "personal_digest",
    "previous_hash",
    "hash",
    "redacted_at",
)


@dataclass
class Break:
    pk: int
    at: datetime
    action: str
    problem: str


@dataclass
class Verdict:
    count: int
    redacted: int
    head: str
    breaks: list[Break]

    @property
    def first(self) -> Break | None:
        return self.breaks[0] if self.breaks else None


def redaction_covers(after) -> list[tuple[int, int]]:
    """Return the id ranges a redaction row says it redacted (nothing if malformed)."""
    ranges = (after or {}).get("events") if isinstance(after, dict) else None
    if not isinstance(ranges, list):
        return []
    return [
        (r[0], r[1])
        for r in ranges
        if isinstance(r, list) and len(r) == 2 and all(type(x) is int for x in r)
    ]


def id_ranges(ids: list[int]) -> list[list[int]]:
    """Return sorted ``ids`` as [[first, last], ...] runs of consecutive integers."""
    runs: list[list[int]] = []
    for pk in sorted(ids):
        if runs and pk == runs[-1][1] + 1:
            runs[-1][1] = pk
        else:
            runs.append([pk, pk])
    return runs


def verify(rows, redactions: list[tuple[int, list[tuple[int, int]]]]) -> Verdict:
    """Check ``rows`` (tuples of CHECKED_FIELDS in pk order) against the chain.

    ``redactions`` lists (pk, ranges) of every redaction row: a redacted row is accepted only
    if its personal fields are exactly the marker and a later redaction row names it.
    """
    # A row is redacted once, so the ranges of all redactions are disjoint: sort them to look
    # each redacted row up by bisection.
    covers = sorted((first, last, by) for by, ranges in redactions for first, last in ranges)
    firsts = [first for first, _last, _by in covers]

    def vouched(pk: int) -> bool:
        index = bisect.bisect_right(firsts, pk) - 1
        return index >= 0 and covers[index][1] >= pk and covers[index][2] > pk

    previous = GENESIS
    count = redacted = 0
    breaks: list[Break] = []
    for row in rows:
        (pk, at, action, actor_id, candidate_id, object_type_id, object_id, object_repr) = row[:8]
        (before, after, reason, salt, digest, previous_hash, stored_hash, redacted_at) = row[8:]
        count += 1
        redacted += redacted_at is not None
        problem = ""
        if previous_hash != previous:
            problem = _(
                "l'empreinte précédente ne correspond pas à la ligne d'avant "
                "(ligne supprimée, insérée ou déplacée)"
            )
        elif redacted_at is None and digest != personal_digest(
            object_repr=object_repr, before=before, after=after, reason=reason, salt=salt
        ):
            problem = _("contenu modifié (objet, avant, après ou motif)")
        elif redacted_at is not None and (
            (object_repr, before, after, reason, salt) != (REDACTED, None, None, REDACTED, "")
            or not vouched(pk)
        ):
            problem = _("ligne effacée hors de la procédure d'effacement")
        elif stored_hash != row_hash(
            previous_hash=previous_hash,
            at=at,
            action=action,
            actor_id=actor_id,
            candidate_id=candidate_id,
            object_type_id=object_type_id,
            object_id=object_id,
            personal_digest=digest,
        ):
            problem = _("empreinte fausse (date, action, acteur, candidat ou objet modifié)")
        if problem:
            breaks.append(Break(pk=pk, at=at, action=action, problem=problem))
        # Carry on from the stored hash, so that one altered row is reported once.
        previous = stored_hash
    return Verdict(count=count, redacted=redacted, head=previous, breaks=breaks)
