"""deploy/compose.yaml, .env.example and the sources that read the environment agree.

Each rule is a function returning the problems it finds (an empty list when all is well), run on
the real files by one test each; the last test breaks a copy of the parsed files once per rule
and checks that the rule reports it, so that no rule passes by being unable to fail.
"""

import ast
import copy
import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from django.core.management import get_commands

from tests.test_architecture import LAYERS

REPO_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = REPO_ROOT / "deploy"
COMPOSE = DEPLOY / "compose.yaml"
DOCKERFILE = DEPLOY / "Dockerfile"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
OPERATIONS = REPO_ROOT / "docs" / "operations.md"
# The application's packages, whose modules read the environment (settings through config.env,
# gunicorn's configuration through os.environ); tests and operators' scripts are not the app.
APPLICATION = [layer for layer in LAYERS if layer != "scripts"]
ENV_READERS = {"env_str", "env_int", "env_bool", "env_list"}
# Paths the compose file mounts that the operator provides on the server (never committed).
OPERATOR_PROVIDED = {"./tls", "../.env"}
# The services that publish ports: nginx, and nothing else (the rest talk on compose's network).
PUBLIC_SERVICES = {"web"}
# A pinned tag: an exact x.y.z release (with a variant such as -slim-bookworm) or MinIO's
# RELEASE.<timestamp>; a digest pins too. PostgreSQL numbers its releases major.minor (16.6).
PINNED_TAG = re.compile(
    r"^(v?\d+\.\d+\.\d+([.-][\w.-]+)?|RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z)$"
)
TWO_PART_RELEASES = {"postgres": re.compile(r"^\d+\.\d+([.-][\w.-]+)?$")}
MANAGE_COMMAND = re.compile(r"manage\.py\s+([\w-]+)")
# What the services must run: the one-off migration, and each worker queuing again the jobs a
# stopped worker left before running jobs (and its heartbeat).
REQUIRED_COMMANDS = {
    "migrate": ["manage.py migrate", "manage.py load_referentiel"],
    "worker": ["manage.py jobs_resume", "manage.py jobs_worker"],
}
# Variables whose value names a host the application reaches inside compose's network.
HOST_VARIABLES = ("DATABASE_URL", "DJANGO_AWS_S3_ENDPOINT_URL", "PREUVES_VIRUS_SCANNER")
# clamd's limits the ClamAV tests run and the README documents (read, not imported: a test module).
CLAMAV_TESTS = REPO_ROOT / "tests" / "portfolio" / "test_clamav.py"


# --- Reading the files -------------------------------------------------------------------------


def production_limits() -> dict[str, str]:
    """PRODUCTION_LIMITS of the ClamAV tests, the values clamd is tested with."""
    for node in ast.parse(CLAMAV_TESTS.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "PRODUCTION_LIMITS":
            return ast.literal_eval(node.value)
    raise AssertionError(f"PRODUCTION_LIMITS is no longer in {CLAMAV_TESTS}")


def compose_file() -> dict:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def env_example_text() -> str:
    return ENV_EXAMPLE.read_text(encoding="utf-8")


def env_example_names(text: str) -> list[str]:
    return [
        line.split("=", 1)[0].strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and "=" in line
    ]


def variables_read(path: Path) -> set[str]:
    """Names the module reads from the environment: env_str("X"), os.environ.get("X"),
    os.environ["X"], os.getenv("X") (not os.environ.setdefault, which writes)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = ast.unparse(node.func)
            if func in ENV_READERS or func in {"os.environ.get", "os.getenv"}:
                names.add(node.args[0].value)
        elif (
            isinstance(node, ast.Subscript)
            and ast.unparse(node.value) == "os.environ"
            and isinstance(node.slice, ast.Constant)
            and isinstance(node.ctx, ast.Load)
        ):
            names.add(node.slice.value)
    return {name for name in names if isinstance(name, str)}


def application_variables() -> set[str]:
    names = set()
    for package in APPLICATION:
        for path in (REPO_ROOT / package).rglob("*.py"):
            if "migrations" not in path.relative_to(REPO_ROOT).parts:
                names |= variables_read(path)
    return names


def strings_in(value):
    """Yield every string of a parsed YAML document, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings_in(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


def compose_variables(compose: dict) -> set[str]:
    """The variables compose interpolates (${X}, ${X:?…}, $X), not the escaped $$."""
    names = set()
    for text in strings_in(compose):
        for match in re.finditer(r"\$\$|\$\{(\w+)|\$(\w+)", text):
            if match.group(0) != "$$":
                names.add(match.group(1) or match.group(2))
    return names


def services(compose: dict) -> dict:
    return compose.get("services") or {}


def dependencies(service: dict) -> dict[str, str]:
    """depends_on as {service: condition}, from its list or its mapping form."""
    depends = service.get("depends_on") or {}
    if isinstance(depends, list):
        return dict.fromkeys(depends, "service_started")
    return {
        name: (spec or {}).get("condition", "service_started") for name, spec in depends.items()
    }


def one_offs(compose: dict) -> set[str]:
    """Services others wait for to have exited successfully: run once, no healthcheck."""
    return {
        name
        for service in services(compose).values()
        for name, condition in dependencies(service).items()
        if condition == "service_completed_successfully"
    }


def volume_sources(service: dict) -> list[str]:
    sources = []
    for volume in service.get("volumes") or []:
        sources.append(
            volume.get("source", "") if isinstance(volume, dict) else volume.split(":")[0]
        )
    return sources


def is_path(source: str) -> bool:
    return source.startswith((".", "/", "~"))


def command_text(service: dict) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else command


def dockerfile_images(text: str) -> list[str]:
    return re.findall(r"^FROM\s+(?:--\S+\s+)*(\S+)", text, flags=re.MULTILINE)


def dockerfile_cmd(text: str) -> str:
    """The image's last CMD as one line of words (its exec form's JSON list joined)."""
    lines = [line[len("CMD ") :].strip() for line in text.splitlines() if line.startswith("CMD ")]
    if not lines:
        return ""
    return " ".join(json.loads(lines[-1])) if lines[-1].startswith("[") else lines[-1]


# --- The rules ---------------------------------------------------------------------------------


def image_problems(compose: dict, dockerfile: str) -> list[str]:
    images = []
    for name, service in services(compose).items():
        if "image" in service:
            images.append((name, service["image"]))
        elif "build" not in service:
            images.append((name, "(neither image nor build)"))
    images += [("Dockerfile", image) for image in dockerfile_images(dockerfile)]
    problems = []
    for name, image in images:
        if "@sha256:" in image:
            continue
        tagged = ":" in image.rsplit("/", 1)[-1]
        repository, tag = image.rsplit(":", 1) if tagged else (image, "")
        two_part = TWO_PART_RELEASES.get(repository)
        if not (PINNED_TAG.match(tag) or (two_part and two_part.match(tag))):
            problems.append(f"{name}: image {image!r} is not pinned to an exact release")
    return problems


def healthcheck_problems(compose: dict) -> list[str]:
    problems = []
    once = one_offs(compose)
    for name, service in services(compose).items():
        if name in once:
            if service.get("restart", "no") != "no":
                problems.append(f"{name}: a one-off service must not restart")
            continue
        check = service.get("healthcheck") or {}
        test = check.get("test")
        if check.get("disable") or not test or test in (["NONE"], "NONE"):
            problems.append(f"{name}: no healthcheck")
    return problems


def depends_on_problems(compose: dict) -> list[str]:
    problems = []
    every = services(compose)
    for name, service in every.items():
        for target, condition in dependencies(service).items():
            if target not in every:
                problems.append(f"{name}: depends on {target!r}, which is no service")
            elif target == name:
                problems.append(f"{name}: depends on itself")
            elif condition == "service_healthy" and not (every[target].get("healthcheck") or {}):
                problems.append(f"{name}: waits for {target} to be healthy, it has no healthcheck")
    # The schema and the referentiel are ready before anything runs the application's code.
    for name in ("app", "worker"):
        wanted = dependencies(every.get(name) or {}).get("migrate")
        if wanted != "service_completed_successfully":
            problems.append(f"{name}: does not wait for the migrate service to complete")
    return problems


def volume_problems(compose: dict) -> list[str]:
    declared = set(compose.get("volumes") or {})
    used = {
        source
        for service in services(compose).values()
        for source in volume_sources(service)
        if source and not is_path(source)
    }
    return [f"volume {name!r} is used but not declared" for name in sorted(used - declared)] + [
        f"volume {name!r} is declared but never used" for name in sorted(declared - used)
    ]


def env_problems(compose: dict, env_text: str, read: set[str]) -> list[str]:
    lines = env_text.splitlines()
    documented = env_example_names(env_text)
    problems = [
        f".env.example: {name} is set twice"
        for name in sorted({name for name in documented if documented.count(name) > 1})
    ]
    for index, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("#") and "=" in line:
            if index == 0 or not lines[index - 1].lstrip().startswith("#"):
                problems.append(f".env.example: {line.split('=')[0]} has no comment line above it")
    in_compose = compose_variables(compose)
    documented = set(documented)
    problems += [
        f"compose reads ${{{name}}}, missing from .env.example"
        for name in sorted(in_compose - documented)
    ]
    problems += [
        f"the application reads {name}, missing from .env.example"
        for name in sorted(read - documented)
    ]
    problems += [
        f".env.example sets {name}, which nothing reads"
        for name in sorted(documented - read - in_compose)
    ]
    return problems


def port_problems(compose: dict) -> list[str]:
    return [
        f"{name}: publishes ports, only {sorted(PUBLIC_SERVICES)} may"
        for name, service in services(compose).items()
        if service.get("ports") and name not in PUBLIC_SERVICES
    ] + [
        f"{name}: publishes no port"
        for name in sorted(PUBLIC_SERVICES)
        if not services(compose).get(name, {}).get("ports")
    ]


def command_problems(compose: dict, dockerfile: str, known: set[str]) -> list[str]:
    problems = []
    commands = {name: command_text(service) for name, service in services(compose).items()}
    commands["Dockerfile CMD"] = dockerfile_cmd(dockerfile)
    for name, text in commands.items():
        for command in MANAGE_COMMAND.findall(text):
            if command not in known:
                problems.append(f"{name}: runs manage.py {command}, which does not exist")
    if "manage.py migrate" in commands["Dockerfile CMD"]:
        problems.append("Dockerfile CMD: migrates at start (the migrate service does)")
    for name, wanted in REQUIRED_COMMANDS.items():
        missing = [command for command in wanted if command not in commands.get(name, "")]
        if missing:
            problems.append(f"{name}: does not run {', '.join(missing)}")
    # The app's command is the image's CMD unless it sets its own.
    if "gunicorn -c deploy/gunicorn.conf.py" not in (commands["app"] or commands["Dockerfile CMD"]):
        problems.append("app: does not run gunicorn with deploy/gunicorn.conf.py")
    return problems


def mount_problems(compose: dict) -> list[str]:
    problems = []
    for name, service in services(compose).items():
        paths = [source for source in volume_sources(service) if is_path(source)]
        paths += [service["env_file"]] if isinstance(service.get("env_file"), str) else []
        build = service.get("build") or {}
        if isinstance(build, dict) and build:
            context = build.get("context", ".")
            paths += [context, str(Path(context) / build.get("dockerfile", "Dockerfile"))]
        for source in paths:
            if source not in OPERATOR_PROVIDED and not (DEPLOY / source).exists():
                problems.append(f"{name}: {source} does not exist (relative to deploy/)")
        check = service.get("healthcheck") or {}
        for script in re.findall(r"deploy/\S+\.py", " ".join(strings_in(check.get("test", [])))):
            if not (REPO_ROOT / script).is_file():
                problems.append(f"{name}: its healthcheck runs {script}, which does not exist")
    return problems


def host_problems(compose: dict, env_text: str) -> list[str]:
    values = dict(
        line.split("=", 1)
        for line in env_text.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and "=" in line
    )
    problems = []
    for name in HOST_VARIABLES:
        host = urlparse(values.get(name, "")).hostname
        if host and host not in services(compose):
            problems.append(f".env.example: {name} names host {host!r}, which is no service")
    return problems


def clamd_problems(conf_text: str) -> list[str]:
    options = dict(
        line.split(None, 1)
        for line in conf_text.splitlines()
        if line.strip() and not line.startswith("#")
    )
    problems = [
        f"clamd.conf: {option} is {options.get(option)!r}, the tested production value is {value!r}"
        for option, value in production_limits().items()
        if options.get(option) != value
    ]
    if options.get("TCPSocket") != "3310":
        problems.append("clamd.conf: clamd does not listen on TCP port 3310")
    return problems


def operations_problems(env_text: str, guide: str) -> list[str]:
    """Every variable of .env.example has its row in the guide's table of variables."""
    rows = [line for line in guide.splitlines() if line.startswith("| `")]
    return [
        f"docs/operations.md: no row of the variables table names {name}"
        for name in env_example_names(env_text)
        if not any(f"`{name}`" in row.split(" | ")[0] for row in rows)
    ]


# --- On the real files -------------------------------------------------------------------------


def test_every_image_is_pinned_to_an_exact_release():
    assert image_problems(compose_file(), DOCKERFILE.read_text(encoding="utf-8")) == []


def test_every_service_has_a_healthcheck_but_the_one_off_migration():
    assert healthcheck_problems(compose_file()) == []
    assert one_offs(compose_file()) == {"migrate"}


def test_every_dependency_names_a_service_and_the_application_waits_for_its_migration():
    assert depends_on_problems(compose_file()) == []


def test_every_named_volume_is_declared_and_used():
    assert volume_problems(compose_file()) == []


def test_env_example_lists_every_variable_read_and_nothing_else():
    read = application_variables()
    # The sources named in the brief are indeed among those scanned.
    assert {"DJANGO_SECRET_KEY", "GUNICORN_TIMEOUT", "DJANGO_AWS_S3_PART_MIB"} <= read
    assert env_problems(compose_file(), env_example_text(), read) == []


def test_only_nginx_publishes_ports():
    assert port_problems(compose_file()) == []


def test_the_services_run_manage_py_commands_that_exist():
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert command_problems(compose_file(), dockerfile, set(get_commands())) == []


def test_the_files_compose_mounts_exist():
    assert mount_problems(compose_file()) == []


def test_the_hosts_in_env_example_are_compose_services():
    assert host_problems(compose_file(), env_example_text()) == []


def test_clamd_in_compose_has_the_tested_production_limits():
    assert clamd_problems((DEPLOY / "clamd.conf").read_text(encoding="utf-8")) == []


def test_the_operations_guide_says_what_each_variable_does():
    assert operations_problems(env_example_text(), OPERATIONS.read_text(encoding="utf-8")) == []


# --- Each rule can fail ------------------------------------------------------------------------


def _set(path: str, value):
    """A breakage: set compose[path] (dotted keys) to value."""

    def breaks(files):
        *parents, last = path.split(".")
        node = files["compose"]
        for key in parents:
            node = node[key]
        node[last] = value

    return breaks


def _delete(path: str):
    def breaks(files):
        *parents, last = path.split(".")
        node = files["compose"]
        for key in parents:
            node = node[key]
        del node[last]

    return breaks


def _env(old: str, new: str):
    def breaks(files):
        assert old in files["env"]
        files["env"] = files["env"].replace(old, new, 1)

    return breaks


def _read(name: str):
    def breaks(files):
        files["read"].add(name)

    return breaks


def _dockerfile(old: str, new: str):
    def breaks(files):
        assert old in files["dockerfile"]
        files["dockerfile"] = files["dockerfile"].replace(old, new, 1)

    return breaks


RULES = {
    "images": lambda f: image_problems(f["compose"], f["dockerfile"]),
    "healthchecks": lambda f: healthcheck_problems(f["compose"]),
    "depends_on": lambda f: depends_on_problems(f["compose"]),
    "volumes": lambda f: volume_problems(f["compose"]),
    "env": lambda f: env_problems(f["compose"], f["env"], f["read"]),
    "ports": lambda f: port_problems(f["compose"]),
    "commands": lambda f: command_problems(f["compose"], f["dockerfile"], f["commands"]),
    "mounts": lambda f: mount_problems(f["compose"]),
    "hosts": lambda f: host_problems(f["compose"], f["env"]),
    "clamd": lambda f: clamd_problems(f["clamd"]),
    "operations": lambda f: operations_problems(f["env"], f["guide"]),
}

BREAKAGES = [
    ("images", _set("services.db.image", "postgres:latest"), "not pinned"),
    ("images", _set("services.db.image", "postgres:16"), "not pinned"),
    ("images", _set("services.web.image", "nginx"), "not pinned"),
    ("images", _delete("services.worker.build"), "neither image nor build"),
    ("images", _dockerfile("python:3.11.11-slim-bookworm", "python:3.11-slim"), "not pinned"),
    ("healthchecks", _delete("services.objects.healthcheck"), "objects: no healthcheck"),
    ("healthchecks", _set("services.clamav.healthcheck", {"disable": True}), "no healthcheck"),
    ("healthchecks", _set("services.migrate.restart", "always"), "must not restart"),
    ("depends_on", _set("services.app.depends_on.cache", None), "'cache', which is no service"),
    ("depends_on", _delete("services.worker.depends_on.migrate"), "worker: does not wait"),
    ("depends_on", _delete("services.db.healthcheck"), "db to be healthy"),
    ("volumes", _set("services.db.volumes", ["pgdata:/var/lib/postgresql/data"]), "'pgdata'"),
    ("volumes", _set("volumes.spare", None), "'spare' is declared but never used"),
    ("env", _set("services.db.environment.PGTZ", "${PREUVES_DB_TIMEZONE}"), "compose reads"),
    ("env", _read("PREUVES_NEW_SETTING"), "the application reads PREUVES_NEW_SETTING"),
    ("env", _env("DJANGO_DEBUG=false", "DJANGO_DEBUG=false\nDJANGO_FORGOTTEN=1"), "nothing reads"),
    ("env", _env("# The sender of every e-mail.\n", ""), "no comment line"),
    ("env", _env("DJANGO_DEBUG=false", "DJANGO_DEBUG=false\nDJANGO_DEBUG=true"), "set twice"),
    ("ports", _set("services.db.ports", ["5432:5432"]), "db: publishes ports"),
    ("ports", _delete("services.web.ports"), "web: publishes no port"),
    ("commands", _set("services.worker.command", "python manage.py jobs_wroker"), "jobs_wroker"),
    (
        "commands",
        _set("services.migrate.command", "python manage.py load_referentiel"),
        "migrate: does not run manage.py migrate",
    ),
    ("commands", _set("services.worker.command", "python manage.py db_worker"), "jobs_worker"),
    ("commands", _set("services.app.command", "python manage.py runserver"), "gunicorn"),
    (
        "commands",
        _dockerfile(
            'CMD ["gunicorn", "-c", "deploy/gunicorn.conf.py"]',
            'CMD ["sh", "-c", "python manage.py migrate && gunicorn -c deploy/gunicorn.conf.py"]',
        ),
        "migrates at start",
    ),
    ("mounts", _set("services.web.volumes", ["./missing.conf:/etc/x.conf:ro"]), "missing.conf"),
    ("mounts", _set("services.app.build.dockerfile", "deploy/Gone"), "deploy/Gone"),
    ("mounts", _set("services.app.healthcheck.test", ["CMD", "python", "deploy/gone.py"]), "gone"),
    ("hosts", _env("@db:5432", "@database:5432"), "'database', which is no service"),
    ("operations", _env("DJANGO_DEBUG=false", "DJANGO_DEBUG=false\nDJANGO_NEW=1"), "DJANGO_NEW"),
    ("hosts", _env("clamd://clamav:3310", "clamd://antivirus:3310"), "'antivirus'"),
]


@pytest.mark.parametrize(
    ("rule", "breaks", "reported"),
    BREAKAGES + [("clamd", None, "MaxScanSize"), ("clamd", None, "3310")],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_each_rule_reports_a_broken_copy(rule, breaks, reported):
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    files = {
        "compose": copy.deepcopy(compose_file()),
        "dockerfile": dockerfile,
        "env": env_example_text(),
        "read": application_variables(),
        "commands": set(get_commands()),
        "clamd": (DEPLOY / "clamd.conf").read_text(encoding="utf-8"),
        "guide": OPERATIONS.read_text(encoding="utf-8"),
    }
    assert RULES[rule](files) == [], "the real files must pass before being broken"
    if rule == "clamd":
        option = "MaxScanSize 600M" if reported == "MaxScanSize" else "TCPSocket 3310"
        files["clamd"] = files["clamd"].replace(option, option.split()[0] + " 100M")
    else:
        breaks(files)
    problems = RULES[rule](files)
    assert any(reported in problem for problem in problems), problems
