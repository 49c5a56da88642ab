import pytest

# Browser fixtures (browser, page, phone_page) for the web front's Playwright tests.
pytest_plugins = ["civicgrid.testing.browser"]


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    # Uploaded files from tests never land in the demo's var/media.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _local_cache(settings):
    # The suite keeps a per-process memory cache, emptied around each test (rate-limit and login
    # failure counts never leak from one test into the next); settings.CACHES is the database
    # cache or Redis, which the tests of the throttles use explicitly (accounts, cases tests).
    from django.core.cache import cache

    local = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.CACHES = local
    cache.clear()
    yield
    settings.CACHES = local  # a test may have switched to the database cache
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_locator():
    # The locator is cached per process; a rolled-back test can leave one built on grids that no
    # longer exist, so every test starts without one.
    from civicgrid.grids.locator import invalidate_locator

    invalidate_locator(drop=True)
    yield
    invalidate_locator(drop=True)


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves the last request's language active in the thread; a test that asked
    # for English must not turn the next test's messages English.
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    # Background tasks (notification delivery, deadline scans) run at once in tests, inside the
    # test's process and transaction, instead of waiting for a db_worker.
    settings.TASKS = {
        "default": {
            "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
            "QUEUES": ["default"],
        }
    }
