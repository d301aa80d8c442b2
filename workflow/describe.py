"""Plain French names of workflow objects, for pages, e-mails and the audit trail."""

from django.utils.translation import gettext as _

from portfolio.models import Portfolio


def target_label(target) -> str:
    """Return "Portefeuille — Bloc 2 (…)" or "Mémoire « … »" for a portfolio or a mémoire."""
    if isinstance(target, Portfolio):
        return _("Portefeuille de preuves — %(bloc)s (version %(version)s)") % {
            "bloc": target.bloc,
            "version": target.version,
        }
    return _("Mémoire « %(subject)s »") % {"subject": target.subject}


def mail_context(target, **extra) -> dict:
    """Return a JSON-serialisable context naming the candidate and the file."""
    return {
        "candidate": str(target.enrolment.candidate),
        "target": target_label(target),
        **{key: str(value) for key, value in extra.items()},
    }
