"""What the documents app changes: candidate imports, issued documents, retention."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts.access import Duty, staff_may
from accounts.models import Cohort, Enrolment, Organisation, Role, User, UserRole
from audit import clock
from audit.trail import audit_record
from documents import exports, selectors
from documents.archive import session_archive
from documents.imports import CandidateRow, LineError, read_candidate_file
from documents.issuance import (
    Build,
    DocumentRefused,
    Prewritten,
    content_digest,
    document_issue,
    issuer_require,
)
from documents.models import IssuedDocument, issued_upload_to
from documents.pdf import render_pdf, render_pdf_parts
from workflow.jury.falsification import falsification_bans
from workflow.models import JurySession

# --- Candidate imports ----------------------------------------------------------------------


class ImportRefused(Exception):
    """The actor may not import into this cohort (another establishment's): nothing imported."""


class ImportInvalid(Exception):
    """The file has errors: nothing was imported."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__(f"{len(report.errors)} error(s)")
        self.report = report


@dataclass
class ImportReport:
    """What a candidate file would do (dry run) or did (import)."""

    filename: str
    sha256: str
    rows: int = 0
    errors: list[LineError] = field(default_factory=list)
    new_candidates: list[str] = field(default_factory=list)
    new_tutors: list[str] = field(default_factory=list)
    new_companies: list[str] = field(default_factory=list)
    new_enrolments: list[str] = field(default_factory=list)
    changed_enrolments: list[str] = field(default_factory=list)
    unchanged_enrolments: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.new_candidates
            or self.new_tutors
            or self.new_companies
            or self.new_enrolments
            or self.changed_enrolments
        )

    def summary(self) -> dict:
        return {
            "filename": self.filename,
            "sha256": self.sha256,
            "rows": self.rows,
            "new_candidates": len(self.new_candidates),
            "new_tutors": len(self.new_tutors),
            "new_companies": len(self.new_companies),
            "new_enrolments": len(self.new_enrolments),
            "changed_enrolments": len(self.changed_enrolments),
            "unchanged_enrolments": len(self.unchanged_enrolments),
        }


@dataclass
class _Plan:
    report: ImportReport
    rows: list[CandidateRow]
    users: dict[str, User]
    companies: dict[str, Organisation]


def _plan(*, cohort: Cohort, filename: str, content: bytes) -> _Plan:
    report = ImportReport(filename=filename, sha256=hashlib.sha256(content).hexdigest())
    read = read_candidate_file(filename, content, today=clock.today())
    report.errors.extend(read.errors)
    report.rows = len(read.rows)
    rows = read.rows

    emails = {row.email for row in rows} | {row.tutor_email for row in rows}
    users = {
        user.email.lower(): user
        for user in User.objects.annotate(email_lower=Lower("email")).filter(email_lower__in=emails)
    }
    companies = {
        company.name.lower(): company
        for company in Organisation.objects.filter(kind=Organisation.Kind.ENTREPRISE)
        if company.name.lower() in {row.company.lower() for row in rows}
    }
    enrolments = {
        enrolment.candidate.email.lower(): enrolment
        for enrolment in Enrolment.objects.filter(cohort=cohort).select_related(
            "candidate", "company", "tutor"
        )
    }
    named_tutors = {row.tutor_email for row in rows if row.tutor_last_name and row.tutor_first_name}
    banned = falsification_bans([u.pk for u in users.values()], on=clock.today())

    for row in rows:
        candidate = users.get(row.email)
        if (
            candidate is not None
            and candidate.birth_date
            and candidate.birth_date != row.birth_date
        ):
            report.errors.append(
                LineError(
                    row.line,
                    "date de naissance",
                    _(
                        "Un compte existe déjà pour « %(email)s » avec la date de naissance "
                        "%(date)s : vérifiez la date ou l'adresse."
                    )
                    % {"email": row.email, "date": candidate.birth_date.strftime("%d/%m/%Y")},
                )
            )
        if candidate is not None and candidate.pk in banned:
            report.errors.append(
                LineError(
                    row.line,
                    "e-mail",
                    _("« %(email)s » ne peut pas être inscrit : %(reason)s")
                    % {"email": row.email, "reason": banned[candidate.pk].reason},
                )
            )
        tutor = users.get(row.tutor_email)
        if tutor is None and row.tutor_email not in named_tutors:
            report.errors.append(
                LineError(
                    row.line,
                    "nom du tuteur",
                    _(
                        "Tuteur « %(email)s » inconnu : indiquez son nom et son prénom "
                        "(colonnes « nom du tuteur » et « prénom du tuteur »)."
                    )
                    % {"email": row.tutor_email},
                )
            )
        if candidate is None and row.email not in report.new_candidates:
            report.new_candidates.append(row.email)
        if tutor is None and row.tutor_email not in report.new_tutors:
            report.new_tutors.append(row.tutor_email)
        company = companies.get(row.company.lower())
        if company is None and row.company.lower() not in {
            name.lower() for name in report.new_companies
        }:
            report.new_companies.append(row.company)
        label = f"{row.first_name} {row.last_name} <{row.email}>"
        enrolment = enrolments.get(row.email)
        if enrolment is None:
            report.new_enrolments.append(label)
        elif (
            enrolment.route != row.route
            or enrolment.status != (row.status or enrolment.status)
            or enrolment.company.name.lower() != row.company.lower()
            or enrolment.tutor is None
            or enrolment.tutor.email.lower() != row.tutor_email
        ):
            report.changed_enrolments.append(label)
        else:
            report.unchanged_enrolments.append(label)
    report.errors.sort(key=lambda error: (error.line, error.column))
    return _Plan(report=report, rows=rows, users=users, companies=companies)


def enrolments_import_check(*, cohort: Cohort, filename: str, content: bytes) -> ImportReport:
    """Return what importing the file would do, and every error; change nothing."""
    return _plan(cohort=cohort, filename=filename, content=content).report


def enrolments_import(
    *, cohort: Cohort, filename: str, content: bytes, actor: User
) -> ImportReport:
    """Import a cohort's candidates and enrolments, all or nothing; return the report.

    Raise ``ImportInvalid`` (nothing saved) when any line is wrong. Every record is found by
    its natural key first (e-mail address, company name, candidate and cohort), so importing
    the same file again changes nothing. Raise ``ImportRefused`` when ``actor`` is not a
    responsable of the cohort's establishment.
    """
    if not staff_may(actor, cohort, Duty.MANAGE):
        raise ImportRefused(_("Seul le personnel de l'établissement importe ses candidats."))
    with transaction.atomic():
        plan = _plan(cohort=cohort, filename=filename, content=content)
        if not plan.report.valid:
            raise ImportInvalid(plan.report)
        users, companies = plan.users, plan.companies
        for row in plan.rows:
            company = companies.get(row.company.lower())
            if company is None:
                company = Organisation.objects.create(
                    name=row.company, kind=Organisation.Kind.ENTREPRISE
                )
                companies[row.company.lower()] = company
            tutor = users.get(row.tutor_email)
            if tutor is None:
                tutor = _named_tutor(row.tutor_email, plan.rows)
                tutor = User.objects.create_user(
                    email=row.tutor_email,
                    first_name=tutor.tutor_first_name,
                    last_name=tutor.tutor_last_name,
                    employer=company,
                )
                users[row.tutor_email] = tutor
            UserRole.objects.get_or_create(user=tutor, role=Role.TUTEUR)
            candidate = users.get(row.email)
            if candidate is None:
                candidate = User.objects.create_user(
                    email=row.email,
                    first_name=row.first_name,
                    last_name=row.last_name,
                    birth_date=row.birth_date,
                    employer=company,
                )
                users[row.email] = candidate
            elif candidate.birth_date is None:
                candidate.birth_date = row.birth_date
                candidate.save(update_fields=["birth_date"])
            UserRole.objects.get_or_create(user=candidate, role=Role.CANDIDAT)
            enrolment, created = Enrolment.objects.get_or_create(
                candidate=candidate,
                cohort=cohort,
                defaults={
                    "route": row.route,
                    "status": row.status or Enrolment.Status.SALARIE,
                    "company": company,
                    "tutor": tutor,
                },
            )
            if not created and (
                enrolment.route,
                enrolment.status,
                enrolment.company_id,
                enrolment.tutor_id,
            ) != (row.route, row.status or enrolment.status, company.pk, tutor.pk):
                enrolment.route, enrolment.status = row.route, row.status or enrolment.status
                enrolment.company, enrolment.tutor = company, tutor
                enrolment.save(update_fields=["route", "status", "company", "tutor"])
        audit_record(
            actor=actor,
            action="candidates_imported",
            obj=cohort,
            after=plan.report.summary(),
        )
    return plan.report


def _named_tutor(email: str, rows: list[CandidateRow]) -> CandidateRow:
    return next(row for row in rows if row.tutor_email == email and row.tutor_last_name)


# --- Issued documents -----------------------------------------------------------------------


def _pdf(
    template_name: str,
    read: Callable[[], dict],
    parts: Callable[[dict], list[dict]] | None = None,
) -> Build:
    """Return how to build a PDF: its facts (``read``), hashed, then rendered with its reference
    (in the ``parts`` of the facts, for a long document)."""

    def build():
        data = read()
        digest = content_digest(data)

        def render(reference: str, issued_at) -> bytes:
            context = {
                **data,
                "reference": reference,
                "short_digest": digest[:12],
                "issued_at": issued_at,
            }
            if parts is not None:
                return render_pdf_parts(template_name, context, parts(data))
            return render_pdf(template_name, context)

        return digest, render

    return build


def document_download_record(*, actor: User, document: IssuedDocument) -> None:
    """Record in the audit trail that someone downloaded an issued document."""
    audit_record(
        actor=actor,
        action="document_downloaded",
        obj=document,
        candidate=document.enrolment.candidate if document.enrolment_id else None,
        after={"reference": document.reference},
    )


def convocation_issue(*, entry, actor: User | None) -> IssuedDocument:
    """Return the convocation of a candidate to a jury session (issued once per set of facts)."""
    return document_issue(
        kind=IssuedDocument.Kind.CONVOCATION,
        build=_pdf("documents/convocation.html", lambda: selectors.convocation_data(entry)),
        actor=actor,
        session=entry.session,
        enrolment=entry.enrolment,
    )


# --- Session archive ------------------------------------------------------------------------

ARCHIVABLE_STATES = (JurySession.State.CLOSED, JurySession.State.PUBLISHED)


def session_archive_issue(
    *,
    session: JurySession,
    actor: User | None,
    progress: Callable[[int, int], None] | None = None,
) -> IssuedDocument:
    """Return the archive of a closed session as one ZIP recorded with its SHA-256.

    The ZIP is streamed to storage (constant memory); ``progress`` is called as (done, total)
    after each candidate, for a background job to show how far it is.
    """
    issuer_require(actor, session)
    _require_owed(IssuedDocument.Kind.ARCHIVE, session)

    def build():
        storage = IssuedDocument._meta.get_field("file").storage
        stored, digest = session_archive(
            session,
            storage=storage,
            name=issued_upload_to(None, ""),
            extra_files=_archive_extra_files(session, actor),
            progress=progress,
        )
        return digest, Prewritten(stored, storage)

    return document_issue(
        kind=IssuedDocument.Kind.ARCHIVE, build=build, actor=actor, session=session
    )


def _archive_extra_files(session: JurySession, actor: User | None) -> dict[str, bytes | str]:
    """Return the procès-verbal (its stored file's name) and the DIPLOMATION export to put in
    the archive.

    The export goes in as CSV only: an XLSX file carries the time it was written, which would
    make every archive of the same session different.
    """
    proces_verbal = proces_verbal_issue(session=session, actor=actor)
    return {
        "proces-verbal.pdf": proces_verbal.file.name,
        "exports/resultats-diplomation.csv": exports.table_csv(
            exports.session_results_table(session)
        ),
    }


# --- Result documents of a closed session ---------------------------------------------------


def _require_owed(kind: str, session: JurySession, enrolment=None, bloc_number: str = ""):
    """Return the decision a document states (None for the session's own documents); raise
    ``DocumentRefused`` when the document is not owed."""
    if kind == IssuedDocument.Kind.CONVOCATION:
        return None
    if kind == IssuedDocument.Kind.ARCHIVE:
        if session.state not in ARCHIVABLE_STATES:
            raise DocumentRefused(
                _("L'archive d'une session se constitue une fois la délibération close.")
            )
        return None
    if session.state not in selectors.DECIDED_STATES:
        raise DocumentRefused(
            _("Les documents de résultats s'établissent une fois la délibération close.")
        )
    if kind == IssuedDocument.Kind.PROCES_VERBAL:
        return None
    decision = selectors.decision_for(session, enrolment)
    if decision is None:
        raise DocumentRefused(_("Aucune décision du jury n'est enregistrée pour ce candidat."))
    if kind == IssuedDocument.Kind.CERTIFICAT_BLOC and bloc_number not in (
        selectors.certificat_blocs(decision)
    ):
        raise DocumentRefused(
            _("Le bloc %(n)s n'a pas été validé lors de cette session.") % {"n": bloc_number}
        )
    if kind == IssuedDocument.Kind.ATTESTATION and not selectors.attestation_due(decision):
        raise DocumentRefused(
            _("Le candidat a obtenu le titre : l'attestation ne le concerne pas.")
        )
    return decision


def document_refusal(kind: str, session: JurySession, enrolment=None, bloc_number="") -> str:
    """Return why this document cannot be issued now, in French, or "" when it can."""
    try:
        _require_owed(kind, session, enrolment, str(bloc_number))
    except DocumentRefused as refused:
        return str(refused)
    return ""


def proces_verbal_issue(*, session: JurySession, actor: User | None) -> IssuedDocument:
    """Return the procès-verbal of a closed session."""
    _require_owed(IssuedDocument.Kind.PROCES_VERBAL, session)
    return document_issue(
        kind=IssuedDocument.Kind.PROCES_VERBAL,
        build=_pdf(
            "documents/proces_verbal.html",
            lambda: selectors.pv_data(session),
            parts=selectors.pv_parts,
        ),
        actor=actor,
        session=session,
    )


def releve_issue(*, session: JurySession, enrolment, actor: User | None) -> IssuedDocument:
    """Return a candidate's relevé de notes for a closed session."""
    decision = _require_owed(IssuedDocument.Kind.RELEVE, session, enrolment)
    return document_issue(
        kind=IssuedDocument.Kind.RELEVE,
        build=_pdf("documents/releve.html", lambda: selectors.releve_data(decision)),
        actor=actor,
        session=session,
        enrolment=enrolment,
    )


def certificat_issue(
    *, session: JurySession, enrolment, bloc_number: str, actor: User | None
) -> IssuedDocument:
    """Return the certificat of a bloc the candidate validated in this session."""
    kind = IssuedDocument.Kind.CERTIFICAT_BLOC
    decision = _require_owed(kind, session, enrolment, bloc_number)
    return document_issue(
        kind=kind,
        build=_pdf(
            "documents/certificat_bloc.html",
            lambda: selectors.certificat_data(decision, bloc_number),
        ),
        actor=actor,
        session=session,
        enrolment=enrolment,
        bloc=session.title.blocs.get(number=int(bloc_number)),
    )


def attestation_issue(*, session: JurySession, enrolment, actor: User | None) -> IssuedDocument:
    """Return the attestation de suivi de formation of a candidate without the title."""
    decision = _require_owed(IssuedDocument.Kind.ATTESTATION, session, enrolment)
    return document_issue(
        kind=IssuedDocument.Kind.ATTESTATION,
        build=_pdf("documents/attestation.html", lambda: selectors.attestation_data(decision)),
        actor=actor,
        session=session,
        enrolment=enrolment,
    )
