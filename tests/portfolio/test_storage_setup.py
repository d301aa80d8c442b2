"""manage.py storage_setup against moto's S3 server (real HTTP): versioning, the lifecycle rules
merged by ID, --check, and the clean-up of incomplete multipart uploads."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from portfolio import bucket as s3

FOREIGN_RULE = {
    "ID": "someone-elses-rule",
    "Status": "Enabled",
    "Filter": {"Prefix": "exports/"},
    "Expiration": {"Days": 7},
}


def run(*args):
    out = StringIO()
    call_command("storage_setup", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def client_and_bucket(s3_storage):
    return s3_storage.connection.meta.client, s3_storage.bucket_name


def rules_by_id(client, bucket):
    return {rule["ID"]: rule for rule in s3.lifecycle_rules(client, bucket)}


def test_setup_turns_versioning_on_and_puts_both_rules(client_and_bucket):
    client, bucket = client_and_bucket
    assert client.get_bucket_versioning(Bucket=bucket).get("Status") is None

    out = run()

    assert "gestion des versions activée" in out
    assert client.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = rules_by_id(client, bucket)
    assert rules[s3.ABORT_RULE_ID]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 2}
    assert rules[s3.ABORT_RULE_ID]["Status"] == "Enabled"
    assert rules[s3.NONCURRENT_RULE_ID]["NoncurrentVersionExpiration"] == {"NoncurrentDays": 30}
    assert out.count(": ajoutée.") == 2


def test_setup_is_idempotent_and_keeps_a_foreign_rule(client_and_bucket):
    client, bucket = client_and_bucket
    client.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": [FOREIGN_RULE]}
    )
    run("--abort-after-days", "3")
    first = rules_by_id(client, bucket)

    again = run("--abort-after-days", "3")

    assert "gestion des versions déjà activée" in again
    assert again.count(": déjà en place.") == 2
    assert "someone-elses-rule" in again
    assert rules_by_id(client, bucket) == first
    assert first["someone-elses-rule"]["Expiration"] == {"Days": 7}
    assert first[s3.ABORT_RULE_ID]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 3}
    assert len(first) == 3


def test_setup_updates_its_own_rule_when_the_days_change(client_and_bucket):
    client, bucket = client_and_bucket
    run()

    out = run("--noncurrent-days", "90")

    assert ": mise à jour." in out
    rule = rules_by_id(client, bucket)[s3.NONCURRENT_RULE_ID]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 90}
    assert len(rules_by_id(client, bucket)) == 2


def test_check_fails_until_the_bucket_is_configured(client_and_bucket):
    with pytest.raises(CommandError, match="non configuré"):
        run("--check")

    run()
    out = run("--check")

    assert "Gestion des versions : activée." in out
    assert "après 2 jour(s)" in out and "après 30 jour(s)" in out


def test_check_fails_when_a_rule_is_disabled(client_and_bucket):
    client, bucket = client_and_bucket
    run()
    rules = list(rules_by_id(client, bucket).values())
    for rule in rules:
        if rule["ID"] == s3.ABORT_RULE_ID:
            rule["Status"] = "Disabled"
    client.put_bucket_lifecycle_configuration(
        Bucket=bucket, LifecycleConfiguration={"Rules": rules}
    )
    out = StringIO()

    with pytest.raises(CommandError, match="non configuré"):
        call_command("storage_setup", "--check", stdout=out)

    assert "Abandon des envois multiparties incomplets : aucune règle." in out.getvalue()


# moto reports every multipart upload as initiated at this instant (its list_multipart_uploads
# answers a constant), so the application's clock is set relative to it.
MOTO_INITIATED = datetime(2010, 11, 10, 20, 48, 33, tzinfo=UTC)


def test_old_incomplete_uploads_are_aborted_and_recent_ones_kept(client_and_bucket, monkeypatch):
    from audit import clock

    client, bucket = client_and_bucket
    upload = client.create_multipart_upload(Bucket=bucket, Key="exports/archive.zip")
    client.upload_part(
        Bucket=bucket,
        Key="exports/archive.zip",
        UploadId=upload["UploadId"],
        PartNumber=1,
        Body=b"x" * 1024,
    )

    # [(key, upload id)] still listed by the server.
    def listed():
        return [(u.key, u.upload_id) for u in s3.incomplete_uploads(client, bucket)]

    assert listed() == [("exports/archive.zip", upload["UploadId"])]

    monkeypatch.setattr(clock, "now", lambda: MOTO_INITIATED + timedelta(hours=23))
    out = run("--abort-incomplete-older-than", "24")
    assert "0 envoi(s) multipartie(s) incomplet(s) abandonné(s), 1 commencé(s)" in out
    assert listed() == [("exports/archive.zip", upload["UploadId"])]

    monkeypatch.setattr(clock, "now", lambda: MOTO_INITIATED + timedelta(hours=25))
    out = run("--abort-incomplete-older-than", "24")
    assert "abandonné : exports/archive.zip" in out
    assert "1 envoi(s) multipartie(s) incomplet(s) abandonné(s), 0 commencé(s)" in out
    assert listed() == []
    with pytest.raises(client.exceptions.NoSuchUpload):
        client.list_parts(Bucket=bucket, Key="exports/archive.zip", UploadId=upload["UploadId"])


def test_an_old_upload_is_aborted_beside_a_completed_object(client_and_bucket, monkeypatch):
    """Aborting touches only incomplete uploads: stored objects stay."""
    from audit import clock

    client, bucket = client_and_bucket
    client.put_object(Bucket=bucket, Key="evidence/ab/kept.pdf", Body=b"%PDF-1.4")
    client.create_multipart_upload(Bucket=bucket, Key="evidence/ab/left.mp4")
    monkeypatch.setattr(clock, "now", lambda: MOTO_INITIATED + timedelta(days=3))

    run("--abort-incomplete-older-than", "24")

    assert list(s3.incomplete_uploads(client, bucket)) == []
    assert client.get_object(Bucket=bucket, Key="evidence/ab/kept.pdf")["Body"].read() == (
        b"%PDF-1.4"
    )


def test_local_storage_has_nothing_to_configure(local_storage):
    assert "rien à configurer" in run()
    assert "rien à configurer" in run("--check")
    assert "rien à configurer" in run("--abort-incomplete-older-than", "24")


def test_a_refusal_of_the_store_is_reported_in_one_message(client_and_bucket):
    client, bucket = client_and_bucket
    client.delete_bucket(Bucket=bucket)

    with pytest.raises(CommandError, match="Le stockage a refusé .*NoSuchBucket"):
        run()
    with pytest.raises(CommandError, match="--abort-incomplete-older-than 24"):
        run("--abort-incomplete-older-than", "24")
