"""What scripts/backup.py and scripts/restore.py share: the backup's layout and manifest, the
PostgreSQL connection of a Django database setting, and the two kinds of object store (an S3
bucket, a local folder).

A backup is one folder:

    manifest.json      format, date, the dump's size and SHA-256, one entry per object
    database.dump      pg_dump --format=custom of the database
    objects/ab/<sha>   each object's bytes, named by their SHA-256 (identical files once)
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FORMAT = "preuves-backup/1"
MANIFEST = "manifest.json"
DUMP = "database.dump"
OBJECTS = "objects"
CHUNK = 1024 * 1024
# What an S3 object keeps beside its bytes, and gets back on restore.
S3_HEADERS = ("ContentType", "ContentEncoding", "ContentDisposition", "CacheControl")


class BackupError(Exception):
    """A failure the scripts report in one line and exit 1 on."""


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def sha256_file(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def object_path(backup: Path, sha256: str) -> Path:
    return backup / OBJECTS / sha256[:2] / sha256


def manifest_read(backup: Path) -> dict:
    path = backup / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise BackupError(f"{path}: no such file; is {backup} a backup folder?") from error
    except ValueError as error:
        raise BackupError(f"{path}: not valid JSON ({error})") from error
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    return manifest


# --- PostgreSQL ------------------------------------------------------------------------------

PG_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
}


def postgresql_settings(settings_dict: dict, what: str) -> dict:
    """Return ``settings_dict`` if it names a PostgreSQL database, else fail saying why."""
    engine = settings_dict.get("ENGINE", "")
    if "postgresql" not in engine:
        raise BackupError(
            f"{what} is not PostgreSQL ({engine or 'no engine'}): these scripts back up and "
            "restore PostgreSQL only. An SQLite database is a single file: stop the "
            "application and copy it, or use sqlite3's .backup command."
        )
    if not settings_dict.get("NAME"):
        raise BackupError(f"{what} names no database.")
    return settings_dict


def database_from_url(url: str, what: str) -> dict:
    import dj_database_url

    try:
        parsed = dj_database_url.parse(url)
    except ValueError as error:
        raise BackupError(f"{what}: {error}") from error
    return postgresql_settings(parsed, what)


def pg_environ(settings_dict: dict) -> dict:
    """The environment pg_dump, pg_restore and psql need to reach this database."""
    env = dict(os.environ)
    for key, name in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
        ("NAME", "PGDATABASE"),
    ):
        if settings_dict.get(key):
            env[name] = str(settings_dict[key])
    for option, name in PG_OPTIONS.items():
        if settings_dict.get("OPTIONS", {}).get(option):
            env[name] = str(settings_dict["OPTIONS"][option])
    return env


def pg_connect(settings_dict: dict):
    import psycopg

    keywords = {
        "dbname": settings_dict["NAME"],
        "host": settings_dict.get("HOST") or None,
        "port": settings_dict.get("PORT") or None,
        "user": settings_dict.get("USER") or None,
        "password": settings_dict.get("PASSWORD") or None,
        **{k: v for k, v in settings_dict.get("OPTIONS", {}).items() if k in PG_OPTIONS},
    }
    try:
        return psycopg.connect(**{k: v for k, v in keywords.items() if v is not None})
    except psycopg.Error as error:
        raise BackupError(f"cannot connect to database {settings_dict['NAME']}: {error}") from error


def pg_relations(settings_dict: dict) -> int:
    """Count the tables, views and sequences of the database outside PostgreSQL's schemas."""
    with pg_connect(settings_dict) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%' "
            "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')"
        ).fetchone()[0]


# --- Object stores ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int


class S3Store:
    def __init__(self, client, bucket: str, transfer=None):
        self.client, self.bucket, self.transfer = client, bucket, transfer

    def __str__(self) -> str:
        return f"bucket {self.bucket}"

    def describe(self) -> dict:
        return {"kind": "s3", "bucket": self.bucket}

    def check_exists(self) -> None:
        from botocore.exceptions import ClientError

        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as error:
            raise BackupError(f"bucket {self.bucket}: {error}") from error

    def objects(self) -> Iterator[StoredObject]:
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                yield StoredObject(item["Key"], item["Size"])

    def is_empty(self) -> bool:
        return not self.client.list_objects_v2(Bucket=self.bucket, MaxKeys=1).get("Contents")

    def download(self, key: str, into) -> dict:
        """Write the object's bytes to the open file ``into``; return what to note about it."""
        answer = self.client.get_object(Bucket=self.bucket, Key=key)
        for chunk in answer["Body"].iter_chunks(CHUNK):
            into.write(chunk)
        noted = {name: answer[name] for name in S3_HEADERS if answer.get(name)}
        if answer.get("VersionId"):
            noted["version_id"] = answer["VersionId"]
        if answer.get("Metadata"):
            noted["Metadata"] = answer["Metadata"]
        return noted

    def upload(self, entry: dict, path: Path) -> None:
        extra = {name: entry[name] for name in (*S3_HEADERS, "Metadata") if entry.get(name)}
        self.client.upload_file(
            str(path), self.bucket, entry["key"], ExtraArgs=extra, Config=self.transfer
        )

    def sha256(self, key: str) -> tuple[str, int]:
        digest = hashlib.sha256()
        size = 0
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        for chunk in body.iter_chunks(CHUNK):
            digest.update(chunk)
            size += len(chunk)
        return digest.hexdigest(), size


def safe_relative(key: str) -> PurePosixPath:
    """Return ``key`` as a relative path that stays inside its folder, or fail."""
    path = PurePosixPath(key)
    if not key or path.is_absolute() or any(part in ("", ".", "..") for part in key.split("/")):
        raise BackupError(f"object key {key!r} cannot be written as a file")
    return path


class LocalStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def __str__(self) -> str:
        return f"folder {self.root}"

    def describe(self) -> dict:
        return {"kind": "local", "root": str(self.root)}

    def check_exists(self) -> None:
        if self.root.exists() and not self.root.is_dir():
            raise BackupError(f"{self.root} is not a folder")

    def objects(self) -> Iterator[StoredObject]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            if path.is_file():
                yield StoredObject(path.relative_to(self.root).as_posix(), path.stat().st_size)

    def is_empty(self) -> bool:
        return not self.root.exists() or not any(self.root.iterdir())

    def download(self, key: str, into) -> dict:
        with open(self.root / safe_relative(key), "rb") as handle:
            shutil.copyfileobj(handle, into, CHUNK)
        return {}

    def upload(self, entry: dict, path: Path) -> None:
        target = self.root / safe_relative(entry["key"])
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as temporary:
            with open(path, "rb") as handle:
                shutil.copyfileobj(handle, temporary, CHUNK)
        os.replace(temporary.name, target)

    def sha256(self, key: str) -> tuple[str, int]:
        return sha256_file(self.root / safe_relative(key))


def store_of(storage):
    """The object store behind a Django storage (S3 or the file system)."""
    if getattr(storage, "bucket_name", None) and hasattr(storage, "connection"):
        from django.conf import settings

        return S3Store(
            storage.connection.meta.client,
            storage.bucket_name,
            getattr(settings, "S3_TRANSFER", None),
        )
    if hasattr(storage, "location"):
        return LocalStore(Path(storage.location))
    raise BackupError(f"unsupported storage {type(storage).__name__}")
