"""Indexes for the admin's case-insensitive searches by the start of a text (issue 14).

The admin's ``^field`` search is ``UPPER(field) LIKE UPPER('text%')``. PostgreSQL uses an index
for it only when the index is on ``UPPER(field)`` and, under any collation but "C", compares with
``text_pattern_ops``; SQLite (the embedded default) takes the same index without the operator
class.
"""

from django.contrib.postgres.indexes import OpClass
from django.db.models import Index
from django.db.models.expressions import OrderBy
from django.db.models.functions import Collate, Upper
from django.db.models.indexes import IndexExpression


class PatternOps(OpClass):
    """``text_pattern_ops`` on PostgreSQL; the bare expression on the other databases."""

    def __init__(self, expression):
        super().__init__(expression, name="text_pattern_ops")

    def as_sql(self, compiler, connection, **extra_context):
        if connection.vendor != "postgresql":
            return compiler.compile(self.source_expressions[0])
        return super().as_sql(compiler, connection, **extra_context)


def prefix_search_index(field: str, *, name: str) -> Index:
    """Return the index that ``^field`` in an admin's ``search_fields`` uses."""
    return Index(PatternOps(Upper(field)), name=name)


def register_pattern_ops() -> None:
    """Let PatternOps wrap an index expression, as django.contrib.postgres does for OpClass.

    Called once from AuditConfig.ready(), before any schema change renders an index.
    """
    IndexExpression.register_wrappers(OrderBy, OpClass, PatternOps, Collate)
