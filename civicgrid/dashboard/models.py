"""Rollups of the case loop for the dashboard, maintained as cases change (see rollups.py).

One table of counters, `Rollup`, keyed by (grain, day, micro_grid, category, department, source,
deadline). A grain is one combination of dimensions; the dimensions a grain does not use hold 0 /
"" / the NO_DEADLINE sentinel (plain integers, not foreign keys, so that the key never contains
NULL and one upsert — INSERT … ON CONFLICT DO UPDATE SET n = n + excluded.n — works on SQLite and
PostgreSQL alike):

- daily grains, `deadline` = NO_DEADLINE: `reported` counts intake by the day of report (with
  `reported_decided`/`reported_filed` for 有效上报率), the cohort counters (filed … satisfied,
  verified … first_contact_on_time) count the 综合评价 cohort by the day of filing —
  A (day, source) and K (day, category) and E (day, department) for the whole street,
  S (day, micro_grid, source), C (day, micro_grid, category), D (day, micro_grid, department)
  for grid scopes and drill-downs, G (day, micro_grid) for the per-grid tables and the map;
- P (filing day, micro_grid, category, department, source, handling deadline): cohort cases not
  yet handled — they become 应结案/超期 when their deadline passes, which no save announces, so the
  deadline is part of the key and the query compares it with "now";
- O (micro_grid, category, department, source, running deadline): cases still open; overdue now
  = open with the running deadline (立案派遣 / 处置 / 核查 clock by state) before now.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Sentinels instead of NULL inside the unique key.
NO_DEADLINE = datetime.datetime(2999, 1, 1, tzinfo=datetime.UTC)
NO_DAY = datetime.date(2000, 1, 1)


class Grain(models.TextChoices):
    """Which dimensions a rollup row is keyed by."""

    STREET_SOURCE = "A", _("日×来源")
    STREET_CATEGORY = "K", _("日×类别")
    STREET_DEPARTMENT = "E", _("日×部门")
    GRID_SOURCE = "S", _("日×微网格×来源")
    GRID_CATEGORY = "C", _("日×微网格×类别")
    GRID_DEPARTMENT = "D", _("日×微网格×部门")
    GRID = "G", _("日×微网格")
    PENDING = "P", _("未处置立案案件（按处置期限）")
    OPEN = "O", _("在办案件（按当前时限）")


DAILY_GRAINS = ("A", "K", "E", "S", "C", "D", "G")
# By the day of report: intake, and (有效上报率) those whose filing is decided and those filed.
REPORT_COUNTERS = ("reported", "reported_decided", "reported_filed")
COHORT_COUNTERS = (
    "filed",
    "handled",
    "handled_on_time",
    "closed",
    "closed_on_time",
    "reworked",
    "extended",
    "rated",
    "satisfied",
    # 按时核实率, 解决率, 先行联系及时率 (cases.indicators' quality counts).
    "verified",
    "verified_on_time",
    "resolution_answered",
    "resolved",
    "hotline_tickets",
    "first_contact_on_time",
)
PENDING_COUNTERS = ("pending", "pending_reworked", "pending_closed")
COUNTERS = (*REPORT_COUNTERS, *COHORT_COUNTERS, *PENDING_COUNTERS, "open")
KEY_FIELDS = ("grain", "day", "micro_grid", "category", "department", "source", "deadline")


class Rollup(models.Model):
    """Counters of cases for one key; every figure of the dashboard is a sum over a few of these.

    Kept up to date by `dashboard.rollups` on every save of a case (the change of the case's
    contribution, in the same transaction), rebuilt from the cases by
    `manage.py rebuild_dashboard_rollups`.
    """

    grain = models.CharField(_("粒度"), max_length=1, choices=Grain.choices)
    day = models.DateField(_("日期"), help_text=_("上报日（上报数）或立案日（评价口径）"))
    micro_grid = models.IntegerField(_("微网格ID"), default=0, help_text=_("0 表示不分或未定位"))
    category = models.IntegerField(_("类别ID"), default=0)
    department = models.IntegerField(_("部门ID"), default=0, help_text=_("0 表示不分或未派遣"))
    source = models.CharField(_("来源"), max_length=20, default="", blank=True)
    deadline = models.DateTimeField(_("期限"), default=NO_DEADLINE)

    reported = models.IntegerField(_("上报数"), default=0)
    reported_decided = models.IntegerField(_("已受理判定数"), default=0)
    reported_filed = models.IntegerField(_("有效上报数"), default=0)
    filed = models.IntegerField(_("立案数"), default=0)
    handled = models.IntegerField(_("处置数"), default=0)
    handled_on_time = models.IntegerField(_("按期处置数"), default=0)
    closed = models.IntegerField(_("结案数（已处置）"), default=0)
    closed_on_time = models.IntegerField(_("按期结案数"), default=0)
    reworked = models.IntegerField(_("返工数（已处置）"), default=0)
    extended = models.IntegerField(_("延期数"), default=0)
    rated = models.IntegerField(_("评价数"), default=0)
    satisfied = models.IntegerField(_("满意数"), default=0)
    verified = models.IntegerField(_("核查次数"), default=0)
    verified_on_time = models.IntegerField(_("按时核查次数"), default=0)
    resolution_answered = models.IntegerField(_("已答是否解决数"), default=0)
    resolved = models.IntegerField(_("已解决数"), default=0)
    hotline_tickets = models.IntegerField(_("12345工单数"), default=0)
    first_contact_on_time = models.IntegerField(_("先行联系及时数"), default=0)
    pending = models.IntegerField(_("未处置数"), default=0)
    pending_reworked = models.IntegerField(_("未处置中返工数"), default=0)
    pending_closed = models.IntegerField(_("未处置中结案数"), default=0)
    open = models.IntegerField(_("在办数"), default=0)

    class Meta:
        verbose_name = _("大屏汇总")
        verbose_name_plural = _("大屏汇总")
        constraints = [
            models.UniqueConstraint(fields=list(KEY_FIELDS), name="dashboard_rollup_key"),
        ]
        indexes = [
            # The few live rows among the P/O rows that changes leave at zero.
            models.Index(
                fields=["grain", "deadline"],
                condition=Q(grain="O", open__gt=0),
                name="dashboard_rollup_open",
            ),
            models.Index(
                fields=["grain", "day"],
                condition=Q(grain="P", pending__gt=0),
                name="dashboard_rollup_pending",
            ),
        ]

    def __str__(self):
        return f"{self.grain} {self.day} {self.micro_grid}/{self.category}/{self.department}"


class VerificationTally(models.Model):
    """核查记录汇总: how many times a case was checked (核查, passed or failed) and how many of
    those checks came on time — the one part of a case's contribution to the rollups (按时核实率)
    that its own row does not hold: it is counted from the history (each VERIFY event), kept by
    `dashboard.rollups` as the events are written and rebuilt from them."""

    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("案件"),
    )
    verified = models.IntegerField(_("核查次数"), default=0)
    on_time = models.IntegerField(_("按时核查次数"), default=0)

    class Meta:
        verbose_name = _("核查记录汇总")
        verbose_name_plural = _("核查记录汇总")

    def __str__(self):
        return f"{self.case_id}: {self.on_time}/{self.verified}"
