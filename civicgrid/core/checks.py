"""System checks of civicgrid that also prepare the demo's files.

Importing the settings writes nothing. The demo keeps its files under CIVICGRID_VAR_DIR (the
SQLite database, the secret key, photos, mails); this check, run by every management command
that checks the project (`migrate` first of all, so `make demo` on a fresh clone), makes that
directory and stores the secret key the process generated, so that the next processes (the web
server, the worker) sign sessions with the same key. Production (CIVICGRID_PRODUCTION=1) has its
SECRET_KEY from the environment and nothing to prepare.
"""

from django.conf import settings
from django.core.checks import Error, register


@register()
def demo_files(app_configs=None, **kwargs):
    if getattr(settings, "CIVICGRID_PRODUCTION", False):
        return []
    var_dir = settings.CIVICGRID_VAR_DIR
    key_file = getattr(settings, "CIVICGRID_SECRET_KEY_FILE", None)
    try:
        var_dir.mkdir(parents=True, exist_ok=True)
        if key_file is not None and not key_file.exists():
            key_file.write_text(settings.SECRET_KEY)
            key_file.chmod(0o600)
    except OSError as exc:
        return [
            Error(
                f"cannot prepare the demo's files in {var_dir}: {exc}",
                hint="Set CIVICGRID_VAR_DIR to a writable directory.",
                id="civicgrid.E001",
            )
        ]
    return []
