import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
application = get_wsgi_application()

# Before the first request, not during it (civicgrid.core.warmup says why).
from civicgrid.core.warmup import warm_process  # noqa: E402

warm_process()
