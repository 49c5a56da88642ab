"""Named locks for work that reads a set and then writes from what it read (串行执行).

A step such as 一弄一案 detection reads every case not yet gathered and writes items from them.
Locking the rows it will write is not enough: two runs at the same moment (the periodic job and
an operator's 「立即检测」, or a double click) both read the same cases before either writes, and
the second then gathers them again. `hold(name)` makes such runs take turns for the rest of the
transaction.
"""

import hashlib

from django.db import connections


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for `name` (the same on every node and in every process)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def hold(name: str, *, using: str = "default") -> None:
    """Wait for the lock called `name` and hold it to the end of the current transaction.

    PostgreSQL: a transaction-level advisory lock, released at the commit or the rollback.
    SQLite: nothing to take — its transactions begin IMMEDIATE (settings.DATABASES), so writers
    already run one at a time, and a transaction holds the database from its start.
    """
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("locks.hold needs a transaction (transaction.atomic)")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_key(name)])
