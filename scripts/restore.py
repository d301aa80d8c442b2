"""Restore a backup of scripts/backup.py into a fresh PostgreSQL database and a bucket or folder.

Run from the repository root:

    .venv/bin/python scripts/restore.py BACKUP --database-url postgres://.../newdb \\
        (--bucket NEW-BUCKET | --media-root /new/media) [--force]

``--bucket`` reaches the bucket with the S3 endpoint, region and credentials of the
environment (DJANGO_STORAGE=s3, DJANGO_AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...); the bucket
must exist. In order, stopping at the first failure with exit 1:

1. the backup itself: the dump's SHA-256, and every object's size and SHA-256 against
   manifest.json — a backup that does not match is refused before anything is written;
2. the targets: the database must hold no table and the bucket or folder no object, unless
   --force (the database's tables that are in the dump are then dropped and recreated, objects
   of the same key are overwritten, others are left);
3. ``pg_restore --single-transaction --exit-on-error --no-owner --no-privileges``: the whole
   database or nothing, owned by the user of --database-url;
4. every object written, then read back and its SHA-256 checked again.

Then run ``manage.py verify_manifests`` and ``manage.py verify_audit`` against the restored
copy (docs/backups.md).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.backup_common import (  # noqa: E402
    BackupError,
    LocalStore,
    S3Store,
    database_from_url,
    django_setup,
    manifest_read,
    object_path,
    pg_environ,
    pg_relations,
    sha256_file,
)


def backup_problems(backup: Path, manifest: dict) -> list[str]:
    """Check the dump and every object file of the backup against its manifest."""
    problems = []
    database = manifest["database"]
    dump = backup / database["file"]
    if not dump.is_file():
        problems.append(f"{database['file']}: missing")
    elif sha256_file(dump) != (database["sha256"], database["size"]):
        problems.append(f"{database['file']}: SHA-256 or size differs from the manifest")
    for entry in manifest["objects"]:
        path = object_path(backup, entry["sha256"])
        if not path.is_file():
            problems.append(f"{entry['key']}: missing from the backup ({path})")
            continue
        digest, size = sha256_file(path)
        if size != entry["size"]:
            problems.append(f"{entry['key']}: {size} bytes in the backup, {entry['size']} listed")
        elif digest != entry["sha256"]:
            problems.append(f"{entry['key']}: SHA-256 differs from the manifest")
    return problems


def pg_restore(dump: Path, database: dict, *, clean: bool) -> None:
    command = [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        f"--dbname={database['NAME']}",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    done = subprocess.run(
        [*command, str(dump)],
        env=pg_environ(database),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(
            f"pg_restore failed (exit {done.returncode}), the database is left as it was: "
            f"{done.stderr.strip()}"
        )


def restore_objects(backup: Path, manifest: dict, store, say) -> None:
    failed = []
    for entry in manifest["objects"]:
        try:
            store.upload(entry, object_path(backup, entry["sha256"]))
            if store.sha256(entry["key"]) != (entry["sha256"], entry["size"]):
                failed.append(f"{entry['key']}: read back with another SHA-256 or size")
        except Exception as error:  # any failure of the store, named with its key
            failed.append(f"{entry['key']}: {error}")
    if failed:
        raise BackupError(
            f"the database is restored but {len(failed)} object(s) of {store} are not: "
            + "; ".join(failed[:10])
        )
    size = sum(entry["size"] for entry in manifest["objects"])
    say(f"objects: {len(manifest['objects'])} restored to {store} and read back, {size} bytes")


def restore(backup: Path, *, database: dict, store, force: bool = False, say=print) -> None:
    started = time.monotonic()
    backup = Path(backup)
    manifest = manifest_read(backup)
    problems = backup_problems(backup, manifest)
    if problems:
        for problem in problems:
            say(f"FAILED {problem}")
        raise BackupError(
            f"the backup does not match its manifest ({len(problems)} problem(s)): "
            "nothing was restored"
        )
    say(
        f"backup verified: {manifest['database']['file']} and "
        f"{len(manifest['objects'])} object(s) match manifest.json"
    )
    store.check_exists()
    relations = pg_relations(database)
    if relations and not force:
        raise BackupError(
            f"database {database['NAME']} is not empty ({relations} tables, views or "
            "sequences): restore into a new database, or give --force to replace its tables"
        )
    if not store.is_empty() and not force:
        raise BackupError(
            f"{store} is not empty: restore into a new one, or give --force to overwrite"
        )
    pg_restore(backup / manifest["database"]["file"], database, clean=bool(relations))
    say(f"database: restored into {database['NAME']} ({pg_relations(database)} relations)")
    restore_objects(backup, manifest, store, say)
    say(f"restore complete in {time.monotonic() - started:.1f} s")


def target_store(bucket: str | None, media_root: Path | None):
    if media_root is not None:
        return LocalStore(media_root)
    from django.conf import settings
    from storages.backends.s3 import S3Storage

    default = settings.STORAGES["default"]
    if default["BACKEND"] != "storages.backends.s3.S3Storage":
        raise BackupError(
            "--bucket needs the S3 settings of the environment: DJANGO_STORAGE=s3, "
            "DJANGO_AWS_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ..."
        )
    storage = S3Storage(**{**default["OPTIONS"], "bucket_name": bucket})
    return S3Store(storage.connection.meta.client, bucket, getattr(settings, "S3_TRANSFER", None))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("backup", type=Path, help="the backup folder (with manifest.json)")
    parser.add_argument(
        "--database-url", required=True, help="the PostgreSQL database to restore into"
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--bucket", help="the S3 bucket to restore the objects into")
    where.add_argument("--media-root", type=Path, help="the folder to restore the objects into")
    parser.add_argument(
        "--force", action="store_true", help="restore into a database or store that is not empty"
    )
    args = parser.parse_args(argv)
    django_setup()
    try:
        restore(
            args.backup,
            database=database_from_url(args.database_url, "--database-url"),
            store=target_store(args.bucket, args.media_root),
            force=args.force,
        )
    except BackupError as error:
        print(f"RESTORE FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
