"""The staff's notification centre: each step's staff message lands in the centre of every
account behind its recipient, in the step's transaction; the header's badge on every staff
page; the list, opening an item (read, then the case), marking all read; the API."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from civicgrid.cases import notifications, services
from civicgrid.messaging import inbox
from civicgrid.messaging.models import Notification
from civicgrid.testing.cases import case_in_state, report


def texts(user, kind=None):
    items = Notification.objects.filter(user=user).select_related("message")
    if kind:
        items = items.filter(message__kind=kind)
    return [n.message.text for n in items.order_by("pk")]


def test_each_step_tells_the_staff_who_must_act(clock, users, garbage):
    u = users
    case = case_in_state("dispatched", u, cat=garbage)
    # New dispatch: the department's handler, nobody in the other department.
    assert texts(u["handler"], "dispatch") == [f"新派遣：请接单处置案件{case.number}"]
    assert texts(u["handler_fg"]) == []
    # Returned: the operators.
    services.do_return(case, u["handler"], reason="不属于城管职责")
    assert texts(u["operator"], "return") == [f"案件{case.number}被退回，请重新派遣"]
    # Extension request: the 值班长 (nobody on the roster: every 值班长).
    services.do_dispatch(case, u["operator"])
    services.do_accept(case, u["handler"])
    services.do_request_extension(case, u["handler"], reason="需要协调物业", days=2)
    assert texts(u["chief"], "request_extension") == [f"案件{case.number}有延期申请，请值班长审批"]
    # Handled: the grid staff of the micro-grid wait to verify (current posts only).
    services.do_handle(case, u["handler"], result="已清运")
    waiting = f"案件{case.number}已处置，等待网格员核查"
    for who in ("worker", "colleague", "gridhead"):
        assert texts(u[who], "handle") == [waiting], who
    for who in ("former", "worker2", "gridleader"):
        assert texts(u[who], "handle") == [], who
    # Reworked: back to the handler.
    services.do_verify_fail(case, u["worker"], reason="现场仍有垃圾")
    assert texts(u["handler"], "verify_fail") == [f"案件{case.number}核查不通过，请返工处置"]
    # Residents have no notification centre.
    assert not Notification.objects.filter(user=u["resident"]).exists()


def test_supervision_reaches_the_handler(users, garbage, clock):
    from civicgrid.duty.services import do_supervise

    case = case_in_state("accepted", users, cat=garbage)
    do_supervise(
        case,
        users["dutyleader"],
        instruction="请今天内处理",
        deadline=timezone.now() + datetime.timedelta(hours=4),
    )
    assert any("被督办" in t for t in texts(users["handler"], "supervise"))


def test_unread_count_is_one_query_and_follows_reads(
    users, garbage, clock, django_assert_num_queries
):
    handler = users["handler"]
    case_in_state("dispatched", users, cat=garbage)
    case_in_state("dispatched", users, cat=garbage)
    for _ in range(2):  # the same on every page
        with django_assert_num_queries(1):
            assert inbox.unread_count(handler) == 2
    first = Notification.objects.filter(user=handler).order_by("pk").first()
    inbox.do_mark_read(handler, first.pk)
    assert inbox.unread_count(handler) == 1
    case_in_state("dispatched", users, cat=garbage)
    assert inbox.unread_count(handler) == 2
    assert inbox.do_mark_all_read(handler) == 2
    assert inbox.unread_count(handler) == 0
    with pytest.raises(Notification.DoesNotExist):
        inbox.do_mark_read(users["handler_fg"], first.pk)  # not theirs


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("handler", "/console/inbox/"),
        ("operator", "/console/"),
        ("worker", "/m/"),
        ("operator", "/dashboard/"),
        ("handler", "/notifications/"),
    ],
)
def test_the_badge_is_on_every_staff_page(users, garbage, clock, client_for, who, path):
    case = case_in_state("handled", users, cat=garbage)
    services.do_verify_fail(case, users["worker"], reason="未清理")  # handler: 2, worker: 1
    services.do_handle(case, users["handler"], result="已清理")  # worker: 2
    notifications.schedule(
        [
            notifications.Message(
                "warning_yellow", case.number, notifications.Recipient("operator"), "黄灯"
            )
        ]
    )
    expected = Notification.objects.filter(user=users[who], read_at__isnull=True).count()
    assert expected > 0
    page = client_for(users[who]).get(path)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/notifications/"' in html
    assert f'data-unread="{expected}"' in html
    assert f'<span class="notify-count" aria-hidden="true">{expected}</span>' in html


def test_no_badge_for_residents_and_visitors(users):
    visitor = Client()
    assert "notify-link" not in visitor.get("/login/").content.decode()
    assert visitor.get("/notifications/").status_code == 302
    resident = Client()
    resident.force_login(users["resident"])
    assert "notify-link" not in resident.get("/resident/").content.decode()
    assert resident.get("/notifications/").status_code == 403


def test_the_list_opens_an_item_to_the_case_and_marks_all_read(
    users, garbage, clock, client_for, django_assert_max_num_queries
):
    cases = [case_in_state("dispatched", users, cat=garbage) for _ in range(3)]
    client = client_for(users["handler"])
    page = client.get("/notifications/").content.decode()
    # Newest first, unread highlighted.
    positions = [page.index(c.number) for c in reversed(cases)]
    assert positions == sorted(positions)
    assert page.count('class="unread"') == 3
    newest = Notification.objects.filter(user=users["handler"]).order_by("-pk").first()
    opened = client.post(f"/notifications/{newest.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/console/case/{cases[-1].number}/"
    newest.refresh_from_db()
    assert newest.read_at is not None
    assert client.get(opened["Location"]).status_code == 200
    page = client.get("/notifications/?unread=1").content.decode()
    assert cases[-1].number not in page and cases[0].number in page
    assert 'data-unread="2"' in page
    # Opening it again changes nothing; another user's item is a 404; GET is refused.
    assert client.post(f"/notifications/{newest.pk}/open/").status_code == 302
    other = Client()
    other.force_login(users["handler_fg"])
    assert other.post(f"/notifications/{newest.pk}/open/").status_code == 404
    assert client.get(f"/notifications/{newest.pk}/open/").status_code == 405
    assert client.post("/notifications/99999999999999999999/open/").status_code == 404
    done = client.post("/notifications/read-all/", follow=True)
    assert "已将2条通知标为已读" in done.content.decode()
    assert 'data-unread="0"' in done.content.decode()
    # The list's queries do not grow with its length.
    for _ in range(25):
        case_in_state("dispatched", users, cat=garbage)
    with django_assert_max_num_queries(10):
        page = client.get("/notifications/")
    assert page.status_code == 200 and 'href="?page=2' in page.content.decode()


def test_a_grid_worker_lands_on_the_phone_case_page(users, garbage, clock, client_for):
    case = case_in_state("handled", users, cat=garbage)
    item = Notification.objects.get(user=users["worker"], message__kind="handle")
    client = client_for(users["worker"])
    opened = client.post(f"/notifications/{item.pk}/open/")
    assert opened["Location"] == f"/m/cases/{case.number}/"
    assert client.get(opened["Location"]).status_code == 200


def test_the_api(users, garbage, clock, api):
    case = case_in_state("dispatched", users, cat=garbage)
    case_in_state("dispatched", users, cat=garbage)
    client = api(users["handler"])
    listed = client.get("/api/notifications/")
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 2
    oldest = body["results"][-1]
    assert oldest["case_number"] == case.number and oldest["unread"] is True
    assert oldest["link"] == f"/console/case/{case.number}/"
    assert oldest["kind"] == "dispatch" and case.number in oldest["text"]
    assert client.get("/api/notifications/unread-count/").json() == {"unread": 2}
    read = client.post(f"/api/notifications/{oldest['id']}/read/")
    assert read.status_code == 200 and read.json()["unread"] is False
    assert client.get("/api/notifications/?unread=true").json()["count"] == 1
    assert client.get("/api/notifications/?unread=perhaps").status_code == 400
    assert (
        api(users["handler_fg"]).post(f"/api/notifications/{oldest['id']}/read/").status_code == 404
    )
    assert client.post("/api/notifications/read-all/").json() == {"marked": 1}
    assert client.get("/api/notifications/unread-count/").json() == {"unread": 0}
    assert api(users["resident"]).get("/api/notifications/").status_code == 403
    assert api().get("/api/notifications/").status_code in (401, 403)
    schema = api(users["operator"]).get("/api/schema/?format=json").json()
    assert "/api/notifications/{id}/read/" in schema["paths"]


def test_muted_history_keeps_the_centre_but_sends_nothing(users, garbage, clock, outbox):
    from civicgrid.messaging.models import Delivery, OutboxMessage

    with notifications.muted():
        case_in_state("dispatched", users, cat=garbage)
    assert not OutboxMessage.objects.exists()
    with notifications.muted(inbox=True):
        case = report(users["resident"], garbage)
        at = timezone.now() - datetime.timedelta(days=3)
        services.do_file(case, users["operator"], now=at)
        services.do_dispatch(case, users["operator"], now=at)
    assert not Delivery.objects.exists()
    item = Notification.objects.get(user=users["handler"])
    assert item.created_at == at  # dated by the step


def test_the_badge_is_cached_and_every_change_shows_at_once(
    users, garbage, clock, client_for, django_assert_num_queries, django_capture_on_commit_callbacks
):
    handler = users["handler"]
    client = client_for(handler)

    def badge():
        html = client.get("/console/inbox/").content.decode()
        return int(html.split('data-unread="', 1)[1].split('"', 1)[0])

    case_in_state("dispatched", users, cat=garbage)
    assert badge() == 1
    with django_assert_num_queries(0):  # read from the shared cache, not counted again
        assert inbox.badge_count(handler) == 1
    # A new notification (inbox.add, a step's bulk insert) shows on the next page.
    case_in_state("dispatched", users, cat=garbage)
    assert badge() == 2
    # Opening one, then marking all read.
    first = Notification.objects.filter(user=handler).order_by("pk").first()
    client.post(f"/notifications/{first.pk}/open/")
    assert badge() == 1
    client.post("/notifications/read-all/")
    assert badge() == 0
    # A reader that cached the count inside the writing transaction (before its commit) does not
    # keep it: the badge is dropped once more at the commit.
    with django_capture_on_commit_callbacks(execute=True):
        case_in_state("dispatched", users, cat=garbage)
        inbox.badge_count(handler)
    assert inbox.badge_count(handler) == 1
