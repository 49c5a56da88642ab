"""The duty roster (值班表) and 督办: who is on duty, who is asked to approve, who may supervise,
what the handler is told, and where 督办件 are counted and shown."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.cases import services as case_services
from civicgrid.cases.services import IllegalTransition
from civicgrid.duty import services
from civicgrid.duty.choices import DutyRole, SupervisionStatus
from civicgrid.duty.models import DutyShift, Supervision
from civicgrid.testing.cases import case_in_state
from civicgrid.testing.factories import UserFactory
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db


def shift(users, key, role, start, hours=12):
    return services.do_add_shift(
        users["admin"],
        user=users[key],
        role=role,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
    )


# --- the roster ---------------------------------------------------------------------------------


def test_on_duty_follows_the_roster(users, clock):
    night_chief = UserFactory(username="chief2", role="shift_chief", first_name="夜班")
    shift(users, "chief", DutyRole.SHIFT_CHIEF, local(2026, 11, 23, 8))
    services.do_add_shift(
        users["chief"],
        user=night_chief,
        role=DutyRole.SHIFT_CHIEF,
        starts_at=local(2026, 11, 23, 20),
        ends_at=local(2026, 11, 24, 8),
    )
    shift(users, "dutyleader", DutyRole.DUTY_LEADER, local(2026, 11, 23, 8), hours=24)

    assert list(services.on_duty(DutyRole.SHIFT_CHIEF)) == [users["chief"]]  # Mon 10:00
    assert list(services.on_duty(DutyRole.DUTY_LEADER)) == [users["dutyleader"]]
    assert list(services.on_duty(DutyRole.SHIFT_CHIEF, local(2026, 11, 23, 22))) == [night_chief]
    # The end of a shift is the start of the next one, not both.
    assert list(services.on_duty(DutyRole.SHIFT_CHIEF, local(2026, 11, 23, 20))) == [night_chief]
    assert not services.on_duty(DutyRole.SHIFT_CHIEF, local(2026, 11, 24, 9)).exists()


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"key": "operator"}, "user", "值班人员须是在岗的值班长"),
        ({"hours": -1}, "ends_at", "结束时间须晚于开始时间"),
        ({"hours": 25}, "ends_at", "一个班次不能超过24小时"),
        ({"start": local(2026, 11, 23, 12)}, "starts_at", "该人员在这段时间已有班次"),
    ],
)
def test_a_bad_shift_is_refused_and_nothing_is_written(users, change, field, message):
    shift(users, "chief", DutyRole.SHIFT_CHIEF, local(2026, 11, 23, 8))
    before = DutyShift.objects.count()
    with pytest.raises(ValidationError) as refused:
        shift(
            users,
            change.get("key", "chief"),
            DutyRole.SHIFT_CHIEF,
            change.get("start", local(2026, 11, 24, 8)),
            hours=change.get("hours", 12),
        )
    assert refused.value.message_dict == {field: [message]}
    assert DutyShift.objects.count() == before


def test_only_chiefs_and_the_admin_draw_up_the_roster(users):
    with pytest.raises(PermissionDenied):
        services.do_add_shift(
            users["operator"],
            user=users["chief"],
            role=DutyRole.SHIFT_CHIEF,
            starts_at=local(2026, 11, 23, 8),
            ends_at=local(2026, 11, 23, 20),
        )
    assert not DutyShift.objects.exists()


def test_an_extension_request_goes_to_the_chief_on_duty(
    users, garbage, outbox, clock, django_capture_on_commit_callbacks
):
    shift(users, "chief", DutyRole.SHIFT_CHIEF, local(2026, 11, 23, 8))
    case = case_in_state("accepted", users, cat=garbage)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.do_request_extension(case, users["handler"], days=2, reason="需协调物业")
    to_chief = [m for m in outbox if m.recipient.kind == "staff"]
    assert [m.recipient.user_id for m in to_chief] == [users["chief"].pk]
    assert "延期申请" in to_chief[0].text and case.number in to_chief[0].text


def test_without_anyone_on_duty_every_chief_is_asked(
    users, garbage, outbox, clock, django_capture_on_commit_callbacks
):
    case = case_in_state("accepted", users, cat=garbage)
    with django_capture_on_commit_callbacks(execute=True):
        case_services.do_request_extension(case, users["handler"], days=2, reason="需协调物业")
    assert [m.recipient.kind for m in outbox if "值班长" in m.text] == ["approver"]


def test_the_roster_api(users, api, clock):
    chief = api(users["chief"])
    body = {
        "role": "duty_leader",
        "user": users["dutyleader"].pk,
        "starts_at": "2026-11-23T08:00:00+08:00",
        "ends_at": "2026-11-23T20:00:00+08:00",
    }
    created = chief.post("/api/duty/shifts/", body, format="json")
    assert created.status_code == 201, created.content
    refused = chief.post("/api/duty/shifts/", body, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"starts_at": ["该人员在这段时间已有班次"]}
    assert api(users["operator"]).post("/api/duty/shifts/", body, format="json").status_code == 403
    assert DutyShift.objects.count() == 1

    now = api(users["operator"]).get("/api/duty/on-duty/")
    assert now.status_code == 200
    rows = {row["role"]: [u["username"] for u in row["users"]] for row in now.json()}
    assert rows == {"shift_chief": [], "duty_leader": ["dutyleader"]}
    assert api(users["worker"]).get("/api/duty/on-duty/").status_code == 403
    assert api(users["leader"]).get("/api/duty/shifts/").status_code == 200


# --- 督办 -----------------------------------------------------------------------------------


def test_the_duty_leader_supervises_and_the_handler_is_told(
    users, garbage, outbox, clock, django_capture_on_commit_callbacks
):
    case = case_in_state("dispatched", users, cat=garbage)  # to 城管中队
    deadline = local(2026, 11, 24, 17)
    with django_capture_on_commit_callbacks(execute=True):
        supervision = services.do_supervise(
            case, users["dutyleader"], instruction="今天下班前清运完毕", deadline=deadline
        )
    assert supervision.status == SupervisionStatus.OPEN and supervision.by == users["dutyleader"]
    # The dispatch's message, left in the outbox by case_in_state, goes out with it.
    [message] = [m for m in outbox if m.kind == "supervise"]
    assert message.recipient.department_id == case.assigned_department_id
    assert "今天下班前清运完毕" in message.text and "2026-11-24 17:00" in message.text

    clock.set(2026, 11, 23, 15, 0)
    with django_capture_on_commit_callbacks(execute=True):
        answered = services.do_answer_supervision(
            supervision, users["handler"], answer="已安排人员清运"
        )
    assert answered.status == SupervisionStatus.ANSWERED and not answered.is_overdue
    assert outbox[-1].recipient.user_id == users["dutyleader"].pk
    with pytest.raises(IllegalTransition):
        services.do_answer_supervision(supervision, users["handler"], answer="再答一次")


@pytest.mark.parametrize("key", ["operator", "chief", "leader", "handler", "staff"])
def test_only_the_duty_leader_supervises(users, garbage, key, clock):
    case = case_in_state("dispatched", users, cat=garbage)
    with pytest.raises(PermissionDenied):
        services.do_supervise(
            case, users[key], instruction="尽快处理", deadline=local(2026, 11, 24, 17)
        )
    assert not Supervision.objects.exists()


@pytest.mark.parametrize(
    "instruction, deadline, field, message",
    [
        ("  ", local(2026, 11, 24, 17), "instruction", "请填写督办意见"),
        ("尽快", local(2026, 11, 23, 9), "deadline", "办理时限须晚于现在"),
        ("尽快", local(2027, 1, 23, 9), "deadline", "办理时限不能超过30天"),
    ],
)
def test_a_bad_supervision_is_refused(users, garbage, clock, instruction, deadline, field, message):
    case = case_in_state("dispatched", users, cat=garbage)
    with pytest.raises(ValidationError) as refused:
        services.do_supervise(case, users["dutyleader"], instruction=instruction, deadline=deadline)
    assert refused.value.message_dict == {field: [message]}
    assert not Supervision.objects.exists()


def test_a_closed_case_is_not_supervised(users, garbage, clock):
    case = case_in_state("closed", users, cat=garbage)
    with pytest.raises(IllegalTransition):
        services.do_supervise(
            case, users["dutyleader"], instruction="复查", deadline=local(2026, 11, 24, 17)
        )


def test_another_department_may_not_answer(users, garbage, clock):
    case = case_in_state("dispatched", users, cat=garbage)
    supervision = services.do_supervise(
        case, users["dutyleader"], instruction="尽快", deadline=local(2026, 11, 24, 17)
    )
    with pytest.raises(PermissionDenied):
        services.do_answer_supervision(supervision, users["handler_fg"], answer="不归我们")
    supervision.refresh_from_db()
    assert supervision.status == SupervisionStatus.OPEN and supervision.answer == ""


def test_supervision_api_scope_and_errors(users, garbage, api, clock):
    case = case_in_state("dispatched", users, cat=garbage)
    body = {"case": case.number, "instruction": "尽快处理", "deadline": "2026-11-24T17:00:00+08:00"}
    assert api(users["operator"]).post("/api/duty/supervisions/", body).status_code == 403
    missing = api(users["dutyleader"]).post(
        "/api/duty/supervisions/", {**body, "case": "2099"}, format="json"
    )
    # A case number that is not there (or not the user's) is a field error of the body.
    assert missing.status_code == 400
    assert missing.json()["case"] == ["案件不存在或不在您的范围内"]
    created = api(users["dutyleader"]).post("/api/duty/supervisions/", body, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    # The handler sees it and answers; a department it is not dispatched to sees nothing.
    assert [
        r["id"] for r in api(users["handler"]).get("/api/duty/supervisions/").json()["results"]
    ] == [pk]
    assert api(users["handler_fg"]).get(f"/api/duty/supervisions/{pk}/").status_code == 404
    empty = api(users["handler"]).post(f"/api/duty/supervisions/{pk}/answer/", {"answer": ""})
    assert empty.status_code == 400
    done = api(users["handler"]).post(
        f"/api/duty/supervisions/{pk}/answer/", {"answer": "已清运"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "answered"
    again = api(users["handler"]).post(
        f"/api/duty/supervisions/{pk}/answer/", {"answer": "已清运"}, format="json"
    )
    assert again.status_code == 409


def test_supervised_cases_are_counted_in_the_indicators(users, garbage, api, clock):
    a = case_in_state("dispatched", users, cat=garbage)
    case_in_state("dispatched", users, cat=garbage)
    for _ in range(2):  # two instructions on one case: one 督办件
        services.do_supervise(
            a, users["dutyleader"], instruction="尽快", deadline=local(2026, 11, 24, 17)
        )
    query = {"start": "2026-11-23", "end": "2026-11-23"}
    [street] = api(users["operator"]).get("/api/cases/indicators/", query).json()
    assert street["filed"] == 2 and street["supervised"] == 1
    rows = api(users["operator"]).get("/api/cases/indicators/", {**query, "by": "area"}).json()
    assert [(r["name"], r["supervised"]) for r in rows] == [("第一片区", 1)]


def test_the_case_page_shows_its_supervisions(users, garbage, client_for, clock):
    case = case_in_state("dispatched", users, cat=garbage)
    services.do_supervise(
        case,
        users["dutyleader"],
        instruction="今天下班前清运完毕",
        deadline=local(2026, 11, 24, 17),
    )
    page = client_for(users["operator"]).get(f"/console/case/{case.number}/").content.decode()
    assert 'id="supervisions"' in page and "今天下班前清运完毕" in page and "待答复" in page


def test_the_admin_adds_a_shift_through_the_roster_rules(users, client_for):
    chief = client_for(users["chief"])
    url = "/admin/duty/dutyshift/add/"
    form = {
        "role": "shift_chief",
        "user": users["operator"].pk,
        "starts_at_0": "2026-11-23",
        "starts_at_1": "08:00:00",
        "ends_at_0": "2026-11-23",
        "ends_at_1": "20:00:00",
        "note": "",
    }
    refused = chief.post(url, form)
    assert refused.status_code == 200
    assert "值班人员须是在岗的值班长" in refused.content.decode()
    assert not DutyShift.objects.exists()
    added = chief.post(url, {**form, "user": users["chief"].pk})
    assert added.status_code == 302
    assert DutyShift.objects.get().created_by == users["chief"]
    assert client_for(users["staff"]).get(url).status_code == 403


# --- liaisons (联系居委) ------------------------------------------------------------------------


def test_a_department_member_keeps_in_touch_with_one_or_two_communities(users, tree):
    from civicgrid.duty.models import Liaison

    first, second = tree["communities"]
    link = services.do_link_liaison(users["operator"], user=users["handler"], community=first)
    services.do_link_liaison(users["operator"], user=users["handler"], community=second)
    assert link.user == users["handler"]
    third = _third_community(tree)
    with pytest.raises(ValidationError) as refused:
        services.do_link_liaison(users["operator"], user=users["handler"], community=third)
    assert refused.value.message_dict == {"user": ["每人最多联系2个居村"]}
    with pytest.raises(ValidationError) as refused:
        services.do_link_liaison(users["operator"], user=users["worker"], community=first)
    assert refused.value.message_dict == {"user": ["联系人须是在岗的部门工作人员"]}
    with pytest.raises(ValidationError):
        services.do_link_liaison(
            users["operator"], user=users["handler_fg"], community=tree["micro_grids"][0]
        )
    with pytest.raises(PermissionDenied):
        services.do_link_liaison(users["staff"], user=users["handler_fg"], community=first)
    assert Liaison.objects.count() == 2


def _third_community(tree):
    from civicgrid.grids.choices import GridLevel
    from civicgrid.grids.models import Grid

    return Grid.objects.create(
        name="第3居委", level=GridLevel.COMMUNITY, number=3, parent=tree["area"]
    )


def test_the_liaison_api_reads_within_the_scope(users, tree, api):
    first, second = tree["communities"]
    services.do_link_liaison(None, user=users["handler"], community=first)
    services.do_link_liaison(None, user=users["handler_fg"], community=second)

    def names(user, **query):
        response = api(user).get("/api/duty/liaisons/", query)
        assert response.status_code == 200
        return sorted((r["username"], r["community_name"]) for r in response.json()["results"])

    assert names(users["operator"]) == [("handler", "第1居委"), ("handler_fg", "第2居委")]
    assert names(users["operator"], community=second.code) == [("handler_fg", "第2居委")]
    assert names(users["staff"]) == [("handler", "第1居委")]  # 居委 of community 0
    assert names(users["handler_fg"]) == [("handler_fg", "第2居委")]
    assert names(users["resident"]) == []
    assert api().get("/api/duty/liaisons/").status_code == 403
    post = api(users["operator"]).post(
        "/api/duty/liaisons/", {"user": users["handler"].pk, "community": second.pk}
    )
    assert post.status_code == 405
