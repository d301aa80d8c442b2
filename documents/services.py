"""What the documents app changes: candidate imports, issued documents, retention."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Duty, is_centre_staff, staff_may
from accounts.models import Cohort, Enrolment, Organisation, Role, User, UserRole
from audit import clock
from audit.trail import audit_record
from documents import exports, selectors
from documents.archive import session_archive
from documents.imports import CandidateRow, LineError, read_candidate_file
from documents.models import IssuedDocument, ReferenceCounter
from documents.pdf import render_pdf
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
                defaults={"route": row.route, "company": company, "tutor": tutor},
            )
            if not created and (
                enrolment.route,
                enrolment.company_id,
                enrolment.tutor_id,
            ) != (row.route, company.pk, tutor.pk):
                enrolment.route, enrolment.company, enrolment.tutor = row.route, company, tutor
                enrolment.save(update_fields=["route", "company", "tutor"])
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


def reference_allocate(*, kind: str, year: int) -> str:
    """Return the next reference of a kind of document for a year: "PV-2026-000123"."""
    prefix = IssuedDocument.PREFIXES[kind]
    with transaction.atomic():
        counter, _ = ReferenceCounter.objects.select_for_update().get_or_create(
            prefix=prefix, year=year
        )
        counter.last += 1
        counter.save(update_fields=["last"])
    return f"{prefix}-{year}-{counter.last:06d}"


def document_record(
    *,
    kind: str,
    reference: str,
    content: bytes,
    content_digest: str,
    actor: User | None,
    session=None,
    enrolment=None,
    bloc=None,
) -> IssuedDocument:
    """Store an issued file under a random name with its SHA-256 and audit the issue."""
    with transaction.atomic():
        document = IssuedDocument(
            reference=reference,
            kind=kind,
            session=session,
            enrolment=enrolment,
            establishment_id=(
                session.establishment_id
                if session is not None
                else enrolment.cohort.establishment_id
            ),
            bloc=bloc,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            content_digest=content_digest,
            issued_at=clock.now(),
            issued_by=actor if getattr(actor, "pk", None) else None,
        )
        document.file.save(reference, ContentFile(content), save=False)
        stored_name = document.file.name
        try:
            document.save()
            audit_record(
                actor=actor,
                action="document_issued",
                obj=document,
                candidate=enrolment.candidate if enrolment is not None else None,
                after={"reference": reference, "kind": kind, "sha256": document.sha256},
            )
        except Exception:
            # A failed save must not leave an orphan file behind.
            document.file.storage.delete(stored_name)
            raise
    return document


def content_digest(data: dict) -> str:
    """Return the SHA-256 of a document's facts in canonical JSON (shown short in its footer)."""
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def document_issue(
    *,
    kind: str,
    template_name: str,
    data: dict,
    actor: User | None,
    session=None,
    enrolment=None,
    bloc=None,
) -> IssuedDocument:
    """Return the PDF of these facts: the one already issued, or a new one rendered and recorded.

    The same facts give back the same document (same reference, same bytes); changed facts (a
    new place for the session) give a new document with a new reference.
    """
    issuer_require(actor, session if session is not None else enrolment)
    digest = content_digest(data)
    existing = (
        IssuedDocument.objects.filter(
            kind=kind,
            session=session,
            enrolment=enrolment,
            bloc=bloc,
            content_digest=digest,
            file_deleted_at__isnull=True,
        )
        .order_by("-issued_at", "-pk")
        .first()
    )
    if existing is not None:
        return existing
    issued_at = clock.now()
    reference = reference_allocate(kind=kind, year=timezone.localdate(issued_at).year)
    pdf = render_pdf(
        template_name,
        {
            **data,
            "reference": reference,
            "short_digest": digest[:12],
            "issued_at": issued_at,
        },
    )
    return document_record(
        kind=kind,
        reference=reference,
        content=pdf,
        content_digest=digest,
        actor=actor,
        session=session,
        enrolment=enrolment,
        bloc=bloc,
    )


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
        template_name="documents/convocation.html",
        data=selectors.convocation_data(entry),
        actor=actor,
        session=entry.session,
        enrolment=entry.enrolment,
    )


# --- Session archive ------------------------------------------------------------------------


class DocumentRefused(Exception):
    """A document cannot be issued now; the message says why, in French."""


def issuer_require(actor, target) -> None:
    """Refuse a staff member who is not responsable de la certification of ``target``'s
    establishment. The system (no actor) issues; candidates are let through by the views'
    ``documents.access.may_download``."""
    if actor is None or not is_centre_staff(actor):
        return
    if not staff_may(actor, target, Duty.CERTIFICATION):
        raise DocumentRefused(
            _(
                "Seul le responsable du processus de certification de l'établissement établit "
                "ce document."
            )
        )


ARCHIVABLE_STATES = (JurySession.State.CLOSED, JurySession.State.PUBLISHED)


def session_archive_issue(*, session: JurySession, actor: User | None) -> IssuedDocument:
    """Return the archive of a closed session as one ZIP recorded with its SHA-256."""
    issuer_require(actor, session)
    if session.state not in ARCHIVABLE_STATES:
        raise DocumentRefused(
            _("L'archive d'une session se constitue une fois la délibération close.")
        )
    content, digest = session_archive(session, extra_files=_archive_extra_files(session, actor))
    existing = (
        IssuedDocument.objects.filter(
            kind=IssuedDocument.Kind.ARCHIVE,
            session=session,
            content_digest=digest,
            file_deleted_at__isnull=True,
        )
        .order_by("-issued_at", "-pk")
        .first()
    )
    if existing is not None:
        return existing
    reference = reference_allocate(kind=IssuedDocument.Kind.ARCHIVE, year=clock.today().year)
    return document_record(
        kind=IssuedDocument.Kind.ARCHIVE,
        reference=reference,
        content=content,
        content_digest=digest,
        actor=actor,
        session=session,
    )


def _archive_extra_files(session: JurySession, actor: User | None) -> dict[str, bytes]:
    """Return the procès-verbal and the DIPLOMATION export to put in the archive.

    The export goes in as CSV only: an XLSX file carries the time it was written, which would
    make every archive of the same session different.
    """
    proces_verbal = proces_verbal_issue(session=session, actor=actor)
    with proces_verbal.file.open("rb") as handle:
        pdf = handle.read()
    return {
        "proces-verbal.pdf": pdf,
        "exports/resultats-diplomation.csv": exports.table_csv(
            exports.session_results_table(session)
        ),
    }


# --- Result documents of a closed session ---------------------------------------------------


def _require_decided(session: JurySession) -> None:
    if session.state not in selectors.DECIDED_STATES:
        raise DocumentRefused(
            _("Les documents de résultats s'établissent une fois la délibération close.")
        )


def _decision(session: JurySession, enrolment):
    _require_decided(session)
    decision = selectors.decision_for(session, enrolment)
    if decision is None:
        raise DocumentRefused(_("Aucune décision du jury n'est enregistrée pour ce candidat."))
    return decision


def proces_verbal_issue(*, session: JurySession, actor: User | None) -> IssuedDocument:
    """Return the procès-verbal of a closed session."""
    _require_decided(session)
    return document_issue(
        kind=IssuedDocument.Kind.PROCES_VERBAL,
        template_name="documents/proces_verbal.html",
        data=selectors.pv_data(session),
        actor=actor,
        session=session,
    )


def releve_issue(*, session: JurySession, enrolment, actor: User | None) -> IssuedDocument:
    """Return a candidate's relevé de notes for a closed session."""
    decision = _decision(session, enrolment)
    return document_issue(
        kind=IssuedDocument.Kind.RELEVE,
        template_name="documents/releve.html",
        data=selectors.releve_data(decision),
        actor=actor,
        session=session,
        enrolment=enrolment,
    )


def certificat_issue(
    *, session: JurySession, enrolment, bloc_number: str, actor: User | None
) -> IssuedDocument:
    """Return the certificat of a bloc the candidate validated in this session."""
    decision = _decision(session, enrolment)
    if bloc_number not in selectors.certificat_blocs(decision):
        raise DocumentRefused(
            _("Le bloc %(n)s n'a pas été validé lors de cette session.") % {"n": bloc_number}
        )
    bloc = session.title.blocs.get(number=int(bloc_number))
    return document_issue(
        kind=IssuedDocument.Kind.CERTIFICAT_BLOC,
        template_name="documents/certificat_bloc.html",
        data=selectors.certificat_data(decision, bloc_number),
        actor=actor,
        session=session,
        enrolment=enrolment,
        bloc=bloc,
    )


def attestation_issue(*, session: JurySession, enrolment, actor: User | None) -> IssuedDocument:
    """Return the attestation de suivi de formation of a candidate without the title."""
    decision = _decision(session, enrolment)
    if not selectors.attestation_due(decision):
        raise DocumentRefused(
            _("Le candidat a obtenu le titre : l'attestation ne le concerne pas.")
        )
    return document_issue(
        kind=IssuedDocument.Kind.ATTESTATION,
        template_name="documents/attestation.html",
        data=selectors.attestation_data(decision),
        actor=actor,
        session=session,
        enrolment=enrolment,
    )
