"""Compiling an issue from known figures, the workflow draft → edited → approved → published,
its history, and bad input (nothing written)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.bulletin import services
from civicgrid.bulletin.models import Issue, IssueEvent
from civicgrid.cases.services import IllegalTransition
from civicgrid.testing.cases import case_in_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_cases(users, garbage, clock):
    """Four cases of 暴露垃圾 filed today: two closed, one closed and rated 满意, one dispatched
    (within its limit: not yet due)."""
    for state in ("closed", "closed", "rated", "dispatched"):
        case_in_state(state, users, cat=garbage)


def _article(issue, topic):
    return issue.articles.get(topic=topic)


def test_a_bulletin_compiled_from_known_figures_contains_exactly_them(known_cases, compile_issue):
    issue = compile_issue()
    assert issue.state == "draft"
    assert list(issue.articles.values_list("topic", flat=True)) == ["digest", "cases", "links"]
    cases = _article(issue, "cases")
    assert cases.section == "data"
    assert cases.title == "城运中心本期立案 4 件 结案率 100.0%"
    assert cases.paragraphs == [
        "2026年11月1日至11月23日，街道城运中心共立案 4 件，其中应结案 3 件，已结案 3 件，"
        "结案率 100.0%；按期结案 3 件，按期结案率 100.0%，综合评价等级 A。",
        "群众评价 1 件，满意和基本满意 1 件，满意率 100.0%。",
        "从类别看，立案最多的是“暴露垃圾”，共 4 件。",
    ]
    assert cases.figures["filed"] == 4 and cases.figures["closed"] == 3
    assert cases.table == {"columns": ["类别", "立案", "结案"], "rows": [["暴露垃圾", "4", "3"]]}
    assert "<svg" in cases.chart_svg
    assert _article(issue, "digest").paragraphs == ["● 城运中心立案 4 件，按期结案率 100.0%。"]
    links = _article(issue, "links").paragraphs
    assert "本期网页版：/bulletin/42/" in links and "本期微信图文：/bulletin/42/wechat/" in links
    assert [e.action for e in issue.events.all()] == ["compile"]


def test_a_period_without_data_gives_no_invented_article(users, compile_issue):
    issue = compile_issue(
        period_first=datetime.date(2026, 1, 1), period_last=datetime.date(2026, 1, 31)
    )
    assert list(issue.articles.values_list("topic", flat=True)) == ["links"]


def test_the_workflow_and_its_history(known_cases, compile_issue, users):
    issue = compile_issue()
    with pytest.raises(IllegalTransition):
        services.do_approve(users["leader"], issue)
    article = _article(issue, "cases")
    services.do_edit_article(
        users["operator"],
        article,
        title="城运中心十一月工作回顾",
        body="第一段。\r\n\r\n第二段。",
        byline="本报通讯员",
        department="城运中心",
    )
    article.refresh_from_db()
    assert article.paragraphs == ["第一段。", "第二段。"] and article.is_edited
    assert article.figures["filed"] == 4  # the facts stay as compiled
    with pytest.raises(PermissionDenied):
        services.do_approve(users["operator"], issue)
    issue = services.do_approve(users["leader"], issue, note="同意")
    assert issue.state == "approved"
    with pytest.raises(IllegalTransition):
        services.do_edit_article(users["operator"], article, title="改", body="改。")
    with pytest.raises(ValidationError) as refused:
        services.do_return(users["leader"], issue, note="")
    assert "退回原因" in str(refused.value)
    issue = services.do_return(users["leader"], issue, note="标题再斟酌")
    assert issue.state == "edited"
    services.do_approve(users["leader"], issue)
    issue = services.do_publish(users["leader"], issue)
    assert issue.state == "published" and issue.published_at is not None
    with pytest.raises(IllegalTransition):
        services.do_publish(users["leader"], issue)
    with pytest.raises(IllegalTransition):
        services.do_edit_article(users["operator"], article, title="改", body="改。")
    assert [(e.action, e.from_state, e.to_state) for e in issue.events.all()] == [
        ("compile", "", "draft"),
        ("edit", "draft", "edited"),
        ("approve", "edited", "approved"),
        ("return", "approved", "edited"),
        ("approve", "edited", "approved"),
        ("publish", "approved", "published"),
    ]
    event = issue.events.first()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        IssueEvent.objects.filter(issue=issue).update(note="x")
    with pytest.raises(ValueError):
        IssueEvent.objects.filter(issue=issue).delete()


def test_personal_data_an_editor_types_is_scrubbed(known_cases, compile_issue, users):
    issue = compile_issue()
    article = _article(issue, "cases")
    services.do_edit_article(
        users["operator"],
        article,
        title="张先生的来信",
        body="联系电话13912345678，住12号302室。",
    )
    article.refresh_from_db()
    assert "13912345678" not in article.body and "139****5678" in article.body
    assert "302室" not in article.body
    assert article.title == "*先生的来信"


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"period_first": datetime.date(2026, 11, 30)}, "period_last"),
        ({"period_first": "2026-13-01"}, "period_first"),
        ({"period_first": ""}, "period_first"),
        ({"pages": 0}, "pages"),
        ({"pages": "八"}, "pages"),
        ({"number": -1}, "number"),
        ({"next_date": datetime.date(2026, 11, 1)}, "next_date"),
        ({"issue_date": datetime.date(2026, 11, 20)}, "period_last"),
        ({"period_first": datetime.date(2024, 1, 1)}, "period_last"),
        ({"masthead": ""}, "masthead"),
        (
            {"period_last": datetime.date(2026, 11, 24), "issue_date": datetime.date(2026, 11, 30)},
            "period_last",
        ),
        ({"issue_date": datetime.date(9999, 12, 31), "next_date": None}, "issue_date"),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(compile_issue, users, fields, field):
    with pytest.raises(ValidationError) as refused:
        compile_issue(**fields)
    assert field in refused.value.message_dict
    assert not Issue.objects.exists()


def test_a_number_is_used_once_and_only_editors_compile(compile_issue, users):
    compile_issue(number=41)
    with pytest.raises(ValidationError) as refused:
        compile_issue(number=41)
    assert refused.value.message_dict["number"] == ["第 41 期已存在"]
    for role in ("staff", "dutyleader", "leader", "resident"):
        with pytest.raises(PermissionDenied):
            compile_issue(number=43, user=users[role])
    assert Issue.objects.count() == 1


def test_an_editor_s_bad_words_are_refused(known_cases, compile_issue, users):
    issue = compile_issue()
    article = _article(issue, "cases")
    with pytest.raises(ValidationError) as refused:
        services.do_edit_article(users["operator"], article, title="", body="x" * 5001)
    assert set(refused.value.message_dict) == {"title", "body"}
    with pytest.raises(PermissionDenied):
        services.do_edit_article(users["staff"], article, title="标题", body="正文。")
    article.refresh_from_db()
    issue.refresh_from_db()
    assert not article.is_edited and issue.state == "draft" and issue.events.count() == 1


def test_the_honour_roll_article_names_the_kind_of_roll(compile_issue, tree):
    """A published 优秀志愿者光荣榜 becomes the 光荣榜 article about volunteers, not 身边好人."""
    from civicgrid.bulletin.choices import Topic
    from civicgrid.notices.models import HonourEntry, Notice

    at = datetime.datetime(2026, 11, 10, 9, tzinfo=datetime.UTC)
    roll = Notice.objects.create(
        kind="honour_roll",
        scope_level="street",
        grid=tree["street"],
        title="爱心银行优秀志愿者光荣榜",
        body="以下志愿者服务时长居前。",
        department_name="街道党建办",
        state="published",
        published_at=at,
        version=1,
        source="volunteers",
        created_at=at,
        updated_at=at,
    )
    HonourEntry.objects.create(notice=roll, position=1, name="王志愿", citation="服务 120 小时")
    article = _article(compile_issue(), Topic.HONOURS)
    assert article.title == "光荣榜：1 位优秀志愿者"
    assert "王志愿" in article.body
