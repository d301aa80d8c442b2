"""The documents' heavy work as background jobs: the procès-verbal, the archive, every result
document of a session, and the DIPLOMATION export.

Each job is keyed by what it makes (``documents.pv:s12``); each handler goes through the
issuance functions, which give back the document already issued for the same facts: a job run
again (after a crash, or started anew) skips what was done and issues nothing twice.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import exports, selectors, services
from documents.issuance import DocumentRefused, issuer_require
from documents.models import IssuedDocument
from jobs.models import Job
from jobs.registry import JobFailed, job_handler_register
from jobs.services import job_start
from workflow.jury import publication
from workflow.models import JurySession

PROCES_VERBAL = "documents.proces_verbal"
ARCHIVE = "documents.archive"
RESULTS = "documents.results"
DIPLOMATION = "documents.diplomation"

# What each job is called on the page, by kind (the export's also by format).
LABELS = {
    PROCES_VERBAL: IssuedDocument.Kind.PROCES_VERBAL.label,
    ARCHIVE: IssuedDocument.Kind.ARCHIVE.label,
    RESULTS: gettext_lazy("Relevés, certificats de bloc et attestations de tous les candidats"),
    DIPLOMATION: gettext_lazy("Export des résultats pour DIPLOMATION"),
}
# The DIPLOMATION export's formats, as the page names them.
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel"}
# The document each session job issues, for the refusals checked before it starts.
SESSION_DOCUMENT_JOBS = {
    IssuedDocument.Kind.PROCES_VERBAL: PROCES_VERBAL,
    IssuedDocument.Kind.ARCHIVE: ARCHIVE,
}


def session_job_key(kind: str, session_pk: int, fmt: str = "") -> str:
    short = {PROCES_VERBAL: "pv", ARCHIVE: "archive", RESULTS: "results"}.get(kind)
    if short is None:
        short = f"diplomation.{fmt}"
    return f"documents.{short}:s{session_pk}"


def session_job_keys(session_pk: int) -> dict[str, str]:
    """Return the keys of every job of a session, with the label the page shows for each."""
    keys = {
        session_job_key(kind, session_pk): str(LABELS[kind])
        for kind in (PROCES_VERBAL, ARCHIVE, RESULTS)
    }
    for fmt, name in FORMAT_NAMES.items():
        keys[session_job_key(DIPLOMATION, session_pk, fmt)] = f"{LABELS[DIPLOMATION]} ({name})"
    keys[publication.results_notify_key(session_pk)] = _("E-mails de publication des résultats")
    return keys


def session_job_start(*, kind: str, session: JurySession, actor, fmt: str = "") -> Job:
    """Start (or give back, while it runs) one of the session's jobs; ``DocumentRefused`` when
    ``actor`` may not issue the session's documents or the documents are not owed yet."""
    issuer_require(actor, session)
    if kind == ARCHIVE:
        refusal = services.document_refusal(IssuedDocument.Kind.ARCHIVE, session)
    elif session.state not in selectors.DECIDED_STATES:
        refusal = _("Les documents et les exports s'établissent une fois la délibération close.")
    else:
        refusal = ""
    if refusal:
        raise DocumentRefused(refusal)
    if kind == DIPLOMATION and fmt not in exports.EXPORT_TYPES:
        raise DocumentRefused(_("Format d'export inconnu."))
    return job_start(
        kind=kind,
        key=session_job_key(kind, session.pk, fmt),
        establishment=session.establishment,
        actor=actor,
        params={"session": session.pk, "fmt": fmt},
    )


# --- Handlers ---------------------------------------------------------------------------------


def _session(job: Job) -> JurySession:
    return JurySession.objects.select_related("title", "establishment").get(
        pk=job.params["session"]
    )


def _document_result(document: IssuedDocument) -> dict:
    return {
        "url": reverse("documents:download", args=[document.reference]),
        "label": document.reference,
        "reference": document.reference,
    }


def _issued(issue):
    """Call an issuance function; its refusal (French) becomes the job's failure message."""
    try:
        return issue()
    except DocumentRefused as refused:
        raise JobFailed(str(refused)) from refused


def proces_verbal_run(job: Job, progress) -> dict:
    session = _session(job)
    progress.total(1)
    document = _issued(
        lambda: services.proces_verbal_issue(session=session, actor=job.requested_by)
    )
    progress.advance(1)
    return _document_result(document)


def archive_run(job: Job, progress) -> dict:
    session = _session(job)
    reported = {"total": None}

    def candidates_done(done: int, total: int) -> None:
        if reported["total"] != total:
            reported["total"] = total
            progress.total(total)
        progress.advance(1)

    document = _issued(
        lambda: services.session_archive_issue(
            actor=job.requested_by, session=session, progress=candidates_done
        )
    )
    return _document_result(document)


def results_run(job: Job, progress) -> dict:
    """Issue every candidate's relevé, certificats de bloc and attestation, candidate by
    candidate (the ones issued before for the same facts are given back, not issued again)."""
    session = _session(job)
    actor = job.requested_by
    rows = selectors.session_result_rows(session)
    progress.total(len(rows))
    issued = 0
    for links in rows:
        if links.decision is not None:
            common = {"session": session, "enrolment": links.enrolment, "actor": actor}
            _issued(lambda common=common: services.releve_issue(**common))
            for number in links.certificats:
                _issued(
                    lambda common=common, number=number: services.certificat_issue(
                        bloc_number=str(number), **common
                    )
                )
            if links.attestation:
                _issued(lambda common=common: services.attestation_issue(**common))
            issued += 1 + len(links.certificats) + int(links.attestation)
        progress.advance(1)
    return {
        "url": reverse("documents:session", args=[session.pk]) + "#documents-emis",
        "label": _("%(count)d document(s) en vigueur") % {"count": issued},
    }


def diplomation_path(job: Job, name: str) -> str:
    return f"exports/{job.establishment_id}/{job.pk}/{name}"


def diplomation_run(job: Job, progress) -> dict:
    """Write the DIPLOMATION export into the storage; the previous files of the same export
    (older jobs of its key) are deleted, the new one is offered for download."""
    session = _session(job)
    fmt = job.params["fmt"]
    progress.total(1)
    _content_type, write = exports.EXPORT_TYPES[fmt]
    name = f"diplomation-jury-{session.date:%Y-%m-%d}.{fmt}"
    path = diplomation_path(job, name)
    if default_storage.exists(path):
        default_storage.delete(path)
    stored = default_storage.save(path, ContentFile(write(exports.session_results_table(session))))
    for older in Job.objects.filter(key=job.key, state=Job.State.DONE).exclude(pk=job.pk):
        if older.result.get("path"):
            default_storage.delete(older.result["path"])
    progress.advance(1)
    return {
        "url": reverse("documents:session_results_file", args=[session.pk, job.pk]),
        "label": name,
        "path": stored,
        "name": name,
    }


def documents_jobs_register() -> None:
    job_handler_register(PROCES_VERBAL, proces_verbal_run)
    job_handler_register(ARCHIVE, archive_run)
    job_handler_register(RESULTS, results_run)
    job_handler_register(DIPLOMATION, diplomation_run)
