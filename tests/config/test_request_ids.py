"""Every answer carries its request's ID, and every log line written meanwhile carries it too."""

import json
import logging
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.logs import USABLE_ID, JsonFormatter, RequestIdFilter, request_id_from
from tests.config.test_settings import run_manage

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_the_proxys_id_is_kept_and_returned(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="0f1e2d3c4b5a69788796a5b4c3d2e1f0")
    assert response["X-Request-ID"] == "0f1e2d3c4b5a69788796a5b4c3d2e1f0"


def test_a_request_without_an_id_gets_a_fresh_one_each_time(client):
    first = client.get("/connexion/")["X-Request-ID"]
    second = client.get("/connexion/")["X-Request-ID"]
    assert first != second
    assert USABLE_ID.fullmatch(first) and USABLE_ID.fullmatch(second)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_header_value_gives_a_short_safe_id(value):
    request_id = request_id_from({"HTTP_X_REQUEST_ID": value})
    assert USABLE_ID.fullmatch(request_id)
    assert "\n" not in request_id and " " not in request_id
    if USABLE_ID.fullmatch(value):
        assert request_id == value


def test_a_log_line_written_during_a_request_carries_its_id(client, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    response = client.get("/page-absente/", HTTP_X_REQUEST_ID="req-42")
    assert response.status_code == 404
    records = [r for r in caplog.records if r.name == "django.request"]
    assert records, "Django logs a missing page"
    RequestIdFilter().filter(records[-1])
    assert records[-1].request_id == "req-42"


def test_outside_a_request_the_id_is_a_dash():
    record = logging.LogRecord("preuves", logging.INFO, __file__, 1, "hors requête", None, None)
    RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_the_json_format_writes_one_object_per_line_with_the_traceback():
    try:
        raise ValueError("boum")
    except ValueError:
        record = logging.LogRecord(
            "preuves", logging.ERROR, __file__, 1, "échec %s", ("n°1",), sys.exc_info()
        )
    record.request_id = "abc"
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "échec n°1"
    assert entry["level"] == "ERROR" and entry["logger"] == "preuves"
    assert entry["request_id"] == "abc"
    assert "ValueError: boum" in entry["exception"]
    assert entry["time"].endswith("+00:00")


def test_the_settings_refuse_an_unknown_log_format(tmp_path):
    result = run_manage(
        "check",
        env_extra={
            "DJANGO_LOG_FORMAT": "xml",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        },
    )
    assert result.returncode != 0
    assert "DJANGO_LOG_FORMAT must be text or json" in result.stderr


def test_json_logs_from_a_real_command(tmp_path):
    script = "import logging; logging.getLogger('preuves.essai').warning('bonjour %s', 'à tous')"
    result = run_manage(
        "shell",
        "-c",
        script,
        env_extra={
            "DJANGO_LOG_FORMAT": "json",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
        },
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert {"logger": "preuves.essai", "message": "bonjour à tous"}.items() <= lines[-1].items()
    assert lines[-1]["request_id"] == "-"
