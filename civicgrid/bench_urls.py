"""The URLconf of bench/intake.py's server: the production URLs plus GET /bench/hello, the same
stack as the case API doing no work (civicgrid.core.views.bench_hello). Chosen by
CIVICGRID_URLCONF=civicgrid.bench_urls; the production URLconf (civicgrid.urls) has no such route.
"""

from django.urls import path

from civicgrid.core.views import bench_hello
from civicgrid.urls import handler403, handler404, handler500
from civicgrid.urls import urlpatterns as production

urlpatterns = [path("bench/hello", bench_hello, name="bench-hello"), *production]

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]
