"""Check stored files against the manifests of frozen submissions."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from portfolio.filetypes import sha256_stream
from portfolio.models import Manifest
from portfolio.services import manifest_digest


@dataclass(frozen=True)
class Problem:
    manifest: Manifest
    storage_name: str
    kind: str  # "missing", "size", "sha256", "manifest"
    detail: str

    def __str__(self) -> str:
        return _("manifeste %(digest)s — %(name)s : %(detail)s") % {
            "digest": self.manifest.digest[:12],
            "name": self.storage_name or "-",
            "detail": self.detail,
        }


def manifest_verify(manifest: Manifest, *, storage=None) -> tuple[int, list[Problem]]:
    """Return how many files were checked and every problem found in one manifest."""
    storage = storage or default_storage
    problems: list[Problem] = []
    if manifest_digest(manifest.content) != manifest.digest:
        problems.append(
            Problem(manifest, "", "manifest", _("le manifeste lui-même a été modifié (empreinte)"))
        )
    checked = 0
    for entry in manifest.content.get("files", []):
        name = entry.get("storage_name", "")
        checked += 1
        label = f"{entry.get('name')} ({name})"
        try:
            exists = storage.exists(name)
        except Exception as error:  # the report must go on: say what failed
            problems.append(
                Problem(
                    manifest,
                    name,
                    "missing",
                    _("%(file)s illisible : %(error)s") % {"file": label, "error": error},
                )
            )
            continue
        if not exists:
            problems.append(
                Problem(manifest, name, "missing", _("%(file)s manquant") % {"file": label})
            )
            continue
        with storage.open(name, "rb") as handle:
            sha256, size = sha256_stream(handle)
        if size != entry.get("size"):
            problems.append(
                Problem(
                    manifest,
                    name,
                    "size",
                    _("%(file)s : taille %(size)s au lieu de %(expected)s octets")
                    % {"file": label, "size": size, "expected": entry.get("size")},
                )
            )
        if sha256 != entry.get("sha256"):
            problems.append(
                Problem(
                    manifest,
                    name,
                    "sha256",
                    _("%(file)s : empreinte SHA-256 différente") % {"file": label},
                )
            )
    return checked, problems
