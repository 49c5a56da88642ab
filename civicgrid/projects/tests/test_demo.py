"""The demo's community projects: 62 proposals → 8 recommended, 普育里's 美丽家园 handed over with
the seed's items, the 600 m² corridor late on its build — quickly."""

import time

import pytest

from civicgrid.projects import services
from civicgrid.projects.models import Campaign, Project

pytestmark = pytest.mark.django_db


def test_demo_projects(small_demo, clock):
    from civicgrid.demo.estates import build_demo_estates
    from civicgrid.demo.logins import ensure_demo_logins
    from civicgrid.demo.projects import build_demo_projects

    ensure_demo_logins()
    build_demo_estates(seed=7)
    started = time.perf_counter()
    counts = build_demo_projects(seed=7)
    elapsed = time.perf_counter() - started
    print(f"demo projects: {elapsed:.1f}s, {counts}")
    assert elapsed < 30
    assert counts == {"proposals": 62, "screened": 30, "recommended": 8}
    campaign = Campaign.objects.get()
    figures = services.report(None, campaign)
    funnel = {row["state"]: row["count"] for row in figures["funnel"]}
    assert (funnel["submitted"], funnel["screened"], funnel["recommended"]) == (62, 30, 8)
    home = Project.objects.get(kind="beautiful_home", estate__isnull=False, state="handed_over")
    items = set(home.deliverables.values_list("item", flat=True))
    assert {"立面整修", "四分类箱房", "晾衣架", "门岗"} <= items
    corridor = Project.objects.get(title="滨河休闲长廊微更新")
    assert corridor.state == "in_progress"
    assert [(d.item, int(d.quantity)) for d in corridor.deliverables.all()] == [
        ("休闲长廊", 600),
        ("座椅", 100),
    ]
    assert any(project == corridor for project, _m in figures["late"])
    # Residents' ideas: two answered (declined with a reason), three waiting for the desk.
    from civicgrid.projects.models import Idea

    assert Idea.objects.filter(decision__isnull=True).count() == 3
    assert Idea.objects.filter(decision__accepted=False).exclude(decision__reason="").count() == 2
    assert build_demo_projects(seed=7) == {}
