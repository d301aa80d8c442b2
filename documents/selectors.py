"""Reads for documents: the facts each document states, as plain data (hashed, then rendered)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings

from accounts.models import Enrolment
from documents.models import IssuedDocument
from workflow.models import JurySession, SessionCandidate


def _identity(enrolment: Enrolment) -> dict:
    candidate = enrolment.candidate
    return {
        "last_name": candidate.last_name,
        "first_name": candidate.first_name,
        "email": candidate.email,
        "birth_date": candidate.birth_date,
        "route": enrolment.get_route_display(),
        "cohort": enrolment.cohort.name,
        "company": enrolment.company.name,
    }


def _session_facts(session: JurySession) -> dict:
    return {
        "session_id": session.pk,
        "date": session.date,
        "place": session.place,
        "establishment": session.establishment.name,
        "title_code": session.title.code,
        "title_name": session.title.name,
    }


def convocation_data(entry: SessionCandidate) -> dict:
    """Return what a candidate's convocation to a jury session states."""
    return {
        "centre": settings.PREUVES_CENTRE_NAME,
        "session": _session_facts(entry.session),
        "candidate": _identity(entry.enrolment),
    }


def session_entries(session: JurySession):
    """Return the session's candidates in alphabetical order."""
    return session.candidates.select_related(
        "enrolment__candidate", "enrolment__cohort", "enrolment__company"
    ).order_by("enrolment__candidate__last_name", "enrolment__candidate__first_name")


@dataclass(frozen=True)
class Verification:
    document: IssuedDocument | None
    matches: bool | None  # None when no copy was given
    message: str
    sha256: str = ""


def file_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def document_verification(*, reference: str = "", upload=None) -> Verification:
    """Return whether a copy and/or a reference match a document the centre issued."""
    sha256 = file_sha256(upload) if upload is not None else ""
    if reference:
        document = IssuedDocument.objects.filter(reference=reference).first()
        if document is None:
            return Verification(None, False if sha256 else None, _NO_REFERENCE, sha256)
        if not sha256:
            return Verification(
                document,
                None,
                "Ce document a bien été émis par le centre. Déposez sa copie pour vérifier "
                "qu'elle est identique à l'original.",
            )
        if sha256 == document.sha256:
            return Verification(document, True, _MATCH, sha256)
        return Verification(
            document,
            False,
            "Cette copie ne correspond PAS au document émis sous cette référence : elle a été "
            "modifiée ou il s'agit d'un autre document.",
            sha256,
        )
    document = IssuedDocument.objects.filter(sha256=sha256).order_by("issued_at").first()
    if document is None:
        return Verification(
            None,
            False,
            "Ce fichier ne correspond à aucun document émis par le centre.",
            sha256,
        )
    return Verification(document, True, _MATCH, sha256)


_NO_REFERENCE = "Aucun document émis par le centre ne porte cette référence."
_MATCH = "Cette copie est identique au document émis par le centre (empreinte SHA-256 identique)."
