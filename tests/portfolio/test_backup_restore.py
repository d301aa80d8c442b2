"""scripts/backup.py and scripts/restore.py on a tiny data set: a submitted portfolio in S3
(moto's server) and PostgreSQL. A backup that does not match its manifest, or a target that is
not empty, is refused before anything is written; a sound one restores into a copy that
verify_manifests and verify_audit accept. The full drill on the demo: make restore-drill."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from portfolio import services
from scripts.backup import backup
from scripts.backup_common import (
    BackupError,
    LocalStore,
    S3Store,
    object_path,
    pg_connect,
    pg_relations,
)
from scripts.restore import restore

ROOT = Path(__file__).resolve().parents[2]

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"
)


def quiet(line):
    pass


@pytest.fixture
def fresh_database():
    """Create an empty PostgreSQL database beside the test database; drop it afterwards."""
    server = dict(connection.settings_dict, NAME="postgres")
    name = f"preuves_test_restore_{uuid.uuid4().hex[:10]}"
    with pg_connect(server) as admin:
        admin.autocommit = True
        admin.execute(f'CREATE DATABASE "{name}"')
    yield dict(connection.settings_dict, NAME=name)
    with pg_connect(server) as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def versioned_bucket(s3_storage):
    from io import StringIO

    call_command("storage_setup", stdout=StringIO())
    return s3_storage


@pytest.fixture
def backed_up(referentiel_reloaded, versioned_bucket, complete_portfolio, candidate, tmp_path):
    """Back up a submitted portfolio kept in a versioned bucket; return the backup folder."""
    services.portfolio_submit(
        portfolio=complete_portfolio, actor=candidate, declaration_accepted=True
    )
    folder = tmp_path / "backup"
    backup(folder, database=connection.settings_dict, storage=versioned_bucket, say=quiet)
    return folder


def manifest_of(folder):
    import json

    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def flip_a_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def test_backup_refuses_sqlite(local_storage, tmp_path):
    with pytest.raises(BackupError, match="not PostgreSQL .*sqlite3"):
        backup(
            tmp_path / "backup",
            database={"ENGINE": "django.db.backends.sqlite3", "NAME": "preuves.sqlite3"},
            storage=local_storage,
            say=quiet,
        )
    assert list(tmp_path.iterdir()) == []


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_the_backup_lists_every_object_with_its_digest_and_version(backed_up, s3_storage):
    manifest = manifest_of(backed_up)
    keys = {
        o.key for o in S3Store(s3_storage.connection.meta.client, s3_storage.bucket_name).objects()
    }

    assert {entry["key"] for entry in manifest["objects"]} == keys
    assert len(keys) == 1  # the evidence PDF
    for entry in manifest["objects"]:
        assert entry["version_id"]  # the bucket is versioned (storage_setup)
        assert (object_path(backed_up, entry["sha256"])).stat().st_size == entry["size"]
    assert manifest["database"]["size"] == (backed_up / "database.dump").stat().st_size
    assert not (backed_up.parent / "backup.incomplete").exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_backup_with_a_tampered_object(backed_up, fresh_database, tmp_path):
    entry = manifest_of(backed_up)["objects"][0]
    flip_a_byte(object_path(backed_up, entry["sha256"]))
    said = []

    with pytest.raises(BackupError, match="does not match its manifest"):
        restore(
            backed_up,
            database=fresh_database,
            store=LocalStore(tmp_path / "restored"),
            say=said.append,
        )

    assert said == [f"FAILED {entry['key']}: SHA-256 differs from the manifest"]
    assert pg_relations(fresh_database) == 0
    assert not (tmp_path / "restored").exists()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_tampered_dump(backed_up, fresh_database, tmp_path):
    flip_a_byte(backed_up / "database.dump")

    with pytest.raises(BackupError, match="does not match its manifest"):
        restore(backed_up, database=fresh_database, store=LocalStore(tmp_path / "r"), say=quiet)

    assert pg_relations(fresh_database) == 0


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_database_that_is_not_empty(backed_up, fresh_database, tmp_path):
    with pg_connect(fresh_database) as target:
        target.execute("CREATE TABLE someone_elses (id integer)")

    with pytest.raises(BackupError, match="is not empty"):
        restore(backed_up, database=fresh_database, store=LocalStore(tmp_path / "r"), say=quiet)
    assert pg_relations(fresh_database) == 1
    assert not (tmp_path / "r").exists()

    restore(
        backed_up,
        database=fresh_database,
        store=LocalStore(tmp_path / "r"),
        force=True,
        say=quiet,
    )
    assert pg_relations(fresh_database) > 50


def url_of(settings_dict) -> str:
    from urllib.parse import quote

    user = quote(settings_dict["USER"] or "", safe="")
    password = quote(settings_dict["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    where = f"{settings_dict['HOST'] or ''}:{settings_dict['PORT'] or 5432}"
    return f"postgres://{credentials}{where}/{settings_dict['NAME']}"


def manage(settings_dict, bucket, endpoint, *args):
    """Run manage.py against a restored copy (another database, another bucket)."""
    env = dict(
        os.environ,
        DATABASE_URL=url_of(settings_dict),
        DJANGO_STORAGE="s3",
        DJANGO_AWS_STORAGE_BUCKET_NAME=bucket,
        DJANGO_AWS_S3_ENDPOINT_URL=endpoint,
        DJANGO_AWS_S3_REGION_NAME="eu-west-3",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
    )
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_restored_copy_passes_verify_manifests_and_verify_audit(
    backed_up, fresh_database, s3_storage, s3_settings
):
    client = s3_storage.connection.meta.client
    bucket = f"preuves-restored-{uuid.uuid4().hex[:8]}"
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    target = S3Store(client, bucket)

    restore(backed_up, database=fresh_database, store=target, say=quiet)
    endpoint = s3_settings["endpoint_url"]
    manifests = manage(fresh_database, bucket, endpoint, "verify_manifests")
    audit = manage(fresh_database, bucket, endpoint, "verify_audit")

    assert manifests.returncode == 0, manifests.stderr
    assert "1 manifeste(s), 1 fichier(s) vérifié(s), 0 problème(s)" in manifests.stdout
    assert audit.returncode == 0, audit.stderr
    assert "Journal d'audit intègre" in audit.stdout

    # The same check fails once the restored copy loses the evidence file.
    evidence = [
        e["key"] for e in manifest_of(backed_up)["objects"] if e["key"].startswith("evidence/")
    ]
    client.delete_object(Bucket=bucket, Key=evidence[0])
    assert manage(fresh_database, bucket, endpoint, "verify_manifests").returncode == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_local_media_folder_is_backed_up_and_restored(
    referentiel_reloaded, local_storage, complete_portfolio, fresh_database, tmp_path
):
    folder = tmp_path / "backup"
    backup(folder, database=connection.settings_dict, storage=local_storage, say=quiet)
    restored = tmp_path / "restored"

    restore(folder, database=fresh_database, store=LocalStore(restored), say=quiet)

    source = Path(local_storage.location)
    names = sorted(p.relative_to(source) for p in source.rglob("*") if p.is_file())
    assert names and names == sorted(
        p.relative_to(restored) for p in restored.rglob("*") if p.is_file()
    )
    assert all((source / n).read_bytes() == (restored / n).read_bytes() for n in names)
    assert manifest_of(folder)["storage"]["kind"] == "local"
