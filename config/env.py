"""Read the configuration from the environment (12-factor)."""

import os
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on", "oui"}
FALSE_WORDS = {"0", "false", "no", "off", "non", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, not {raw!r}.") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def sqlite_options() -> dict:
    """SQLite's options for a file that several request threads write at once.

    Django opens SQLite transactions DEFERRED: a request that reads, then writes inside
    ``atomic()`` asks to upgrade its read lock while another thread writes, and SQLite refuses at
    once (« database is locked ») instead of waiting, since waiting could deadlock. IMMEDIATE takes
    the write lock when the transaction begins, so the busy timeout applies and requests queue;
    WAL lets reads go on while one writes. Grids' autosave sends such requests side by side.
    """
    return {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL",
    }


def email_settings(url: str) -> dict:
    """Return Django e-mail settings for an URL such as smtp+tls://user:pass@host:587."""
    if not url or url.startswith("console:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if url.startswith("locmem:"):
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    parsed = urlparse(url)
    if parsed.scheme not in {"smtp", "smtp+tls", "smtp+ssl", "smtps"}:
        raise ImproperlyConfigured(f"EMAIL_URL scheme {parsed.scheme!r} is not supported.")
    query = parse_qs(parsed.query)
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or (465 if parsed.scheme in {"smtp+ssl", "smtps"} else 587),
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": parsed.scheme == "smtp+tls" or "tls" in query,
        "EMAIL_USE_SSL": parsed.scheme in {"smtp+ssl", "smtps"},
    }


def storage_origins(kind: str, storage: dict) -> list[str]:
    """Return the origins signed S3 URLs point to (none for local files), for the CSP."""
    if kind != "s3":
        return []
    options = storage["OPTIONS"]
    if options.get("endpoint_url"):
        parsed = urlparse(options["endpoint_url"])
        return [f"{parsed.scheme}://{parsed.netloc}"]
    bucket, region = options["bucket_name"], options.get("region_name")
    hosts = [f"{bucket}.s3.amazonaws.com"] + (
        [f"{bucket}.s3.{region}.amazonaws.com"] if region else []
    )
    return [f"https://{host}" for host in hosts]
