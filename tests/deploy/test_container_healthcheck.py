"""deploy/healthcheck.py against a real HTTP server standing in for gunicorn's answers."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deploy import healthcheck


class Answers(BaseHTTPRequestHandler):
    """Answer each path with the (status, body) the test put in ``server.answers``."""

    def do_GET(self):
        status, body = self.server.answers.get(self.path, (404, "not found"))
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Answers)
    httpd.answers = {}
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    monkeypatch.setattr(healthcheck, "APP_HEALTH_URL", f"{base}/healthz")
    monkeypatch.setattr(healthcheck, "APP_READY_URL", f"{base}/readyz")
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def readyz(status, worker, **others):
    checks = {"database": "ok", "storage": "ok", "scanner": "ok", "worker": worker, **others}
    return (status, {"status": "ready" if status == 200 else "unready", "checks": checks})


def test_app_is_healthy_while_healthz_answers_200(server):
    server.answers["/healthz"] = (200, "ok")
    assert healthcheck.main(["healthcheck.py", "app"]) == 0
    server.answers["/healthz"] = (500, "boom")
    assert healthcheck.main(["healthcheck.py", "app"]) == 1


def test_app_is_unhealthy_when_nothing_answers(server, monkeypatch):
    monkeypatch.setattr(healthcheck, "APP_HEALTH_URL", "http://127.0.0.1:1/healthz")
    assert healthcheck.main(["healthcheck.py", "app"]) == 1


@pytest.mark.parametrize(
    ("answer", "healthy"),
    [
        (readyz(200, "ok"), True),
        # Another check failing makes /readyz answer 503, not the worker unhealthy.
        (readyz(503, "ok", scanner="failed"), True),
        (readyz(503, "ok", storage="failed", database="ok"), True),
        (readyz(503, "failed"), False),
        # Jobs run inline: no worker to be healthy (compose runs the database backend).
        (readyz(200, "off"), False),
        ((503, {"status": "unready", "checks": {}}), False),
        ((500, "Server Error"), False),
        ((200, "not json"), False),
    ],
)
def test_worker_is_healthy_when_readyz_finds_a_live_worker(server, answer, healthy):
    server.answers["/readyz"] = answer
    assert healthcheck.main(["healthcheck.py", "worker"]) == (0 if healthy else 1)


def test_an_unknown_check_is_a_usage_error():
    assert healthcheck.main(["healthcheck.py", "db"]) == 2
