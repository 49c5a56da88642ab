"""审定 by the 宣传/党建办 (issue 16): the permission bulletin.approve_bulletin, held through the
group of that name (migration 0003), lets its member approve, send back and publish; a 带班领导
outside the group sees no button and is refused (403) on the page, the API and the service."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied

from civicgrid.bulletin import services
from civicgrid.testing.cases import case_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(users, garbage, compile_issue):
    case_in_state("closed", users, cat=garbage)
    issue = compile_issue()
    article = issue.articles.get(topic="cases")
    services.do_edit_article(users["operator"], article, title="标题", body="正文。")
    issue.refresh_from_db()
    return issue


def test_the_group_exists_with_the_permission():
    group = Group.objects.get(name="宣传/党建办")
    assert list(group.permissions.values_list("codename", flat=True)) == ["approve_bulletin"]


def test_a_group_member_approves_on_the_page(client_for, users, edited):
    member = users["leader"]  # in the group (conftest), whatever the role
    assert services.may_approve(member)
    page = client_for(member).get("/bulletin/42/edit/")
    assert page.status_code == 200
    assert 'value="approve"' in page.content.decode()
    answer = client_for(member).post("/bulletin/42/edit/", {"action": "approve", "note": "同意"})
    assert answer.status_code == 302
    edited.refresh_from_db()
    assert edited.state == "approved"
    assert edited.events.get(action="approve").user == member
    client_for(member).post("/bulletin/42/edit/", {"action": "publish"})
    edited.refresh_from_db()
    assert edited.state == "published"


def test_a_duty_leader_without_the_group_has_no_button_and_gets_403(client_for, api, users, edited):
    outsider = users["dutyleader"]
    assert not services.may_approve(outsider)
    page = client_for(outsider).get("/bulletin/42/edit/")
    assert page.status_code == 200  # may read the draft
    assert 'value="approve"' not in page.content.decode()
    refused = client_for(outsider).post("/bulletin/42/edit/", {"action": "approve"})
    assert refused.status_code == 403
    assert "仅党建办/宣传审定人可审定社区报" in refused.content.decode()
    assert api(outsider).post(f"/api/bulletin/issues/{edited.pk}/approve/", {}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.do_approve(outsider, edited)
    edited.refresh_from_db()
    assert edited.state == "edited" and not edited.events.filter(action="approve").exists()


def test_joining_the_group_gives_the_right_and_the_admin_keeps_it(users, edited):
    outsider = users["dutyleader"]
    Group.objects.get(name="宣传/党建办").user_set.add(outsider)
    outsider = type(outsider).objects.get(pk=outsider.pk)  # a fresh permission cache
    assert services.may_approve(outsider)
    assert services.may_approve(users["admin"])
    assert not services.may_approve(users["operator"])
    services.do_approve(outsider, edited)
    edited.refresh_from_db()
    assert edited.state == "approved"
