"""In-process CPU of the list pages against the hand-built page (GET /bench/list/), per request.

    .venv/bin/python bench/lists_profile.py                      # every list, best of 30
    .venv/bin/python bench/lists_profile.py --profile queue_deep  # + cProfile of that list, top 40
    .venv/bin/python bench/lists_profile.py --profile queue_deep --callees _queue_page  # + its callees

Runs in this process through Django's test client (the whole middleware stack, the session user)
against the database bench/lists.py filled (civicgrid_bench_lists; run `make bench-lists` or
`bench/lists.py --cases 100000` once first; `--database-url` as there). The figure is the
process's CPU time per request (time.process_time: PostgreSQL's and Redis's own work and the
waits for them are not in it, so a loaded machine moves it far less than the wall time
bench/lists.py reports), best of `--requests`, and its ratio to the hand-built page of the same
scope (the street's for the operator's lists, the department's for the handler's). That ratio is
the part of list_ratio_vs_handbuilt the app's own code decides. The shared cache as bench/lists.py
chooses it (Redis db 14 when it answers; `--no-redis`).
"""

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
os.environ["CIVICGRID_URLCONF"] = "civicgrid.bench_urls"

import lists  # noqa: E402 — its users, cursors and cache choice


def cpu_per_request(client, url: str, requests: int) -> float:
    for _ in range(3):  # warm: plans, caches, the first connection
        assert client.get(url).status_code == 200, url
    best = float("inf")
    for _ in range(requests):
        started = time.process_time()
        client.get(url)
        best = min(best, time.process_time() - started)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=os.environ.get("BENCH_DATABASE_URL", lists.DEFAULT_DB)
    )
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--profile", default="", help="a list's name: cProfile it")
    parser.add_argument(
        "--callees", default="", help="with --profile: what the functions matching it call"
    )
    parser.add_argument("--redis-url", default=lists.DEFAULT_REDIS)
    parser.add_argument("--no-redis", action="store_true")
    args = parser.parse_args()
    print(f"shared cache: {lists.choose_cache(args)}", flush=True)
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.conf import settings

    from civicgrid.console import queries

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    from civicgrid.core.warmup import warm_process

    warm_process()  # as civicgrid.wsgi readies a web process (bench/lists.py does too)
    operator, handler, department = lists.users()
    street, desk = lists.client_for(operator), lists.client_for(handler)
    total = lists.dashboard_count("TRUE", [])
    at, pk, cursor = lists.deep_row("TRUE", [], int(total * 0.9))
    deep = {"at": at.isoformat(), "id": pk}
    token = queries.encode_cursor("-created", SimpleNamespace(reported_at=at, pk=pk), forward=True)
    # (name, client, URL, the hand-built page it is compared with)
    pages = [
        ("api", street, "/api/cases/?cursor=", "/bench/list/"),
        ("api_deep", street, f"/api/cases/?cursor={cursor}", f"/bench/list/?{urlencode(deep)}"),
        ("api_department", desk, "/api/cases/?cursor=", "/bench/list/"),
        ("queue", street, "/console/?tab=all&sort=-created", "/bench/list/"),
        (
            "queue_deep",
            street,
            f"/console/?tab=all&sort=-created&cursor={token}",
            f"/bench/list/?{urlencode(deep)}",
        ),
        ("inbox", desk, "/console/inbox/", "/bench/list/?own=1"),
    ]
    # The queue in its default order, the running deadline (as bench/lists.py's 期限 pages).
    by_deadline = "/console/?tab=all&sort=deadline"
    ordered, _key = queries.sorted_cases(queries.list_queryset(operator), "deadline")
    row = ordered.values("pk", "running_deadline")[int(total * 0.9)]
    deadline_token = queries.encode_cursor("deadline", SimpleNamespace(**row), forward=True)
    pages += [
        ("queue_deadline", street, by_deadline, "/bench/list/"),
        (
            "queue_deadline_deep",
            street,
            f"{by_deadline}&cursor={deadline_token}",
            f"/bench/list/?{urlencode(deep)}",
        ),
    ]
    print(f"{total:,} cases, CPU per request, best of {args.requests}", flush=True)
    worst = 0.0
    for name, client, url, yardstick in pages:
        ours = cpu_per_request(client, url, args.requests)
        hand = cpu_per_request(client, yardstick, args.requests)
        worst = max(worst, ours / hand)
        print(
            f"{name:<16} ours {ours * 1000:6.2f} ms | hand-built page {hand * 1000:5.2f} ms"
            f" ×{ours / hand:5.2f}",
            flush=True,
        )
        if args.profile == name:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(20):
                client.get(url)
            profile.disable()
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
            if args.callees:
                stats = pstats.Stats(profile, stream=out).sort_stats("cumulative")
                stats.print_callees(args.callees)
            print(out.getvalue())
    print(f"list_cpu_ratio_vs_handbuilt={worst:.2f}")


if __name__ == "__main__":
    main()
