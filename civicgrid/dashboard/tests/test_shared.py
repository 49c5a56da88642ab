"""The dashboard's figures shared through the cache (dashboard.shared): computed at most once per
interval, recomputed after it, never shared between scopes, periods or languages; the age on the
page; the periodic job warming the street-wide view; readers during a recomputation."""

import contextvars
import datetime
import re
import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.core import periodic
from civicgrid.dashboard import figures, shared
from civicgrid.dashboard.models import Rollup
from civicgrid.dashboard.tests.test_pages import NOW, at, make_case, world  # noqa: F401
from civicgrid.testing.clock import start_clock

INTERVAL = 60


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.CIVICGRID_DASHBOARD_CACHE_SECONDS = INTERVAL
    # A queue, as in production: the refresh runs when a test plays the worker (run_refreshes).
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


@pytest.fixture(autouse=True)
def frozen():
    clock = start_clock(NOW)
    yield clock
    clock.stop()


def rollup_queries(ctx) -> int:
    table = Rollup._meta.db_table
    return sum(table in q["sql"] for q in ctx.captured_queries)


def get(client, url, **params):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200
    return response, ctx


@pytest.mark.parametrize("name", ["dashboard:index", "dashboard:screen", "dashboard:data"])
def test_a_second_view_within_the_interval_reads_no_figures(world, client, name):  # noqa: F811
    client.force_login(world["users"]["leader"])
    first, ctx1 = get(client, reverse(name))
    assert rollup_queries(ctx1) > 0
    again, ctx2 = get(client, reverse(name))
    assert rollup_queries(ctx2) == 0
    assert len(ctx2) < len(ctx1)
    if name == "dashboard:data":
        assert again.json()["kpi"] == first.json()["kpi"]


def queued_refreshes():
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(
            task_path="civicgrid.dashboard.tasks.refresh_figures_task"
        ).order_by("enqueued_at")
    )


def run_refreshes() -> list:
    """What a task worker does with the queued refreshes (the tests' task backend only queues)."""
    from civicgrid.dashboard.tasks import refresh_figures_task

    done = []
    for row in queued_refreshes():
        done.append(refresh_figures_task.call(*row.args_kwargs["args"]))
        row.delete()
    return done


def test_a_view_after_the_interval_is_refreshed_off_the_request(world, client, frozen):  # noqa: F811
    client.force_login(world["users"]["leader"])
    url = reverse("dashboard:data")
    first = client.get(url)
    assert first["Server-Timing"] == "figures;desc=computed"
    before = first.json()
    make_case(_garbage(), world["tree"]["micro_grids"][1], day=20, hour=11)
    # Within the interval: the figures as computed, with their age.
    frozen.move_to(NOW + datetime.timedelta(seconds=INTERVAL - 5))
    cached = client.get(url)
    assert cached["Server-Timing"] == "figures;desc=fresh"
    assert cached.json()["kpi"]["today_reported"] == before["kpi"]["today_reported"]
    assert cached.json()["generated_at"] == before["generated_at"] == "15:00:00"
    # After it: the previous figures at once, and one refresh queued however many readers come.
    frozen.move_to(NOW + datetime.timedelta(seconds=INTERVAL + 1))
    for _ in range(3):
        stale, ctx = get(client, url)
        assert stale["Server-Timing"] == "figures;desc=stale"
        assert stale.json()["kpi"]["today_reported"] == before["kpi"]["today_reported"]
        assert stale.json()["generated_at"] == "15:00:00"
        assert rollup_queries(ctx) == 0
    assert len(queued_refreshes()) == 1
    # The worker recomputes them; the next reader gets the new figures without computing.
    assert run_refreshes() == ["computed"]
    fresh, ctx = get(client, url)
    assert fresh["Server-Timing"] == "figures;desc=fresh"
    assert rollup_queries(ctx) == 0
    assert fresh.json()["kpi"]["today_reported"] == before["kpi"]["today_reported"] + 1
    assert fresh.json()["generated_at"] == "15:01:01"


def test_a_community_view_is_refreshed_for_its_own_scope(world, client, frozen):  # noqa: F811
    client.force_login(world["users"]["community"])
    url = reverse("dashboard:index")
    assert client.get(url)["Server-Timing"] == "figures;desc=computed"
    make_case(_garbage(), world["tree"]["micro_grids"][0], day=20, hour=11)
    frozen.move_to(NOW + datetime.timedelta(seconds=INTERVAL + 1))
    assert client.get(url)["Server-Timing"] == "figures;desc=stale"
    # Both of the page's bundles (the figures and the extra tiles), each for the community's scope.
    assert run_refreshes() == ["computed", "computed"]
    page = client.get(url)
    assert page["Server-Timing"] == "figures;desc=fresh"
    assert "数据更新于 15:01:01" in page.content.decode()


def test_without_a_task_backend_the_reader_computes(world, client, frozen, monkeypatch):  # noqa: F811
    from civicgrid.dashboard import tasks

    client.force_login(world["users"]["leader"])
    url = reverse("dashboard:data")
    client.get(url)
    frozen.move_to(NOW + datetime.timedelta(seconds=INTERVAL + 1))

    class Refusing:
        def enqueue(self, *args):
            raise ConnectionError("broker down")

    monkeypatch.setattr(tasks, "refresh_figures_task", Refusing())
    answer = client.get(url)
    assert answer["Server-Timing"] == "figures;desc=computed"
    assert answer.json()["generated_at"] == "15:01:01"
    # The lock was freed: once the interval has passed again, the next reader can refresh.
    frozen.move_to(NOW + datetime.timedelta(seconds=2 * INTERVAL + 2))
    monkeypatch.undo()
    assert client.get(url)["Server-Timing"] == "figures;desc=stale"
    assert len(queued_refreshes()) == 1


def test_a_refresh_for_a_user_gone_frees_the_lock(world, frozen):  # noqa: F811
    from django.core.cache import cache

    from civicgrid.dashboard.tasks import refresh_figures_task

    user = world["users"]["leader"]
    scope = figures.resolve_scope(user, None)
    day = datetime.date(2026, 11, 20)
    name = shared.key("all", scope, day, day)
    assert cache.add(name + ":lock", 1, shared.LOCK_SECONDS)
    user.is_active = False
    user.save(update_fields=["is_active"])
    args = ("all", user.pk, None, day.isoformat(), day.isoformat(), "zh-hans", name)
    assert refresh_figures_task.call(*args) == "gone"
    assert cache.add(name + ":lock", 1, shared.LOCK_SECONDS)


def _garbage():
    from civicgrid.cases.models import Category

    return Category.objects.get(family="event", code="0102")


def test_the_page_shows_the_figures_age(world, client, frozen):  # noqa: F811
    client.force_login(world["users"]["leader"])
    client.get(reverse("dashboard:index"))
    frozen.move_to(NOW + datetime.timedelta(seconds=30))
    page = client.get(reverse("dashboard:index")).content.decode()
    assert "数据更新于 15:00:00" in page


def test_two_scopes_never_share(world, client):  # noqa: F811
    users, tree = world["users"], world["tree"]
    client.force_login(users["leader"])
    street = client.get(reverse("dashboard:data")).json()
    community = client.get(reverse("dashboard:data"), {"grid": tree["communities"][1].code}).json()
    micro = client.get(reverse("dashboard:data"), {"grid": tree["micro_grids"][0].code}).json()
    client.force_login(users["community"])
    own = client.get(reverse("dashboard:data")).json()
    # Every scope its own figures (today: one report in community 0, one in community 1).
    assert street["kpi"]["today_reported"] == 2
    assert community["kpi"]["today_reported"] == 1
    assert {c["code"] for c in community["children"]} <= {g.code for g in tree["micro_grids"][2:]}
    assert micro["kpi"]["period_reported"] != street["kpi"]["period_reported"]
    assert own["kpi"]["today_reported"] == 1
    assert {c["code"] for c in own["children"]} <= {g.code for g in tree["micro_grids"][:2]}
    # Another period is another bundle too.
    old = client.get(reverse("dashboard:data"), {"start": "2020-01-01", "end": "2020-01-31"})
    assert old.json()["kpi"]["period_reported"] == 0


def test_keys_differ_by_scope_period_kind_and_language(world):  # noqa: F811
    tree = world["tree"]
    leader = world["users"]["leader"]
    street = figures.resolve_scope(leader, None)
    community = figures.resolve_scope(leader, tree["communities"][0].code)
    first, last = datetime.date(2026, 11, 1), datetime.date(2026, 11, 20)
    keys = {
        shared.key("all", street, first, last),
        shared.key("screen", street, first, last),
        shared.key("all", community, first, last),
        shared.key("all", street, first, datetime.date(2026, 11, 19)),
    }
    from django.utils import translation

    with translation.override("en"):
        keys.add(shared.key("all", street, first, last))
    assert len(keys) == 5
    # The same scope reached by another user is the same figures.
    assert (
        shared.key("all", figures.resolve_scope(world["users"]["operator"], None), first, last)
        in keys
    )


def test_zero_seconds_computes_every_time(world, client, settings):  # noqa: F811
    settings.CIVICGRID_DASHBOARD_CACHE_SECONDS = 0
    client.force_login(world["users"]["leader"])
    get(client, reverse("dashboard:data"))
    _, ctx = get(client, reverse("dashboard:data"))
    assert rollup_queries(ctx) > 0


def test_the_periodic_job_warms_the_street_view(world, client):  # noqa: F811
    assert periodic.run_due(only=["dashboard_warm"]) == {"dashboard_warm": "ran"}
    client.force_login(world["users"]["leader"])
    for name in ("dashboard:index", "dashboard:screen"):
        _, ctx = get(client, reverse(name))
        assert rollup_queries(ctx) == 0
    _, ctx = get(client, reverse("dashboard:data"), tiles="screen")
    assert rollup_queries(ctx) == 0
    # A drill-down is not warmed: its first reader computes it.
    _, ctx = get(client, reverse("dashboard:data"), grid=world["tree"]["communities"][0].code)
    assert rollup_queries(ctx) > 0


def test_readers_get_the_previous_figures_while_one_recomputes(world, frozen):  # noqa: F811
    scope = figures.resolve_scope(world["users"]["leader"], None)
    day = datetime.date(2026, 11, 20)
    calls = []

    def compute(now):
        calls.append(now)
        return len(calls)

    assert shared.figures("all", scope, day, day, compute) == (1, NOW)
    frozen.move_to(NOW + datetime.timedelta(seconds=INTERVAL + 1))
    from django.core.cache import cache

    # Another request holds the lock: no wait, the previous figures.
    assert cache.add(shared.key("all", scope, day, day) + ":lock", 1, shared.LOCK_SECONDS)
    assert shared.figures("all", scope, day, day, compute) == (1, NOW)
    assert len(calls) == 1


def test_without_previous_figures_a_reader_waits_at_most_a_computation(world):  # noqa: F811
    from django.core.cache import cache

    scope = figures.resolve_scope(world["users"]["leader"], None)
    day = datetime.date(2026, 11, 20)
    name = shared.key("all", scope, day, day)
    cache.set(name + ":cost", 0.2)
    assert cache.add(name + ":lock", 1, shared.LOCK_SECONDS)

    def finish():
        cache.set(name, {"value": "theirs", "computed_at": at(20), "at": shared.time.time()})

    timer = threading.Timer(0.1, finish)
    timer.start()
    assert shared.figures("all", scope, day, day, lambda now: "mine")[0] == "theirs"
    timer.join()
    # The holder never finishes: after its last cost the reader computes on its own.
    other = shared.key("screen", scope, day, day)
    cache.set(other + ":cost", 0.1)
    assert cache.add(other + ":lock", 1, shared.LOCK_SECONDS)
    assert shared.figures("screen", scope, day, day, lambda now: "mine")[0] == "mine"


@pytest.fixture
def rendered(monkeypatch):
    """The names of the templates the dashboard's views render to strings, in order (the
    leaders' page markup, dashboard/_index_content.html, among them)."""
    from civicgrid.dashboard import views

    names = []
    original = views.render_to_string

    def counting(name, *args, **kwargs):
        names.append(name)
        return original(name, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", counting)
    return names


def test_the_page_markup_is_rendered_once_per_computation(world, client, frozen, rendered):  # noqa: F811
    client.force_login(world["users"]["leader"])
    url = reverse("dashboard:index")
    first = client.get(url).content.decode()
    again = client.get(url).content.decode()
    # Another query (another period) is other markup; the same query again is not.
    other = client.get(url, {"start": "2026-11-01", "end": "2026-11-20"}).content.decode()
    client.force_login(world["users"]["community"])
    own = client.get(url).content.decode()
    assert rendered.count("dashboard/_index_content.html") == 3
    # The same page (but the per-request CSRF tokens of the base template).
    token = re.compile(r"[A-Za-z0-9]{64}")
    assert token.sub("", first) == token.sub("", again)
    assert 'value="2026-11-01"' in other and 'value="2026-11-01"' not in first
    # The community's own scope: its own figures and crumbs, never the street's markup.
    assert own != first
    assert world["tree"]["communities"][0].name in own


def test_the_periodic_job_renders_the_street_views_markup_ahead(world, client, rendered):  # noqa: F811
    assert periodic.run_due(only=["dashboard_warm"]) == {"dashboard_warm": "ran"}
    assert rendered == ["dashboard/_index_content.html"]
    client.force_login(world["users"]["leader"])
    warmed = client.get(reverse("dashboard:index")).content.decode()
    # The leader's default view is the markup the job rendered: none rendered for them.
    assert rendered == ["dashboard/_index_content.html"]
    # The same markup a request renders (the cache dropped: the page renders it anew).
    from django.core.cache import cache

    cache.clear()
    fresh = client.get(reverse("dashboard:index")).content.decode()
    token = re.compile(r"[A-Za-z0-9]{64}")
    assert token.sub("", warmed) == token.sub("", fresh)
    assert "grid-map" in warmed and world["tree"]["communities"][0].name in warmed


def test_the_refresh_task_renders_the_default_views_markup_too(world, client, frozen, rendered):  # noqa: F811
    client.force_login(world["users"]["leader"])
    url = reverse("dashboard:index")
    assert client.get(url)["Server-Timing"] == "figures;desc=computed"
    frozen.move_to(NOW + datetime.timedelta(seconds=INTERVAL + 1))
    assert client.get(url)["Server-Timing"] == "figures;desc=stale"
    assert run_refreshes() == ["computed", "computed"]  # the page's two bundles
    rendered.clear()
    fresh = client.get(url)
    assert fresh["Server-Timing"] == "figures;desc=fresh"
    assert rendered == []  # the worker rendered the new figures' markup
    assert "15:01:01" in fresh.content.decode()  # the new figures, not the first ones


def read_while_rendering(monkeypatch, client, url) -> list:
    """[(Server-Timing, page)] of one leader's request made in the middle of the next rendering
    of the leaders' page markup — another reader: a context of its own, as another thread or
    node has."""
    from civicgrid.dashboard import views

    during = []
    original = views.render_to_string

    def rendering(name, *args, **kwargs):
        if name == "dashboard/_index_content.html" and not during:
            page = contextvars.Context().run(client.get, url)
            during.append((page["Server-Timing"], page.content.decode()))
        return original(name, *args, **kwargs)

    monkeypatch.setattr(views, "render_to_string", rendering)
    return during


def test_new_figures_come_out_with_their_markup(world, client, frozen, monkeypatch):  # noqa: F811
    """While the periodic job renders the new figures' markup, a leader reads the previous
    figures with their markup ready; the new figures come out with theirs, so no leader's
    request renders the page itself."""
    from civicgrid.dashboard import views

    client.force_login(world["users"]["leader"])
    url = reverse("dashboard:index")
    assert "数据更新于 15:00:00" in client.get(url).content.decode()
    make_case(_garbage(), world["tree"]["micro_grids"][1], day=20, hour=11)
    frozen.move_to(NOW + datetime.timedelta(seconds=INTERVAL - 10))
    original = views.render_to_string
    during = read_while_rendering(monkeypatch, client, url)
    assert periodic.run_due(only=["dashboard_warm"]) == {"dashboard_warm": "ran"}
    [(how, page)] = during
    assert how == "figures;desc=fresh" and "数据更新于 15:00:00" in page
    # The job rendered the markup once (the leader above did not render any).
    names = []
    monkeypatch.setattr(
        views,
        "render_to_string",
        lambda name, *a, **k: names.append(name) or original(name, *a, **k),
    )
    after = client.get(url)
    assert after["Server-Timing"] == "figures;desc=fresh"
    assert "数据更新于 15:00:50" in after.content.decode()
    assert names == []


def test_figures_are_not_published_when_their_markup_fails(world, client, frozen, monkeypatch):  # noqa: F811
    from civicgrid.dashboard import views

    client.force_login(world["users"]["leader"])
    url = reverse("dashboard:index")
    client.get(url)
    frozen.move_to(NOW + datetime.timedelta(seconds=INTERVAL - 10))

    def broken(*args, **kwargs):
        raise RuntimeError("template")

    monkeypatch.setattr(views, "render_to_string", broken)
    with pytest.raises(RuntimeError):
        shared.warm()
    monkeypatch.undo()
    # The previous figures stay, with their markup.
    page = client.get(url)
    assert page["Server-Timing"] == "figures;desc=fresh"
    assert "数据更新于 15:00:00" in page.content.decode()


def test_a_reader_during_the_refresh_queues_no_second_one(world, client, frozen, monkeypatch):  # noqa: F811
    """The refresh holds its lock until the new figures are out: a leader who comes while the
    worker renders their markup gets the previous figures and queues no second refresh."""
    client.force_login(world["users"]["leader"])
    url = reverse("dashboard:index")
    client.get(url)
    frozen.move_to(NOW + datetime.timedelta(seconds=INTERVAL + 1))
    assert client.get(url)["Server-Timing"] == "figures;desc=stale"
    assert len(queued_refreshes()) == 2  # the page's two bundles
    during = read_while_rendering(monkeypatch, client, url)
    assert run_refreshes() == ["computed", "computed"]
    [(how, page)] = during
    assert how == "figures;desc=stale" and "数据更新于 15:00:00" in page
    assert queued_refreshes() == []  # run_refreshes took the two; none came meanwhile
    # Once the refresh is out, its lock is free: the next stale reader may queue one again.
    frozen.move_to(NOW + datetime.timedelta(seconds=2 * INTERVAL + 5))
    monkeypatch.undo()
    assert client.get(url)["Server-Timing"] == "figures;desc=stale"
    assert len(queued_refreshes()) == 2
