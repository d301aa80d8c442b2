"""The personal link of a survey: a random nonce stored, a token derived from it with the key.

The e-mail carries ``token_of(nonce)``; the database keeps the nonce and the token's SHA-256
(to find the survey). A copy of the database alone therefore opens no survey, and every
reminder repeats the invitation's link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from django.conf import settings

_SALT = "surveys.wave"


def nonce_new() -> str:
    return secrets.token_urlsafe(32)


def token_of(nonce: str) -> str:
    """Return the link's token for ``nonce`` (43 URL-safe characters)."""
    mac = hmac.new(settings.SECRET_KEY.encode(), f"{_SALT}:{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
