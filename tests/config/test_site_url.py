"""The links people are sent follow the configured site address (``PREUVES_SITE_URL``), and
``make run`` sets it from the host and port it serves on."""

import os
import re
import subprocess
from pathlib import Path

import pytest
from django.core import mail

from audit.notifications import notify
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates" / "audit" / "email"
URL = re.compile(r"https?://\S+")


def make_run_commands(*args, **environ) -> str:
    """Return the commands ``make run`` would run (``make -n``), with ``environ`` set."""
    env = {k: v for k, v in os.environ.items() if k not in {"PREUVES_SITE_URL", "HOST", "PORT"}}
    env.update(environ)
    result = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout


def test_make_run_serves_on_the_port_and_host_asked_and_links_follow():
    commands = make_run_commands("PORT=8001")
    assert "runserver 127.0.0.1:8001" in commands
    assert "PREUVES_SITE_URL='http://127.0.0.1:8001'" in commands
    commands = make_run_commands("HOST=0.0.0.0", "PORT=8080")
    assert "runserver 0.0.0.0:8080" in commands
    assert "PREUVES_SITE_URL='http://0.0.0.0:8080'" in commands
    assert "DJANGO_ALLOWED_HOSTS='127.0.0.1,localhost,0.0.0.0'" in commands


def test_make_run_keeps_a_site_address_already_set():
    commands = make_run_commands("PORT=8001", PREUVES_SITE_URL="https://preuves.example.org")
    assert "runserver 127.0.0.1:8001" in commands
    assert "PREUVES_SITE_URL='https://preuves.example.org'" in commands


def test_make_run_serves_on_8000_by_default():
    commands = make_run_commands()
    assert "runserver 127.0.0.1:8000" in commands
    assert "PREUVES_SITE_URL='http://127.0.0.1:8000'" in commands


@pytest.mark.django_db
def test_every_e_mail_link_uses_the_configured_site_address(
    settings, django_capture_on_commit_callbacks
):
    settings.PREUVES_SITE_URL = "http://preuves.test:8001"
    recipient = UserFactory()
    templates = sorted(
        path.stem for path in TEMPLATES.glob("*.txt") if "site_url" in path.read_text()
    )
    assert len(templates) >= 5
    with django_capture_on_commit_callbacks(execute=True):
        for template in templates:
            notify(
                key=f"site-url:{template}",
                recipient=recipient,
                template=template,
                context={"path": "/evaluation/mes-evaluations/"},
            )
    assert len(mail.outbox) == len(templates)
    for message in mail.outbox:
        links = URL.findall(message.body)
        assert links, message.body
        for link in links:
            assert link.rstrip(".") == "http://preuves.test:8001" or link.startswith(
                "http://preuves.test:8001/"
            ), (message.subject, link)
