"""The shape of the code: one dependency order between packages, no cycle, no module too long.

Read from the source with ``ast`` (nothing is imported), so a violation is found whether or not
a test exercises the import. Every import counts for the order, inside functions and under
``if TYPE_CHECKING:`` alike; the cycle test leaves out the type-only ones, which never run.
Relations between models (foreign keys written as strings) are checked against the same order.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# Lowest first: a package may import only from packages before it in this list.
LAYERS = [
    "rules",
    "audit",
    "referentiel",
    "accounts",
    "jobs",
    "portfolio",
    "workflow",
    "documents",
    "surveys",
    "centres",
    "demo",
    "config",
    "scripts",
    "deploy",
]
# Folders holding Python that is not the application's.
NOT_APPLICATION = {"tests", ".venv", "var", "node_modules"}
# Inside the workflow, the same rule between its sub-packages. The modules at its root (models,
# transitions, errors, describe, titles, grids, web, widgets) are shared by all of them and import
# none; only the entry points (apps, admin, management commands) may.
WORKFLOW_ENTRY_POINTS = ("workflow.apps", "workflow.admin", "workflow.management")
WORKFLOW_LAYERS = ["marks", "evaluation", "jury", "centre"]
MAX_LINES = 600


def _python_files(*, migrations: bool):
    for package in LAYERS:
        for path in sorted((REPO_ROOT / package).rglob("*.py")):
            if migrations or "migrations" not in path.relative_to(REPO_ROOT).parts:
                yield path


def _source_files():
    """The modules that count for the size and the cycles: everything but migrations."""
    return _python_files(migrations=False)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path) for package in LAYERS for path in (REPO_ROOT / package).rglob("*.py")}


def _type_checking_nodes(tree) -> set[int]:
    """Return the ids of the nodes under ``if TYPE_CHECKING:`` (never ``if not …``)."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in {
            "TYPE_CHECKING",
            "typing.TYPE_CHECKING",
        }:
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    return skipped


def imports_of(path: Path, *, type_only: bool = True) -> list[tuple[int, str]]:
    """Return (line, imported module) for every import in ``path``.

    With ``type_only=False``, leave out the imports under ``if TYPE_CHECKING:``.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = set() if type_only else _type_checking_nodes(tree)
    found = []
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            # ``from workflow.jury import sessions`` imports the module sessions; ``from
            # portfolio.services import portfolio_submit`` imports the package itself.
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                found.append((node.lineno, submodule if submodule in MODULES else module))
    return found


def _edges(*, migrations: bool = True, type_only: bool = True):
    """Yield (importing module, path, line, imported module) within the project."""
    for path in _python_files(migrations=migrations):
        importer = _module_name(path)
        for line, imported in imports_of(path, type_only=type_only):
            if imported.split(".")[0] in LAYERS:
                yield importer, path, line, imported


def _rank(module: str, layers: list[str], depth: int) -> int | None:
    parts = module.split(".")
    if len(parts) <= depth or parts[depth] not in layers:
        return None
    return layers.index(parts[depth])


def test_the_layers_name_every_folder_of_python_code():
    folders = {
        path.relative_to(REPO_ROOT).parts[0]
        for path in REPO_ROOT.glob("*/**/*.py")
        if not path.relative_to(REPO_ROOT).parts[0].startswith(".")
    }
    assert folders - NOT_APPLICATION == set(LAYERS)


def test_no_package_imports_from_a_higher_one():
    upward = []
    for importer, path, line, imported in _edges():
        if _rank(imported, LAYERS, 0) > _rank(importer, LAYERS, 0):
            upward.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {imported}")
    assert not upward, "\n".join(upward)


def test_no_workflow_sub_package_imports_from_a_higher_one():
    upward = []
    for importer, path, line, imported in _edges():
        if not (importer.startswith("workflow.") and imported.startswith("workflow.")):
            continue
        low, high = _rank(imported, WORKFLOW_LAYERS, 1), _rank(importer, WORKFLOW_LAYERS, 1)
        if low is not None and high is not None and low > high:
            upward.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {imported}")
        # The shared modules at the root of the workflow never import a sub-package.
        if high is None and low is not None and not importer.startswith(WORKFLOW_ENTRY_POINTS):
            upward.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {imported}")
    assert not upward, "\n".join(upward)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return one cycle of ``graph`` as a list of nodes (first repeated last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                cycle = visit(nxt)
                if cycle:
                    return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def test_no_cycle_between_top_level_packages():
    graph: dict[str, set[str]] = {}
    for importer, _path, _line, imported in _edges():
        a, b = importer.split(".")[0], imported.split(".")[0]
        if a != b:
            graph.setdefault(a, set()).add(b)
    assert find_cycle(graph) is None, " → ".join(find_cycle(graph))


def test_no_cycle_between_modules():
    modules = {_module_name(p) for p in _source_files()}
    graph: dict[str, set[str]] = {}
    for importer, _path, _line, imported in _edges(migrations=False, type_only=False):
        if imported in modules and imported != importer:
            graph.setdefault(importer, set()).add(imported)
    cycle = find_cycle(graph)
    assert cycle is None, " → ".join(cycle)


def test_find_cycle_finds_a_cycle_and_only_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


@pytest.mark.parametrize("path", list(_source_files()), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_module_is_over_600_lines(path):
    # Migrations are generated and tests are left out, as the rule says; everything else counts.
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(REPO_ROOT)} has {lines} lines"


@pytest.mark.django_db(databases=[])
def test_no_model_points_at_a_model_of_a_higher_package():
    from django.apps import apps
    from django.conf import settings

    upward = []
    for model in apps.get_models():
        own = model._meta.app_config.name.split(".")[0]
        if own not in LAYERS:
            continue
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if related is None or not field.concrete:
                continue
            if related._meta.label == settings.AUTH_USER_MODEL:
                continue  # people are reached through the swappable setting, from any package
            target = related._meta.app_config.name.split(".")[0]
            if target in LAYERS and LAYERS.index(target) > LAYERS.index(own):
                upward.append(f"{model._meta.label}.{field.name} → {related._meta.label}")
    assert not upward, upward


def test_every_package_says_what_lives_there():
    silent = []
    for package in LAYERS:
        for init in (REPO_ROOT / package).rglob("__init__.py"):
            parts = init.relative_to(REPO_ROOT).parts
            if "migrations" in parts or "management" in parts or "templatetags" in parts:
                continue
            if not ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))):
                silent.append(str(init.relative_to(REPO_ROOT)))
    assert not silent, silent


# Pure Python: importable and tested without Django settings (no Django module may load).
PURE_MODULES = [
    "rules",
    "rules.cc",
    "rules.eligibility",
    "rules.engine",
    "rules.wording",
    "portfolio.filetypes",
    "portfolio.images",
    "portfolio.scanning",
]


@pytest.mark.parametrize("module", PURE_MODULES)
def test_importing_a_pure_module_loads_no_django_module(module):
    script = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "loaded = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(','.join(loaded))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(REPO_ROOT)},
    )

    assert completed.stdout.strip() == ""
