"""Reads for documents: the facts each document states, as plain data (hashed, then rendered)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Enrolment, Role, UserRole
from documents.models import IssuedDocument
from rules import engine, wording
from workflow.jury.accommodations import accommodations_text
from workflow.jury.results import cc_modules_inputs
from workflow.models import JuryDecision, JurySession, SessionCandidate, Soutenance


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
    """Return what a candidate's convocation to a jury session states, with the soutenance's
    time and any accommodation granted (RULES.md §5)."""
    soutenance = (
        Soutenance.objects.filter(session=entry.session, memoire__enrolment=entry.enrolment)
        .order_by("starts_at")
        .first()
    )
    return {
        "centre": settings.PREUVES_CENTRE_NAME,
        "session": _session_facts(entry.session),
        "candidate": _identity(entry.enrolment),
        "soutenance": None
        if soutenance is None
        else {
            "starts_at": soutenance.starts_at,
            "duration_minutes": soutenance.duration_minutes,
            "extra_minutes": soutenance.duration_minutes - soutenance.base_minutes,
        },
        "accommodations": accommodations_text(entry.enrolment),
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

    @property
    def notice(self) -> str:
        """Return, in French, whether the document was superseded or is a copy issued twice."""
        document = self.document
        if document is None or document.superseded_by_id is None:
            return ""
        successor = document.superseded_by
        facts = {
            "reference": successor.reference,
            "date": timezone.localdate(successor.issued_at).strftime("%d/%m/%Y"),
        }
        if document.is_duplicate:
            return (
                _(
                    "Ce document a été émis une seconde fois pour les mêmes faits : le document "
                    "%(reference)s, émis le %(date)s, est celui qui fait foi."
                )
                % facts
            )
        return (
            _(
                "Ce document a été remplacé par le document %(reference)s, émis le %(date)s "
                "après une modification des données : il n'est plus en vigueur."
            )
            % facts
        )


def file_sha256(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def document_verification(*, reference: str = "", upload=None, documents=None) -> Verification:
    """Return whether a copy and/or a reference match a document the centre issued.

    ``documents`` are those the user may know of (their establishments'; all by default).
    """
    documents = IssuedDocument.objects.all() if documents is None else documents
    sha256 = file_sha256(upload) if upload is not None else ""
    if reference:
        document = documents.filter(reference=reference).first()
        if document is None:
            return Verification(
                None,
                False if sha256 else None,
                _("Aucun document émis par le centre ne porte cette référence."),
                sha256,
            )
        if not sha256:
            return Verification(
                document,
                None,
                _(
                    "Ce document a bien été émis par le centre. Déposez sa copie pour vérifier "
                    "qu'elle est identique à l'original."
                ),
            )
        if sha256 == document.sha256:
            return Verification(document, True, _match_message(), sha256)
        return Verification(
            document,
            False,
            _(
                "Cette copie ne correspond PAS au document émis sous cette référence : elle a "
                "été modifiée ou il s'agit d'un autre document."
            ),
            sha256,
        )
    document = documents.filter(sha256=sha256).order_by("issued_at").first()
    if document is None:
        return Verification(
            None,
            False,
            _("Ce fichier ne correspond à aucun document émis par le centre."),
            sha256,
        )
    return Verification(document, True, _match_message(), sha256)


def _match_message() -> str:
    return _(
        "Cette copie est identique au document émis par le centre (empreinte SHA-256 identique)."
    )


# --- Results of a closed session (the jury's stored decisions) ------------------------------

OUTCOME_LABELS = {
    "total": gettext_lazy("Certification totale (titre obtenu)"),
    "partial": gettext_lazy("Certification partielle (blocs validés)"),
    "none": gettext_lazy("Non certifié(e) : attestation de suivi de formation"),
}
# The words of the DIPLOMATION export for each outcome.
EXPORT_OUTCOME_WORDS = {"total": "total", "partial": "partiel", "none": "aucun"}
DECIDED_STATES = (JurySession.State.CLOSED, JurySession.State.PUBLISHED)


def session_decisions(session: JurySession):
    """Return the session's stored decisions, candidates in alphabetical order."""
    return (
        JuryDecision.objects.filter(session=session)
        .select_related("enrolment__candidate", "enrolment__cohort", "enrolment__company")
        .order_by("enrolment__candidate__last_name", "enrolment__candidate__first_name", "pk")
    )


def decision_for(session: JurySession, enrolment) -> JuryDecision | None:
    """Return the frozen decision of a candidate in a closed or published session."""
    if session.state not in DECIDED_STATES:
        return None
    return session_decisions(session).filter(enrolment=enrolment).first()


def bloc_code(title_code: str, number: str) -> str:
    """Return a bloc's code as France Compétences writes it: RNCP36390BC01."""
    return f"RNCP{title_code}BC{int(number):02d}"


def _figure(value) -> str:
    """Return a stored exact value (a string) as shown: ``wording.fr_number``'s truncation."""
    return wording.fr_number(Decimal(value))


def _decision_facts(decision: JuryDecision, blocs=None) -> dict:
    """Return the decision as documents print it: final outcome, computed figures, reasons.

    Every figure is the one the rules engine computed and the jury branch stored, shown from
    its exact value by the one display rule; the outcome and validated blocs are the jury's
    (its own decision when it departed from the engine's). Under fraud no figure is printed:
    the session is invalidated. ``blocs``: the title's blocs, when read once for many decisions.
    """
    computed = decision.computed
    title = decision.session.title
    blocs = title.blocs.all() if blocs is None else blocs
    blocs_by_number = {str(bloc.number): bloc for bloc in blocs}
    validated = [str(number) for number in decision.validated_blocs]
    inputs = computed.get("inputs", {})
    blocs = []
    for number in sorted(computed["blocs"], key=engine.bloc_sort_key):
        stored = computed["blocs"][number]
        bloc_input = inputs.get("blocs", {}).get(number, {})
        bloc = blocs_by_number.get(number)
        blocs.append(
            {
                "number": number,
                "code": bloc_code(title.code, number),
                "name": bloc.name if bloc else "",
                "cc": bloc_input.get("cc"),
                "cc_max": bloc.cc_points if bloc else None,
                "exam": bloc_input.get("exam"),
                "exam_max": bloc.exam_points if bloc else None,
                "points": stored["points"],
                "points_display": _figure(stored["points"]),
                "max_points": stored["max_points"],
                "on_20_display": _figure(stored["on_20"]),
                "presented": stored["presented"],
                "passed": stored["passed"],
                "eliminatory": stored["eliminatory"],
                "carried": stored.get("carried", False),
                "validated": number in validated,
            }
        )
    practice = computed["practice"]
    practice_input = inputs.get("practice", {})
    return {
        "outcome": decision.outcome,
        "outcome_label": str(OUTCOME_LABELS[decision.outcome]),
        "computed_outcome": computed["outcome"],
        "computed_outcome_label": str(OUTCOME_LABELS[computed["outcome"]]),
        "overridden": decision.is_override,
        "override_motive": decision.override_motive,
        "fraud": decision.fraud,
        "validated_blocs": validated,
        "computed_validated_blocs": list(computed["validated_blocs"]),
        "points_total": computed["points_total"],
        "points_total_display": _figure(computed["points_total"]),
        "total_max": title.total_points,
        "blocs": blocs,
        "practice": {
            "written": practice_input.get("written"),
            "written_max": title.practice_written_points,
            "oral": practice_input.get("oral"),
            "oral_max": title.practice_oral_points,
            "tutor": practice_input.get("tutor"),
            "tutor_max": title.practice_tutor_points,
            "tutor_after_penalty_display": _figure(practice["tutor_after_penalty"]),
            "tutor_penalty_pct": computed.get("tutor_penalty_pct"),
            "points_display": _figure(practice["points"]),
            "max_points": practice["max_points"],
            "on_20_display": _figure(practice["on_20"]),
            "presented": practice["presented"],
            "passed": practice["passed"],
        },
        "referred_to_jury": computed.get("referred_to_jury", False),
        "reasons": list(computed.get("reasons", [])),
    }


def _cc_modules(decision: JuryDecision) -> list[dict]:
    """Return the CC points of each module the decision used: frozen in the decision since
    issue 12; read from the marks only for a decision stored before."""
    rows = decision.computed.get("inputs", {}).get("cc_modules")
    if rows is None:
        rows = cc_modules_inputs(decision.enrolment)
    return [
        {**row, "points": None if row["points"] is None else Decimal(row["points"])} for row in rows
    ]


def _result_header(decision: JuryDecision) -> dict:
    session = decision.session
    return {
        "centre": settings.PREUVES_CENTRE_NAME,
        "session": _session_facts(session),
        "candidate": _identity(decision.enrolment),
        "training": {
            "start": decision.enrolment.cohort.training_start,
            "end": decision.enrolment.effective_training_end,
            "hours": decision.enrolment.cohort.training_hours,
            "establishment": decision.enrolment.cohort.establishment.name,
        },
    }


def releve_data(decision: JuryDecision) -> dict:
    """Return what a candidate's relevé de notes states."""
    return {
        **_result_header(decision),
        "decision": _decision_facts(decision),
        "cc_modules": _cc_modules(decision),
    }


def certificat_data(decision: JuryDecision, number: str) -> dict:
    """Return what the certificat of one validated bloc states."""
    facts = _decision_facts(decision)
    bloc = next(bloc for bloc in facts["blocs"] if bloc["number"] == number)
    return {**_result_header(decision), "bloc": bloc}


def attestation_data(decision: JuryDecision) -> dict:
    """Return what the attestation de suivi de formation states."""
    facts = _decision_facts(decision)
    return {
        **_result_header(decision),
        "validated_blocs": [bloc for bloc in facts["blocs"] if bloc["validated"]],
    }


def certificat_blocs(decision: JuryDecision) -> list[str]:
    """Return the blocs this decision validated, each owed a certificat (carried ones were
    certified by the session that validated them)."""
    carried = {number for number, bloc in decision.computed["blocs"].items() if bloc.get("carried")}
    return [str(n) for n in decision.validated_blocs if str(n) not in carried]


def attestation_due(decision: JuryDecision) -> bool:
    """Return whether the candidate gets an attestation de suivi de formation (no title)."""
    return decision.outcome != "total"


def pv_data(session: JurySession) -> dict:
    """Return what the procès-verbal of a closed session states."""
    members = [
        {
            "name": member.user.get_full_name(),
            "role": member.get_role_display(),
            "role_key": member.role,
        }
        for member in session.members.select_related("user").order_by("role", "user__last_name")
    ]
    order = {"president": 0, "professional": 1, "cci_representative": 2, "observer": 3}
    members.sort(key=lambda member: order.get(member["role_key"], 9))
    candidates = []
    blocs = list(session.title.blocs.all())
    for decision in session_decisions(session).iterator(chunk_size=500):
        decision.session = session  # read once for all the decisions
        facts = _decision_facts(decision, blocs)
        candidates.append(
            {
                **_identity(decision.enrolment),
                "outcome": facts["outcome"],
                "outcome_label": facts["outcome_label"],
                "validated_blocs": facts["validated_blocs"],
                "points_total_display": facts["points_total_display"],
                "overridden": facts["overridden"],
                "computed_outcome_label": facts["computed_outcome_label"],
                "computed_validated_blocs": facts["computed_validated_blocs"],
                "override_motive": facts["override_motive"],
                "fraud": facts["fraud"],
            }
        )
    return {
        "centre": settings.PREUVES_CENTRE_NAME,
        "session": {**_session_facts(session), "closed_at": session.closed_at},
        "members": members,
        "responsables": pv_responsables(session),
        "candidates": candidates,
        "counts": {
            key: sum(1 for c in candidates if c["outcome"] == key)
            for key in ("total", "partial", "none")
        },
        "overrides": [c for c in candidates if c["overridden"]],
    }


def pv_responsables(session: JurySession) -> dict[str, list[str]]:
    """Return the names of the establishment's two responsables the procès-verbal names (the
    règlement's responsable du processus de certification and d'évaluation)."""
    names: dict[str, list[str]] = {"certification": [], "evaluation": []}
    keys = {
        Role.RESPONSABLE_CERTIFICATION: "certification",
        Role.RESPONSABLE_EVALUATION: "evaluation",
    }
    grants = (
        UserRole.objects.filter(
            establishment_id=session.establishment_id, role__in=list(keys), user__is_active=True
        )
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "pk")
    )
    for grant in grants:
        names[keys[grant.role]].append(grant.user.get_full_name())
    return names


# Candidates per part of a procès-verbal laid out in parts (documents.pdf.render_pdf_parts):
# WeasyPrint's memory grows with the rows of one layout.
PV_ROWS_PER_PART = 400


def pv_parts(data: dict, rows_per_part: int | None = None) -> list[dict]:
    """Return the parts of a procès-verbal: the results, then the overrides, a slice at a time.

    The first part has the session and the jury, the last the signatures (the template's
    ``part_rest`` and ``part_continues``); a session of at most ``rows_per_part`` candidates
    and overrides is one part.
    """
    size = rows_per_part or PV_ROWS_PER_PART
    candidates, overrides = data["candidates"], data["overrides"]
    if len(candidates) <= size and len(overrides) <= size:
        return [{"candidate_count": len(candidates)}]
    parts = [
        {"candidates": candidates[start : start + size], "overrides": []}
        for start in range(0, max(len(candidates), 1), size)
    ]
    parts += [
        {
            "candidates": [],
            "overrides": overrides[start : start + size],
            "overrides_continued": start > 0,
        }
        for start in range(0, len(overrides), size)
    ]
    for number, part in enumerate(parts):
        part.update(
            candidate_count=len(candidates),
            part_rest=number > 0,
            part_continues=number < len(parts) - 1,
        )
    return parts


@dataclass
class ResultLinks:
    """The result documents one decision gives a candidate."""

    session: JurySession
    enrolment: object
    decision: JuryDecision | None
    certificats: list[str]
    attestation: bool


def _links(session: JurySession, enrolment, decision: JuryDecision | None) -> ResultLinks:
    if decision is None:
        return ResultLinks(session, enrolment, None, [], False)
    return ResultLinks(
        session, enrolment, decision, certificat_blocs(decision), attestation_due(decision)
    )


def result_links(session: JurySession, enrolment) -> ResultLinks:
    return _links(session, enrolment, decision_for(session, enrolment))


def session_result_rows(session: JurySession, entries=None) -> list[ResultLinks]:
    """Return each candidate of a session (or of ``entries``, a page of them) with the result
    documents they are owed, their decisions read in one query."""
    entries = list(session_entries(session) if entries is None else entries)
    decisions = {}
    if session.state in DECIDED_STATES:
        enrolments = [entry.enrolment_id for entry in entries]
        for decision in session_decisions(session).filter(enrolment__in=enrolments):
            decisions.setdefault(decision.enrolment_id, decision)
    return [_links(session, e.enrolment, decisions.get(e.enrolment_id)) for e in entries]


def candidate_result_links(enrolment, *, published_only: bool) -> list[ResultLinks]:
    """Return a candidate's decided sessions with their result documents, latest first."""
    states = (JurySession.State.PUBLISHED,) if published_only else DECIDED_STATES
    sessions = JurySession.objects.filter(
        decisions__enrolment=enrolment, state__in=states
    ).order_by("-date")
    return [result_links(session, enrolment) for session in sessions]


# --- Places of documents: the document in force, or the button that issues it ---------------


@dataclass
class DocumentSlot:
    """One document a page offers: its label, its own URL (GET downloads the document in force,
    POST issues it) and the document in force, if any."""

    label: str
    url: str
    document: IssuedDocument | None


def documents_in_force(documents) -> dict[tuple, IssuedDocument]:
    """Return the documents in force among ``documents``, by kind, session, candidate, bloc."""
    in_force = documents.filter(issue_key__isnull=False, superseded_by__isnull=True)
    return {
        (d.kind, d.session_id, d.enrolment_id, d.bloc.number if d.bloc_id else None): d
        for d in in_force.select_related("bloc").order_by("issued_at", "pk")
    }


def result_slots(links: ResultLinks, in_force: dict, *, convocation=False) -> list[DocumentSlot]:
    """Return the documents one candidate is owed by one session, as slots."""
    session, enrolment = links.session, links.enrolment
    kinds = IssuedDocument.Kind

    def slot(kind, label, url_name, *args, bloc=None):
        url = reverse(url_name, args=[session.pk, enrolment.pk, *args])
        return DocumentSlot(label, url, in_force.get((kind, session.pk, enrolment.pk, bloc)))

    slots = []
    if convocation:
        url = reverse("documents:convocation", args=[session.pk, enrolment.pk])
        key = (kinds.CONVOCATION, session.pk, enrolment.pk, None)
        slots.append(DocumentSlot(str(kinds.CONVOCATION.label), url, in_force.get(key)))
    if links.decision is None:
        return slots
    slots.append(slot(kinds.RELEVE, _("Relevé de notes"), "documents:result", "releve"))
    for number in links.certificats:
        label = _("Certificat du bloc %(number)s") % {"number": number}
        slots.append(
            slot(kinds.CERTIFICAT_BLOC, label, "documents:certificat", number, bloc=int(number))
        )
    if links.attestation:
        label = _("Attestation de suivi de formation")
        slots.append(slot(kinds.ATTESTATION, label, "documents:result", "attestation"))
    return slots


def candidate_convocation_slots(user, in_force: dict) -> list[tuple[JurySession, DocumentSlot]]:
    """Return the candidate's convocations, latest session first: one per session they are
    convoked to (its jury composed, or their convocation already issued), with the document in
    force if it was issued."""
    kind = IssuedDocument.Kind.CONVOCATION
    entries = [
        entry
        for entry in SessionCandidate.objects.filter(enrolment__candidate=user)
        .select_related("session")
        .order_by("-session__date", "pk")
        if entry.session.state != JurySession.State.PLANNED
        or (kind, entry.session_id, entry.enrolment_id, None) in in_force
    ]
    return [
        (
            entry.session,
            DocumentSlot(
                str(kind.label),
                reverse("documents:convocation", args=[entry.session_id, entry.enrolment_id]),
                in_force.get((kind, entry.session_id, entry.enrolment_id, None)),
            ),
        )
        for entry in entries
    ]


def session_slots(session: JurySession, in_force: dict) -> list[DocumentSlot]:
    """Return the session's own documents (procès-verbal, archive) as slots."""
    kinds = IssuedDocument.Kind
    return [
        DocumentSlot(
            str(kind.label),
            reverse(url_name, args=[session.pk]),
            in_force.get((kind, session.pk, None, None)),
        )
        for kind, url_name in (
            (kinds.PROCES_VERBAL, "documents:proces_verbal"),
            (kinds.ARCHIVE, "documents:session_archive"),
        )
    ]
