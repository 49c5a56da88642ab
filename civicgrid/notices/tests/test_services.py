"""The notice state machine, immutable versions, the objection period in working days, audience
rules and refused input (nothing saved)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicgrid.cases.services import IllegalTransition
from civicgrid.notices import services
from civicgrid.notices.models import NoticeEvent, NoticeVersion, Objection

pytestmark = pytest.mark.django_db


def publish(users, notice):
    services.do_submit(users["operator"], notice)
    return services.do_publish(users["admin"], notice)


def test_the_state_machine_draft_review_published_closed_archived(users, draft, clock):
    assert draft.state == "draft"
    with pytest.raises(IllegalTransition):
        services.do_publish(users["admin"], draft)  # not reviewed yet
    services.do_submit(users["operator"], draft)
    services.do_return(users["admin"], draft, note="请补充评分")
    draft.refresh_from_db()
    assert draft.state == "draft"
    services.do_edit_draft(
        users["operator"], draft, title=draft.title, body="共申报62个项目，择优推荐8个，评分附后。"
    )
    services.do_submit(users["operator"], draft)
    notice = services.do_publish(users["admin"], draft)
    assert (notice.state, notice.version, notice.approver) == ("published", 1, users["admin"])
    with pytest.raises(IllegalTransition):
        services.do_archive(users["operator"], notice)  # a 公示 is archived only after its period
    with pytest.raises(IllegalTransition):
        services.do_close_objections(users["operator"], notice)  # the period still runs
    clock.set(2026, 12, 1, 9, 0)
    services.do_close_objections(users["operator"], notice)
    services.do_archive(users["operator"], notice)
    notice.refresh_from_db()
    assert notice.state == "archived"
    assert list(NoticeEvent.objects.filter(notice=notice).values_list("action", flat=True)) == [
        "draft",
        "submit",
        "return",
        "edit",
        "submit",
        "publish",
        "close",
        "archive",
    ]
    with pytest.raises(IllegalTransition):
        services.do_withdraw(users["admin"], notice, reason="错误")


def test_withdrawn_with_a_public_reason(users, draft, client):
    notice = publish(users, draft)
    with pytest.raises(ValidationError):
        services.do_withdraw(users["admin"], notice, reason="  ")
    services.do_withdraw(users["admin"], notice, reason="评分统计有误，重新公示")
    page = client.get(f"/notices/{notice.pk}/")
    assert page.status_code == 200
    assert "评分统计有误，重新公示" in page.content.decode()


def test_a_community_worker_cannot_approve_or_write_for_the_street(users, draft, tree):
    services.do_submit(users["operator"], draft)
    with pytest.raises(PermissionDenied):
        services.do_publish(users["staff"], draft)
    with pytest.raises(PermissionDenied):
        services.do_draft_notice(
            users["staff"],
            kind="announcement",
            scope_level="street",
            grid=tree["street"],
            title="全街道通知",
            body="正文",
            department_name="居委",
        )
    mine = services.do_draft_notice(
        users["staff"],
        kind="announcement",
        scope_level="community",
        grid=tree["communities"][0],
        title="居委通知",
        body="正文",
        department_name="第1居委",
    )
    assert mine.grid == tree["communities"][0]
    with pytest.raises(PermissionDenied):
        services.do_draft_notice(
            users["staff"],
            kind="announcement",
            scope_level="community",
            grid=tree["communities"][1],
            title="别的居委",
            body="正文",
            department_name="居委",
        )


def test_published_versions_are_immutable_and_a_correction_is_a_new_version(users, draft, clock):
    notice = publish(users, draft)
    first = NoticeVersion.objects.get(notice=notice)
    first.body = "改过的"
    with pytest.raises(ValueError):
        first.save()
    with pytest.raises(ValueError):
        NoticeVersion.objects.filter(notice=notice).update(body="改过的")
    with pytest.raises(ValueError):
        first.delete()
    with pytest.raises(IllegalTransition):
        services.do_edit_draft(users["operator"], notice, title="x", body="偷偷改")
    clock.advance(days=1)
    services.do_correct(
        users["admin"],
        notice,
        title=notice.title,
        body="共申报62个项目，择优推荐8个（更正名单）。",
        note="第3名项目名称有误",
    )
    versions = list(NoticeVersion.objects.filter(notice=notice).values_list("number", "body"))
    assert versions == [
        (1, "共申报62个项目，择优推荐8个。"),
        (2, "共申报62个项目，择优推荐8个（更正名单）。"),
    ]
    notice.refresh_from_db()
    # The corrected 公示 runs a full period again: Tuesday + 5 working days → next Tuesday.
    assert notice.objection_until.date() == datetime.date(2026, 12, 1)


def test_the_objection_period_is_five_working_days_on_the_calendar(users, draft, clock):
    from civicgrid.workcalendar.services import publish_year

    # Friday 2026-11-27 a holiday in the published calendar: it is not counted.
    publish_year(2026, {datetime.date(2026, 11, 27): "测试假日"}, {})
    notice = publish(users, draft)
    # Published Monday 23rd; working days counted: Tue 24, Wed 25, Thu 26, (Fri 27 off), Mon 30, Tue 1.
    assert timezone.localtime(notice.objection_until).date() == datetime.date(2026, 12, 1)
    clock.set(2026, 11, 30, 16, 0)
    assert services.objection_open(notice)
    services.do_object(users["resident"], notice, text="第5名项目的预算偏高，请说明。")
    clock.set(2026, 12, 2, 9, 0)
    assert not services.objection_open(notice)
    with pytest.raises(IllegalTransition):
        services.do_object(users["resident"], notice, text="期限已过的异议内容")
    assert Objection.objects.count() == 1
