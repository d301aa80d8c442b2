"""Give each document issued before the key its issue key; keep copies issued twice on record.

Documents with the same kind, session, candidate, bloc and content digest state the same facts.
The oldest of them keeps the key: it is the one issued. Each later copy (a request that raced
another, a crawler) stays on record, without a key, superseded by the oldest: it still verifies,
as a copy issued twice. In each place (kind, session, candidate, bloc), the document in force is
the one of the facts issued last; the others are superseded by it.
"""

from django.db import migrations


def _key(document) -> str:
    # documents.issuance.issue_key's format, frozen here.
    ids = zip("seb", (document.session_id, document.enrolment_id, document.bloc_id), strict=True)
    place = ("-" if pk is None else f"{p}{pk}" for p, pk in ids)
    return ":".join([document.kind, *place, document.content_digest])


def issue_keys_fill(apps, schema_editor):
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    originals = {}  # key → the oldest document of these facts
    latest = {}  # place → the document last issued there
    for document in IssuedDocument.objects.order_by("issued_at", "pk").iterator():
        key = _key(document)
        original = originals.setdefault(key, document)
        if original.pk == document.pk:
            document.issue_key = key
        else:
            document.superseded_by_id = original.pk
        document.save(update_fields=["issue_key", "superseded_by"])
        latest[key.rsplit(":", 1)[0]] = original
    for place, in_force in latest.items():
        kind, session, enrolment, bloc = place.split(":")
        IssuedDocument.objects.filter(
            kind=kind,
            session_id=None if session == "-" else int(session[1:]),
            enrolment_id=None if enrolment == "-" else int(enrolment[1:]),
            bloc_id=None if bloc == "-" else int(bloc[1:]),
            issue_key__isnull=False,
        ).exclude(pk=in_force.pk).update(superseded_by_id=in_force.pk)


def issue_keys_clear(apps, schema_editor):
    IssuedDocument = apps.get_model("documents", "IssuedDocument")
    IssuedDocument.objects.update(issue_key=None, superseded_by=None)


class Migration(migrations.Migration):
    dependencies = [("documents", "0004_issueddocument_issue_key")]

    operations = [migrations.RunPython(issue_keys_fill, issue_keys_clear)]
