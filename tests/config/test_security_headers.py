"""The Content-Security-Policy: no inline script or style, on every kind of answer.

Every staff page, export and download the tenancy crawl reaches is checked there
(``test_every_crawled_answer_carries_the_content_security_policy``); this file checks the other
kinds of answer and that no template brings inline script, handler or style back.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from config.env import storage_origins
from tests.factories import UserFactory

EXPECTED_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "media-src": "'self'",
    "frame-src": "'self'",
    "object-src": "'none'",
    "worker-src": "'self'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'self'",
}
# A file previewed inline (``?apercu=1``): no script at all, and the PDF viewer's plugin frame.
INLINE_FILE_POLICY = {**EXPECTED_POLICY, "script-src": "'none'", "object-src": "'self'"}
# A file read in the page beside the grid (``portfolio:evidence_read``): shows itself, nothing else.
READER_FILE_POLICY = {
    **EXPECTED_POLICY,
    "default-src": "'none'",
    "img-src": "'self'",
    "media-src": "'self'",
    "script-src": "'none'",
    "style-src": "'none'",
    "frame-ancestors": "'none'",
}
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# PDF layouts rendered by WeasyPrint on the server, never served to a browser as HTML.
PRINT_TEMPLATES = ("documents/",)


def policy_of(header: str) -> dict[str, str]:
    """Return the directives of a Content-Security-Policy header (their order carries nothing)."""
    directives = (part.strip().split(" ", 1) for part in header.split(";") if part.strip())
    return {name: (values[0] if values else "") for name, *values in directives}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("who", "url", "status"),
    [
        (None, "/", 200),  # sign-in page
        (None, "/accueil-inexistant/", 404),
        (None, "/admin/", 302),
        ("candidat", "/", 302),  # a signed-in user is sent home
        ("candidat", "accounts:home", 200),
        ("evaluateur", "accounts:home", 200),
        ("jury", "accounts:home", 200),
    ],
)
def test_every_kind_of_answer_carries_the_policy(client, who, url, status):
    if who:
        client.force_login(UserFactory(roles=[who]))
    response = client.get(reverse(url) if ":" in url else url)
    assert response.status_code == status
    assert policy_of(response.get("Content-Security-Policy", "")) == EXPECTED_POLICY


def test_templates_hold_no_inline_script_handler_or_style():
    offending = []
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        if name.startswith(PRINT_TEMPLATES):
            continue
        text = path.read_text()
        for pattern in (
            r"<script(?![^>]*\bsrc=)[^>]*>",
            r"\son[a-z]+\s*=",
            r"\sstyle\s*=",
            "<style",
        ):
            offending += [f"{name}: {m.group(0)}" for m in re.finditer(pattern, text, re.I)]
    assert not offending, offending


def test_signed_s3_urls_may_serve_images_and_media():
    custom = {"OPTIONS": {"endpoint_url": "https://objets.exemple.fr:9000/x", "bucket_name": "b"}}
    amazon = {"OPTIONS": {"endpoint_url": None, "bucket_name": "b", "region_name": "eu-west-3"}}
    assert storage_origins("local", {}) == []
    assert storage_origins("s3", custom) == ["https://objets.exemple.fr:9000"]
    assert storage_origins("s3", amazon) == [
        "https://b.s3.amazonaws.com",
        "https://b.s3.eu-west-3.amazonaws.com",
    ]
