"""The small things users stumbled on: each page named for who uses it, filters that read 全部,
an anonymous report's actor, no back-office link on the phone, third-party admin names."""

import pytest

from civicgrid.cases import services
from civicgrid.cases.choices import CaseSource
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


def test_the_queue_is_titled_for_its_user(users, tree, client_for):
    staff_page = client_for(users["staff"]).get("/console/").content.decode()
    community = tree["communities"][0].name
    assert f'<h1 id="queue-heading">{community}案件工作台</h1>' in staff_page
    assert "城运中心案件工作台" not in staff_page
    operator_page = client_for(users["operator"]).get("/console/").content.decode()
    assert '<h1 id="queue-heading">城运中心案件工作台</h1>' in operator_page


def test_filters_read_all_not_dashes(users, client_for):
    text = client_for(users["operator"]).get("/console/").content.decode()
    assert "---------" not in text
    for name in ("community", "micro_grid", "category", "source", "department"):
        start = text.index(f'name="{name}"')
        assert '<option value="" selected>全部</option>' in text[start : start + 400], name


def test_an_anonymous_report_is_by_an_anonymous_resident(users, garbage, client_for):
    case = services.do_report(
        user=None,
        source=CaseSource.RESIDENT,
        category=garbage,
        description="小区门口垃圾堆积",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
        reporter_phone="+86 139-1234-5678",
        is_anonymous=True,
    ).case
    case.refresh_from_db()
    assert case.reporter_phone == "13912345678"  # stored as digits
    text = client_for(users["operator"]).get(f"/console/case/{case.number}/").content.decode()
    assert "匿名居民" in text
    history = text[text.index("流转记录") :]
    assert "· 系统" not in history


@pytest.mark.parametrize("who", ["worker", "gridhead"])
def test_phone_roles_get_no_back_office_link(users, client_for, who):
    user = users[who]
    user.is_staff = True  # even a staff flag left on the account
    user.save()
    text = client_for(user).get("/m/").content.decode()
    assert "/admin/" not in text


def test_third_party_admin_models_have_chinese_names(client_for):
    from civicgrid.testing.factories import UserFactory

    keeper = UserFactory(username="keeper", is_superuser=True, is_staff=True)
    text = client_for(keeper).get("/admin/").content.decode()
    assert "后台任务" in text and "任务执行结果" in text
    assert "Task Results" not in text and "Tasks Database Backend" not in text
