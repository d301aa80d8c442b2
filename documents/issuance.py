"""Issuing an official document exactly once for the same facts.

Each document has a place (its kind, session, candidate and bloc) and facts (the data it states,
hashed as its content digest). The database holds one document per place and facts (the unique
``issue_key``); issuing locks the place's row first (the candidate's enrolment, else the
session), so that simultaneous requests wait for each other, and everything — the reference
number, the stored file, the row, the audit line — happens in one transaction: a request that
loses a race gets the winner's document and leaves neither a number nor a file behind.

Changed facts in the same place give a new document that supersedes the one in force; the old one
stays on record and verifies as superseded.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Duty, is_centre_staff, staff_may
from accounts.models import Enrolment, User
from audit import clock
from audit.trail import audit_record
from documents.models import IssuedDocument, ReferenceCounter
from documents.streams import Stored
from workflow.models import JurySession

logger = logging.getLogger(__name__)

# What a document states, read under the place's lock: its content digest, and how to make its
# bytes once it has a reference and a date: the bytes themselves, or a file the build already
# streamed to storage (``Prewritten``: an archive too big to hold in memory).
Render = Callable[[str, datetime], "bytes | Stored"]
Build = Callable[[], tuple[str, Render]]


class Prewritten:
    """A render whose bytes a build already wrote to storage, under a name of its own.

    The document takes that file as it is; when the document on record is kept instead (the
    same facts were issued before) or the issue fails, ``discard`` deletes it.
    """

    def __init__(self, stored: Stored, storage) -> None:
        self.stored = stored
        self.storage = storage

    def __call__(self, reference: str, issued_at: datetime) -> Stored:
        return self.stored

    def discard(self) -> None:
        self.storage.delete(self.stored.name)


def _discard(render) -> None:
    if isinstance(render, Prewritten):
        render.discard()


class DocumentRefused(Exception):
    """A document cannot be issued now; the message says why, in French."""


def issuer_require(actor, target) -> None:
    """Refuse a staff member who is not responsable de la certification of ``target``'s
    establishment. The system (no actor) issues; candidates are let through by the views'
    ``documents.access.may_issue``."""
    if actor is None or not is_centre_staff(actor):
        return
    if not staff_may(actor, target, Duty.CERTIFICATION):
        raise DocumentRefused(
            _(
                "Seul le responsable du processus de certification de l'établissement établit "
                "ce document."
            )
        )


def content_digest(data: dict) -> str:
    """Return the SHA-256 of a document's facts in canonical JSON (shown short in its footer)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def issue_key(*, kind: str, session_id, enrolment_id, bloc_id, digest: str) -> str:
    """Return the key of one set of facts in one place: "releve:s12:e345:-:<sha256>".

    Migration ``documents/0005`` wrote the keys of the documents issued before with this format.
    """
    ids = zip("seb", (session_id, enrolment_id, bloc_id), strict=True)
    return ":".join([kind, *("-" if pk is None else f"{p}{pk}" for p, pk in ids), digest])


def reference_allocate(*, kind: str, year: int) -> str:
    """Return the next reference of a kind of document for a year: "PV-2026-000123".

    Call it inside the transaction that records the document: the counter's row stays locked
    until that transaction ends, and a rollback gives the number back.
    """
    prefix = IssuedDocument.PREFIXES[kind]
    with transaction.atomic():
        counter, _created = ReferenceCounter.objects.select_for_update().get_or_create(
            prefix=prefix, year=year
        )
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


def current_document(*, kind: str, session=None, enrolment=None, bloc=None):
    """Return the document in force in this place, or None when none was issued."""
    ids = (getattr(session, "pk", None), getattr(enrolment, "pk", None), getattr(bloc, "pk", None))
    return _in_force_in(kind, *ids).order_by("-issued_at", "-pk").first()


def _in_force_in(kind: str, session_id, enrolment_id, bloc_id):
    """Return the documents in force in a place (one, but for a race the key caught)."""
    return IssuedDocument.objects.filter(
        kind=kind,
        session_id=session_id,
        enrolment_id=enrolment_id,
        bloc_id=bloc_id,
        issue_key__isnull=False,
        superseded_by__isnull=True,
    )


def _issued(key: str) -> IssuedDocument | None:
    return IssuedDocument.objects.filter(issue_key=key).first()


def _place_lock(*, session, enrolment) -> None:
    # NO KEY UPDATE: issuers of the same place wait for each other, while rows that merely point
    # at the enrolment or the session (this document's own row among them) are not held up.
    if enrolment is not None:
        Enrolment.objects.select_for_update(no_key=True).filter(pk=enrolment.pk).first()
    else:
        JurySession.objects.select_for_update(no_key=True).filter(pk=session.pk).first()


def _in_force(document: IssuedDocument) -> list[str]:
    """Make ``document`` the one in force in its place; return the references it supersedes."""
    others = _in_force_in(
        document.kind, document.session_id, document.enrolment_id, document.bloc_id
    ).exclude(pk=document.pk)
    superseded = sorted(others.values_list("reference", flat=True))
    others.update(superseded_by=document)
    if document.superseded_by_id is not None:
        document.superseded_by = None
        document.save(update_fields=["superseded_by"])
    return superseded


def _record(*, kind, reference, content, digest, key, issued_at, actor, session, enrolment, bloc):
    document = IssuedDocument(
        reference=reference,
        kind=kind,
        session=session,
        enrolment=enrolment,
        establishment_id=(
            session.establishment_id if session is not None else enrolment.cohort.establishment_id
        ),
        bloc=bloc,
        size=content.size if isinstance(content, Stored) else len(content),
        sha256=content.sha256
        if isinstance(content, Stored)
        else hashlib.sha256(content).hexdigest(),
        content_digest=digest,
        issue_key=key,
        issued_at=issued_at,
        issued_by=actor if getattr(actor, "pk", None) else None,
    )
    if isinstance(content, Stored):
        document.file.name = content.name
    else:
        document.file.save(reference, ContentFile(content), save=False)
    return document


def document_issue(
    *,
    kind: str,
    build: Build,
    actor: User | None,
    session: JurySession | None = None,
    enrolment=None,
    bloc=None,
) -> IssuedDocument:
    """Return the document of these facts in this place: the one on record, or a new one.

    ``build`` reads the facts under the place's lock. The same facts give back the same
    document (same reference, same bytes), however many ask at once; changed facts give a new
    document with a new reference, which supersedes the one in force.
    """
    issuer_require(actor, session if session is not None else enrolment)
    key = render = None
    stored: list[IssuedDocument] = []
    try:
        with transaction.atomic():
            _place_lock(session=session, enrolment=enrolment)
            digest, render = build()
            key = issue_key(
                kind=kind,
                session_id=getattr(session, "pk", None),
                enrolment_id=getattr(enrolment, "pk", None),
                bloc_id=getattr(bloc, "pk", None),
                digest=digest,
            )
            existing = _issued(key)
            if existing is not None:
                _discard(render)
                _in_force(existing)
                return existing
            issued_at = clock.now()
            reference = reference_allocate(kind=kind, year=timezone.localdate(issued_at).year)
            document = _record(
                kind=kind,
                reference=reference,
                content=render(reference, issued_at),
                digest=digest,
                key=key,
                issued_at=issued_at,
                actor=actor,
                session=session,
                enrolment=enrolment,
                bloc=bloc,
            )
            stored.append(document)
            with transaction.atomic():
                document.save()
            superseded = _in_force(document)
            audit_record(
                actor=actor,
                action="document_issued",
                obj=document,
                candidate=enrolment.candidate if enrolment is not None else None,
                after={
                    "reference": reference,
                    "kind": kind,
                    "sha256": document.sha256,
                    "supersedes": superseded,
                },
            )
            return document
    except BaseException as error:
        # Nothing half-done: the transaction gave the number back; the file goes too.
        for document in stored:
            document.file.storage.delete(document.file.name)
        _discard(render)
        if isinstance(error, IntegrityError) and key is not None:
            # The key was taken by a request the lock did not hold back: return its document.
            existing = _issued(key)
            if existing is not None:
                logger.info("Issue of %s lost a race to %s", key, existing.reference)
                return existing
        raise
