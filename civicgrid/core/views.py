from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.response import Response
from rest_framework.views import APIView


@never_cache
@require_GET
def healthz(request):
    """For load balancers: 200 when the database answers and every migration is applied."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError as exc:
        return JsonResponse(
            {"status": "error", "database": "unreachable", "detail": str(exc)}, status=503
        )
    if pending:
        return JsonResponse(
            {
                "status": "error",
                "database": "ok",
                "pending_migrations": [f"{m.app_label}.{m.name}" for m, _ in pending],
            },
            status=503,
        )
    return JsonResponse({"status": "ok", "database": "ok", "migrations": "applied"})


class _BenchHello(APIView):
    """The same stack as the case API with no work: every middleware, DRF's session-or-token
    authentication (the token lookup is one query, as for an intake) and IsAuthenticated from
    REST_FRAMEWORK, a JSON response — and nothing else."""

    schema = None  # not part of the API (drf-spectacular leaves it out)

    def get(self, request):
        return Response({"ok": True})


# GET /bench/hello → {"ok": true}: bench/intake.py's yardstick for the intake's throughput. Only
# in the benchmark's URLconf (civicgrid.bench_urls, ROOT_URLCONF from CIVICGRID_URLCONF), never
# in the production one.
bench_hello = _BenchHello.as_view()
