"""The shared cache on a real Redis for the tests that need one (several nodes' view of it).

`redis_url()` is the server to test against (REDIS_URL, else the local server's database 15), or
None when none answers: such tests are skipped. `redis_cache(settings)` points Django's cache at
it under a key prefix of its own, and afterwards removes exactly its keys and gives the cache
setting back (a clear() would flush the whole Redis database)."""

import os
import uuid
from contextlib import contextmanager


def redis_url() -> str | None:
    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:
        return None
    return url


@contextmanager
def redis_cache(settings):
    """settings.CACHES on Redis under a fresh prefix; yields (url, prefix)."""
    import redis

    url = redis_url()
    before = settings.CACHES
    prefix = f"civicgrid-test-{uuid.uuid4().hex[:8]}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
        }
    }
    try:
        yield url, prefix
    finally:
        server = redis.Redis.from_url(url)
        for key in server.scan_iter(f"{prefix}:*"):
            server.delete(key)
        # Back before the test's own teardown runs: a cache.clear() there must not reach Redis.
        settings.CACHES = before
