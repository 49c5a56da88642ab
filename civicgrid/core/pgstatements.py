"""psycopg's cache of parsed statements, widened to the case's own statements.

psycopg turns each statement's `%s` placeholders into PostgreSQL's `$n` before sending it, and
keeps the result in a small LRU cache (128 entries) so that a statement run again is not parsed
again. It leaves out statements with more than 50 parameters
(`psycopg._queries.MAX_CACHED_STATEMENT_PARAMS`, see psycopg discussion #628): ORMs make those
with a shape that varies (a bulk INSERT of n rows), and caching them would only churn the cache.

The case has over a hundred columns, so its INSERT (every intake) and its UPDATE (every step of
the loop, every deadline level written) have over a hundred parameters and the same text each
time: psycopg parsed them anew on every call, with a Python loop over each placeholder
(bench/against.py with bench/intake_profile.py measures what keeping them saves an intake).
Raising the parameter limit lets them be kept;
psycopg's other limit, 4 KiB of statement text, stays and keeps the long bulk statements out.

There is no public setting for this: the module constant is psycopg's own, read on each call.
`civicgrid/core/tests/test_pgstatements.py` fails if a psycopg release renames it.
"""

# Above the case's column count (the widest model the loop saves on every step), with room.
WIDE_STATEMENT_PARAMS = 256


def cache_wide_statements() -> bool:
    """Let psycopg cache the parsed form of statements of up to WIDE_STATEMENT_PARAMS
    parameters; False when psycopg is not installed (an SQLite-only install) or has no such
    limit any more."""
    try:
        from psycopg import _queries
    except ImportError:
        return False
    current = getattr(_queries, "MAX_CACHED_STATEMENT_PARAMS", None)
    if not isinstance(current, int):
        return False
    _queries.MAX_CACHED_STATEMENT_PARAMS = max(current, WIDE_STATEMENT_PARAMS)
    return True
