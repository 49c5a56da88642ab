import pytest
from django.urls import reverse

from civicgrid.campaigns.models import ChecklistItem

pytestmark = pytest.mark.django_db


def test_a_checklist_item_the_service_refuses_comes_back_as_a_form_error(campaign, users, client):
    """The form takes any positive order, the service only 0–9999; its refusal is shown on the
    field (not a server error) and nothing is saved."""
    client.force_login(users["admin"])
    before = ChecklistItem.objects.count()
    data = {
        "campaign": campaign["campaign"].pk,
        "kind": "estate",
        "name": "绿化无破损",
        "description": "",
        "order": 123456,
        "is_active": "on",
    }
    response = client.post(reverse("admin:campaigns_checklistitem_add"), data)
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["order"] == ["排序须为0至9999的整数"]
    assert ChecklistItem.objects.count() == before

    data["order"] = 7
    response = client.post(reverse("admin:campaigns_checklistitem_add"), data)
    assert response.status_code == 302
    assert ChecklistItem.objects.get(name="绿化无破损").order == 7
