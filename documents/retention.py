"""Retention of exam material: what may be destroyed, when, and the destruction itself.

Marked papers are kept at least one year, the legal claim period (RULES.md §6), and not much
longer than needed: ``PREUVES_RETENTION_DAYS`` after the publication of a session's results
(default 365). A session is due only when both periods have passed; ``archive_disposal``
decides the claim period, so a shorter setting can never shorten it.

What goes: the files candidates handed in (evidence, thumbnails, mémoires) and their free-text
descriptions, the marked papers of their épreuves, the written comments on their work
(evaluators' scorings, soutenance, tutor's grid; the points stay), the session's convocations
and archive. What stays: the results themselves — the procès-verbal, transcripts, certificates
and attestations, the decisions, the points and the audit trail — which prove a title or a bloc
for life; the audit rows about the destroyed material keep who, when and what, and lose their
copies of its texts (audit.redaction). A candidate whose file is still in progress elsewhere (a
retake, a session not yet past its period) keeps everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import clock
from audit.redaction import audit_redact_objects
from audit.trail import audit_record
from documents.models import IssuedDocument
from portfolio.models import EvidenceItem, Memoire, Portfolio
from rules.eligibility import archive_disposal
from workflow.models import (
    CriterionScore,
    EpreuvePaper,
    JurySession,
    Scoring,
    Soutenance,
    TutorEvaluation,
)

# States in which a candidate's material is finished with: nothing more will be done with it.
FINISHED_PORTFOLIO_STATES = {
    Portfolio.State.DECIDED,
    Portfolio.State.INVALIDATED,
    Portfolio.State.WITHDRAWN,
    Portfolio.State.NOT_SUBMITTED,
    Portfolio.State.RETURNED,
}
FINISHED_MEMOIRE_STATES = {
    Memoire.State.SOUTENANCE_MARKED,
    Memoire.State.INVALIDATED,
    Memoire.State.NOT_SUBMITTED,
}
REMOVED_LABEL = "Supprimé (durée de conservation écoulée)"
DISPOSABLE_DOCUMENT_KINDS = (IssuedDocument.Kind.CONVOCATION, IssuedDocument.Kind.ARCHIVE)


@dataclass
class SessionVerdict:
    session: JurySession
    due: bool
    reason: str
    enrolments: list = field(default_factory=list)  # whose material goes
    spared: list = field(default_factory=list)  # (enrolment, reason)
    evidence: list = field(default_factory=list)
    memoires: list = field(default_factory=list)
    papers: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    comments: int = 0

    @property
    def counts(self) -> dict:
        return {
            "candidates": len(self.enrolments),
            "spared_candidates": len(self.spared),
            "evidence_files": len(self.evidence),
            "memoire_files": len(self.memoires),
            "paper_files": len(self.papers),
            "documents": len(self.documents),
            "comments": self.comments,
        }


def session_verdict(session: JurySession, *, today: date) -> SessionVerdict:
    """Return whether a session's exam material may go, and why (no material gathered)."""
    if session.state != JurySession.State.PUBLISHED or session.published_at is None:
        return SessionVerdict(session, False, _("Résultats non publiés : rien n'est supprimé."))
    published_on = timezone.localdate(session.published_at)
    claim = archive_disposal(archived_on=published_on, on=today)
    if not claim.allowed:
        return SessionVerdict(session, False, claim.reason)
    until = published_on + timedelta(days=settings.PREUVES_RETENTION_DAYS)
    if today < until:
        return SessionVerdict(
            session,
            False,
            _("Conservation jusqu'au %(date)s (%(days)d jours après la publication).")
            % {"date": until.strftime("%d/%m/%Y"), "days": settings.PREUVES_RETENTION_DAYS},
        )
    return SessionVerdict(
        session,
        True,
        _("Durée de conservation écoulée le %(date)s.")
        % {"date": max(until, claim.key_date).strftime("%d/%m/%Y")},
    )


def retention_plan(*, today: date) -> list[SessionVerdict]:
    """Return every published session with what its retention allows, changing nothing."""
    sessions = list(JurySession.objects.select_related("establishment").order_by("date", "pk"))
    verdicts = {session.pk: session_verdict(session, today=today) for session in sessions}
    for verdict in verdicts.values():
        if not verdict.due:
            continue
        for entry in verdict.session.candidates.select_related("enrolment__candidate"):
            enrolment = entry.enrolment
            reason = _spare_reason(enrolment, verdicts)
            if reason:
                verdict.spared.append((enrolment, reason))
                continue
            verdict.enrolments.append(enrolment)
            verdict.evidence.extend(
                EvidenceItem.objects.filter(portfolio__enrolment=enrolment).exclude(
                    original_name=REMOVED_LABEL
                )
            )
            verdict.memoires.extend(Memoire.objects.filter(enrolment=enrolment).exclude(file=""))
            verdict.papers.extend(
                EpreuvePaper.objects.filter(mark__enrolment=enrolment).exclude(file="")
            )
            verdict.comments += sum(query.count() for query in _comment_queries([enrolment]))
        verdict.documents.extend(
            IssuedDocument.objects.filter(
                session=verdict.session,
                kind__in=DISPOSABLE_DOCUMENT_KINDS,
                file_deleted_at__isnull=True,
            )
        )
    return [verdicts[session.pk] for session in sessions]


def _spare_reason(enrolment, verdicts: dict[int, SessionVerdict]) -> str:
    for entry in enrolment.jury_entries.all():
        verdict = verdicts.get(entry.session_id)
        if verdict is None or not verdict.due:
            return _("Candidat aussi dans une session à conserver (%(session)s).") % {
                "session": entry.session
            }
    unfinished_portfolio = (
        Portfolio.objects.filter(enrolment=enrolment)
        .exclude(state__in=FINISHED_PORTFOLIO_STATES)
        .exclude(is_active=False)
        .exists()
    )
    unfinished_memoire = (
        Memoire.objects.filter(enrolment=enrolment, is_active=True)
        .exclude(state__in=FINISHED_MEMOIRE_STATES)
        .exists()
    )
    if unfinished_portfolio or unfinished_memoire:
        return _("Dossier encore en cours (rattrapage ou évaluation) : rien n'est supprimé.")
    return ""


def _comment_queries(enrolments) -> list:
    """Return the querysets of written comments on these candidates' work not yet removed."""
    about = Q(assignment__portfolio__enrolment__in=enrolments) | Q(
        assignment__memoire__enrolment__in=enrolments
    )
    return [
        Scoring.objects.filter(about).exclude(overall_comment=""),
        CriterionScore.objects.filter(
            Q(scoring__assignment__portfolio__enrolment__in=enrolments)
            | Q(scoring__assignment__memoire__enrolment__in=enrolments)
        ).exclude(comment=""),
        Soutenance.objects.filter(memoire__enrolment__in=enrolments).exclude(comment=""),
        TutorEvaluation.objects.filter(enrolment__in=enrolments).exclude(comment=""),
    ]


def retention_apply(*, verdicts: list[SessionVerdict], actor=None) -> None:
    """Delete the files and anonymise the texts the plan names; audit each session."""
    for verdict in verdicts:
        if not verdict.due or not (
            verdict.evidence
            or verdict.memoires
            or verdict.papers
            or verdict.documents
            or verdict.comments
        ):
            continue
        deleted_names: list[tuple] = []
        with transaction.atomic():
            for item in verdict.evidence:
                deleted_names.extend(
                    (item.file.storage, f.name) for f in (item.file, item.thumbnail) if f
                )
                item.file = ""
                item.thumbnail = ""
                item.title = REMOVED_LABEL
                item.description = ""
                item.original_name = REMOVED_LABEL
                item.save(
                    update_fields=["file", "thumbnail", "title", "description", "original_name"]
                )
            for stored in (*verdict.memoires, *verdict.papers):
                deleted_names.append((stored.file.storage, stored.file.name))
                stored.file = ""
                stored.original_name = REMOVED_LABEL
                stored.save(update_fields=["file", "original_name"])
            for document in verdict.documents:
                if document.file:
                    deleted_names.append((document.file.storage, document.file.name))
                document.file = ""
                document.file_deleted_at = clock.now()
                document.save(update_fields=["file", "file_deleted_at"])
            # Comments only: the points and the decisions they led to are kept.
            scorings, criterion_scores, soutenances, tutor_evaluations = _comment_queries(
                verdict.enrolments
            )
            scorings.update(overall_comment="")
            criterion_scores.update(comment="")
            soutenances.update(comment="")
            tutor_evaluations.update(comment="")
            # The audit rows about what goes lose their copies of its texts (titles, names).
            redacted = audit_redact_objects(
                objects=[*verdict.evidence, *verdict.memoires, *verdict.papers, *verdict.documents],
                actor=actor,
                reason=verdict.reason,
            )
            audit_record(
                actor=actor,
                action="retention_applied",
                obj=verdict.session,
                after={**verdict.counts, "audit_rows_redacted": redacted},
                reason=verdict.reason,
            )
            # Files go only once the records say so: a failed transaction deletes nothing.
            transaction.on_commit(lambda names=deleted_names: _delete_files(names))


def _delete_files(names) -> None:
    for storage, name in names:
        if name:
            storage.delete(name)
