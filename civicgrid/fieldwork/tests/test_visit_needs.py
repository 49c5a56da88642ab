"""Visits tagged with 急难愁盼 needs; a visit or a follow-up becomes a case in one tap; a 难点
goes onto the 居村's 专题会 agenda and gets its work plan; household visit coverage per quarter."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicgrid.cases.models import Case
from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import FollowUp, NeedKind, Topic, Visit

pytestmark = pytest.mark.django_db


def need(name) -> NeedKind:
    return NeedKind.objects.get(name=name)


def visit(user, household, needs=("停车难",), follow_ups=("联系物业划车位",)):
    return services.record_visit(
        user,
        household,
        topics="居民反映小区夜间停车难",
        follow_ups=list(follow_ups),
        needs=[need(n) for n in needs],
    )


def test_the_need_kinds_are_seeded_with_categories():
    assert need("停车难").category.code == "0114"
    assert NeedKind.objects.count() >= 8
    assert all(k.category.parent_id for k in NeedKind.objects.select_related("category"))


def test_record_a_visit_with_its_needs_on_the_phone(users, households, client_for):
    household = households[0][0]
    c = client_for(users["worker"])
    page = c.get(f"/m/visits/new/?household={household.pk}").content.decode()
    assert "急难愁盼" in page and "养老助餐" in page
    when = timezone.localtime() - datetime.timedelta(hours=1)
    response = c.post(
        "/m/visits/new/",
        {
            "household": household.pk,
            "visited_at": when.strftime("%Y-%m-%dT%H:%M"),
            "topics": "老人就医不便",
            "needs": [need("就医看病").pk, need("养老助餐").pk],
        },
    )
    assert response.status_code == 302
    saved = Visit.objects.get()
    assert {k.name for k in saved.needs.all()} == {"就医看病", "养老助餐"}

    response = c.post(
        "/m/visits/new/",
        {
            "household": household.pk,
            "visited_at": when.strftime("%Y-%m-%dT%H:%M"),
            "topics": "再访",
            "needs": ["999999"],
        },
    )
    assert response.status_code == 400 and Visit.objects.count() == 1


def test_a_visit_becomes_a_case_in_one_tap_once(users, households, client_for):
    v = visit(users["worker"], households[0][0])
    c = client_for(users["worker"])
    response = c.post(f"/m/visits/{v.pk}/case/", follow=True)
    v.refresh_from_db()
    case = v.case
    assert f"已转为案件，案件编号 {case.number}" in response.content.decode()
    assert case.category == need("停车难").category
    assert case.description == "居民反映小区夜间停车难"
    assert case.micro_grid == households[0][0].address.micro_grid
    assert case.address == households[0][0].address.normalized
    assert case.source == services.VISIT_SOURCE

    response = c.post(f"/m/visits/{v.pk}/case/", follow=True)
    assert f"这次走访已转为案件{case.number}" in response.content.decode()
    assert Case.objects.count() == 1


def test_a_visit_without_needs_or_of_another_grid_is_refused(users, households, client_for):
    bare = visit(users["worker"], households[0][0], needs=())
    response = client_for(users["worker"]).post(f"/m/visits/{bare.pk}/case/", follow=True)
    assert "请先为这次走访标注急难愁盼事项" in response.content.decode()
    tagged = visit(users["worker"], households[0][1])
    assert client_for(users["worker2"]).post(f"/m/visits/{tagged.pk}/case/").status_code == 403
    with pytest.raises(ValidationError):
        services.visit_to_case(tagged, users["worker"], need=need("养老助餐").pk)
    assert not Case.objects.exists()


def test_a_follow_up_becomes_a_case_with_the_chosen_need(users, households, client_for):
    v = visit(users["worker"], households[0][0], needs=("养老助餐", "停车难"))
    follow_up = v.follow_ups.get()
    c = client_for(users["worker"])
    response = c.post(f"/m/follow-ups/{follow_up.pk}/case/", {"need": need("停车难").pk})
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.case.category.code == "0114"
    assert follow_up.case.description == "联系物业划车位"
    # Once a case, not a 难点 too.
    response = c.post(f"/m/follow-ups/{follow_up.pk}/hard/", follow=True)
    assert f"该跟进事项已转为案件{follow_up.case.number}" in response.content.decode()
    assert not Topic.objects.exists()


def test_a_hard_follow_up_goes_onto_the_agenda_and_gets_a_work_plan(
    users, households, client_for, clock
):
    v = visit(users["worker"], households[0][0], follow_ups=("加装电梯意见不一",))
    follow_up = v.follow_ups.get()
    c = client_for(users["worker"])
    response = c.post(f"/m/follow-ups/{follow_up.pk}/hard/", follow=True)
    assert "已列为难点，提交专题会研究" in response.content.decode()
    topic = Topic.objects.get()
    assert topic.title == "加装电梯意见不一"
    assert topic.community == households[0][0].address.micro_grid.parent
    # The 居委 of that community sees it; the other community does not.
    assert "加装电梯意见不一" in client_for(users["staff"]).get("/m/topics/").content.decode()
    assert "加装电梯意见不一" not in client_for(users["staff2"]).get("/m/topics/").content.decode()
    # No case once it is a 难点.
    with pytest.raises(ValidationError):
        services.follow_up_to_case(follow_up, users["worker"])

    staff = client_for(users["staff"])
    response = staff.post(
        f"/m/topics/{topic.pk}/plan/", {"meeting_date": "2099-01-01", "work_plan": "分楼征询"}
    )
    assert response.status_code == 400 and "专题会日期不能晚于今天" in response.content.decode()
    response = client_for(users["staff2"]).post(
        f"/m/topics/{topic.pk}/plan/",
        {"meeting_date": timezone.localdate().isoformat(), "work_plan": "x"},
    )
    assert response.status_code == 403
    topic.refresh_from_db()
    assert topic.work_plan == ""

    response = client_for(users["staff"]).post(
        f"/m/topics/{topic.pk}/plan/",
        {"meeting_date": timezone.localdate().isoformat(), "work_plan": "分楼征询意见,两周内反馈"},
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.work_plan == "分楼征询意见,两周内反馈" and topic.planned_by == users["staff"]
    text = client_for(users["worker"]).get("/m/visits/").content.decode()
    assert "专题会已形成工作方案" in text


def test_household_visit_coverage_per_quarter(users, households, client_for, clock):
    # clock: Monday 23 November 2026 → 2026 Q4
    visit(users["worker"], households[0][0])
    visit(users["worker"], households[0][0])  # the same household twice counts once
    visit(users["worker2"], households[2][0])
    report = services.visit_coverage(users["gridhead"], 2026, 4)
    rows = {r["name"]: (r["visited"], r["households"]) for r in report["rows"]}
    micro = households[0][0].address.micro_grid
    assert rows[micro.name] == (1, 2)
    assert report["visited"] == 1 and report["households"] == 4 and report["rate"] == 0.25
    assert services.visit_coverage(users["gridhead"], 2026, 3)["visited"] == 0

    c = client_for(users["gridhead"])
    text = c.get("/m/visits/coverage/?quarter=2026Q4").content.decode()
    assert "25.0%" in text and "已走访 1 / 2 户" in text
    response = c.get("/m/visits/coverage/?quarter=2026Q5")
    assert response.status_code == 400 and "季度格式应为 2026Q4" in response.content.decode()


def test_follow_up_refusals_write_nothing(users, households):
    v = visit(users["worker"], households[0][0])
    follow_up = v.follow_ups.get()
    with pytest.raises(PermissionDenied):
        services.mark_hard(follow_up, users["worker2"])
    services.set_follow_up_done(follow_up, users["worker"])
    with pytest.raises(ValidationError):
        services.mark_hard(follow_up, users["worker"])
    assert not Topic.objects.exists()
    assert FollowUp.objects.get().topic_id is None


def test_the_admin_lists_need_kinds_and_scoped_topics(users, households, client_for):
    v = visit(users["worker"], households[0][0])
    services.mark_hard(v.follow_ups.get(), users["worker"], title="停车位分配难")
    assert client_for(users["operator"]).get("/admin/fieldwork/needkind/").status_code == 200
    assert (
        "停车位分配难" in client_for(users["staff"]).get("/admin/fieldwork/topic/").content.decode()
    )
    assert (
        "停车位分配难"
        not in client_for(users["staff2"]).get("/admin/fieldwork/topic/").content.decode()
    )
