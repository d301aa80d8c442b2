"""The few steps every state-changing service repeats: lock, fire a transition, save."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from audit.trail import audit_event, audit_record_many
from portfolio.models import Memoire, Portfolio
from workflow.errors import STALE_MESSAGE, WorkflowError


def lock(model, pk):
    """Return the row ``pk`` of ``model`` locked until the end of the transaction.

    Call inside ``transaction.atomic``. On SQLite the lock is a no-op; the optimistic check of
    ``ConcurrentTransitionMixin`` at save time still stops a second writer.
    """
    try:
        return model.objects.select_for_update().get(pk=pk)
    except model.DoesNotExist as exc:
        raise WorkflowError(STALE_MESSAGE) from exc


def lock_target(target):
    """Return the portfolio or mémoire ``target`` locked until the end of the transaction."""
    return lock(Portfolio if isinstance(target, Portfolio) else Memoire, target.pk)


def fire(obj, transition_name: str, *, message=None):
    """Run the django-fsm transition ``transition_name`` on ``obj``; return (before, after).

    A transition that is not allowed from the current state becomes a ``WorkflowError`` with
    ``message`` (or the generic "someone else changed it" text).
    """
    method = getattr(obj, transition_name)
    before = obj.state
    if not can_proceed(method):
        raise WorkflowError(message or STALE_MESSAGE)
    try:
        method()
    except TransitionNotAllowed as exc:
        raise WorkflowError(message or STALE_MESSAGE) from exc
    return before, obj.state


def save(obj, **kwargs):
    """Save ``obj``; a concurrent change of its state becomes a ``WorkflowError``.

    The save runs in a savepoint so that a refused save leaves the caller's transaction usable.
    """
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except ConcurrentTransition as exc:
        raise WorkflowError(STALE_MESSAGE) from exc
    return obj


def fire_all(objects, transition_name: str, *, actor, action: str, fields=("state",), reason=""):
    """Fire ``transition_name`` on each of ``objects`` (rows the caller locked, with their
    ``enrolment__candidate``), save ``fields`` of all in one update and append one audit line
    each, chained in one insert: a session's thousands of transitions in a few queries.

    No model signal fires for the bulk update: callers use it for transitions that change no
    input of a decision.
    """
    if not objects:
        return
    model = type(objects[0])
    changes = [fire(obj, transition_name) for obj in objects]
    model.objects.bulk_update(objects, list(fields), batch_size=500)
    object_type = ContentType.objects.get_for_model(model)
    audit_record_many(
        [
            audit_event(
                actor=actor,
                action=action,
                obj=obj,
                object_type=object_type,
                candidate=obj.enrolment.candidate,
                before={"state": before},
                after={"state": after},
                reason=reason,
            )
            for obj, (before, after) in zip(objects, changes, strict=True)
        ]
    )
