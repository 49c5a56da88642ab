"""No two bookings of one space overlap, on PostgreSQL by the database itself: an exclusion
constraint over (space, [starts_at, ends_at)) for the bookings that still hold their space
(not cancelled, not 未到). It needs btree_gist (the `=` on an integer inside a GiST index).

SQLite has no exclusion constraints: there the booking service's transaction begins IMMEDIATE
(the write lock is taken before its overlap check), so this migration does nothing on it."""

from django.db import migrations

CREATE = """
ALTER TABLE parking_booking ADD CONSTRAINT parking_booking_no_overlap
EXCLUDE USING gist (space_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
WHERE (state NOT IN ('cancelled', 'no_show'))
"""
DROP = "ALTER TABLE parking_booking DROP CONSTRAINT IF EXISTS parking_booking_no_overlap"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("parking", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
