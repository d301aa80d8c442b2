"""The embedded SQLite database lets concurrent read-then-write requests through, one by one.

The grids' autosave sends several requests at once; each reads the draft, then writes it inside
``atomic()``. With SQLite's default DEFERRED transactions the second writer is refused at once
(« database is locked », a 503 for the evaluator); with the project's options it waits its turn.
The same workload is run with DEFERRED to show that the check can fail.
"""

import threading
import time

import pytest
from django.db import OperationalError, connections, transaction

from config.env import sqlite_options

THREADS = 24
WRITES = 5


def run_writers(tmp_path, options):
    alias = f"concurrency_{len(options)}_{time.monotonic_ns()}"
    database = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "db.sqlite3")}
    configured = connections.configure_settings(
        {"default": {}, alias: {**database, "OPTIONS": options}}
    )
    connections.settings[alias] = configured[alias]
    with connections[alias].cursor() as cursor:
        cursor.execute("CREATE TABLE draft (id INTEGER PRIMARY KEY, writer INTEGER, total INTEGER)")
    connections[alias].close()
    errors, start = [], threading.Barrier(THREADS)

    def writer(number):
        start.wait()
        try:
            for _ in range(WRITES):
                with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM draft")
                    (seen,) = cursor.fetchone()
                    time.sleep(0.002)  # the view's work between its read and its write
                    cursor.execute(
                        "INSERT INTO draft (writer, total) VALUES (%s, %s)", [number, seen + 1]
                    )
        except OperationalError as error:
            errors.append(str(error))
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COUNT(DISTINCT total) FROM draft")
        rows, totals = cursor.fetchone()
    connections[alias].close()
    del connections.settings[alias]
    return errors, rows, totals


@pytest.fixture
def unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield


def test_concurrent_read_then_write_transactions_all_succeed_and_are_serialised(
    tmp_path, unblocked
):
    errors, rows, totals = run_writers(tmp_path, sqlite_options())

    assert errors == []
    assert rows == THREADS * WRITES
    # Each transaction saw every earlier write: no two read the same count (serialised).
    assert totals == THREADS * WRITES


def test_the_same_workload_with_deferred_transactions_is_refused(tmp_path, unblocked):
    errors, rows, _ = run_writers(tmp_path, {"timeout": 20})

    assert errors, "deferred transactions should have met « database is locked »"
    assert all("database is locked" in error for error in errors)
    assert rows < THREADS * WRITES
