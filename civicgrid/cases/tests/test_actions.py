"""cases.actions: one answer to "what may this user do on this case now", the same on every
surface (the API's allowed_actions, the console's case page, the phone's case page); every
step returns Done(case, event); a step's photos are stored with it or not at all; merge checks
the master's scope for every channel."""

import datetime

import pytest
from django.urls import reverse

from civicgrid.attachments.models import Attachment
from civicgrid.cases import services
from civicgrid.cases.actions import ACTIONS, available_actions
from civicgrid.cases.choices import CaseAction as A
from civicgrid.cases.choices import CaseStatus as S
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.services import photos as step_photos
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.images import not_an_image, png
from civicgrid.testing.world import IN_MICRO

ROLES = [
    "admin",
    "operator",
    "leader",
    "staff",
    "staff2",
    "worker",
    "worker2",
    "gridhead",
    "handler",
    "handler_fg",
    "resident",
    "resident2",
]
FIELD_FLAGS = {"may_accept": A.ACCEPT, "may_handle": A.HANDLE, "may_verify": A.VERIFY_PASS}


@pytest.fixture
def world(users, garbage, departments):
    """Cases in every state and with every extra the actions depend on."""
    u = users
    cases = {
        state: case_in_state(state, u)
        for state in [
            "reported",
            "filed",
            "not_filed",
            "dispatched",
            "returned",
            "accepted",
            "handled",
            "closed",
            "rated",
            "reworked",
            "suspended",
        ]
    }
    cases["grid_dispatched"] = case_in_state("dispatched", u, to_grid=True)
    cases["grid_handled"] = case_in_state("handled", u, to_grid=True)
    pending = case_in_state("accepted", u)
    services.do_request_extension(pending, u["handler"], days=2, reason="需协调物业")
    cases["extension_pending"] = pending
    called = case_in_state("accepted", u)
    services.do_start_call_in(
        called,
        u["staff"],
        reason="需城管和房管协同",
        departments=[departments["cg"].pk, departments["fg"].pk],
    )
    cases["call_in_open"] = called
    duplicate = report(u["resident2"])
    services.do_merge(duplicate, u["chief"], master=cases["filed"])
    cases["merged"] = duplicate
    return {name: Case.objects.get(pk=case.pk) for name, case in cases.items()}


def api_actions(api, user, case):
    response = api(user).get(f"/api/cases/{case.number}/")
    if response.status_code == 404:
        return []
    assert response.status_code == 200
    return response.json()["allowed_actions"]


def console_actions(client_for, user, case):
    response = client_for(user).get(reverse("console:case", args=[case.number]))
    if response.status_code == 403:
        return None  # not a console user (residents use the API and the residents' pages)
    if response.status_code == 404:
        return []
    assert response.status_code == 200
    return [item["spec"].name for item in response.context["action_forms"]]


def phone_actions(client_for, user, case):
    response = client_for(user).get(reverse("fieldwork:case", args=[case.number]))
    if response.status_code in (403, 404):
        return None  # not a phone user, or not their grid
    assert response.status_code == 200
    return {action for flag, action in FIELD_FLAGS.items() if response.context[flag]}


@pytest.mark.django_db
@pytest.mark.long(12)
def test_the_three_surfaces_agree_on_every_case_for_every_role(world, users, api, client_for):
    for name, case in world.items():
        for role in ROLES:
            user = users[role]
            expected = available_actions(user, Case.objects.get(pk=case.pk))
            where = f"{name} / {role}"
            assert api_actions(api, user, case) == expected, where
            console = console_actions(client_for, user, case)
            if console is not None:
                assert console == expected, where
            phone = phone_actions(client_for, user, case)
            if phone is not None:
                assert phone == set(expected) & set(FIELD_FLAGS.values()), where


@pytest.mark.django_db
def test_what_the_issue_named(world, users):
    u = users
    # A grid worker looking at a case dispatched to a department: nothing.
    assert available_actions(u["worker"], world["dispatched"]) == []
    # The grid's own case, raised by a resident: take it, and ring the resident first.
    assert available_actions(u["worker"], world["grid_dispatched"]) == [
        A.ACCEPT,
        A.RETURN,
        A.REQUEST_EXTENSION,
        A.FIRST_CONTACT,
    ]
    # The operator with nothing pending: no decision, no outcome to record.
    accepted = available_actions(u["operator"], world["accepted"])
    assert A.DECIDE_EXTENSION not in accepted and A.RECORD_CALL_IN_OUTCOME not in accepted
    assert A.DECIDE_EXTENSION not in available_actions(u["operator"], world["extension_pending"])
    assert A.DECIDE_EXTENSION in available_actions(u["chief"], world["extension_pending"])
    # The handler may not ask twice.
    assert A.REQUEST_EXTENSION in available_actions(u["handler"], world["accepted"])
    assert A.REQUEST_EXTENSION not in available_actions(u["handler"], world["extension_pending"])
    called = available_actions(u["operator"], world["call_in_open"])
    assert A.RECORD_CALL_IN_OUTCOME in called and A.START_CALL_IN not in called
    # Already rated: no second rating; resume only when suspended.
    assert A.RATE in available_actions(u["resident"], world["closed"])
    assert A.RATE not in available_actions(u["resident"], world["rated"])
    assert A.RATE not in available_actions(u["operator"], world["rated"])
    assert A.RESUME in available_actions(u["chief"], world["suspended"])
    assert A.RESUME not in available_actions(u["operator"], world["suspended"])
    assert A.RESUME not in available_actions(u["chief"], world["accepted"])
    # 管监分离: whoever handled it does not check it; read-only roles get nothing.
    assert A.VERIFY_PASS not in available_actions(u["worker"], world["grid_handled"])
    assert A.VERIFY_PASS in available_actions(u["staff"], world["grid_handled"])
    assert available_actions(u["leader"], world["accepted"]) == []
    assert available_actions(u["operator"], world["merged"]) == []


@pytest.mark.django_db
def test_the_api_detail_reads_the_pending_extension_from_its_prefetch(
    world, users, api, django_assert_max_num_queries
):
    case = world["extension_pending"]
    with django_assert_max_num_queries(6):
        response = api(users["chief"]).get(f"/api/cases/{case.number}/")
    assert A.DECIDE_EXTENSION in response.json()["allowed_actions"]


# --- every step returns Done(case, event) ----------------------------------------------------


@pytest.mark.django_db
def test_every_step_returns_the_case_and_the_row_it_wrote(users, garbage, departments):
    u = users
    done = services.do_report(
        user=u["resident"],
        category=garbage,
        description="垃圾",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    )
    assert isinstance(done, services.Done) and done.event.action == A.REPORT
    case = done.case
    steps = [
        (A.FILE, lambda: services.do_file(case, u["operator"])),
        (A.DISPATCH, lambda: services.do_dispatch(case, u["operator"])),
        (A.ACCEPT, lambda: services.do_accept(case, u["handler"])),
        (
            A.LOCATE,
            lambda: services.do_locate(case, u["operator"], lon=IN_MICRO[0][0], lat=IN_MICRO[0][1]),
        ),
        (A.SUSPEND, lambda: services.do_suspend(case, u["chief"], reason="等待")),
        (A.RESUME, lambda: services.do_resume(case, u["chief"])),
        (A.HANDLE, lambda: services.do_handle(case, u["handler"], result="已清理")),
        (A.VERIFY_FAIL, lambda: services.do_verify_fail(case, u["staff"], reason="仍有")),
        (A.HANDLE, lambda: services.do_handle(case, u["handler"], result="已清理干净")),
        (A.VERIFY_PASS, lambda: services.do_verify_pass(case, u["staff"])),
        (A.RATE, lambda: services.do_rate(case, u["resident"], rating="satisfied")),
    ]
    for action, step in steps:
        done = step()
        newest = CaseEvent.objects.filter(case=case).order_by("-id").first()
        assert done.event == newest and done.event.action == action
        assert done.case.pk == case.pk and done.case.status == Case.objects.get(pk=case.pk).status
    other = case_in_state("accepted", u)
    asked = services.do_request_extension(other, u["handler"], days=2, reason="需协调")
    assert (
        asked.extension.case_id == other.pk and asked.event.data["extension"] == asked.extension.pk
    )
    decided = services.do_decide_extension(
        other, u["chief"], extension=asked.extension, approve=True
    )
    assert decided.extension == asked.extension and decided.event.action == A.DECIDE_EXTENSION
    started = services.do_start_call_in(
        other, u["staff"], reason="协同", departments=[departments["cg"].pk, departments["fg"].pk]
    )
    assert started.call_in.case_id == other.pk and started.event.action == A.START_CALL_IN
    recorded = services.do_record_call_in_outcome(
        other, u["operator"], call_in=started.call_in, outcome="城管牵头"
    )
    assert recorded.call_in == started.call_in
    assert recorded.event.action == A.RECORD_CALL_IN_OUTCOME


@pytest.mark.django_db
def test_a_step_takes_its_moment_from_now(users, garbage):
    at = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)
    done = services.do_report(user=users["resident"], category=garbage, description="x", now=at)
    filed = services.do_file(done.case, users["operator"], now=at + datetime.timedelta(hours=1))
    assert done.case.reported_at == at and done.event.at == at
    assert filed.case.filed_at == filed.event.at == at + datetime.timedelta(hours=1)


# --- photos belong to the step ---------------------------------------------------------------


@pytest.mark.django_db
def test_photos_are_stored_with_the_step_and_linked_to_its_row(users, garbage, media_files):
    case = case_in_state("accepted", users)
    done = services.do_handle(
        case, users["handler"], result="已清理", photos=[png("a.png"), png("b.png")]
    )
    assert [p.event_id for p in done.photos] == [done.event.pk, done.event.pk]
    assert {p.kind for p in done.photos} == {"after"}
    assert all(p.uploaded_by == users["handler"] for p in done.photos)
    assert len(media_files()) == 2


@pytest.mark.django_db
def test_a_refused_photo_undoes_the_step_and_leaves_no_file(users, garbage, media_files):
    case = case_in_state("accepted", users)
    with pytest.raises(services.ValidationError) as refused:
        services.do_handle(
            case, users["handler"], result="已清理", photos=[png("ok.png"), not_an_image("x.jpg")]
        )
    assert "照片“x.jpg”" in refused.value.message_dict["photos"][0]
    assert Case.objects.get(pk=case.pk).status == S.ACCEPTED
    assert not Attachment.objects.exists() and media_files() == []


@pytest.mark.django_db
def test_files_leave_the_disk_when_an_enclosing_block_rolls_back(users, garbage, media_files):
    case = case_in_state("accepted", users)
    with pytest.raises(RuntimeError), step_photos.atomic():
        services.do_handle(case, users["handler"], result="已清理", photos=[png("a.png")])
        assert len(media_files()) == 1
        raise RuntimeError("later in the caller")
    assert not Attachment.objects.exists() and media_files() == []
    assert Case.objects.get(pk=case.pk).status == S.ACCEPTED


@pytest.mark.django_db
def test_one_limit_on_the_number_of_photos(users, garbage, client_for, media_files):
    case = case_in_state("accepted", users)
    photos = [png(f"{i}.png") for i in range(services.MAX_PHOTOS + 1)]
    with pytest.raises(services.ValidationError) as refused:
        services.do_handle(case, users["handler"], result="已清理", photos=photos)
    assert refused.value.message_dict["photos"] == ["最多上传6张照片"]
    # The console says the same, next to its photos field, and writes nothing.
    response = client_for(users["handler"]).post(
        reverse("console:action", args=[case.number, "handle"]),
        {"result": "已清理", "photos": [png(f"{i}.png") for i in range(7)]},
    )
    assert response.status_code == 200
    assert response.context["action_forms"][0]["form"].errors["photos"] == ["最多上传6张照片"]
    assert Case.objects.get(pk=case.pk).status == S.ACCEPTED
    assert not Attachment.objects.exists() and media_files() == []


# --- merge checks the master's scope ---------------------------------------------------------


@pytest.fixture
def narrow_scope(monkeypatch, users):
    """Today only street-wide roles merge; a narrower scope (a future role, a changed rule) must
    still keep the master out of reach: the operator's scope here excludes the case `hidden`."""
    from civicgrid.cases.services import side_paths

    hidden = {}
    real = side_paths.scope_cases

    def scoped(queryset, user):
        return real(queryset, user).exclude(pk__in=hidden.values())

    monkeypatch.setattr(side_paths, "scope_cases", scoped)
    return hidden


@pytest.mark.django_db
def test_a_master_outside_the_scope_is_refused_alike_on_both_surfaces(
    users, api, client_for, narrow_scope
):
    u = users
    master = case_in_state("filed", u)
    duplicate = report(u["resident2"])
    narrow_scope["master"] = master.pk
    message = f"主案件“{master.number}”不存在"
    with pytest.raises(services.ValidationError) as refused:
        services.do_merge(duplicate, u["chief"], master=master.number)
    assert refused.value.message_dict == {"master": [message]}
    response = api(u["chief"]).post(
        f"/api/cases/{duplicate.number}/merge/", {"master": master.number}, format="json"
    )
    assert response.status_code == 400 and response.json()["master"] == [message]
    response = client_for(u["chief"]).post(
        reverse("console:action", args=[duplicate.number, "merge"]), {"master": master.number}
    )
    assert response.status_code == 200 and message in response.content.decode()
    assert Case.objects.get(pk=duplicate.pk).status == S.REPORTED
    assert not CaseEvent.objects.filter(action__in=[A.MERGE, A.MERGE_RECEIVE]).exists()
    # Within the scope the same request merges.
    narrow_scope.clear()
    response = api(u["chief"]).post(
        f"/api/cases/{duplicate.number}/merge/", {"master": master.number}, format="json"
    )
    assert response.status_code == 200
    assert Case.objects.get(pk=duplicate.pk).merged_into_id == master.pk


def test_every_action_is_described_once_for_both_surfaces():
    from civicgrid.cases.api import serializers as s
    from civicgrid.cases.api.views import CaseViewSet
    from civicgrid.console.services import ACTIONS as CONSOLE

    assert set(CONSOLE) == set(ACTIONS) == set(s.ACTION_BODIES)
    for name, action in ACTIONS.items():
        assert CONSOLE[name].action is action
        assert getattr(CaseViewSet, action.method_name).url_path == action.path
        body = set(s.ACTION_BODIES[name]().fields)
        assert body == set(action.fields), name
