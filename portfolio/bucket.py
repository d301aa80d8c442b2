"""The S3 bucket's own settings: versioning, the lifecycle rules Preuves puts, and the clean-up
of incomplete multipart uploads for stores that have no lifecycle rules.

The rules are merged by ID into whatever lifecycle configuration the bucket already has: rules
put by someone else are kept as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from botocore.exceptions import ClientError

ABORT_RULE_ID = "preuves-abort-incomplete-multipart-uploads"
NONCURRENT_RULE_ID = "preuves-expire-noncurrent-versions"
WHOLE_BUCKET = {"Prefix": ""}


def s3_bucket(storage) -> tuple[object, str] | None:
    """Return (boto3 client, bucket name) of an S3 storage, or None for any other storage."""
    bucket_name = getattr(storage, "bucket_name", None)
    if not bucket_name or not hasattr(storage, "connection"):
        return None
    return storage.connection.meta.client, bucket_name


def wanted_rules(*, abort_after_days: int, noncurrent_days: int) -> list[dict]:
    """The two rules Preuves puts on its bucket, each on the whole bucket."""
    return [
        {
            "ID": ABORT_RULE_ID,
            "Status": "Enabled",
            "Filter": dict(WHOLE_BUCKET),
            "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": abort_after_days},
        },
        {
            "ID": NONCURRENT_RULE_ID,
            "Status": "Enabled",
            "Filter": dict(WHOLE_BUCKET),
            "NoncurrentVersionExpiration": {"NoncurrentDays": noncurrent_days},
            # A delete marker left with no version under it hides nothing: remove it too.
            "Expiration": {"ExpiredObjectDeleteMarker": True},
        },
    ]


def _missing_configuration(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "NoSuchLifecycleConfiguration"


def lifecycle_rules(client, bucket: str) -> list[dict]:
    """Return the bucket's lifecycle rules ([] when it has none)."""
    try:
        return client.get_bucket_lifecycle_configuration(Bucket=bucket).get("Rules", [])
    except ClientError as error:
        if _missing_configuration(error):
            return []
        raise


def versioning_status(client, bucket: str) -> str:
    """Return "Enabled", "Suspended" or "" (never enabled)."""
    return client.get_bucket_versioning(Bucket=bucket).get("Status", "")


def _covers_whole_bucket(rule: dict) -> bool:
    if rule.get("Prefix"):  # the legacy form, without Filter
        return False
    rule_filter = rule.get("Filter")
    return rule_filter in (None, {}, WHOLE_BUCKET)


def _same_rule(existing: dict, wanted: dict) -> bool:
    keys = set(existing) | set(wanted)
    keys -= {"Filter", "Prefix"}
    return _covers_whole_bucket(existing) and all(existing.get(k) == wanted.get(k) for k in keys)


@dataclass
class SetupResult:
    versioning_was: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def bucket_setup(client, bucket: str, *, abort_after_days: int, noncurrent_days: int):
    """Turn versioning on and merge Preuves' lifecycle rules by ID; return a SetupResult.

    Nothing is written when everything is already as wanted.
    """
    result = SetupResult(versioning_was=versioning_status(client, bucket))
    if result.versioning_was != "Enabled":
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    existing = lifecycle_rules(client, bucket)
    wanted = {
        rule["ID"]: rule
        for rule in wanted_rules(abort_after_days=abort_after_days, noncurrent_days=noncurrent_days)
    }
    merged = []
    for rule in existing:
        rule_id = rule.get("ID", "")
        if rule_id in wanted:
            target = wanted.pop(rule_id)
            if _same_rule(rule, target):
                result.unchanged.append(rule_id)
                merged.append(rule)
            else:
                result.updated.append(rule_id)
                merged.append(target)
        else:
            result.kept.append(rule_id)
            merged.append(rule)
    for rule_id, rule in wanted.items():
        result.added.append(rule_id)
        merged.append(rule)
    if result.added or result.updated:
        client.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": merged}
        )
    return result


@dataclass(frozen=True)
class BucketState:
    versioning: str
    abort_after_days: int | None  # None: no enabled whole-bucket rule aborts incomplete uploads
    noncurrent_days: int | None  # None: no enabled whole-bucket rule expires old versions

    @property
    def configured(self) -> bool:
        return (
            self.versioning == "Enabled"
            and self.abort_after_days is not None
            and self.noncurrent_days is not None
        )


def bucket_state(client, bucket: str) -> BucketState:
    """Read what the bucket does, whoever set it (Preuves' rules or any equivalent rule)."""
    abort_days = noncurrent_days = None
    for rule in lifecycle_rules(client, bucket):
        if rule.get("Status") != "Enabled" or not _covers_whole_bucket(rule):
            continue
        days = rule.get("AbortIncompleteMultipartUpload", {}).get("DaysAfterInitiation")
        if days is not None:
            abort_days = days if abort_days is None else min(abort_days, days)
        days = rule.get("NoncurrentVersionExpiration", {}).get("NoncurrentDays")
        if days is not None:
            noncurrent_days = days if noncurrent_days is None else min(noncurrent_days, days)
    return BucketState(versioning_status(client, bucket), abort_days, noncurrent_days)


@dataclass(frozen=True)
class Upload:
    key: str
    upload_id: str
    initiated: datetime


def incomplete_uploads(client, bucket: str):
    """Yield every multipart upload of the bucket not yet completed nor aborted."""
    paginator = client.get_paginator("list_multipart_uploads")
    for page in paginator.paginate(Bucket=bucket):
        for upload in page.get("Uploads", []):
            yield Upload(upload["Key"], upload["UploadId"], upload["Initiated"])


def abort_incomplete_uploads(client, bucket: str, *, now: datetime, older_than: timedelta):
    """Abort the incomplete multipart uploads initiated before ``now - older_than``.

    Return (aborted, kept): the uploads aborted and the more recent ones left alone.
    """
    limit = now - older_than
    aborted, kept = [], []
    for upload in list(incomplete_uploads(client, bucket)):
        if upload.initiated >= limit:
            kept.append(upload)
            continue
        client.abort_multipart_upload(Bucket=bucket, Key=upload.key, UploadId=upload.upload_id)
        aborted.append(upload)
    return aborted, kept
