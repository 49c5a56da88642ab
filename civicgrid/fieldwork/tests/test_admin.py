"""The admin: the checklist is edited by the street; patrols and visits are read-only, scoped."""

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import ChecklistItem
from civicgrid.testing.factories import UserFactory
from civicgrid.testing.world import category

pytestmark = pytest.mark.django_db


def test_the_operator_edits_the_checklist(users, client_for):
    operator = UserFactory(username="op2", role=Role.OPERATOR, is_staff=True)
    c = client_for(operator)
    assert c.get("/admin/fieldwork/checklistitem/").status_code == 200
    response = c.post(
        "/admin/fieldwork/checklistitem/add/",
        {
            "name": "高空抛物",
            "hint": "是否有高空抛物痕迹",
            "category": category("community", "0102").pk,
            "order": 200,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ChecklistItem.objects.get(name="高空抛物").category.name == "高空抛物"
    # A top-level class is refused.
    response = c.post(
        "/admin/fieldwork/checklistitem/add/",
        {"name": "社区治理", "category": category("community", "01").pk, "order": 1},
    )
    assert (
        response.status_code == 200 and not ChecklistItem.objects.filter(name="社区治理").exists()
    )


def test_patrols_and_visits_are_read_only_and_scoped(users, tree, households, client_for):
    u = users
    mine = services.start_patrol(u["worker"], tree["micro_grids"][0])
    other = services.start_patrol(u["worker2"], tree["micro_grids"][2])
    services.record_visit(u["worker"], households[0][0], topics="走访")
    # Grid workers have no back office; 居委 staff look at their community's field work there.
    u["worker"].is_staff = True
    u["worker"].save()
    assert client_for(u["worker"]).get("/admin/fieldwork/patrol/").status_code == 403
    u["staff"].is_staff = True
    u["staff"].save()
    c = client_for(u["staff"])
    response = c.get("/admin/fieldwork/patrol/")
    assert response.status_code == 200
    assert f"/admin/fieldwork/patrol/{mine.pk}/" in response.content.decode()
    assert f"/admin/fieldwork/patrol/{other.pk}/" not in response.content.decode()
    assert c.get(f"/admin/fieldwork/patrol/{other.pk}/change/").status_code == 302
    assert c.get("/admin/fieldwork/visit/").status_code == 200
    assert c.get("/admin/fieldwork/checklistitem/add/").status_code == 403
