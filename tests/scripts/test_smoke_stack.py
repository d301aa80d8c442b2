"""The smoke runs deploy/nginx.conf itself: its rewrites fail loudly when the file changes."""

import os
import shutil
import subprocess

import pytest

from scripts.smoke_stack import ROOT, Stack, StackError

SITE = ROOT / "deploy" / "nginx.conf"


def test_the_production_site_buffers_bodies_and_passes_the_request_id():
    site = SITE.read_text()
    assert "proxy_request_buffering on;" in site
    assert "proxy_request_buffering off" not in site
    assert "proxy_set_header X-Request-ID $request_id;" in site
    assert "$proxy_add_x_forwarded_for" in site


def test_the_rewritten_site_is_valid_for_debians_nginx(tmp_path):
    if shutil.which("nginx") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but nginx is missing: .ci/run installs Debian's nginx")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    stack = Stack(tmp_path)
    stack.certificate_make()
    (tmp_path / "nginx-temp").mkdir()
    config = tmp_path / "nginx.conf"
    config.write_text(stack.nginx_config())
    check = subprocess.run(
        ["nginx", "-t", "-q", "-c", str(config), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    text = config.read_text()
    assert text.count("server 127.0.0.1:") == 2  # both instances in the upstream


@pytest.mark.parametrize(
    "line",
    ["    server app:8000;\n", "listen 80;", "/etc/nginx/tls/privkey.pem", "    http2 on;\n"],
)
def test_a_site_without_an_expected_line_is_refused(tmp_path, line):
    changed = tmp_path / "nginx.conf"
    changed.write_text(SITE.read_text().replace(line, ""))
    with pytest.raises(StackError, match="expected"):
        Stack(tmp_path, nginx_site=changed).nginx_config()


def test_the_smokes_clamd_runs_with_the_production_limits():
    from scripts.smoke_stack import CLAMD_LIMIT_OPTIONS, production_clamd_limits

    limits = production_clamd_limits()
    assert [line.split()[0] for line in limits] == list(CLAMD_LIMIT_OPTIONS)
    assert "AlertExceedsMax yes" in limits
