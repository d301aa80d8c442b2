"""Settings for Preuves, read from the environment. See .env.example for every variable."""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    email_settings,
    env_bool,
    env_int,
    env_list,
    env_str,
    sqlite_options,
    storage_origins,
)
from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PREUVES_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY is required when DJANGO_DEBUG is false.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode-do-not-use-in-production"  # noqa: S105
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_fsm",
    "django_filters",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "referentiel",
    "audit",
    "accounts",
    "jobs",
    "portfolio",
    "workflow",
    "documents",
    "surveys",
    "centres",
    "demo",
]

MIDDLEWARE = [
    # First: every answer, the health checks' too, carries the request's ID.
    "config.logs.RequestIdMiddleware",
    # /healthz and /readyz answer before the host check and the HTTPS redirect (config/health.py).
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside the others, so that their own answers (redirects, 400s) carry the policy too.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "config.navigation.navigation",
            ],
        },
    },
]
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'preuves.sqlite3'}"),
        conn_max_age=env_int("DJANGO_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(sqlite_options())
else:
    # A database that stopped answering fails a request (and /readyz) within seconds instead
    # of holding it until the operating system gives up.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DJANGO_DB_CONNECT_TIMEOUT", 5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# Failed logins: this many failures for one account ...
LOGIN_THROTTLE_FAILURES = env_int("PREUVES_LOGIN_THROTTLE_FAILURES", 5)
# ... or this many from one client address (a training room shares one behind its NAT) ...
LOGIN_THROTTLE_ADDRESS_FAILURES = env_int("PREUVES_LOGIN_THROTTLE_ADDRESS_FAILURES", 100)
# ... within this many seconds block further attempts until the window has passed.
LOGIN_THROTTLE_WINDOW = env_int("PREUVES_LOGIN_THROTTLE_WINDOW", 15 * 60)
# Reverse proxies in front of Django that append to X-Forwarded-For (deploy/nginx.conf: 1).
# The client address is the entry this many places from the right; 0 = REMOTE_ADDR.
PREUVES_TRUSTED_PROXIES = env_int("PREUVES_TRUSTED_PROXIES", 0)
INVITATION_VALID_DAYS = env_int("PREUVES_INVITATION_VALID_DAYS", 14)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("Anglais"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Uploaded files are private: MEDIA_URL is never routed; every download goes through a view.
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"
STORAGE_KIND = env_str("DJANGO_STORAGE", "local")
if STORAGE_KIND == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("DJANGO_AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env_str("DJANGO_AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("DJANGO_AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("DJANGO_AWS_QUERYSTRING_EXPIRE", 300),
            "file_overwrite": False,
            "signature_version": "s3v4",
            "addressing_style": "path" if env_str("DJANGO_AWS_S3_ENDPOINT_URL") else None,
        },
    }
    # A frozen endpoint must not hold a request for minutes: bounded waits and one retry give
    # the candidate the French message within 60 s (about 2 x read timeout with the defaults).
    from botocore.config import Config as BotocoreConfig

    DEFAULT_STORAGE["OPTIONS"]["client_config"] = BotocoreConfig(
        connect_timeout=env_int("DJANGO_AWS_S3_CONNECT_TIMEOUT", 5),
        read_timeout=env_int("DJANGO_AWS_S3_READ_TIMEOUT", 10),
        retries={"mode": "standard", "total_max_attempts": env_int("DJANGO_AWS_S3_ATTEMPTS", 2)},
        signature_version="s3v4",
        s3={"addressing_style": DEFAULT_STORAGE["OPTIONS"]["addressing_style"]},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    # Bounded memory for big files (issue 14): uploads go in parts of S3_PART_BYTES, at most
    # two in flight and two read ahead (boto3's defaults: 10 threads, 10 parts in memory); a
    # file opened for reading spools to disk past S3_PART_BYTES instead of memory; a file
    # written through S3Storage.open (the streamed archive) sends one part at a time.
    from boto3.s3.transfer import TransferConfig

    S3_PART_BYTES = env_int("DJANGO_AWS_S3_PART_MIB", 8) * 1024 * 1024
    S3_TRANSFER = TransferConfig(
        multipart_threshold=S3_PART_BYTES,
        multipart_chunksize=S3_PART_BYTES,
        max_concurrency=2,
        max_io_queue=4,
    )
    S3_TRANSFER.max_in_memory_upload_chunks = 2
    S3_TRANSFER.max_submission_concurrency = 1
    S3_TRANSFER.max_in_memory_download_chunks = 4
    DEFAULT_STORAGE["OPTIONS"]["transfer_config"] = S3_TRANSFER
    DEFAULT_STORAGE["OPTIONS"]["max_memory_size"] = S3_PART_BYTES
    AWS_S3_FILE_BUFFER_SIZE = S3_PART_BYTES
    if not DEFAULT_STORAGE["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured(
            "DJANGO_AWS_STORAGE_BUCKET_NAME is required with DJANGO_STORAGE=s3."
        )
elif STORAGE_KIND == "local":
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": MEDIA_URL},
    }
else:
    raise ImproperlyConfigured("DJANGO_STORAGE must be 'local' or 's3'.")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# boto3 >= 1.36 adds CRC checksums to every upload; many S3-compatible stores refuse them.
AWS_REQUEST_CHECKSUM_CALCULATION = "when_required"
AWS_RESPONSE_CHECKSUM_VALIDATION = "when_required"

# Uploads larger than this go to a temporary file on disk instead of memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_TEMP_DIR = env_str("DJANGO_FILE_UPLOAD_TEMP_DIR") or None
# Upload limits in bytes, decimal units as users read them (50 Mo = 50 000 000 octets).
PREUVES_MAX_DOCUMENT_BYTES = env_int("PREUVES_MAX_DOCUMENT_BYTES", 50 * 1000 * 1000)
PREUVES_MAX_IMAGE_BYTES = env_int("PREUVES_MAX_IMAGE_BYTES", 50 * 1000 * 1000)
PREUVES_MAX_MEDIA_BYTES = env_int("PREUVES_MAX_MEDIA_BYTES", 500 * 1000 * 1000)
PREUVES_PORTFOLIO_QUOTA_BYTES = env_int("PREUVES_PORTFOLIO_QUOTA_BYTES", 1000 * 1000 * 1000)
PREUVES_MEMOIRE_MAX_BYTES = env_int("PREUVES_MEMOIRE_MAX_BYTES", 50 * 1000 * 1000)
PREUVES_IMAGE_MAX_PIXELS = env_int("PREUVES_IMAGE_MAX_PIXELS", 40_000_000)
# Virus scanning: "clamd://host:port", "clamd:///path/to/socket", or "none". Empty means none
# in debug only: a production server never runs unscanned by accident (portfolio/checks.py
# also refuses a malformed value).
PREUVES_VIRUS_SCANNER = env_str("PREUVES_VIRUS_SCANNER").strip()
if not DEBUG and not PREUVES_VIRUS_SCANNER:
    raise ImproperlyConfigured(
        "PREUVES_VIRUS_SCANNER is required when DJANGO_DEBUG is false: set it to "
        "clamd://host:3310 or clamd:///path/to/clamd.sock, or to none to run without virus "
        "scanning on purpose (every file is then shown as not scanned)."
    )
# Double marking: share of portfolios drawn at random for a second evaluation (percent) and the
# gap on 20 under which two portfolio marks are simply averaged.
PREUVES_DOUBLE_MARKING_SAMPLE_PCT = env_int("PREUVES_DOUBLE_MARKING_SAMPLE_PCT", 10)
PREUVES_DOUBLE_MARKING_GAP_ON_20 = env_str("PREUVES_DOUBLE_MARKING_GAP_ON_20", "2")
# Evaluators are reminded this many days before an assignment's due date (send_reminders).
PREUVES_REMINDER_DAYS_BEFORE = env_int("PREUVES_REMINDER_DAYS_BEFORE", 3)
PREUVES_CENTRE_NAME = env_str("PREUVES_CENTRE_NAME", "CCI Formation — Centre de démonstration")
PREUVES_RETENTION_DAYS = env_int("PREUVES_RETENTION_DAYS", 365)
# Placement surveys (surveys): the days after a wave's invitation when a reminder goes out, and
# how many days after its due date a wave's personal link stays open.
PREUVES_SURVEY_REMINDER_DAYS = sorted(
    int(day) for day in env_list("PREUVES_SURVEY_REMINDER_DAYS", "7,14")
)
PREUVES_SURVEY_OPEN_DAYS = env_int("PREUVES_SURVEY_OPEN_DAYS", 60)

TASKS = {
    "default": {
        "BACKEND": env_str(
            "DJANGO_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# manage.py jobs_worker records a sign of life this often; /readyz counts the workers unready
# when none was recorded within PREUVES_WORKER_STALE_SECONDS (jobs/heartbeat.py).
PREUVES_WORKER_HEARTBEAT_SECONDS = env_int("PREUVES_WORKER_HEARTBEAT_SECONDS", 15)
PREUVES_WORKER_STALE_SECONDS = env_int("PREUVES_WORKER_STALE_SECONDS", 60)
# /readyz waits at most this many seconds for the scanner's answer.
PREUVES_READYZ_TIMEOUT = env_int("PREUVES_READYZ_TIMEOUT", 2)

DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Preuves <ne-pas-repondre@preuves.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
globals().update(email_settings(env_str("EMAIL_URL")))

# Behind a TLS-terminating proxy (see deploy/nginx.conf).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
# Pages are never framed; the in-page document preview opts in with xframe_options_sameorigin.
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions of every role but candidates and tutors end after this long idle (the others keep
# SESSION_COOKIE_AGE, 14 days): see accounts.middleware.
PREUVES_STAFF_SESSION_IDLE_SECONDS = env_int("PREUVES_STAFF_SESSION_IDLE_SECONDS", 8 * 60 * 60)
# No inline script or style anywhere: every script and style sheet is a static file. Files
# kept in S3 are reached by a redirect to a signed URL, so its origin may serve images, media
# and the in-page preview.
STORAGE_ORIGINS = storage_origins(STORAGE_KIND, globals().get("DEFAULT_STORAGE", {}))
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", *STORAGE_ORIGINS],
        "media-src": ["'self'", *STORAGE_ORIGINS],
        "frame-src": ["'self'", *STORAGE_ORIGINS],
        "object-src": ["'none'"],
        # The in-page PDF reader (static/vendor/pdfjs) parses in a worker served from here.
        "worker-src": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'self'"],
    }
}
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# One line per event, each with its request ID (config/logs.py); DJANGO_LOG_FORMAT=json writes
# one JSON object per line for a log collector.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be text or json, not {LOG_FORMAT!r}.")
LOGGING = logging_config(
    level=env_str("DJANGO_LOG_LEVEL", "INFO"),
    tasks_level=env_str("DJANGO_TASKS_LOG_LEVEL", "WARNING"),
    json_lines=LOG_FORMAT == "json",
)
PREUVES_SITE_URL = env_str("PREUVES_SITE_URL", "http://127.0.0.1:8000")
