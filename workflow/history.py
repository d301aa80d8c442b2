"""A candidate's history in plain French: each audit line named, its change told in words.

``history_rows(events, audience=…)`` turns a page of ``AuditEvent`` rows into ``HistoryRow``
values for a page or an export: the action's label and kind (``audit.labels``), who acted, on
what, and what changed — the states in the words of each model's choices (« Brouillon →
Déposé »), or, for a line without a change of state, what it did (which file, which mark, which
evaluator). The people it names are read in one query per page.

``Audience.STAFF`` (the centre's staff, the jury's president) reads everything.
``Audience.CANDIDATE`` (the candidate's own pages) never reads another person's name but the
candidate's (the evaluator stays anonymous), nor a mark (marks are confidential until the
results are published, and shown on the results page), nor a reason written by an evaluator:
the candidate's pages show only the actions whose ``candidate_sees`` is true.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

from accounts.fields import format_decimal
from accounts.models import User
from audit import chain
from audit.labels import Kind, action_of
from portfolio.models import Memoire, Portfolio, ScanStatus
from workflow.history_backoffice import BackOfficeDetails, _day, _moment
from workflow.models import (
    Accommodation,
    EpreuveAttendance,
    FraudReport,
    JuryDecision,
    JuryMember,
    Reconciliation,
)


class Audience(Enum):
    STAFF = "staff"
    CANDIDATE = "candidate"


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    kind: str
    label: str
    actor: str
    subject: str
    change: str
    reason: str


# The file an assignment is about is a portfolio or a mémoire: their states share their codes'
# words (a test checks it), so one vocabulary reads both.
TARGET_STATES = {**dict(Memoire.State.choices), **dict(Portfolio.State.choices)}
# The actions an evaluator performs, and those the jury does, as the candidate reads them.
EVALUATOR_ACTIONS = frozenset(
    {
        "portfolio.start_evaluation",
        "memoire.mark_written",
        "portfolio.evaluated",
        "portfolio.second_evaluation_done",
        "memoire.second_evaluation_done",
    }
)
JURY_ACTIONS = frozenset(
    {
        "fraud_report.confirm",
        "fraud_report.dismiss",
        "portfolio.invalidate",
        "memoire.invalidate",
        "soutenance.mark",
        "jury_decision.record",
        "jury_decision.override",
        "portfolio.decide",
        "tutor_evaluation.lock",
    }
)
TUTOR_ACTIONS = frozenset({"tutor_evaluation.save", "tutor_evaluation.submit"})
# The detail keys that name a person (an account's id).
PERSON_KEYS = ("evaluator", "user", "accompanist", "trainer")
DECIMAL = re.compile(r"\b(\d+)\.(\d+)\b")


def history_rows(events, *, audience: Audience = Audience.STAFF) -> list[HistoryRow]:
    """Return ``events`` (with ``actor`` and ``object_type`` selected) told in French."""
    events = list(events)
    people = _people(events) if audience is Audience.STAFF else {}
    return [_row(event, audience, people) for event in events]


def _people(events) -> dict[int, str]:
    ids = set()
    for event in events:
        for values in (event.before, event.after):
            if isinstance(values, dict):
                ids |= {values[k] for k in PERSON_KEYS if isinstance(values.get(k), int)}
    if not ids:
        return {}
    return {user.pk: str(user) for user in User.objects.filter(pk__in=ids)}


def _row(event, audience: Audience, people: dict[int, str]) -> HistoryRow:
    action = action_of(event.action)
    model = event.object_type.model_class() if event.object_type_id else None
    staff = audience is Audience.STAFF
    parts = _state_changes(event, model)
    details = Details(event, model, people, staff)
    parts += [part for part in details.of(event.action) if part]
    # A reason an evaluator wrote (a declaration, why a mark needs a second look) stays staff's.
    hidden = event.action in EVALUATOR_ACTIONS or not action.candidate_sees
    reason = "" if not staff and hidden else _decimals(event.reason)
    return HistoryRow(
        at=event.at,
        kind=str(Kind(action.kind).label),
        label=str(action.label),
        actor=_actor(event, action, staff),
        subject=_subject(event, model, staff),
        change=" ; ".join(str(part) for part in parts),
        reason=reason,
    )


def _actor(event, action, staff: bool) -> str:
    if event.actor_id is None:
        return _("Preuves (automatique)")
    if staff:
        return str(event.actor)
    if event.actor_id == event.candidate_id:
        return _("Vous")
    if event.action in EVALUATOR_ACTIONS:
        return _("L'évaluateur")
    if event.action in JURY_ACTIONS:
        return _("Le jury")
    if event.action in TUTOR_ACTIONS:
        return _("Le tuteur")
    return _("Le centre")


def _subject(event, model, staff: bool) -> str:
    if event.redacted_at or event.object_repr == chain.REDACTED:
        return chain.REDACTED
    # Only the candidate's own files keep their names for the candidate; an assignment or a
    # scoring names its evaluator.
    if (
        not staff
        and model not in (Portfolio, Memoire)
        and event.action
        not in {
            "evidence.upload",
            "evidence.update",
            "evidence.remove",
        }
    ):
        return str(model._meta.verbose_name).capitalize() if model else ""
    return _decimals(event.object_repr)


def _decimals(text: str) -> str:
    """Return ``text`` with its numbers written the French way (« 3,5 h », not « 3.50 h »)."""
    return DECIMAL.sub(lambda m: format_decimal(m.group(0)), text)


def _states(model) -> dict:
    states = getattr(model, "State", None)
    return dict(states.choices) if states is not None else {}


def _state(words: dict, code: str) -> str:
    return str(words.get(code) or TARGET_STATES.get(code) or _("autre état"))


def _state_changes(event, model) -> list[str]:
    before = event.before if isinstance(event.before, dict) else {}
    after = event.after if isinstance(event.after, dict) else {}
    parts = []
    for key, words, prefix in (
        ("state", _states(model), ""),
        ("target_state", TARGET_STATES, _("Dossier : ")),
    ):
        old, new = before.get(key), after.get(key)
        if old and new and old != new:
            parts.append(f"{prefix}{_state(words, old)} → {_state(words, new)}")
        elif new and not old:
            parts.append(f"{prefix}{_state(words, new)}")
    return parts


def _mark(value, out_of=None) -> str:
    if value in (None, ""):
        return ""
    text = format_decimal(value)
    return f"{text} / {out_of}" if out_of else text


class Details(BackOfficeDetails):
    """What one line did, beyond its change of state: one short phrase per fact."""

    def __init__(self, event, model, people: dict[int, str], staff: bool):
        self.before = event.before if isinstance(event.before, dict) else {}
        self.after = event.after if isinstance(event.after, dict) else {}
        self.model = model
        self.people = people
        self.staff = staff

    def of(self, code: str) -> list[str]:
        method = getattr(self, "_" + code.replace(".", "__"), None)
        return method() if method else []

    def _person(self, key: str, values=None) -> str:
        pk = (values if values is not None else {**self.before, **self.after}).get(key)
        if not self.staff or pk is None:
            return ""
        return self.people.get(pk, _("compte supprimé"))

    def _marks(self, *phrases) -> list[str]:
        return list(phrases) if self.staff else []

    def _choice(self, enum, value) -> str:
        return dict(enum.choices).get(value, "") if value else ""

    # --- dépôt
    def _evidence(self) -> list[str]:
        values = self.after or self.before
        parts = []
        if values.get("original_name"):
            parts.append(_("fichier « %(name)s »") % {"name": values["original_name"]})
        if values.get("competencies"):
            parts.append(_("compétences %(codes)s") % {"codes": ", ".join(values["competencies"])})
        return parts

    _evidence__upload = _evidence__remove = _evidence

    def _evidence__update(self) -> list[str]:
        names = {"title": _("titre"), "description": _("description"), "work_date": _("date")}
        names["competencies"] = _("compétences")
        changed = [
            word for key, word in names.items() if self.before.get(key) != self.after.get(key)
        ]
        if not changed:
            return [_("aucun changement")]
        return [_("modifié : %(fields)s") % {"fields": ", ".join(changed)}]

    def _portfolio__new_version(self) -> list[str]:
        return [
            _("version %(old)s → version %(new)s")
            % {"old": self.before.get("version"), "new": self.after.get("version")}
        ]

    def _portfolio__extension_grant(self) -> list[str]:
        return [_("jusqu'au %(day)s") % {"day": _day(self.after.get("window_extended_until"))}]

    _portfolio__window_extend = _portfolio__extension_grant

    def _memoire__upload(self) -> list[str]:
        subject = self.after.get("subject")
        replaced = _("remplace le fichier précédent") if self.before.get("file") else ""
        return [_("sujet « %(subject)s »") % {"subject": subject} if subject else "", replaced]

    def _rescan(self) -> list[str]:
        old, new = self.before.get("scan_status"), self.after.get("scan_status")
        words = dict(ScanStatus.choices)
        if old and old != new:
            return [f"{_state(words, old)} → {_state(words, new)}"]
        return [_state(words, new)]

    _evidence__rescan = _memoire__rescan = _rescan

    # --- évaluation
    def _assignment__create(self) -> list[str]:
        rank = self.after.get("rank")
        return [
            self._person("evaluator"),
            _("seconde évaluation") if rank == 2 else _("première évaluation"),
            _("à rendre le %(day)s") % {"day": _day(self.after.get("due_date"))},
        ]

    def _due(self) -> list[str]:
        return [_("à rendre le %(day)s") % {"day": _day(self.after.get("due_date"))}]

    _assignment__reminder = _assignment__overdue = _due

    def _scoring__submit(self) -> list[str]:
        return self._marks(
            _("total %(mark)s points")
            % {"mark": _mark(self.after.get("total"), self.after.get("out_of"))}
        )

    def _memoire__mark_written(self) -> list[str]:
        after = self.after
        parts = [
            _("note de l'écrit %(mark)s")
            % {"mark": _mark(after.get("written_mark"), after.get("out_of"))}
        ]
        if "agreed_mark" in after and after["agreed_mark"] is None:
            parts.append(_("seconde évaluation requise"))
        return self._marks(*parts)

    def _portfolio__evaluated(self) -> list[str]:
        first, agreed = self.after.get("first_mark"), self.after.get("agreed_mark")
        parts = [_("première note %(mark)s") % {"mark": _mark(first)}]
        if agreed is None:
            parts.append(_("seconde évaluation requise"))
        return self._marks(*parts)

    def _portfolio__second_evaluation_after_cc(self) -> list[str]:
        return self._marks(
            _("première note %(mark)s") % {"mark": _mark(self.after.get("first_mark"))},
            _("CC du bloc %(cc)s") % {"cc": _mark(self.after["cc"])}
            if self.after.get("cc")
            else _("CC du bloc inconnu"),
            _("seconde évaluation requise"),
        )

    def _portfolio__second_evaluation_done(self) -> list[str]:
        return self._marks(
            _("seconde note %(mark)s") % {"mark": _mark(self.after.get("second_mark"))}
        )

    def _portfolio__reconciliation_required(self) -> list[str]:
        return self._marks(
            _("notes %(first)s et %(second)s")
            % {
                "first": _mark(self.after.get("first_mark")),
                "second": _mark(self.after.get("second_mark")),
            }
        )

    def _portfolio__reconcile(self) -> list[str]:
        return self._marks(
            self._choice(Reconciliation.Method, self.after.get("method")),
            _("note retenue %(mark)s") % {"mark": _mark(self.after.get("agreed_mark"))},
        )

    _memoire__second_evaluation_done = _portfolio__second_evaluation_done
    _memoire__reconciliation_required = _portfolio__reconciliation_required
    _memoire__reconcile = _portfolio__reconcile

    def _portfolio__mark_ready_for_jury(self) -> list[str]:
        return self._marks(
            _("note retenue %(mark)s") % {"mark": _mark(self.after.get("agreed_mark"))}
        )

    # --- notes, assiduité, tuteur
    def _bloc_exam_mark__enter(self) -> list[str]:
        if not self.after.get("presented", True):
            return [_("absent à l'épreuve")]
        return self._marks(_("%(mark)s points") % {"mark": _mark(self.after.get("points"))})

    def _epreuve_mark__submit(self) -> list[str]:
        after = self.after
        return self._marks(after.get("epreuve", ""), _mark(after.get("total"), after.get("out_of")))

    def _memoire__written_mark(self) -> list[str]:
        return self._marks(_("%(mark)s points") % {"mark": _mark(self.after.get("points"))})

    def _cc_mark__enter(self) -> list[str]:
        if self.after.get("absence"):
            return [_("absence à l'évaluation")]
        after = self.after
        return self._marks(_mark(after.get("mark"), after.get("out_of")))

    def _cc_mark__import(self) -> list[str]:
        return [
            self._count("created", ngettext_lazy("%(n)s note créée", "%(n)s notes créées", "n")),
            self._count(
                "updated", ngettext_lazy("%(n)s note modifiée", "%(n)s notes modifiées", "n")
            ),
            self._count(
                "unchanged", ngettext_lazy("%(n)s note inchangée", "%(n)s notes inchangées", "n")
            ),
        ]

    def _count(self, key, phrase) -> str:
        n = self.after.get(key) or 0
        return str(phrase % {"n": n}) if n else ""

    def _absence__record(self) -> list[str]:
        values = self.after
        return [
            _day(values.get("date")),
            _("%(hours)s h") % {"hours": format_decimal(values.get("hours"))},
            _("justifiée") if values.get("justified") else _("non justifiée"),
        ]

    def _absence__delete(self) -> list[str]:
        values = self.before
        return [
            _day(values.get("date")),
            _("%(hours)s h") % {"hours": format_decimal(values.get("hours"))},
        ]

    def _tutor_evaluation__save(self) -> list[str]:
        return [_("points enregistrés, non remis")]

    def _tutor_evaluation__submit(self) -> list[str]:
        return self._marks(_("total %(mark)s points") % {"mark": _mark(self.after.get("total"))})

    # --- jury
    def _jury_session__create(self) -> list[str]:
        return [_day(self.after.get("date")), self.after.get("place", "")]

    def _jury_member(self) -> list[str]:
        values = self.after or self.before
        return [self._person("user"), self._choice(JuryMember.Role, values.get("role"))]

    _jury_member__add = _jury_member__remove = _jury_member

    def _jury_session__candidate_add(self) -> list[str]:
        if self.after.get("outside_window"):
            return [_("hors de la période de présentation, par dérogation")]
        return []

    def _convocation__send(self) -> list[str]:
        return [_("jury du %(day)s") % {"day": _day(self.after.get("date"))}]

    def _epreuve_attendance__record(self) -> list[str]:
        return [*EpreuveAttendance.words(self.after), _day(self.after.get("justification_date"))]

    def _soutenance__schedule(self) -> list[str]:
        starts = self.after.get("starts_at")
        moment = _moment(starts) if starts else None
        return [
            _("le %(day)s à %(time)s, %(minutes)s min")
            % {
                "day": f"{moment:%d/%m/%Y}",
                "time": f"{moment:%H:%M}",
                "minutes": self.after.get("duration_minutes"),
            }
            if moment
            else ""
        ]

    _epreuve_convocation__send = _soutenance__schedule  # the same facts: start, minutes

    def _soutenance__mark(self) -> list[str]:
        if not self.after.get("presented", True):
            return [_("absent à la soutenance")]
        return self._marks(_("%(mark)s points") % {"mark": _mark(self.after.get("total"))})

    def _jury_decision(self) -> list[str]:
        parts = [self._choice(JuryDecision.Outcome, self.after.get("outcome"))]
        blocs = self.after.get("validated_blocs") or []
        if blocs:
            parts.append(_("blocs validés : %(blocs)s") % {"blocs": ", ".join(map(str, blocs))})
        computed = self.after.get("computed_outcome")
        if computed and computed != self.after.get("outcome"):
            words = self._choice(JuryDecision.Outcome, computed)
            parts.append(_("calcul : %(outcome)s") % {"outcome": words})
        return parts if self.staff else []

    _jury_decision__record = _jury_decision__override = _jury_decision

    def _retake__register(self) -> list[str]:
        after = self.after
        return [
            _("bloc %(bloc)s, tentative %(attempt)s, évaluation le %(day)s")
            % {
                "bloc": after.get("bloc"),
                "attempt": after.get("attempt"),
                "day": _day(after.get("evaluation_date")),
            }
        ]

    def _fraud_report__record(self) -> list[str]:
        return [
            _("faits du %(day)s") % {"day": _day(self.after.get("occurred_on"))},
            self._choice(FraudReport.Signature, self.after.get("signature")),
        ]

    def _accommodation(self) -> list[str]:
        values = self.after or self.before
        return [self._choice(Accommodation.Kind, values.get("kind")), values.get("details", "")]

    _accommodation__record = _accommodation__remove = _accommodation

    # --- documents
    def _document_issued(self) -> list[str]:
        kinds = getattr(self.model, "Kind", None)
        kind = dict(kinds.choices).get(self.after.get("kind"), "") if kinds else ""
        replaced = _("remplace le document précédent") if self.after.get("supersedes") else ""
        return [kind, _("référence %(ref)s") % {"ref": self.after.get("reference")}, replaced]

    def _document_downloaded(self) -> list[str]:
        return [_("référence %(ref)s") % {"ref": self.after.get("reference")}]

    def _download(self) -> list[str]:
        return [_("ouvert dans le navigateur") if self.after.get("inline") else _("téléchargé")]

    _evidence__download = _memoire__download = _download
