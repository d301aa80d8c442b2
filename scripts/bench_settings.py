"""The application's settings, with the URLs of ``scripts.bench_urls`` (a bare view added)."""

from config.settings import *  # noqa: F403 - the application's settings, unchanged but one

ROOT_URLCONF = "scripts.bench_urls"
