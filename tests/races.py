"""Run calls in threads released together by a barrier, as simultaneous requests would be.

Each thread closes its own database connection when its call ends. The results come back in
the calls' order: what each call returned, or the exception it raised (None for a thread still
running at the timeout); each test judges them by its own rule.
"""

import threading

import pytest
from django.db import connection

# Races between transactions need PostgreSQL: SQLite serialises writers, so a race test there
# would prove nothing.
needs_row_locks = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks (SELECT … FOR UPDATE); SQLite serialises writers",
)


def run_together(calls, *, timeout: float = 300) -> list:
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 - returned for the caller's assertions
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
