"""The restore drill: back up a mid-season demo centre kept in S3, restore it elsewhere, prove
the copy whole. Run by ``make restore-drill``:

    .venv/bin/python scripts/restore_drill.py [--server postgres://user@host:port/postgres]
        [--keep]

On moto's S3 server (started here on a free port) and the PostgreSQL server of ``--server``
(default: that of DATABASE_URL when it is PostgreSQL, else postgres@127.0.0.1:5432), with
names carrying one random suffix:

1. a source database and bucket: ``storage_setup`` (versioning, lifecycle rules) and its
   ``--check``, ``migrate``, ``load_referentiel``, ``demo`` (evidence files, submissions and
   their manifests, issued documents, the audit trail), all with DJANGO_STORAGE=s3;
2. ``scripts/backup.py``;
3. a second database and bucket (``storage_setup`` first, as docs/backups.md says), then
   ``scripts/restore.py`` into them;
4. the checks on the restored copy, one line each: no migration left, ``verify_manifests``
   and ``verify_audit`` pass and print the same line as on the source, every table holds as
   many rows as the source's, the audit table still refuses DELETE and TRUNCATE, the bucket
   holds the same keys and sizes.

Exits 1 naming every failed step or check. Both databases, both buckets' server and the
temporary folder are removed at the end, failed or not (``--keep`` keeps the databases).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.backup_common import database_from_url, pg_connect  # noqa: E402
from scripts.net import free_port  # noqa: E402

PYTHON = sys.executable
REGION = "eu-west-3"
KEY_TABLES = (
    "accounts_user",
    "portfolio_evidenceitem",
    "portfolio_manifest",
    "documents_issueddocument",
    "workflow_auditevent",
)


class DrillFailed(Exception):
    pass


class Drill:
    def __init__(self):
        self.failed: list[str] = []
        self.checks = 0

    def line(self, ok: bool, name: str, detail: str, seconds: float) -> None:
        print(f"{'OK    ' if ok else 'FAILED'} {name}: {detail} ({seconds:.1f} s)", flush=True)

    def step(self, name: str, action):
        """Run a step the next ones depend on: stop the drill if it fails."""
        started = time.monotonic()
        try:
            detail = action()
        except Exception as error:
            self.line(False, name, str(error), time.monotonic() - started)
            self.failed.append(name)
            raise DrillFailed(name) from error
        self.line(True, name, detail or "done", time.monotonic() - started)
        return detail

    def check(self, name: str, action) -> None:
        """Run a check on the restored copy: report it and go on with the others."""
        self.checks += 1
        try:
            self.step(name, action)
        except DrillFailed:
            pass


def first_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def run(command: list[str], env: dict) -> str:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
        raise RuntimeError(f"{' '.join(command[1:3])} exited {done.returncode}:\n{tail}")
    return done.stdout


def manage(env: dict, *args: str) -> str:
    return run([PYTHON, "manage.py", *args], env)


def database_url(server: str, name: str) -> str:
    return urlsplit(server)._replace(path=f"/{name}").geturl()


def table_counts(url: str) -> dict[str, int]:
    settings = database_from_url(url, url)
    with pg_connect(settings) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608
            for table in tables
        }


def audit_refusals(url: str) -> str:
    import psycopg

    settings = database_from_url(url, url)
    refused = []
    with pg_connect(settings) as connection:
        for sql in (
            "DELETE FROM workflow_auditevent WHERE id = (SELECT min(id) FROM workflow_auditevent)",
            "TRUNCATE workflow_auditevent CASCADE",
        ):
            try:
                with connection.transaction():
                    connection.execute(sql)
            except psycopg.errors.InsufficientPrivilege as error:
                if "append-only" in str(error):
                    refused.append(sql.split()[0])
                    continue
                raise
            raise RuntimeError(f"{sql.split()[0]} was accepted on the restored audit table")
    return f"{' and '.join(refused)} refused (the append-only trigger was restored)"


def bucket_listing(client, bucket: str) -> dict[str, int]:
    listing = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            listing[item["Key"]] = item["Size"]
    return listing


def drill(drill: Drill, *, server: str, work: Path, endpoint: str, suffix: str, keep: bool):
    import boto3

    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="drill",
        aws_secret_access_key="drill",  # noqa: S106 moto accepts any key
    )
    names = {side: f"preuves_drill_{suffix}_{side}" for side in ("source", "restored")}
    buckets = {side: f"preuves-drill-{suffix}-{side}" for side in names}
    urls = {side: database_url(server, name) for side, name in names.items()}
    maintenance = database_from_url(server, "--server")
    environ = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_AWS_", "AWS_", "DATABASE_URL"))
    }
    environ.update(
        DJANGO_DEBUG="true",
        DJANGO_STORAGE="s3",
        DJANGO_AWS_S3_ENDPOINT_URL=endpoint,
        DJANGO_AWS_S3_REGION_NAME=REGION,
        AWS_ACCESS_KEY_ID="drill",
        AWS_SECRET_ACCESS_KEY="drill",  # noqa: S106 moto accepts any key
        DJANGO_TASKS_BACKEND="django_tasks.backends.immediate.ImmediateBackend",
        PREUVES_VIRUS_SCANNER="none",
        PREUVES_VAR_DIR=str(work / "var"),
    )
    env = {
        side: {
            **environ,
            "DATABASE_URL": urls[side],
            "DJANGO_AWS_STORAGE_BUCKET_NAME": buckets[side],
        }
        for side in names
    }

    created = []
    try:

        def create():
            with pg_connect(maintenance) as connection:
                connection.autocommit = True
                for name in names.values():
                    connection.execute(f'CREATE DATABASE "{name}"')
                    created.append(name)
            for bucket in buckets.values():
                client.create_bucket(
                    Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION}
                )
            return f"databases {', '.join(names.values())}; buckets on {endpoint}"

        drill.step("create", create)
        source = env["source"]
        drill.step("storage_setup (source)", lambda: last_line(manage(source, "storage_setup")))
        drill.step(
            "storage_setup --check (source)",
            lambda: last_line(manage(source, "storage_setup", "--check")),
        )

        def migrate():
            applied = manage(source, "migrate", "--no-input").count("Applying ")
            return f"{applied} migrations applied"

        drill.step("migrate (source)", migrate)
        drill.step("load_referentiel", lambda: last_line(manage(source, "load_referentiel")))

        def demo():
            manage(source, "demo")
            return f"{len(bucket_listing(client, buckets['source']))} objects in the source bucket"

        drill.step("demo", demo)
        before = {}

        def on_source(command: str):
            def action():
                before[command] = first_line(manage(source, command))
                return before[command]

            return action

        drill.step("verify_manifests (source)", on_source("verify_manifests"))
        drill.step("verify_audit (source)", on_source("verify_audit"))
        backup = work / "backup"
        drill.step(
            "backup",
            lambda: "; ".join(
                run([PYTHON, "scripts/backup.py", "--out", str(backup)], source).splitlines()
            ),
        )
        restored = env["restored"]
        drill.step("storage_setup (restored)", lambda: last_line(manage(restored, "storage_setup")))
        restore = [PYTHON, "scripts/restore.py", str(backup), "--database-url", urls["restored"]]
        restore += ["--bucket", buckets["restored"]]
        drill.step("restore", lambda: "; ".join(run(restore, restored).splitlines()))
        restored_checks(drill, before, env, urls, buckets, client)
    finally:
        if created and not keep:
            with pg_connect(maintenance) as connection:
                connection.autocommit = True
                for name in created:
                    connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"dropped {', '.join(created)}")
        elif created:
            print(f"kept {', '.join(created)}")


def restored_checks(drill: Drill, before: dict, env: dict, urls: dict, buckets: dict, client):
    restored = env["restored"]

    def no_migration_left():
        manage(restored, "migrate", "--check")
        return "no migration left to apply"

    drill.check("migrate --check (restored)", no_migration_left)

    def same_line(command: str):
        def check():
            line = first_line(manage(restored, command))
            if line != before[command]:
                raise RuntimeError(f"restored: {line!r}; source: {before[command]!r}")
            return line

        return check

    drill.check("verify_manifests (restored)", same_line("verify_manifests"))
    drill.check("verify_audit (restored)", same_line("verify_audit"))

    def rows():
        source, copy = table_counts(urls["source"]), table_counts(urls["restored"])
        differ = {t: (source.get(t), copy.get(t)) for t in source.keys() | copy.keys()}
        differ = {t: counts for t, counts in differ.items() if counts[0] != counts[1]}
        if differ:
            raise RuntimeError(f"(source, restored) rows differ: {differ}")
        if not source.get("workflow_auditevent") or not source.get("portfolio_manifest"):
            raise RuntimeError(f"the source has no audit rows or no manifests: {source}")
        keys = ", ".join(f"{t} {source[t]}" for t in KEY_TABLES if t in source)
        return f"{len(source)} tables, {sum(source.values())} rows equal ({keys})"

    drill.check("row counts (source = restored)", rows)
    drill.check("audit trigger (restored)", lambda: audit_refusals(urls["restored"]))

    def objects():
        source = bucket_listing(client, buckets["source"])
        copy = bucket_listing(client, buckets["restored"])
        if source != copy:
            missing = sorted(source.keys() - copy.keys())[:5]
            raise RuntimeError(f"keys or sizes differ (missing from the copy: {missing})")
        return f"{len(copy)} objects, same keys and sizes as the source bucket"

    drill.check("bucket (restored)", objects)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_server = "postgres://postgres@127.0.0.1:5432/postgres"
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        default_server = database_url(os.environ["DATABASE_URL"], "postgres")
    parser.add_argument("--server", default=default_server, help=f"default: {default_server}")
    parser.add_argument("--keep", action="store_true", help="keep the two databases")
    args = parser.parse_args(argv)

    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per S3 request

    started = time.monotonic()
    suffix = uuid.uuid4().hex[:8]
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    work = Path(tempfile.mkdtemp(prefix=f"preuves-drill-{suffix}-"))
    result = Drill()
    try:
        drill(
            result,
            server=args.server,
            work=work,
            endpoint=f"http://127.0.0.1:{port}",
            suffix=suffix,
            keep=args.keep,
        )
    except DrillFailed:
        pass
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.monotonic() - started
    if result.failed:
        print(f"Restore drill FAILED in {seconds:.0f} s: {', '.join(result.failed)}")
        return 1
    print(f"Restore drill passed in {seconds:.0f} s: {result.checks} checks on the restored copy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
