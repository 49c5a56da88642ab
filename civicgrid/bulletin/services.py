"""The 社区报's services: compile an issue from the period's data, edit an article, approve,
send back, publish. Each is atomic, locks the issue, checks bulletin.workflow, writes an
IssueEvent and returns what it did. Every text that enters an issue is scrubbed of personal
data (core.scrub) — the drafts' and the editors' alike."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import require
from civicgrid.accounts.policy import (
    BULLETIN_APPROVE_ROLES,
    BULLETIN_EDIT_ROLES,
    BULLETIN_VIEW_ROLES,
)
from civicgrid.bulletin import drafts, workflow
from civicgrid.bulletin.choices import IssueAction, IssueState, Section, Topic
from civicgrid.bulletin.models import Article, Issue, IssueEvent
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.inputs import InputError, check_date
from civicgrid.core.scrub import scrub_text
from civicgrid.core.text import field_text

DEFAULT_MASTHEAD = "社区晨报"
DEFAULT_MASTHEAD_EN = "SHANGHAI COMMUNITY NEWS"
DEFAULT_MOTTO = "自家门口这点事"
DEFAULT_PUBLISHER = "街道党工委、办事处联合出版"
MAX_PERIOD_DAYS = 366
SECTION_ORDER = {s.value: i for i, s in enumerate(Section)}


def may_view(user) -> bool:
    return bool(user and user.is_authenticated and user.effective_role in BULLETIN_VIEW_ROLES)


def may_edit(user) -> bool:
    return bool(user and user.is_authenticated and user.effective_role in BULLETIN_EDIT_ROLES)


# The group of the 宣传/党建办 (created by migration 0002 with the permission below).
APPROVER_GROUP = "宣传/党建办"
APPROVE_PERMISSION = "bulletin.approve_bulletin"


def may_approve(user) -> bool:
    """审定 is the 宣传/党建办's (the permission, given through its group) or the admin's."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.effective_role in BULLETIN_APPROVE_ROLES or user.has_perm(APPROVE_PERMISSION)


def _now(now):
    return now or timezone.now()


def _event(issue, action, user, now, *, from_state="", to_state="", article=None, note=""):
    return IssueEvent.objects.create(
        issue=issue,
        action=action,
        from_state=from_state,
        to_state=to_state,
        article=article,
        user=user,
        note=note[:300],
        at=now,
    )


def _date(value, field, label, *, required=True):
    if value in (None, ""):
        if required:
            raise ValidationError({field: _("请填写%(label)s") % {"label": label}})
        return None
    if isinstance(value, str):
        try:
            value = datetime.date.fromisoformat(value.strip())
        except ValueError:
            raise ValidationError(
                {field: _("%(label)s不是有效日期，请按 2026-11-01 的格式填写") % {"label": label}}
            ) from None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise ValidationError({field: _("%(label)s不是有效日期") % {"label": label}})
    try:
        return check_date(value)
    except InputError as error:
        raise ValidationError({field: error.message}) from None


def _positive(value, field, label, low, high):
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("%(label)s须为整数") % {"label": label}}) from None
    if isinstance(value, bool) or not low <= number <= high:
        raise ValidationError(
            {
                field: _("%(label)s应在 %(low)s 至 %(high)s 之间")
                % {"label": label, "low": low, "high": high}
            }
        )
    return number


def _clean(text: str) -> str:
    return scrub_text(text or "")


def compose(ctx: drafts.Context, number: int) -> list[dict]:
    """The articles of an issue from the period's data: one per programme with something to
    tell, the digest of their leads (要闻简讯) first and the links last. Pure reads."""
    written = []
    for source in drafts.sources():
        figures = source.gather(ctx)
        if figures is None:
            continue
        text = source.write(figures)
        written.append((source, figures, text))
    articles = []
    if written:
        digest = drafts.write_digest([text["lead"] for _s, _f, text in written])
        articles.append(
            {
                "section": Section.NEWS,
                "topic": Topic.DIGEST,
                "department": _("街道党建办"),
                "figures": {},
                **digest,
            }
        )
    for source, figures, text in written:
        articles.append(
            {
                "section": source.section,
                "topic": source.topic,
                "department": str(source.department),
                "figures": figures,
                **{k: v for k, v in text.items() if k != "lead"},
            }
        )
    links = drafts.write_links(number)
    articles.append(
        {
            "section": Section.LINKS,
            "topic": Topic.LINKS,
            "department": _("街道党建办"),
            "figures": {},
            **links,
        }
    )
    articles.sort(key=lambda a: SECTION_ORDER[a["section"]])
    return articles


def do_compile_issue(
    user,
    *,
    number,
    issue_date,
    period_first,
    period_last,
    next_date=None,
    pages=4,
    masthead=DEFAULT_MASTHEAD,
    publisher=DEFAULT_PUBLISHER,
    now=None,
) -> Issue:
    """A new issue in 初稿, its articles drafted from the data of period_first..period_last.
    ValidationError on bad input (nothing written), PermissionDenied for other roles."""
    if user is not None:
        require(may_edit(user), _("您的角色无权编辑社区报"))
    now = _now(now)
    number = _positive(number, "number", _("期号"), 1, 99999)
    pages = _positive(pages, "pages", _("版数"), 1, 32)
    issue_date = _date(issue_date, "issue_date", _("出版日期"))
    first = _date(period_first, "period_first", _("数据起始日"))
    last = _date(period_last, "period_last", _("数据截止日"))
    next_date = _date(next_date, "next_date", _("下期出版日期"), required=False)
    if last < first:
        raise ValidationError({"period_last": _("数据截止日不能早于起始日")})
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        raise ValidationError(
            {"period_last": _("一期的数据最长 %(n)s 天") % {"n": MAX_PERIOD_DAYS}}
        )
    if last > issue_date:
        raise ValidationError({"period_last": _("数据截止日不能晚于出版日期")})
    today = timezone.localdate(now)
    if last > today:
        raise ValidationError({"period_last": _("数据截止日不能晚于今天：未来还没有数据")})
    if issue_date > today + datetime.timedelta(days=MAX_PERIOD_DAYS):
        raise ValidationError({"issue_date": _("出版日期不能晚于一年以后")})
    if next_date is not None and next_date <= issue_date:
        raise ValidationError({"next_date": _("下期出版日期应晚于本期出版日期")})
    masthead = field_text(masthead, "masthead", _("报头"), 50, required=True)
    publisher = field_text(publisher, "publisher", _("出版单位"), 100, required=True)
    if Issue.objects.filter(number=number).exists():
        raise ValidationError({"number": _("第 %(n)s 期已存在") % {"n": number}})
    articles = compose(drafts.Context(user, first, last, now), number)
    try:
        with transaction.atomic():
            issue = Issue.objects.create(
                number=number,
                masthead=masthead,
                masthead_en=DEFAULT_MASTHEAD_EN,
                motto=DEFAULT_MOTTO,
                publisher=publisher,
                issue_date=issue_date,
                next_date=next_date,
                pages=pages,
                period_first=first,
                period_last=last,
                compiled_by=user,
                compiled_at=now,
            )
            Article.objects.bulk_create(
                [
                    Article(
                        issue=issue,
                        section=a["section"],
                        topic=a["topic"],
                        position=i,
                        title=_clean(a["title"])[:100],
                        body=_clean("\n".join(a["body"])),
                        department=a["department"],
                        figures=a["figures"],
                        table=a["table"],
                        chart_svg=a["chart"],
                    )
                    for i, a in enumerate(articles)
                ]
            )
            _event(
                issue,
                IssueAction.COMPILE,
                user,
                now,
                to_state=IssueState.DRAFT,
                note=_("%(n)s 篇稿件") % {"n": len(articles)},
            )
    except IntegrityError:
        raise ValidationError({"number": _("第 %(n)s 期已存在") % {"n": number}}) from None
    return issue


def _locked(issue) -> Issue:
    return Issue.objects.select_for_update(of=("self",)).get(pk=issue.pk)


def _move(issue, action, user, now, note="", article=None) -> Issue:
    to = workflow.target(action, issue.state)
    if to is None:
        raise IllegalTransition(
            _("本期当前状态为“%(state)s”，不能%(action)s")
            % {"state": issue.get_state_display(), "action": IssueAction(action).label}
        )
    from_state = issue.state
    issue.state = to
    issue.revision += 1
    fields = ["state", "revision"]
    if to == IssueState.PUBLISHED:
        issue.published_at = now
        fields.append("published_at")
    issue.save(update_fields=fields)
    _event(issue, action, user, now, from_state=from_state, to_state=to, article=article, note=note)
    return issue


def do_edit_article(user, article, *, title, body, byline="", department="", now=None) -> Article:
    """The editors' words for an article (the figures, table and chart stay as compiled); the
    issue becomes 已编辑. Refused once approved or published."""
    require(user is None or may_edit(user), _("您的角色无权编辑社区报"))
    now = _now(now)
    errors = {}
    title = field_text(title, "title", _("标题"), 100, required=True, errors=errors)
    body = field_text(body, "body", _("正文"), 5000, required=True, errors=errors)
    byline = field_text(byline, "byline", _("署名"), 50, errors=errors)
    department = field_text(department, "department", _("供稿部门"), 50, errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        issue = _locked(article.issue)
        article = Article.objects.select_for_update(of=("self",)).get(pk=article.pk, issue=issue)
        _move(issue, "edit", user, now, article=article, note=article.title)
        article.title = _clean(title)
        article.body = _clean(body.replace("\r\n", "\n"))
        article.byline = _clean(byline)
        article.department = department
        article.is_edited = True
        article.save(update_fields=["title", "body", "byline", "department", "is_edited"])
    return article


def do_approve(user, issue, *, note="", now=None) -> Issue:
    """审定 (党建办/宣传): an edited issue becomes 已审定."""
    require(user is None or may_approve(user), _("仅党建办/宣传审定人可审定社区报"))
    note = field_text(note, "note", _("说明"), 300)
    with transaction.atomic():
        return _move(_locked(issue), "approve", user, _now(now), note)


def do_return(user, issue, *, note, now=None) -> Issue:
    """退回修改: an approved issue goes back to the editors, with the reason."""
    require(user is None or may_approve(user), _("仅党建办/宣传审定人可退回社区报"))
    note = field_text(note, "note", _("退回原因"), 300, required=True)
    with transaction.atomic():
        return _move(_locked(issue), "return", user, _now(now), note)


def do_publish(user, issue, *, now=None) -> Issue:
    """出版: an approved issue becomes public (web page, PDF, WeChat article) and frozen."""
    require(user is None or may_approve(user), _("仅党建办/宣传审定人可出版社区报"))
    with transaction.atomic():
        return _move(_locked(issue), "publish", user, _now(now))


def do_keep_pdf(issue, content: bytes) -> Issue:
    """Keep the PDF rendered for the issue's current revision in storage (a cache: the rows'
    words are the truth; a PDF of an older revision is replaced)."""
    from django.core.files.base import ContentFile

    with transaction.atomic():
        locked = _locked(issue)
        old = locked.pdf.name if locked.pdf else ""
        locked.pdf.save(
            f"issue-{locked.number}-r{locked.revision}.pdf", ContentFile(content), save=False
        )
        locked.pdf_revision = locked.revision
        locked.save(update_fields=["pdf", "pdf_revision"])
    if old and old != locked.pdf.name:
        locked.pdf.storage.delete(old)
    return locked


def published():
    return Issue.objects.filter(state=IssueState.PUBLISHED)


def visible_issues(user):
    """Every issue for the bulletin's staff; the published ones for anyone else."""
    return Issue.objects.all() if may_view(user) else published()
