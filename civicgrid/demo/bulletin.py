"""The demo street's 社区报 (seed 001: “本期 8 版 第 42 期 下期出版：9月9日 … 街道党工委、办事处联合
出版”): two issues compiled through bulletin.services from the demo's own data — 第41期 over the
30 days up to four weeks ago, edited, approved and published; 第42期 over the last 30 days,
its lead article edited and waiting for the 党建办's approval. No PDF is rendered here: the PDF
is made on the first download and kept in storage (bulletin.render)."""

import datetime

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.bulletin import services
from civicgrid.bulletin.models import Issue

PAGES = 8
EVERY_DAYS = 28  # seed 001: 8月12日 → 下期 9月9日
PERIOD_DAYS = 30


# The demo's 宣传/党建办 approver: the 分管领导's login (it reads the drafts; 审定 comes from the group).
APPROVER_USERNAME = "leader"


def _give_approver_group():
    """The group of migration 0003 (made again if a flushed test database lost it) to the
    demo's approver."""
    group, _created = Group.objects.get_or_create(name=services.APPROVER_GROUP)
    app_label, codename = services.APPROVE_PERMISSION.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    if permission is not None:
        group.permissions.add(permission)
    user = User.objects.filter(username=APPROVER_USERNAME, is_active=True).first()
    if user is not None:
        group.user_set.add(user)


def build_demo_bulletin(*, seed: int = 7, now=None) -> dict:
    """Compiles 第41期 (published) and 第42期 (edited); returns {number: articles} ({} when
    issues exist already)."""
    if Issue.objects.exists():
        return {}
    _give_approver_group()
    now = now or timezone.now()
    today = timezone.localdate(now)
    out = {}
    for number, issue_date in ((41, today - datetime.timedelta(days=EVERY_DAYS)), (42, today)):
        last = issue_date  # up to the day of printing: today's honour rolls are in 第42期
        issue = services.do_compile_issue(
            None,
            number=number,
            issue_date=issue_date,
            next_date=issue_date + datetime.timedelta(days=EVERY_DAYS),
            period_first=last - datetime.timedelta(days=PERIOD_DAYS - 1),
            period_last=last,
            pages=PAGES,
            now=now,
        )
        lead = issue.articles.exclude(topic="digest").exclude(topic="links").first()
        lead = lead or issue.articles.first()
        services.do_edit_article(
            None,
            lead,
            title=lead.title,
            body=lead.body,
            byline="本报通讯员",
            department=lead.department,
            now=now,
        )
        if number == 41:
            services.do_approve(None, issue, note="审定通过", now=now)
            services.do_publish(None, issue, now=now)
        out[number] = issue.articles.count()
    return out
