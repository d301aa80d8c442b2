"""Background jobs: heavy work run by the tasks API's worker, idempotent and resumable.

A ``Job`` records one piece of work (its kind, its idempotency key, its establishment, its
progress and its outcome). Upper layers register a handler per kind (``jobs.registry``); the
runner (``jobs.services.job_run``) calls it with a progress object the page polls.
"""
