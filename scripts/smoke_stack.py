"""The production topology on one machine, for `make prod-smoke` (scripts/prod_smoke.py).

Everything comes from Debian's packages and the project's own files: PostgreSQL (a cluster of
its own, so that it can be stopped and started again), moto's S3 server (the stand-in for a
real S3-compatible store: same HTTP API, signed URLs, multipart uploads), clamd with the
EICAR-only signature database of the tests, two gunicorn instances with
deploy/gunicorn.conf.py, one `manage.py jobs_worker`, and nginx with deploy/nginx.conf (its
upstream, ports, certificate and paths rewritten for this machine) in front.
"""

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from scripts.net import free_port, port_open

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
EICAR_SIGNATURES = ROOT / "tests" / "clamav" / "preuves-eicar.ndb"
# clamd's limits as production sets them: read from deploy/clamd.conf itself.
CLAMD_LIMIT_OPTIONS = (
    "StreamMaxLength",
    "MaxFileSize",
    "MaxScanSize",
    "MaxRecursion",
    "MaxFiles",
    "AlertExceedsMax",
)


def production_clamd_limits() -> list[str]:
    lines = (ROOT / "deploy" / "clamd.conf").read_text().splitlines()
    return [line for line in lines if line.split(" ", 1)[0] in CLAMD_LIMIT_OPTIONS]


class StackError(RuntimeError):
    """A service did not start or stop as it should."""


def wait_for(what: str, ready, timeout: float = 60, process=None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StackError(f"{what} exited with code {process.returncode}")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise StackError(f"{what} not ready after {timeout:.0f} s")


def eicar() -> bytes:
    """The EICAR test string, read from the signature the tests' clamd loads."""
    return bytes.fromhex(EICAR_SIGNATURES.read_text().strip().split(":")[3])


class Stack:
    """Start, stop and restart the services; every log under ``workdir``."""

    def __init__(self, workdir: Path, *, nginx_site: Path = ROOT / "deploy" / "nginx.conf"):
        self.workdir = workdir
        self.nginx_site = nginx_site
        self.ports = {
            name: free_port()
            for name in ("postgresql", "s3", "clamd", "app1", "app2", "https", "http")
        }
        self.processes: dict[str, subprocess.Popen] = {}
        self.secret_key = secrets.token_urlsafe(50)
        self.pg_bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[-1]).parent
        self.pgdata = workdir / "pgdata"
        self.as_root = os.geteuid() == 0
        (workdir / "uploads").mkdir(exist_ok=True)

    # --- where things are ----------------------------------------------------------------

    @property
    def site(self) -> str:
        return f"https://127.0.0.1:{self.ports['https']}"

    @property
    def certificate(self) -> Path:
        return self.workdir / "tls" / "cert.pem"

    def env(self, **extra: str) -> dict[str, str]:
        """The application's environment, as an operator's .env would give it."""
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PREUVES_"))}
        env.pop("DATABASE_URL", None)
        env.update(
            DJANGO_DEBUG="false",
            DJANGO_SECRET_KEY=self.secret_key,
            DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_CSRF_TRUSTED_ORIGINS=self.site,
            PREUVES_SITE_URL=self.site,
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{self.ports['postgresql']}/preuves",
            DJANGO_STORAGE="s3",
            DJANGO_AWS_STORAGE_BUCKET_NAME="preuves-smoke",
            DJANGO_AWS_S3_ENDPOINT_URL=f"http://127.0.0.1:{self.ports['s3']}",
            DJANGO_AWS_S3_REGION_NAME="us-east-1",
            AWS_ACCESS_KEY_ID="smoke",
            AWS_SECRET_ACCESS_KEY="smoke-secret",  # noqa: S106 - moto accepts any key
            PREUVES_VIRUS_SCANNER=f"clamd://127.0.0.1:{self.ports['clamd']}",
            DJANGO_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            PREUVES_TRUSTED_PROXIES="1",
            # Per client address, few failures; per account, many: the check tells them apart.
            PREUVES_LOGIN_THROTTLE_ADDRESS_FAILURES="5",
            PREUVES_LOGIN_THROTTLE_FAILURES="50",
            PREUVES_WORKER_HEARTBEAT_SECONDS="1",
            PREUVES_WORKER_STALE_SECONDS="6",
            DJANGO_LOG_FORMAT="json",
            DJANGO_STATIC_ROOT=str(self.workdir / "static"),
            DJANGO_FILE_UPLOAD_TEMP_DIR=str(self.workdir / "uploads"),
            EMAIL_URL="console:",
            # Short, so that a slow upload outlasts it; two workers of two threads an instance.
            GUNICORN_TIMEOUT="5",
            GUNICORN_WORKERS="2",
            GUNICORN_THREADS="2",
            PYTHONUNBUFFERED="1",
        )
        env.update(extra)
        return env

    def log(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    # --- processes -----------------------------------------------------------------------

    def spawn(self, name: str, command: list[str], **kwargs) -> subprocess.Popen:
        with open(self.log(name), "ab") as log:
            process = subprocess.Popen(  # noqa: S603
                command, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT, **kwargs
            )
        self.processes[name] = process
        return process

    def terminate(self, name: str, timeout: float = 20) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        with open(self.log("manage"), "a") as log:
            log.write(f"$ manage.py {' '.join(args)}\n{result.stdout}{result.stderr}\n")
        if result.returncode:
            raise StackError(f"manage.py {args[0]} failed: {result.stderr.strip()[-400:]}")
        return result.stdout

    # --- PostgreSQL ----------------------------------------------------------------------

    def _as_postgres(self, command: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *command] if self.as_root else command

    def postgresql_init(self) -> None:
        self.pgdata.mkdir()
        if self.as_root:
            user = pwd.getpwnam("postgres")
            os.chown(self.pgdata, user.pw_uid, user.pw_gid)
        subprocess.run(  # noqa: S603
            self._as_postgres(
                [str(self.pg_bin / "initdb"), "-D", str(self.pgdata), "-U", "postgres"]
                + ["--auth=trust", "--encoding=UTF8", "--no-sync"]
            ),
            check=True,
            capture_output=True,
        )

    def postgresql_start(self) -> None:
        options = (
            f"-p {self.ports['postgresql']} -k {self.pgdata} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c full_page_writes=off"
        )
        subprocess.run(  # noqa: S603
            self._as_postgres(
                [str(self.pg_bin / "pg_ctl"), "-D", str(self.pgdata), "-o", options]
                + ["-l", str(self.pgdata / "server.log"), "-w", "start"]
            ),
            check=True,
            capture_output=True,
        )

    def postgresql_stop(self) -> None:
        subprocess.run(  # noqa: S603
            self._as_postgres(
                [str(self.pg_bin / "pg_ctl"), "-D", str(self.pgdata), "-m", "fast", "-w", "stop"]
            ),
            check=True,
            capture_output=True,
        )

    def postgresql_running(self) -> bool:
        return port_open(self.ports["postgresql"])

    def database_create(self) -> None:
        subprocess.run(  # noqa: S603
            ["psql", "-h", "127.0.0.1", "-p", str(self.ports["postgresql"]), "-U", "postgres"]
            + ["-qc", "CREATE DATABASE preuves"],
            check=True,
            capture_output=True,
        )

    # --- S3 (moto's server) ----------------------------------------------------------------

    def s3_start(self) -> None:
        port = self.ports["s3"]
        process = self.spawn(
            "s3", [PYTHON, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
        )
        wait_for("moto's S3 server", lambda: port_open(port), process=process)
        import boto3

        boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{port}",
            region_name="us-east-1",
            aws_access_key_id="smoke",
            aws_secret_access_key="smoke-secret",  # noqa: S106
        ).create_bucket(Bucket="preuves-smoke")

    # --- clamd ---------------------------------------------------------------------------

    def clamd_start(self) -> None:
        folder = self.workdir / "clamd"
        config = folder / "clamd.conf"
        if not config.exists():
            (folder / "db").mkdir(parents=True)
            shutil.copy(EICAR_SIGNATURES, folder / "db" / EICAR_SIGNATURES.name)
            lines = [
                "Foreground yes",
                "TCPAddr 127.0.0.1",
                f"TCPSocket {self.ports['clamd']}",
                f"DatabaseDirectory {folder / 'db'}",
                "SelfCheck 0",
                *production_clamd_limits(),
            ]
            if self.as_root:
                lines.append("User root")
            config.write_text("\n".join(lines) + "\n")
        process = self.spawn("clamd", ["/usr/sbin/clamd", f"--config-file={config}"])
        wait_for("clamd", self.clamd_answers, process=process)

    def clamd_answers(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.ports["clamd"]), timeout=2) as conn:
            conn.sendall(b"zPING\0")
            return conn.recv(16).rstrip(b"\0\n") == b"PONG"

    def clamd_stop(self) -> None:
        self.terminate("clamd")
        wait_for("clamd's port to close", lambda: not port_open(self.ports["clamd"]), 20)

    # --- the application -----------------------------------------------------------------

    def app_start(self, name: str) -> None:
        port = self.ports[name]
        process = self.spawn(
            name,
            [PYTHON, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"],
            env=self.env(GUNICORN_BIND=f"127.0.0.1:{port}"),
        )
        wait_for(f"gunicorn {name}", lambda: port_open(port), process=process)

    def worker_start(self) -> None:
        self.manage("jobs_resume")
        self.spawn("worker", [PYTHON, "manage.py", "jobs_worker"], env=self.env())

    def worker_stop(self) -> None:
        self.terminate("worker")

    # --- nginx ---------------------------------------------------------------------------

    def certificate_make(self) -> None:
        folder = self.workdir / "tls"
        folder.mkdir()
        subprocess.run(  # noqa: S603
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
            + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
            + ["-keyout", str(folder / "key.pem"), "-out", str(self.certificate)],
            check=True,
            capture_output=True,
        )

    def nginx_config(self) -> str:
        """deploy/nginx.conf for this machine: each rewrite must find its line exactly."""
        site = self.nginx_site.read_text()
        rewrites = [
            (
                "    server app:8000;\n",
                f"    server 127.0.0.1:{self.ports['app1']};\n"
                f"    server 127.0.0.1:{self.ports['app2']};\n",
            ),
            ("listen 80;", f"listen 127.0.0.1:{self.ports['http']};"),
            # Debian 12's nginx (1.22) names HTTP/2 on the listen line; 1.25 and later say
            # "http2 on;" (deploy/compose.yaml's image).
            (
                "    listen 443 ssl;\n    http2 on;\n",
                f"    listen 127.0.0.1:{self.ports['https']} ssl http2;\n",
            ),
            ("/etc/nginx/tls/fullchain.pem", str(self.certificate)),
            ("/etc/nginx/tls/privkey.pem", str(self.workdir / "tls" / "key.pem")),
            ("/var/log/nginx/access.log", str(self.log("nginx-access"))),
        ]
        for old, new in rewrites:
            if site.count(old) != 1:
                raise StackError(f"deploy/nginx.conf: expected {old.strip()!r} once")
            site = site.replace(old, new)
        site = site.replace("/srv/preuves/staticfiles/", f"{self.workdir / 'static'}/")
        temp = self.workdir / "nginx-temp"
        return "\n".join(
            [
                "worker_processes 2;",
                f"pid {self.workdir / 'nginx.pid'};",
                f"error_log {self.log('nginx-error')} warn;",
                *(["user root;"] if self.as_root else []),
                "events { worker_connections 512; }",
                "http {",
                "include /etc/nginx/mime.types;",
                "default_type application/octet-stream;",
                f"client_body_temp_path {temp / 'body'};",
                f"proxy_temp_path {temp / 'proxy'};",
                f"fastcgi_temp_path {temp / 'fastcgi'};",
                f"uwsgi_temp_path {temp / 'uwsgi'};",
                f"scgi_temp_path {temp / 'scgi'};",
                site,
                "}",
            ]
        )

    def nginx_start(self) -> None:
        (self.workdir / "nginx-temp").mkdir()
        config = self.workdir / "nginx.conf"
        config.write_text(self.nginx_config())
        check = subprocess.run(  # noqa: S603
            ["nginx", "-t", "-q", "-c", str(config), "-p", str(self.workdir)],
            capture_output=True,
            text=True,
        )
        if check.returncode:
            raise StackError(f"nginx -t: {check.stderr.strip()}")
        process = self.spawn(
            "nginx", ["nginx", "-c", str(config), "-p", str(self.workdir), "-g", "daemon off;"]
        )
        wait_for("nginx", lambda: port_open(self.ports["https"]), process=process)

    # --- all -----------------------------------------------------------------------------

    def stop_all(self) -> list[str]:
        """Stop everything started; return what could not be stopped."""
        left = []
        for name in list(self.processes):
            try:
                self.terminate(name)
            except Exception as error:  # noqa: BLE001 - go on stopping the others
                left.append(f"{name}: {error}")
        if self.pgdata.exists() and self.postgresql_running():
            try:
                self.postgresql_stop()
            except Exception as error:  # noqa: BLE001
                left.append(f"postgresql: {error}")
        return left
