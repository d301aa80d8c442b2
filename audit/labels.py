"""The audit trail's actions in plain French: one registry of every action code a service writes.

Each code has a label (« Recevabilité prononcée ») and a kind (dépôt, évaluation, jury, …) that
the history pages filter on. Every package may import this module; the describing of an event's
details, which needs the models' state labels, is in ``workflow.history``.

A new ``audit_record(action=…)`` needs its line here: ``tests/audit/test_action_labels.py`` reads
every action code in the source and fails on a code without a label.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DEPOT = "depot", _("Dépôt")
    EVALUATION = "evaluation", _("Évaluation")
    NOTES = "notes", _("Notes, assiduité et tuteur")
    JURY = "jury", _("Jury")
    DOCUMENTS = "documents", _("Documents et consultations")
    COMPTES = "comptes", _("Comptes et promotions")
    JOURNAL = "journal", _("Conservation et journal")
    OTHER = "autre", _("Autre")


@dataclass(frozen=True)
class Action:
    code: str
    label: str
    kind: str
    # Whether the candidate's own pages may show it (the staff's and the jury's see every one).
    candidate_sees: bool = True


def _actions(kind: str, *entries) -> list[Action]:
    return [Action(code, label, kind, *rest) for code, label, *rest in entries]


ACTIONS: dict[str, Action] = {
    action.code: action
    for action in [
        *_actions(
            Kind.DEPOT,
            ("portfolio.start", _("Portefeuille ouvert")),
            ("memoire.start", _("Mémoire ouvert")),
            ("evidence.upload", _("Preuve déposée")),
            ("evidence.update", _("Preuve modifiée")),
            ("evidence.remove", _("Preuve retirée")),
            ("portfolio.submit", _("Portefeuille déposé")),
            ("portfolio.new_version", _("Nouvelle version du portefeuille ouverte")),
            ("portfolio.extension_grant", _("Délai de dépôt prolongé")),
            ("portfolio.window_extend", _("Délai de dépôt prolongé (aménagement)")),
            ("memoire.upload", _("Fichier du mémoire déposé")),
            ("memoire.submit", _("Mémoire déposé")),
            ("evidence.rescan", _("Preuve analysée de nouveau par l'antivirus"), False),
            ("memoire.rescan", _("Mémoire analysé de nouveau par l'antivirus"), False),
            (
                "stored_file.rescan",
                _("Copie d'épreuve ou sujet national analysé de nouveau par l'antivirus"),
                False,
            ),
        ),
        *_actions(
            Kind.EVALUATION,
            ("portfolio.declare_admissible", _("Recevabilité prononcée")),
            ("portfolio.return", _("Portefeuille renvoyé pour compléments")),
            ("assignment.create", _("Évaluateur désigné"), False),
            ("assignment.accept", _("Affectation acceptée par l'évaluateur"), False),
            ("assignment.decline", _("Affectation refusée par l'évaluateur"), False),
            ("assignment.withdraw", _("Affectation retirée par le centre"), False),
            ("assignment.reminder", _("Rappel envoyé à l'évaluateur"), False),
            ("assignment.overdue", _("Retard signalé à l'évaluateur"), False),
            ("assignment.remind", _("Relance envoyée à l'évaluateur par le centre"), False),
            ("portfolio.start_evaluation", _("Évaluation commencée")),
            ("scoring.submit", _("Grille soumise par l'évaluateur"), False),
            ("scoring.reopen", _("Grille rouverte pour correction"), False),
            ("memoire.mark_written", _("Écrit du mémoire évalué")),
            ("portfolio.evaluated", _("Portefeuille évalué")),
            (
                "portfolio.second_evaluation_after_cc",
                _("Seconde évaluation requise après une note de contrôle continu"),
                False,
            ),
            ("portfolio.second_evaluation_done", _("Seconde évaluation remise"), False),
            ("portfolio.reconciliation_required", _("Conciliation des notes demandée"), False),
            ("portfolio.reconcile", _("Notes conciliées"), False),
            ("portfolio.mark_ready_for_jury", _("Dossier transmis au jury")),
            ("memoire.second_evaluation_done", _("Seconde évaluation de l'écrit remise"), False),
            (
                "memoire.reconciliation_required",
                _("Conciliation des notes de l'écrit demandée"),
                False,
            ),
            ("memoire.reconcile", _("Notes de l'écrit conciliées"), False),
        ),
        *_actions(
            Kind.NOTES,
            ("bloc_exam_mark.enter", _("Note d'épreuve de bloc saisie"), False),
            (
                "bloc_exam_mark.non_presented_withdraw",
                _("Non-présentation au bloc retirée (présence corrigée)"),
                False,
            ),
            ("epreuve_attendance.record", _("Présence à une épreuve enregistrée")),
            ("epreuve_mark.assign", _("Correcteur d'épreuve affecté"), False),
            ("epreuve_mark.submit", _("Note d'épreuve remise par le correcteur"), False),
            ("epreuve_mark.reopen", _("Note d'épreuve rouverte pour correction"), False),
            ("epreuve_paper.upload", _("Copie d'épreuve corrigée déposée"), False),
            ("epreuve_paper.download", _("Copie d'épreuve corrigée téléchargée"), False),
            ("memoire.written_mark", _("Note de l'écrit du mémoire saisie"), False),
            ("cc_mark.enter", _("Note de contrôle continu saisie"), False),
            ("cc_mark.import", _("Notes de contrôle continu importées"), False),
            ("cc_mark.remove", _("Note de contrôle continu effacée"), False),
            ("absence.record", _("Absence enregistrée")),
            ("absence.delete", _("Absence supprimée")),
            ("assiduity.agree", _("Pénalité d'assiduité appliquée par l'équipe pédagogique")),
            ("assiduity.waive", _("Pénalité d'assiduité levée par l'équipe pédagogique")),
            ("tutor_evaluation.invite", _("Tuteur invité à évaluer"), False),
            ("tutor_evaluation.save", _("Évaluation du tuteur enregistrée"), False),
            ("tutor_evaluation.submit", _("Évaluation du tuteur remise"), False),
            ("tutor_evaluation.reopen", _("Évaluation du tuteur rouverte"), False),
            ("tutor_evaluation.lock", _("Évaluation du tuteur verrouillée pour le jury"), False),
        ),
        *_actions(
            Kind.JURY,
            ("jury_session.create", _("Session de jury créée"), False),
            ("jury_session.compose", _("Jury constitué"), False),
            ("jury_session.reopen_composition", _("Composition du jury rouverte"), False),
            ("jury_session.open_deliberation", _("Délibération ouverte"), False),
            ("jury_session.close", _("Délibération close"), False),
            ("jury_session.publish", _("Résultats publiés"), False),
            ("jury_member.add", _("Membre du jury ajouté"), False),
            ("jury_member.remove", _("Membre du jury retiré"), False),
            ("jury_session.candidate_add", _("Inscription à une session de jury")),
            ("convocation.send", _("Convocation envoyée")),
            ("soutenance.schedule", _("Soutenance programmée")),
            ("epreuve_sitting.schedule", _("Épreuve programmée"), False),
            ("epreuve_sitting.update", _("Épreuve reprogrammée"), False),
            ("epreuve_convocation.send", _("Convocation à une épreuve envoyée")),
            ("soutenance.mark", _("Soutenance notée"), False),
            ("jury_decision.record", _("Décision du jury enregistrée"), False),
            ("jury_decision.override", _("Décision du jury différente du calcul"), False),
            ("jury_decision.adopt", _("Décision calculée adoptée par le jury"), False),
            ("portfolio.decide", _("Portefeuille décidé par le jury"), False),
            ("retake.register", _("Rattrapage inscrit")),
            ("absence_retake.register", _("Rattrapage pour absence justifiée inscrit")),
            ("redoublement.register", _("Redoublement inscrit")),
            ("practice_retake.register", _("Reprise de la pratique professionnelle inscrite")),
            ("falsification.sanction", _("Sanction pour falsification enregistrée")),
            ("fraud_report.record", _("Rapport de fraude enregistré")),
            ("fraud_report.confirm", _("Fraude établie par le jury")),
            ("fraud_report.dismiss", _("Rapport de fraude écarté")),
            ("portfolio.invalidate", _("Portefeuille invalidé (fraude)")),
            ("memoire.invalidate", _("Mémoire invalidé (fraude)")),
            ("accommodation.record", _("Aménagement enregistré")),
            ("accommodation.remove", _("Aménagement retiré")),
            ("exemption.record", _("Dispense décidée au positionnement")),
            ("exemption.remove", _("Dispense retirée")),
            ("subject.upload", _("Sujet national déposé")),
            ("subject.replace", _("Sujet national remplacé (nouvelle version)")),
            ("subject.download", _("Sujet national téléchargé")),
            ("subject.refused", _("Accès à un sujet national refusé")),
        ),
        *_actions(
            Kind.DOCUMENTS,
            ("document_issued", _("Document émis")),
            ("document_downloaded", _("Document téléchargé"), False),
            ("evidence.download", _("Preuve consultée"), False),
            ("memoire.download", _("Mémoire consulté"), False),
            ("calendar_feed.create", _("Adresse du calendrier créée")),
            ("calendar_feed.renew", _("Adresse du calendrier renouvelée")),
        ),
        *_actions(
            Kind.COMPTES,
            ("cohort_created", _("Promotion créée"), False),
            ("cohort_updated", _("Promotion modifiée"), False),
            ("enrolment_training_end_set", _("Fin de formation fixée")),
            ("enrolment.admission", _("Admission modifiée (statut, voie, blocs)")),
            ("portfolio.drop", _("Portefeuille vide retiré (bloc hors inscription)")),
            ("training_link_added", _("Formateur rattaché à un module"), False),
            ("training_link_removed", _("Formateur détaché d'un module"), False),
            ("person_created", _("Compte créé"), False),
            ("person_updated", _("Compte modifié"), False),
            ("accompaniment_recorded", _("Accompagnement VAE enregistré"), False),
            ("accompaniment_removed", _("Accompagnement VAE retiré"), False),
            ("conflict_recorded", _("Conflit d'intérêts déclaré"), False),
            ("conflict_removed", _("Conflit d'intérêts retiré"), False),
            ("invitation_sent", _("Invitation envoyée"), False),
            ("invitations_sent_in_bulk", _("Invitations envoyées en nombre"), False),
            ("invitation_revoked", _("Liens d'invitation annulés"), False),
            ("candidates_imported", _("Candidats importés"), False),
            ("survey.contact_confirm", _("Coordonnées confirmées pour les enquêtes d'insertion")),
            ("survey.consent_give", _("Accord donné aux enquêtes d'insertion")),
            ("survey.consent_refuse", _("Enquêtes d'insertion refusées ou accord retiré")),
            ("survey.answer", _("Réponse à une enquête d'insertion")),
        ),
        *_actions(
            Kind.JOURNAL,
            ("retention_applied", _("Durée de conservation appliquée"), False),
            ("audit_redacted", _("Données personnelles effacées du journal"), False),
        ),
    ]
}

# A code no longer written (rows older than the registry) still reads as words.
UNKNOWN = Action("", _("Action enregistrée"), Kind.OTHER, False)


def action_of(code: str) -> Action:
    """Return the registry's entry for ``code`` (``UNKNOWN`` for a code it does not know)."""
    return ACTIONS.get(code, UNKNOWN)


def action_label(code: str) -> str:
    """Return the French label of the action ``code``."""
    return str(action_of(code).label)


def codes_of_kind(kind: str) -> list[str]:
    """Return the action codes of ``kind``, sorted."""
    return sorted(code for code, action in ACTIONS.items() if action.kind == kind)
