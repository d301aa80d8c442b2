"""The journey of `make prod-smoke`, over HTTPS through nginx (scripts/prod_smoke.py).

Each method is one check: it returns a short detail for the report or raises AssertionError
with what went wrong. Clients are bound to distinct loopback addresses (127.0.0.2, 127.0.0.3)
when the check needs distinct client addresses as nginx sees them.
"""

import concurrent.futures
import http.client
import io
import json
import os
import re
import ssl
import time

import pikepdf
import requests
from PIL import Image
from requests.adapters import HTTPAdapter

from scripts.smoke_stack import eicar

DEMO_PASSWORD = "preuves-demo-2026"  # noqa: S105 - the demo's published password
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The slow uploads: 1 MB at about 120 kB/s, so each lasts about 8 s against a 5 s timeout.
SLOW_BYTES_PER_SECOND = 120_000
SLOW_CHUNK = 12_000


class SourceAdapter(HTTPAdapter):
    """Connect from a given loopback address: nginx sees each as another client."""

    def __init__(self, source: str, **kwargs):
        self.source = source
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kwargs)


def pdf(text: str, *, comment: bytes | None = None) -> bytes:
    """A one-page PDF; ``comment`` goes, as is, in a comment of the page's content stream."""
    document = pikepdf.new()
    document.add_blank_page(page_size=(595, 842))
    document.docinfo["/Title"] = text
    if comment is not None:
        page = document.pages[0]
        page.obj.Contents = document.make_stream(b"% " + comment + b"\n")
    out = io.BytesIO()
    document.save(out, compress_streams=False)
    return out.getvalue()


def noise_png(size: int = 580) -> bytes:
    """A PNG of random pixels, about 1 MB that does not compress."""
    out = io.BytesIO()
    Image.frombytes("RGB", (size, size), os.urandom(size * size * 3)).save(out, "PNG")
    return out.getvalue()


def multipart(fields: dict, files: list[tuple[str, str, bytes, str]]) -> tuple[bytes, str]:
    boundary = f"preuves{time.time_ns()}"
    out = io.BytesIO()
    for name, values in fields.items():
        for value in values if isinstance(values, list) else [values]:
            out.write(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            )
            out.write(f"{value}\r\n".encode())
    for name, filename, data, content_type in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'.encode()
        )
        out.write(data + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


class Journey:
    def __init__(self, stack, facts: dict):
        self.stack = stack
        self.facts = facts
        self.site = stack.site
        self.candidate: requests.Session | None = None
        self.uploaded: list[int] = []

    # --- clients -------------------------------------------------------------------------

    def client(self, source: str = "127.0.0.1") -> requests.Session:
        session = requests.Session()
        session.trust_env = False  # REQUESTS_CA_BUNDLE would replace the smoke's certificate
        session.verify = str(self.stack.certificate)
        session.mount("https://", SourceAdapter(source))
        session.mount("http://", SourceAdapter(source))
        return session

    def _sign_in(self, http: requests.Session, email: str, password: str, **headers):
        page = http.get(f"{self.site}/connexion/", timeout=10)
        token = CSRF_INPUT.search(page.text)
        assert token, f"no CSRF token on the sign-in page ({page.status_code})"
        return http.post(
            f"{self.site}/connexion/",
            data={"csrfmiddlewaretoken": token.group(1), "username": email, "password": password},
            headers={"Referer": f"{self.site}/connexion/", **headers},
            allow_redirects=False,
            timeout=10,
        )

    def _readyz(self) -> tuple[int, dict]:
        response = requests.get(
            f"{self.site}/readyz", verify=str(self.stack.certificate), timeout=15
        )
        return response.status_code, response.json()

    def _wait_readyz(self, wanted_status: int, check: str, wanted: str, timeout: float = 30):
        deadline = time.monotonic() + timeout
        seen = None
        while time.monotonic() < deadline:
            seen = self._readyz()
            if seen[0] == wanted_status and seen[1]["checks"].get(check) == wanted:
                return f"{seen[0]}, {check} {wanted}"
            time.sleep(0.5)
        raise AssertionError(f"/readyz still answers {seen} after {timeout:.0f} s")

    # --- checks --------------------------------------------------------------------------

    def healthz(self):
        response = self.client().get(f"{self.site}/healthz", timeout=10)
        assert (response.status_code, response.text) == (200, "ok\n"), response.status_code
        return response.headers.get("X-Request-ID")

    def readyz_ready(self):
        status, body = self._readyz()
        assert status == 200 and body["status"] == "ready", f"{status} {body}"
        assert set(body["checks"].values()) == {"ok"}, body
        return json.dumps(body["checks"])

    def https_redirect(self):
        url = f"http://127.0.0.1:{self.stack.ports['http']}/connexion/"
        response = requests.get(url, allow_redirects=False, timeout=10)
        assert response.status_code == 301, response.status_code
        assert response.headers["Location"].startswith("https://"), response.headers["Location"]

    def sign_in(self, email: str):
        self.candidate = self.client()
        response = self._sign_in(self.candidate, email, DEMO_PASSWORD)
        assert response.status_code == 302, f"sign-in answered {response.status_code}"
        home = self.candidate.get(f"{self.site}/", timeout=10)
        assert home.status_code == 200 and "deconnexion" in home.text, home.status_code
        return email

    def _upload_form(self, http: requests.Session, filename: str, data: bytes, kind: str):
        url = f"{self.site}/portefeuilles/{self.facts['portfolio']}/"
        token = http.cookies.get("csrftoken") or CSRF_INPUT.search(http.get(url).text).group(1)
        return http.post(
            url,
            data={
                "csrfmiddlewaretoken": token,
                "title": filename,
                "competencies": self.facts["competencies"],
            },
            files=[("files", (filename, data, kind))],
            headers={"Referer": url, "X-Requested-With": "XMLHttpRequest"},
            timeout=60,
        )

    def upload_clean(self):
        data = pdf("Procédure d'achat — preuve de la recette")
        response = self._upload_form(self.candidate, "procedure-achat.pdf", data, "application/pdf")
        assert response.status_code == 200, f"{response.status_code} {response.text[:300]}"
        body = response.json()
        assert body["ok"] and len(body["items"]) == 1, body
        self.uploaded.append(body["items"][0])
        self.clean_pdf = data
        return f"item {body['items'][0]}"

    def upload_infected(self):
        data = pdf("Facture", comment=eicar())
        assert eicar() in data
        response = self._upload_form(self.candidate, "facture.pdf", data, "application/pdf")
        assert response.status_code == 400, f"{response.status_code} {response.text[:300]}"
        errors = json.dumps(response.json()["errors"], ensure_ascii=False)
        assert "virus" in errors.lower(), errors
        return errors[:90]

    def download_signed(self):
        url = f"{self.site}/portefeuilles/preuves/{self.uploaded[0]}/fichier/"
        response = self.candidate.get(url, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.status_code
        signed = response.headers["Location"]
        assert signed.startswith(f"http://127.0.0.1:{self.stack.ports['s3']}/"), signed
        assert "X-Amz-Signature=" in signed, signed
        body = requests.get(signed, timeout=10)
        assert body.status_code == 200 and body.content == self.clean_pdf, body.status_code
        unsigned = requests.get(signed.split("?")[0], timeout=10)
        assert unsigned.status_code == 403, f"the bucket answers {unsigned.status_code} unsigned"
        return "signed URL 200, unsigned 403"

    def job_by_worker(self, staff_email: str):
        staff = self.client()
        assert self._sign_in(staff, staff_email, DEMO_PASSWORD).status_code == 302
        url = f"{self.site}{self.facts['export']}"
        response = staff.post(
            url,
            data={"csrfmiddlewaretoken": staff.cookies["csrftoken"]},
            headers={"Referer": url},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 302, response.status_code
        found = re.search(r"#job-(\d+)$", response.headers["Location"])
        assert found, f"not queued: {response.headers['Location']}"
        status_url = f"{self.site}/travaux/{found.group(1)}/etat.json"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            state = staff.get(status_url, timeout=10).json()
            if state.get("state") in {"done", "failed"}:
                break
            time.sleep(0.5)
        assert state.get("state") == "done", state
        return f"job {found.group(1)} done"

    def throttle_per_address(self, email: str):
        first, second = self.client("127.0.0.2"), self.client("127.0.0.3")
        for attempt in range(5):
            response = self._sign_in(first, f"inconnu.{attempt}@example.org", "mauvais-mot")
            assert response.status_code == 200, f"failure {attempt + 1}: {response.status_code}"
        refused = self._sign_in(first, email, DEMO_PASSWORD)
        assert refused.status_code == 200 and "Trop de tentatives" in refused.text, (
            "the sixth attempt from 127.0.0.2 was not refused"
        )
        # The address the client writes itself is not believed: nginx appends the real one.
        spoofed = self._sign_in(first, email, DEMO_PASSWORD, **{"X-Forwarded-For": "203.0.113.9"})
        assert spoofed.status_code == 200 and "Trop de tentatives" in spoofed.text, (
            "a forged X-Forwarded-For lifted the block"
        )
        allowed = self._sign_in(second, email, DEMO_PASSWORD)
        assert allowed.status_code == 302, f"127.0.0.3 was blocked too ({allowed.status_code})"
        return "127.0.0.2 blocked, 127.0.0.3 signed in"

    def session_on_both_instances(self):
        ids = []
        for _ in range(6):
            response = self.candidate.get(f"{self.site}/", timeout=10)
            assert response.status_code == 200 and "deconnexion" in response.text
            # The home redirects to the candidate's page: two requests, two request IDs.
            ids += [answer.headers["X-Request-ID"] for answer in (*response.history, response)]
        # gunicorn writes its access line once the answer is sent: read the logs until every
        # request ID is there (or 10 s have passed) rather than racing the last line.
        deadline = time.monotonic() + 10
        while True:
            served = {
                name: sum(rid in self.stack.log(name).read_text(errors="replace") for rid in ids)
                for name in ("app1", "app2")
            }
            if sum(served.values()) >= len(ids) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert all(served.values()), f"one instance answered nothing: {served}"
        assert sum(served.values()) == len(ids), served
        return ", ".join(f"{name} {count}" for name, count in served.items())

    def request_ids(self):
        response = self.candidate.get(f"{self.site}/", timeout=10)
        rid = response.headers["X-Request-ID"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid), f"not nginx's $request_id: {rid}"
        deadline = time.monotonic() + 10
        while True:
            nginx = self.stack.log("nginx-access").read_text(errors="replace")
            apps = self.stack.log("app1").read_text() + self.stack.log("app2").read_text()
            if (f"rid={rid}" in nginx and f"rid={rid}" in apps) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert f"rid={rid}" in nginx, "not in nginx's access log"
        assert f"rid={rid}" in apps, "not in gunicorn's access log"
        return rid

    def _slow_upload(self, name: str) -> tuple[int, float]:
        """Send a 1 MB PNG at about 120 kB/s through nginx; return the status and seconds."""
        token = self.candidate.cookies["csrftoken"]
        url_path = f"/portefeuilles/{self.facts['portfolio']}/"
        body, content_type = multipart(
            {
                "csrfmiddlewaretoken": token,
                "title": name,
                "competencies": self.facts["competencies"],
            },
            [("files", f"{name}.png", noise_png(), "image/png")],
        )
        context = ssl.create_default_context(cafile=str(self.stack.certificate))
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.stack.ports["https"], context=context, timeout=120
        )
        cookies = "; ".join(f"{k}={v}" for k, v in self.candidate.cookies.items())
        started = time.monotonic()
        connection.putrequest("POST", url_path)
        for header, value in {
            "Content-Type": content_type,
            "Content-Length": str(len(body)),
            "Cookie": cookies,
            "Referer": f"{self.site}{url_path}",
            "X-Requested-With": "XMLHttpRequest",
        }.items():
            connection.putheader(header, value)
        connection.endheaders()
        for offset in range(0, len(body), SLOW_CHUNK):
            connection.send(body[offset : offset + SLOW_CHUNK])
            time.sleep(SLOW_CHUNK / SLOW_BYTES_PER_SECOND)
        response = connection.getresponse()
        answer = response.read()
        connection.close()
        elapsed = time.monotonic() - started
        if response.status == 200:
            self.uploaded.extend(json.loads(answer)["items"])
        return response.status, elapsed

    def slow_upload_outlasts_timeout(self):
        status, elapsed = self._slow_upload("lente")
        timeout = int(self.stack.env()["GUNICORN_TIMEOUT"])
        assert elapsed > timeout, f"the upload took {elapsed:.1f} s, not more than {timeout} s"
        assert status == 200, f"answered {status} after {elapsed:.1f} s"
        return f"{elapsed:.1f} s against a {timeout} s timeout"

    def twelve_slow_uploads(self):
        with concurrent.futures.ThreadPoolExecutor(max_workers=12) as pool:
            uploads = [pool.submit(self._slow_upload, f"lente-{n}") for n in range(12)]
            time.sleep(3)  # every upload is sending its body
            started = time.monotonic()
            page = self.client().get(f"{self.site}/connexion/", timeout=30)
            answered = time.monotonic() - started
            still_sending = sum(not upload.done() for upload in uploads)
            results = [upload.result() for upload in uploads]
        assert still_sending == 12, f"only {still_sending} uploads were still running"
        assert page.status_code == 200, page.status_code
        assert answered <= 2, f"the page took {answered:.2f} s"
        statuses = sorted({status for status, _ in results})
        assert statuses == [200], f"upload answers {statuses}"
        slowest = max(elapsed for _, elapsed in results)
        return f"page in {answered:.2f} s; 12 uploads of up to {slowest:.1f} s all stored"

    def readyz_without_scanner(self):
        self.stack.clamd_stop()
        return self._wait_readyz(503, "scanner", "failed")

    def readyz_scanner_back(self):
        self.stack.clamd_start()
        return self._wait_readyz(200, "scanner", "ok")

    def readyz_without_database(self):
        self.stack.postgresql_stop()
        return self._wait_readyz(503, "database", "failed")

    def readyz_database_back(self):
        self.stack.postgresql_start()
        return self._wait_readyz(200, "database", "ok", timeout=60)

    def readyz_without_worker(self):
        self.stack.worker_stop()
        return self._wait_readyz(503, "worker", "failed", timeout=30)

    def readyz_worker_back(self):
        self.stack.worker_start()
        return self._wait_readyz(200, "worker", "ok")
