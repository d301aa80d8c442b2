"""What every package writes: the append-only audit trail, the one clock, the e-mail
notifications sent after commit, the read-only admin base for records only services change, and
the indexes of the admin's prefix searches."""
