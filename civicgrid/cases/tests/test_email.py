"""The e-mail channel: the reporter is told when the case is filed, handled and closed, with the
absolute link to rate it; staff are told at their accounts' addresses; delivery goes through the
outbox, woken by a django-tasks task after commit, and never breaks the action."""

import logging

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from civicgrid.cases import services
from civicgrid.cases.models import Case
from civicgrid.cases.notifications import mask_email
from civicgrid.testing.world import IN_MICRO

EMAIL = "civicgrid.cases.notifications.EmailChannel"


@pytest.fixture
def email_only(settings):
    settings.CIVICGRID_NOTIFICATION_CHANNELS = [EMAIL]
    settings.CIVICGRID_PUBLIC_BASE_URL = "https://civicgrid.example.org/"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def report(user, cat, **kw):
    lon, lat = IN_MICRO[0]
    return services.do_report(
        user=user, category=cat, description="楼下垃圾堆积", lon=lon, lat=lat, **kw
    ).case


def test_reporter_told_when_filed_handled_and_closed(
    users, garbage, clock, email_only, django_capture_on_commit_callbacks
):
    u = users
    case = report(u["resident"], garbage, reporter_email="zhang.san@example.com")
    assert case.reporter_email == "zhang.san@example.com"
    link = f"https://civicgrid.example.org/resident/t/{case.public_token}/"
    with django_capture_on_commit_callbacks(execute=True):
        services.do_file(case, u["operator"])
    with django_capture_on_commit_callbacks(execute=True):
        services.do_dispatch(case, u["operator"])
        services.do_accept(case, u["handler"])
    with django_capture_on_commit_callbacks(execute=True):
        services.do_handle(case, u["handler"], result="已清运")
    with django_capture_on_commit_callbacks(execute=True):
        services.do_verify_pass(case, u["worker"])

    to_reporter = [m for m in mail.outbox if m.to == ["zhang.san@example.com"]]
    assert len(to_reporter) == 3
    assert [m.subject for m in to_reporter] == [f"【网格化管理】案件{case.number}"] * 3
    assert "已立案" in to_reporter[0].body
    assert "已处置" in to_reporter[1].body
    assert "已结案" in to_reporter[2].body and "欢迎评价" in to_reporter[2].body
    assert all(link in m.body for m in to_reporter)
    # The link works: anyone holding it can follow the case on the residents' page, and rate
    # it there or through the API with the same token.
    from rest_framework.test import APIClient

    anonymous = APIClient()
    page = anonymous.get(link.replace("https://civicgrid.example.org", ""))
    assert page.status_code == 200 and case.number in page.content.decode()
    rated = anonymous.post(
        f"/api/cases/track/{case.public_token}/rate/", {"rating": "satisfied"}, format="json"
    )
    assert rated.status_code == 200


def test_resident_account_address_used_by_default(users, garbage, clock, email_only):
    users["resident"].email = "resident@example.com"
    users["resident"].save()
    case = report(users["resident"], garbage)
    assert case.reporter_email == "resident@example.com"
    # A grid worker's patrol report carries no reporter address of its own.
    users["worker"].email = "worker@example.com"
    users["worker"].save()
    assert report(users["worker"], garbage).reporter_email == ""


def test_staff_told_at_their_accounts(
    users, garbage, departments, clock, email_only, django_capture_on_commit_callbacks
):
    u = users
    u["handler"].email = "cg@example.org"
    u["handler"].save()
    u["operator"].email = "ops@example.org"
    u["operator"].save()
    u["worker"].email = "worker@example.org"
    u["worker"].save()
    case = report(u["resident"], garbage)  # no address: the reporter gets no e-mail
    with django_capture_on_commit_callbacks(execute=True):
        services.do_file(case, u["operator"])
        services.do_dispatch(case, u["operator"])  # 城管: its handler with an address
    assert [m.to for m in mail.outbox] == [["cg@example.org"]]
    assert case.number in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_return(case, u["handler"], reason="不属于城管职责")
    assert [m.to for m in mail.outbox] == [["ops@example.org"]]

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.do_dispatch(case, u["operator"], to_grid=True)  # grid-internal handling
    assert [m.to for m in mail.outbox] == [["worker@example.org"]]


def test_bad_address_refused_and_nothing_written(users, garbage, clock, api):
    before = Case.objects.count()
    with pytest.raises(ValidationError) as error:
        report(users["resident"], garbage, reporter_email="not-an-address")
    assert "reporter_email" in error.value.message_dict
    response = api(users["resident"]).post(
        "/api/cases/",
        {
            "category": garbage.pk,
            "description": "垃圾",
            "lon": IN_MICRO[0][0],
            "lat": IN_MICRO[0][1],
            "reporter_email": "x" * 250 + "@example.com",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "reporter_email" in response.data, response.data
    assert Case.objects.count() == before


def test_address_masked_in_outputs(users, garbage, clock, api):
    case = report(users["resident"], garbage, reporter_email="zhang.san@example.com")
    body = api(users["operator"]).get(f"/api/cases/{case.number}/").json()
    assert body["reporter_email"] == "z***@example.com"
    assert "zhang.san" not in str(api(users["operator"]).get("/api/cases/").json())
    assert mask_email("") == "" and mask_email("broken") == "******"


def test_failing_channel_never_breaks_the_action(
    users, garbage, clock, email_only, settings, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "civicgrid.cases.tests.test_email.BrokenBackend"
    settings.CIVICGRID_NOTIFICATION_CHANNELS = [
        EMAIL,
        "civicgrid.cases.notifications.MemoryChannel",
    ]
    case = report(users["resident"], garbage, reporter_email="a@example.com")
    with caplog.at_level(logging.ERROR, logger="civicgrid.cases.notifications"):
        with django_capture_on_commit_callbacks(execute=True):
            services.do_file(case, users["operator"])
    case.refresh_from_db()
    assert case.status == "filed"
    assert "通知发送失败" in caplog.text
    # The other channel still delivered.
    from civicgrid.cases.notifications import MemoryChannel

    assert [m.kind for m in MemoryChannel.outbox] == ["file"]


def test_delivery_is_a_background_task(
    users, garbage, clock, email_only, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from civicgrid.messaging.tasks import deliver_outbox_task

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    case = report(users["resident"], garbage, reporter_email="a@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.do_file(case, users["operator"])
    # Nothing sent yet: the worker, woken by the task, will deliver it from the outbox.
    assert mail.outbox == []
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "civicgrid.messaging.tasks.deliver_outbox_task"
    assert deliver_outbox_task.call()["delivered"] == 1
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    # A second wake-up (a repeated task) sends nothing again.
    assert deliver_outbox_task.call()["delivered"] == 0
    assert len(mail.outbox) == 1


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("no mail server")
