from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


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
