"""``manage.py decide``: one candidate's case (or an array of cases) in JSON, the decision out.

The decision is the rules engine's (``rules.engine.decide``); this command only reads the
JSON exactly (numbers as decimals), checks its shape, and writes the answer. Bad input exits
with status 2, one line on standard error naming the field, and nothing on standard output.

``practice.absence_pct`` is the share of training time the pedagogical team agreed to sanction
(RULES.md §3): the application gives the engine 0 while the penalty is pending or waived
(``workflow.marks.assiduity``); the command takes the figure as given.
"""

import json
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from referentiel.models import Title
from rules import engine, wording
from workflow import titles

EXIT_BAD_INPUT = 2
DEFAULT_TITLE_CODE = "36390"

CASE_KEYS = {"blocs", "practice", "fraud"}
BLOC_KEYS = {"cc", "exam", "presented"}
PRACTICE_KEYS = {"written", "oral", "tutor", "presented", "absence_pct"}
# A case nests 4 levels deep (array, case, blocs, bloc); JSON numbers of a real case have a few
# digits. Anything far beyond is refused by name, before the rules engine sees it.
MAX_DEPTH = 32
MAX_NUMBER_CHARS = 64
MAX_MAGNITUDE = 40  # decimal exponent, either way


class BadInput(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class Command(BaseCommand):
    @property
    def help(self):
        # A property, not gettext_lazy: argparse's description needs a real str.
        return _(
            "Lit un dossier de candidat (ou un tableau de dossiers) en JSON sur l'entrée standard "
            "et écrit la décision de certification en JSON sur la sortie standard."
        )

    # Checks could print warnings on standard error, which must hold only the input error.
    requires_system_checks = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--title",
            default=DEFAULT_TITLE_CODE,
            help=gettext_lazy("Code RNCP du titre (par défaut %(default)s)."),
        )

    def handle(self, *args, **options):
        stdin = options.get("stdin") or sys.stdin
        try:
            title = Title.objects.filter(code=options["title"]).first()
            title_rules = titles.title_rules(title) if title else None
        except DatabaseError:
            self.stderr.write("database: the référentiel is not there; run manage.py migrate")
            raise SystemExit(1) from None
        if title_rules is None:
            self.stderr.write(f"title: no title with code {options['title']} is loaded")
            raise SystemExit(1)
        try:
            # Bytes when there are (the console's decoding would hide invalid UTF-8 as escapes).
            raw = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read()
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
            answer = decide_document(text, title_rules)
        except UnicodeDecodeError:
            self._fail("input: not valid UTF-8")
        except BadInput as error:
            self._fail(str(error))
        self.stdout.write(json.dumps(answer, indent=2))

    def _fail(self, message: str):
        self.stderr.write(" ".join(message.split()))  # one line, whatever the message holds
        raise SystemExit(EXIT_BAD_INPUT)


def decide_document(text: str, title_rules: engine.TitleRules):
    """Return the JSON-ready answer for a document holding one case or an array of cases."""
    document = _load(text)
    if isinstance(document, dict):
        return _answer(_decide_one(document, title_rules, prefix=""))
    if isinstance(document, list):
        for index, case in enumerate(document):
            if not isinstance(case, dict):
                raise BadInput(f"case {index}", f"must be an object, not {_kind(case)}")
        decisions = [
            _decide_one(case, title_rules, prefix=f"case {index}: ")
            for index, case in enumerate(document)
        ]
        return [_answer(decision) for decision in decisions]
    raise BadInput("input", "expected a case (an object) or an array of cases")


@dataclass(frozen=True)
class _UnusableNumber:
    """A JSON number the command refuses; the field that holds it is named when it is read."""

    message: str


def _load(text: str):
    try:
        return json.loads(
            text,
            parse_float=_read_number,
            parse_int=_read_number,
            parse_constant=_read_constant,
            object_pairs_hook=_object_without_duplicates,
        )
    except json.JSONDecodeError as error:
        raise BadInput(
            "input", f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})"
        ) from None
    except RecursionError:
        raise BadInput(_deepest_field(text), f"nested more than {MAX_DEPTH} levels deep") from None


def _read_number(text: str) -> Decimal | _UnusableNumber:
    if len(text) > MAX_NUMBER_CHARS:
        return _UnusableNumber(f"must be a mark, not a number of {len(text)} characters")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return _UnusableNumber(f"must be a mark, not {text[:20]}…")
    if value and abs(value.adjusted()) > MAX_MAGNITUDE:
        return _UnusableNumber(f"must be a mark, not a number of magnitude 10^{value.adjusted()}")
    return value


def _read_constant(name: str) -> _UnusableNumber:
    return _UnusableNumber(f"must be a finite number, not {name}")


def _deepest_field(text: str) -> str:
    """Return the field (``blocs.1.cc``, ``case 3: blocs``) where ``text`` nests deeper than
    MAX_DEPTH, read without recursion; ``input`` when it is the document itself."""
    path: list[list] = []  # one [opening bracket, key or index, expecting a key] per level
    position, length = 0, len(text)
    while position < length:
        char = text[position]
        if char == '"':
            end = position + 1
            while end < length and text[end] != '"':
                end += 2 if text[end] == "\\" else 1
            if path and path[-1][0] == "{" and path[-1][2]:
                try:
                    path[-1][1] = json.loads(text[position : end + 1])
                except ValueError:
                    path[-1][1] = text[position + 1 : end]
                path[-1][2] = False
            position = end + 1
            continue
        if char in "[{":
            if len(path) >= MAX_DEPTH:
                break
            path.append([char, 0 if char == "[" else None, char == "{"])
        elif char in "]}" and path:
            path.pop()
        elif char == "," and path:
            if path[-1][0] == "[":
                path[-1][1] += 1
            else:
                path[-1][2] = True
        position += 1
    return _field_name(path)


def _field_name(path: list[list]) -> str:
    """Return the name of the deepest field a case can have (``blocs.1.cc``) on ``path``."""
    parts: list[str] = []
    for depth, (bracket, key, _expecting) in enumerate(path):
        if bracket == "[" and depth > 0:
            break  # no field of a case holds an array: the value of the field above is wrong
        if key is not None:
            parts.append(str(key))
    head = ""
    if path and path[0][0] == "[" and parts:
        head, parts = f"case {parts[0]}", parts[1:]
    parts = parts[:3]
    if head:
        return f"{head}: {'.'.join(parts)}" if parts else head
    return ".".join(parts) or "input"


def _object_without_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise BadInput("input", f"duplicate key {key!r}")
        result[key] = value
    return result


def _decide_one(case, title_rules: engine.TitleRules, *, prefix: str) -> engine.Decision:
    try:
        return engine.decide(_case(case, title_rules), title_rules)
    except (BadInput, engine.InvalidCase) as error:
        raise BadInput(f"{prefix}{error.field}", error.message) from None


def _case(data: dict, title_rules: engine.TitleRules) -> engine.Case:
    _refuse_unknown_keys(data, CASE_KEYS, "")
    blocs_data = _required(data, "blocs", "blocs")
    if not isinstance(blocs_data, dict):
        raise BadInput("blocs", f"must be an object keyed by bloc number, not {_kind(blocs_data)}")
    expected = title_rules.bloc_numbers
    for number in blocs_data:
        if number not in expected:
            raise BadInput(
                f"blocs.{number}", f"unknown bloc (the title has blocs {', '.join(expected)})"
            )
    for number in expected:
        if number not in blocs_data:
            raise BadInput(f"blocs.{number}", "missing bloc")
    blocs = {number: _bloc(blocs_data[number], f"blocs.{number}") for number in expected}
    return engine.Case(
        blocs=blocs,
        practice=_practice(_required(data, "practice", "practice")),
        fraud=_flag(data, "fraud", "fraud", default=False),
    )


def _bloc(data, field: str) -> engine.BlocResult:
    if not isinstance(data, dict):
        raise BadInput(field, f"must be an object, not {_kind(data)}")
    _refuse_unknown_keys(data, BLOC_KEYS, f"{field}.")
    presented = _flag(data, "presented", f"{field}.presented", default=True)
    return engine.BlocResult(
        cc=_number(data, "cc", f"{field}.cc", required=presented),
        exam=_number(data, "exam", f"{field}.exam", required=presented),
        presented=presented,
    )


def _practice(data) -> engine.PracticeResult:
    if not isinstance(data, dict):
        raise BadInput("practice", f"must be an object, not {_kind(data)}")
    _refuse_unknown_keys(data, PRACTICE_KEYS, "practice.")
    presented = _flag(data, "presented", "practice.presented", default=True)
    return engine.PracticeResult(
        written=_number(data, "written", "practice.written", required=presented),
        oral=_number(data, "oral", "practice.oral", required=presented),
        tutor=_number(data, "tutor", "practice.tutor", required=presented),
        presented=presented,
        absence_pct=_number(data, "absence_pct", "practice.absence_pct", required=False),
    )


def _refuse_unknown_keys(data: dict, allowed: set[str], prefix: str) -> None:
    for key in data:
        if key not in allowed:
            raise BadInput(f"{prefix}{key}", f"unknown key (expected {', '.join(sorted(allowed))})")


def _required(data: dict, key: str, field: str):
    if key not in data:
        raise BadInput(field, "missing")
    return data[key]


def _number(data: dict, key: str, field: str, *, required: bool) -> Decimal:
    """Return a number of the case; absent and not required, it counts as 0."""
    if key not in data:
        if required:
            raise BadInput(field, "missing")
        return Decimal(0)
    value = data[key]
    if isinstance(value, _UnusableNumber):
        raise BadInput(field, value.message)
    if not isinstance(value, Decimal):  # the parser makes every JSON number a Decimal
        raise BadInput(field, f"must be a number, not {_kind(value)}")
    return value


def _flag(data: dict, key: str, field: str, *, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise BadInput(field, f"must be true or false, not {_kind(value)}")
    return value


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "a number"  # a Decimal, or a number the command refuses (_UnusableNumber)


def _json_number(value: Decimal) -> int | float:
    """Return the shown figure of a decimal (``wording.shown``: truncated to 2 places) as a JSON
    number: 200, 15.68, 499.99 for 499.9975 — never on the wrong side of a threshold.

    The float is only the vehicle of the JSON text: a number of at most 2 decimals and a few
    digits prints back exactly as itself (``repr(15.68) == "15.68"``).
    """
    cut = wording.shown(value)
    if cut == cut.to_integral_value():
        return int(cut)
    return float(cut)


def _answer(decision: engine.Decision) -> dict:
    """Return the decision in the JSON form of the ``decide`` contract."""
    penalty = decision.tutor_penalty_pct
    return {
        "outcome": decision.outcome,
        "points_total": _json_number(decision.points_total),
        "blocs": {
            bloc.number: {
                "points": _json_number(bloc.points),
                "on_20": _json_number(bloc.on_20),
                "passed": bloc.passed,
                "eliminatory": bloc.eliminatory,
            }
            for bloc in decision.blocs
        },
        "practice": {
            "points": _json_number(decision.practice.points),
            "on_20": _json_number(decision.practice.on_20),
            "tutor_after_penalty": _json_number(decision.practice.tutor_after_penalty),
        },
        "tutor_penalty_pct": None if penalty is None else _json_number(penalty),
        "referred_to_jury": decision.referred_to_jury,
        "validated_blocs": list(decision.validated_blocs),
        "reasons": list(decision.reasons),
    }
