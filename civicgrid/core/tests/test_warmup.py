"""A web process is ready before its first request (core/warmup.py, run by civicgrid.wsgi): the
first request neither imports the views nor fills the URL resolvers, in either language, and
what start-up made is out of the garbage collector's way. In a subprocess: the test process
has imported everything long before."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import gc, json, sys
import civicgrid.wsgi
from django.urls import URLResolver, resolve, reverse
from django.utils import translation

filled = []
original = URLResolver._populate
URLResolver._populate = lambda self: filled.append(1) or original(self)
modules = set(sys.modules)
pages = []
for language in ("zh-hans", "en"):
    with translation.override(language):
        for name in ("dashboard:index", "console:queue", "case-list"):
            pages.append(reverse(name))
        pages.append(reverse("open311:services", kwargs={"fmt": "json"}))
        pages.append(resolve("/dashboard/").url_name)
print(json.dumps({
    "imported": sorted(set(sys.modules) - modules),
    "filled": len(filled),
    "frozen": gc.get_freeze_count(),
    "tracked": len(gc.get_objects()),
    "pages": pages,
}))
"""


def test_the_first_request_finds_the_urls_ready_and_start_up_frozen():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "civicgrid.settings"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["pages"][0] == "/dashboard/"
    assert len(probe["pages"]) == 10
    assert probe["imported"] == []
    assert probe["filled"] == 0
    # Start-up's objects (every imported module's) frozen; the collector walks only the rest.
    assert probe["frozen"] > 100_000
    assert probe["tracked"] < probe["frozen"] / 10
