"""Every action code the source writes to the audit trail has a French label and a kind.

The codes are read from the source itself: every call to ``audit_record``, ``audit_event``,
``fire_all`` or ``session_audit`` and the ``action`` it passes. A literal is a code; a name is
followed to its assignments in the function, or, for a parameter, to every call of the function
(``session_audit(actor, session, "jury_session.close", …)``); an f-string is expanded from the
values its names take. A call whose action cannot be followed fails the test: write the code as
a literal.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path

import pytest

from audit import chain
from audit.labels import ACTIONS, UNKNOWN, Kind, action_label, action_of, codes_of_kind

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "audit", "centres", "documents", "jobs", "portfolio", "surveys", "workflow")
WRITERS = {"audit_record", "audit_event", "fire_all", "session_audit"}
# The trail's own writers pass their parameter through: their callers are read instead.
GENERIC = {("audit/trail.py", "audit_event"), ("audit/trail.py", "audit_record")}


class Unresolved(Exception):
    pass


def _name(func) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


class Source:
    def __init__(self):
        self.functions: dict[str, list[tuple[str, ast.FunctionDef]]] = {}
        self.calls: dict[str, list[tuple[str, ast.Call]]] = {}
        self.constants: dict[str, str] = {}
        self.writes: list[tuple[str, ast.Call, ast.FunctionDef | None]] = []
        for package in PACKAGES:
            for path in sorted((ROOT / package).rglob("*.py")):
                if "migrations" in path.parts:
                    continue
                self._read(str(path.relative_to(ROOT)), ast.parse(path.read_text()))

    def _read(self, where: str, tree: ast.Module) -> None:
        for node in tree.body:
            if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
                for target in node.targets:
                    if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                        self.constants[target.id] = node.value.value

        def visit(node, function):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions.setdefault(node.name, []).append((where, node))
                function = node
            if isinstance(node, ast.Call):
                name = _name(node.func)
                if name:
                    self.calls.setdefault(name, []).append((where, node))
                if name in WRITERS and (where, getattr(function, "name", "")) not in GENERIC:
                    self.writes.append((where, node, function))
            for child in ast.iter_child_nodes(node):
                visit(child, function)

        visit(tree, None)

    def codes(self) -> set[str]:
        found = set()
        for where, call, function in self.writes:
            argument = _argument(call, "action", 2 if _name(call.func) == "session_audit" else None)
            if argument is None:
                continue  # the definition's own signature default, or a positional-only helper
            try:
                found |= self.resolve(argument, function, set())
            except Unresolved as error:
                raise AssertionError(f"{where}:{call.lineno}: {error}") from error
        return found

    def resolve(self, node, function, seen) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}
        if isinstance(node, ast.IfExp):
            return self.resolve(node.body, function, seen) | self.resolve(
                node.orelse, function, seen
            )
        if isinstance(node, ast.Attribute) and node.attr in self.constants:
            return {self.constants[node.attr]}
        if isinstance(node, ast.JoinedStr):
            parts = []
            for value in node.values:
                if isinstance(value, ast.FormattedValue):
                    parts.append(sorted(self.resolve(value.value, function, seen)))
                else:
                    parts.append([value.value])
            return {"".join(p) for p in itertools.product(*parts)}
        if isinstance(node, ast.Name) and function is not None:
            return self._resolve_name(node.id, function, seen)
        raise Unresolved(f"cannot follow the action {ast.unparse(node)!r}: write it as a literal")

    def _resolve_name(self, name: str, function, seen) -> set[str]:
        values = set()
        for statement in ast.walk(function):
            if not isinstance(statement, ast.Assign):
                continue
            for target in statement.targets:
                if isinstance(target, ast.Name) and target.id == name:
                    values |= self.resolve(statement.value, function, seen)
                elif isinstance(target, ast.Tuple) and isinstance(statement.value, ast.Tuple):
                    for element, value in zip(target.elts, statement.value.elts, strict=False):
                        if isinstance(element, ast.Name) and element.id == name:
                            values |= self.resolve(value, function, seen)
        if values:
            return values
        parameters = [a.arg for a in function.args.posonlyargs + function.args.args]
        keywords = [a.arg for a in function.args.kwonlyargs]
        if name not in parameters + keywords:
            raise Unresolved(f"cannot follow {name!r} in {function.name}()")
        if (function.name, name) in seen:
            return set()
        seen = seen | {(function.name, name)}
        position = parameters.index(name) if name in parameters else None
        for where, call in self.calls.get(function.name, []):
            argument = _argument(call, name, position)
            if argument is None:
                continue
            caller = _enclosing(where, call, self.functions)
            values |= self.resolve(argument, caller, seen)
        if not values:
            raise Unresolved(f"no call of {function.name}() passes {name!r}")
        return values


def _argument(call: ast.Call, keyword: str, position: int | None):
    for entry in call.keywords:
        if entry.arg == keyword:
            return entry.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _enclosing(where: str, call: ast.Call, functions) -> ast.FunctionDef | None:
    for definitions in functions.values():
        for path, function in definitions:
            if path == where and any(node is call for node in ast.walk(function)):
                innermost = function
                for inner in ast.walk(function):
                    if (
                        isinstance(inner, ast.FunctionDef)
                        and inner is not function
                        and any(node is call for node in ast.walk(inner))
                    ):
                        innermost = inner
                return innermost
    return None


@pytest.fixture(scope="module")
def written_codes() -> set[str]:
    return Source().codes()


def test_the_source_reading_finds_literal_dynamic_and_relayed_codes(written_codes):
    # A literal, a code relayed through session_audit, an f-string of a transition, a tuple
    # assignment, a constant, and a conditional.
    assert {
        "portfolio.declare_admissible",
        "jury_session.close",
        "assignment.decline",
        "assignment.withdraw",
        "evidence.rescan",
        chain.REDACTION_ACTION,
        "jury_decision.override",
        "tutor_evaluation.lock",
    } <= written_codes
    assert len(written_codes) > 80


def test_every_code_written_by_the_source_has_a_label(written_codes):
    missing = sorted(written_codes - set(ACTIONS))
    assert not missing, f"action codes without a French label in audit/labels.py: {missing}"


# Codes written by a branch merged into main after this one forked (documents/agenda.py): they
# are labelled ahead of the merge. Once merged, this set may be emptied.
ON_MAIN_ONLY = {"calendar_feed.create", "calendar_feed.renew"}


def test_the_registry_names_no_code_the_source_no_longer_writes(written_codes):
    assert sorted(set(ACTIONS) - written_codes - ON_MAIN_ONLY) == []


def test_every_label_is_french_words_and_every_kind_is_known():
    raw = re.compile(r"[a-z]+[._][a-z_]+")
    labels = [str(action.label) for action in ACTIONS.values()]
    assert len(set(labels)) == len(labels), "two actions read the same"
    for action in ACTIONS.values():
        assert not raw.fullmatch(str(action.label)), action.code
        assert action.kind in Kind.values and action.kind != Kind.OTHER, action.code
    assert all(codes_of_kind(kind) for kind in Kind.values if kind != Kind.OTHER)


def test_an_unknown_code_still_reads_as_words():
    assert action_of("legacy.thing") is UNKNOWN
    assert action_label("legacy.thing") == "Action enregistrée"
    assert action_label("portfolio.declare_admissible") == "Recevabilité prononcée"
