#!/usr/bin/env python
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    # The demo's files (var/: the SQLite database, the secret key) before any command opens the
    # database: the system checks that would make them run in no fixed order, and `migrate`'s
    # model checks connect first. A failure is reported by the same check (civicgrid.E001).
    from civicgrid.core.checks import demo_files

    demo_files()
    execute_from_command_line(sys.argv)
