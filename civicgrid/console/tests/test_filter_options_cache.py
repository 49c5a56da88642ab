"""The queue filter's options (居村, 微网格, 类别, 处置部门) come from the shared cache: read once,
then no query until a grid, a category or a department changes — and the page shows the change
at once; each scope and chosen 居村 has its own options."""

import pytest

from civicgrid.accounts.models import Department
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid

pytestmark = pytest.mark.django_db


def options(response, name):
    return response.context["form"].fields[name].choices


def labels(response, name):
    found = []
    for _value, label in options(response, name):
        if isinstance(label, list):
            found += [inner for _v, inner in label]
        else:
            found.append(label)
    return found


def test_options_are_read_once_and_follow_a_change(
    users, garbage, client_for, django_assert_max_num_queries
):
    client = client_for(users["operator"])
    first = client.get("/console/")
    micro = Grid.objects.filter(level=GridLevel.MICRO_GRID).order_by("code").first()
    assert any(micro.name in label for label in labels(first, "micro_grid"))
    # Cached: the four option queries are gone from the next page.
    with django_assert_max_num_queries(6):
        again = client.get("/console/")
    assert options(again, "micro_grid") == options(first, "micro_grid")
    assert options(again, "category") == options(first, "category")
    micro.name = "改名后的网格"
    micro.save()
    Department.objects.create(name="新设的科室", code="ZZ")
    changed = client.get("/console/")
    assert any("改名后的网格" in label for label in labels(changed, "micro_grid"))
    assert "新设的科室" in labels(changed, "department")


def test_options_follow_the_scope_and_the_chosen_community(users, garbage, client_for):
    street = labels(client_for(users["operator"]).get("/console/"), "community")
    staff = client_for(users["staff"]).get("/console/")
    mine = labels(staff, "community")
    assert mine == [label for label in street if label in mine]
    assert users["staff"].community.name in mine and len(mine) < len(street)
    community = users["staff"].community
    chosen = client_for(users["operator"]).get(f"/console/?community={community.pk}")
    groups = [group for group, _options in options(chosen, "micro_grid") if group]
    assert groups == [community.name]
    # A micro-grid outside the chosen 居村 is refused next to its field, as before the cache.
    other = Grid.objects.filter(level=GridLevel.MICRO_GRID).exclude(parent=community).first()
    refused = client_for(users["operator"]).get(
        f"/console/?community={community.pk}&micro_grid={other.pk}"
    )
    assert refused.status_code == 200
    assert "micro_grid" in refused.context["form"].errors
