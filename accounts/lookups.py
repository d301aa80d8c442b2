"""``field__in`` on integer columns, safe from values no such column can hold.

Django drops an out-of-range value from ``exact``, ``gt``… lookups on integer fields
(``IntegerFieldOverflow``) but not from ``in``: a posted id such as « -99999999999999999999 »
reached SQLite, the embedded default, as an ``OverflowError`` — a 500 page from a model multiple
choice field (``pk__in``) or any ``id__in`` built from a request (PostgreSQL, sent a numeric,
compares it). Here ``in`` leaves such values out on every database, as no row can match them;
with none left, the lookup matches nothing.
"""

from django.db.models import IntegerField
from django.db.models.lookups import In


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        if self.rhs_is_direct_value():
            low, high = connection.ops.integer_field_range(
                self.lhs.output_field.get_internal_type()
            )
            self.rhs = [
                value
                for value in self.rhs
                if value is None
                or not isinstance(value, int)
                or ((low is None or value >= low) and (high is None or value <= high))
            ]
        return super().process_rhs(compiler, connection)


def integer_in_register() -> None:
    """Make ``IntegerFieldIn`` the ``in`` lookup of every integer field (ids included)."""
    IntegerField.register_lookup(IntegerFieldIn)
