"""The table of the database cache (settings.CACHES when REDIS_URL is not set), so that `migrate`
— in the demo, in tests, in production — is all it takes. Created whatever CACHES says today, so
that switching from Redis to the database cache later needs nothing more; the same code as
`manage.py createcachetable`, which stays harmless to run."""

from django.core.management.commands.createcachetable import Command as CreateCacheTable
from django.db import migrations

TABLE = "civicgrid_cache"  # settings.CACHE_TABLE


def create(apps, schema_editor):
    command = CreateCacheTable()
    command.verbosity = 0
    command.create_table(schema_editor.connection.alias, TABLE, dry_run=False)


def drop(apps, schema_editor):
    if TABLE in schema_editor.connection.introspection.table_names():
        schema_editor.execute(f"DROP TABLE {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = []

    operations = [migrations.RunPython(create, drop)]
