"""Back up Preuves: the PostgreSQL database and every stored object, into one new folder.

Run from the repository root, in the application's environment (DATABASE_URL, DJANGO_STORAGE
and its bucket settings, or DJANGO_MEDIA_ROOT):

    .venv/bin/python scripts/backup.py [--out FOLDER]

1. ``pg_dump --format=custom`` of DATABASE_URL (PostgreSQL only: an SQLite database is
   refused), then ``pg_restore --list`` reads the dump back;
2. every object of the bucket (DJANGO_STORAGE=s3: its current versions, with their version
   id, content type and metadata) or every file under the media folder, each hashed (SHA-256)
   while it is copied;
3. ``manifest.json``: the dump's size and SHA-256, and for each object its key, size, SHA-256
   (and version id) — what scripts/restore.py checks before restoring anything.

The database is dumped first: an object stored after the dump is copied too (an orphan,
harmless); an object deleted between the dump and its copy is missing from the backup (on a
versioned bucket its previous version is still in the bucket). The backup is written under
``FOLDER.incomplete`` and renamed to FOLDER only once complete; on any failure it is removed
and the script exits 1. The default FOLDER is ``var/backups/preuves-<UTC time>``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.backup_common import (  # noqa: E402
    DUMP,
    FORMAT,
    MANIFEST,
    BackupError,
    django_setup,
    object_path,
    pg_environ,
    postgresql_settings,
    sha256_file,
    store_of,
)


def pg_dump(settings_dict: dict, target: Path) -> str:
    """Dump the database to ``target``; return pg_dump's version line."""
    env = pg_environ(settings_dict)
    run(["pg_dump", "--format=custom", "--no-password", f"--file={target}"], env, "pg_dump")
    run(["pg_restore", "--list", str(target)], env, "pg_restore --list (reading the dump back)")
    return run(["pg_dump", "--version"], env, "pg_dump --version").strip()


def run(command: list[str], env: dict, what: str) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise BackupError(
            f"{what}: {command[0]} not found (apt-get install postgresql-client)"
        ) from error
    if done.returncode != 0:
        raise BackupError(f"{what} failed (exit {done.returncode}): {done.stderr.strip()}")
    return done.stdout


def copy_objects(store, folder: Path, say) -> list[dict]:
    """Copy every object of ``store`` into ``folder``; return the manifest's entries."""
    entries = []
    for stored in store.objects():
        with tempfile.NamedTemporaryFile(dir=folder, delete=False) as temporary:
            noted = store.download(stored.key, temporary)
        digest, size = sha256_file(Path(temporary.name))
        if size != stored.size:
            Path(temporary.name).unlink()
            raise BackupError(
                f"{stored.key}: {size} bytes read, {stored.size} listed (changed while copied?)"
            )
        target = object_path(folder.parent, digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary.name, target)
        entries.append({"key": stored.key, "size": size, "sha256": digest, **noted})
    say(f"objects: {len(entries)} copied from {store}, {sum(e['size'] for e in entries)} bytes")
    return entries


def backup(out: Path, *, database: dict, storage, say=print) -> dict:
    """Write a complete backup to the new folder ``out``; return its manifest."""
    database = postgresql_settings(database, "DATABASE_URL")
    store = store_of(storage)
    out = Path(out)
    if out.exists():
        raise BackupError(f"{out} already exists: give a new folder")
    partial = out.with_name(out.name + ".incomplete")
    if partial.exists():
        shutil.rmtree(partial)
    (partial / "objects").mkdir(parents=True)
    try:
        started = time.monotonic()
        version = pg_dump(database, partial / DUMP)
        dump_sha, dump_size = sha256_file(partial / DUMP)
        say(f"database: {database['NAME']} dumped, {dump_size} bytes, sha256 {dump_sha}")
        entries = copy_objects(store, partial / "objects", say)
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "database": {
                "file": DUMP,
                "name": database["NAME"],
                "size": dump_size,
                "sha256": dump_sha,
                "pg_dump": version,
            },
            "storage": store.describe(),
            "objects": entries,
        }
        (partial / MANIFEST).write_text(
            json.dumps(manifest, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        os.replace(partial, out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    say(f"backup complete in {time.monotonic() - started:.1f} s: {out}")
    return manifest


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="the new folder (default: var/backups/...)")
    args = parser.parse_args(argv)
    django_setup()
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.db import connections

    out = args.out or Path(settings.VAR_DIR) / "backups" / dt.datetime.now(dt.UTC).strftime(
        "preuves-%Y%m%dT%H%M%SZ"
    )
    try:
        backup(out, database=connections["default"].settings_dict, storage=default_storage)
    except BackupError as error:
        print(f"BACKUP FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
