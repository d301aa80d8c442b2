"""Settings come from the environment; production settings pass Django's deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "a-long-random-secret-key-for-the-deploy-check-0123456789-abcdefghij",
    "DJANGO_ALLOWED_HOSTS": "preuves.example.org",
    "PREUVES_VIRUS_SCANNER": "none",
}


def test_check_deploy_reports_no_issue_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env_extra=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_secret_key_is_required_when_debug_is_off():
    result = run_manage("check", env_extra={"DJANGO_DEBUG": "false"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_s3_settings_are_private_signed_and_never_overwrite():
    code = (
        "from django.conf import settings as s;"
        "o=s.STORAGES['default']['OPTIONS'];"
        "print(s.STORAGES['default']['BACKEND'], o['default_acl'], o['file_overwrite'],"
        " o['signature_version'], o['addressing_style'], o['querystring_expire'],"
        " s.AWS_REQUEST_CHECKSUM_CALCULATION)"
    )
    result = run_manage(
        "shell",
        "--no-imports",
        "-c",
        code,
        env_extra={
            "DJANGO_STORAGE": "s3",
            "DJANGO_AWS_STORAGE_BUCKET_NAME": "preuves",
            "DJANGO_AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split() == [
        "storages.backends.s3.S3Storage",
        "None",
        "False",
        "s3v4",
        "path",
        "300",
        "when_required",
    ]


def test_language_and_time_zone_are_french(settings):
    assert settings.LANGUAGE_CODE == "fr"
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.USE_TZ is True
    assert [code for code, _ in settings.LANGUAGES] == ["fr", "en"]
