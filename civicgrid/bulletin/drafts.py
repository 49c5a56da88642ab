"""Drafts of the 社区报 written from the period's data (no invented facts).

Each source reads one programme's figures for the period (`gather`, a JSON-ready dict, or None
when the programme has nothing to tell), and a writer turns those figures into a short Chinese
article: a title, paragraphs, a table and a chart, in the section where the seeds print it. The
writers are pure functions of the figures, so an article says exactly what the data says and a
test can pin it. Personal data never enters: the figures are counts and rates, names are of
grids, projects, departments and organisations, and every text is scrubbed (core.scrub) before
it is stored (bulletin.services)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.bulletin import charts
from civicgrid.bulletin.choices import Section, Topic

TOP = 10  # rows of a table or chart in print


@dataclass
class Context:
    """What a source reads: the compiling user (the scope of the case indicators), the local
    days first..last and the moment of compiling."""

    user: object
    first: datetime.date
    last: datetime.date
    now: datetime.datetime


def _n(value) -> str:
    """A count or amount as the bulletin prints it: 1,234 or 12.5."""
    if value is None:
        return "—"
    value = float(value)
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _pct(value) -> str:
    """A percentage already in percent (indicators) as “93.5%”, or “—”."""
    return "—" if value is None else f"{float(value):.1f}%"


def _ratio(value) -> str:
    """A ratio 0..1 as a percentage."""
    return "—" if value is None else f"{float(value) * 100:.1f}%"


def _plain(value):
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _dates(f) -> str:
    first = datetime.date.fromisoformat(f["first"])
    last = datetime.date.fromisoformat(f["last"])
    return _("%(a)s至%(b)s") % {
        "a": f"{first.year}年{first.month}月{first.day}日",
        "b": f"{last.month}月{last.day}日" if last.year == first.year else f"{last:%Y年%m月%d日}",
    }


def _bounds(first, last):
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


# --- 城运案件: the loop's indicators --------------------------------------------------------------


class StreetReader:
    """The reader of a trusted compile (user None: a command, the demo): the whole street, as
    cases.permissions.scope_cases asks of a street-wide user."""

    is_authenticated = True
    sees_whole_street = True


def _reader(user):
    return StreetReader() if user is None else user


def gather_cases(ctx: Context):
    from civicgrid.cases.choices import CaseStatus
    from civicgrid.cases.indicators import OUT_OF_COHORT, compute
    from civicgrid.cases.models import Case
    from civicgrid.cases.permissions import scope_cases

    start, end = _bounds(ctx.first, ctx.last)
    street = compute(_reader(ctx.user), start, end, group="street", as_of=ctx.now)
    if not street or not street[0]["filed"]:
        return None
    row = street[0]
    # By category: one aggregate over the same cohort (a second compute would read it all again).
    by_category = list(
        scope_cases(Case.objects.all(), _reader(ctx.user))
        .filter(filed_at__gte=start, filed_at__lt=end)
        .exclude(status__in=OUT_OF_COHORT)
        .values("category__name")
        .annotate(filed=Count("pk"), closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)))
        .order_by("-filed", "category__name")
    )
    for group in by_category:
        group["name"] = group.pop("category__name")
    keys = ("filed", "due", "closed", "closed_on_time", "overdue", "rated", "satisfied")
    rates = ("closure_rate", "on_time_closure_rate", "satisfaction_rate")
    return {
        "first": ctx.first.isoformat(),
        "last": ctx.last.isoformat(),
        **{k: row[k] for k in keys},
        **{k: row[k] for k in rates},
        "grade": row["grade"],
        "categories": [
            {"name": r["name"] or _("未分类"), "filed": r["filed"], "closed": r["closed"]}
            for r in by_category[:6]
        ],
    }


def write_cases(f):
    body = [
        _(
            "%(dates)s，街道城运中心共立案 %(filed)s 件，其中应结案 %(due)s 件，已结案 %(closed)s 件，"
            "结案率 %(closure)s；按期结案 %(on_time)s 件，按期结案率 %(on_time_rate)s，"
            "综合评价等级 %(grade)s。"
        )
        % {
            "dates": _dates(f),
            "filed": _n(f["filed"]),
            "due": _n(f["due"]),
            "closed": _n(f["closed"]),
            "closure": _pct(f["closure_rate"]),
            "on_time": _n(f["closed_on_time"]),
            "on_time_rate": _pct(f["on_time_closure_rate"]),
            "grade": f["grade"] or "—",
        },
    ]
    if f["overdue"]:
        body.append(_("超期 %(n)s 件，已列入督办跟踪。") % {"n": _n(f["overdue"])})
    if f["rated"]:
        body.append(
            _("群众评价 %(rated)s 件，满意和基本满意 %(satisfied)s 件，满意率 %(rate)s。")
            % {
                "rated": _n(f["rated"]),
                "satisfied": _n(f["satisfied"]),
                "rate": _pct(f["satisfaction_rate"]),
            }
        )
    if f["categories"]:
        top = f["categories"][0]
        body.append(
            _("从类别看，立案最多的是“%(name)s”，共 %(n)s 件。")
            % {"name": top["name"], "n": _n(top["filed"])}
        )
    return {
        "title": _("城运中心本期立案 %(n)s 件 结案率 %(rate)s")
        % {"n": _n(f["filed"]), "rate": _pct(f["closure_rate"])},
        "lead": _("城运中心立案 %(n)s 件，按期结案率 %(rate)s")
        % {"n": _n(f["filed"]), "rate": _pct(f["on_time_closure_rate"])},
        "body": body,
        "table": {
            "columns": [_("类别"), _("立案"), _("结案")],
            "rows": [[c["name"], _n(c["filed"]), _n(c["closed"])] for c in f["categories"]],
        },
        "chart": charts.bars([(c["name"], c["filed"]) for c in f["categories"]], unit=_("件")),
    }


# --- 12345 热线: the half-year report ------------------------------------------------------------


def half_year(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The half-year (1 January–30 June or 1 July–31 December) that holds `day`."""
    if day.month <= 6:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 6, 30)
    return datetime.date(day.year, 7, 1), datetime.date(day.year, 12, 31)


def gather_hotline(ctx: Context):
    from civicgrid.cases.choices import CaseSource, CaseStatus
    from civicgrid.cases.indicators import compute
    from civicgrid.cases.models import Case
    from civicgrid.cases.permissions import scope_cases

    first, last = half_year(ctx.last)
    last = min(last, ctx.last)
    start, end = _bounds(first, last)
    tickets = scope_cases(Case.objects.all(), _reader(ctx.user)).filter(
        source=CaseSource.HOTLINE_12345, reported_at__gte=start, reported_at__lt=end
    )
    totals = tickets.aggregate(
        received=Count("pk"),
        sent_back=Count("pk", filter=Q(status=CaseStatus.SENT_BACK)),
        closed=Count("pk", filter=Q(status=CaseStatus.CLOSED)),
    )
    if not totals["received"]:
        return None
    months = {
        m.date().isoformat() if hasattr(m, "date") else m.isoformat(): n
        for m, n in tickets.annotate(m=TruncMonth("reported_at"))
        .values_list("m")
        .annotate(n=Count("pk"))
        .values_list("m", "n")
    }
    street = compute(_reader(ctx.user), start, end, group="street", as_of=ctx.now)
    row = street[0] if street else {}
    return {
        "first": first.isoformat(),
        "last": last.isoformat(),
        "half": 1 if first.month == 1 else 2,
        "year": first.year,
        **totals,
        "first_contact_on_time": row.get("first_contact_on_time", 0),
        "hotline_tickets": row.get("hotline_tickets", 0),
        "first_contact_rate": row.get("first_contact_rate"),
        "months": [{"month": k[:7], "n": v} for k, v in sorted(months.items())],
    }


def write_hotline(f):
    half = _("上半年") if f["half"] == 1 else _("下半年")
    body = [
        _(
            "%(dates)s，街道共受理 12345 市民服务热线工单 %(received)s 件，已办结 %(closed)s 件，"
            "按规定退单 %(sent_back)s 件。"
        )
        % {
            "dates": _dates(f),
            "received": _n(f["received"]),
            "closed": _n(f["closed"]),
            "sent_back": _n(f["sent_back"]),
        }
    ]
    if f["hotline_tickets"]:
        body.append(
            _(
                "立案的 %(n)s 件工单中，%(on_time)s 件在时限内先行联系市民，先行联系及时率 %(rate)s。"
            )
            % {
                "n": _n(f["hotline_tickets"]),
                "on_time": _n(f["first_contact_on_time"]),
                "rate": _pct(f["first_contact_rate"]),
            }
        )
    return {
        "title": _("%(year)s年%(half)s 12345 热线工单 %(n)s 件")
        % {"year": f["year"], "half": half, "n": _n(f["received"])},
        "lead": _("%(half)s受理 12345 工单 %(n)s 件") % {"half": half, "n": _n(f["received"])},
        "body": body,
        "table": {
            "columns": [_("月份"), _("工单")],
            "rows": [[m["month"], _n(m["n"])] for m in f["months"]],
        },
        "chart": charts.bars([(m["month"], m["n"]) for m in f["months"]], unit=_("件")),
    }


# --- 垃圾分类 ----------------------------------------------------------------------------------


def gather_sorting(ctx: Context):
    from civicgrid.sorting import reports

    figures = reports.report(None, ctx.first, ctx.last, group="community", now=ctx.now)
    total = figures["total"]
    if not figures["rows"] or not (total["kg_total"] or total["inspected"]):
        return None
    return {
        "first": ctx.first.isoformat(),
        "last": ctx.last.isoformat(),
        "kg_total": _plain(total["kg_total"]),
        "reduction_rate": _plain(total["reduction_rate"]),
        "inspected": total["inspected"],
        "passed": total["passed"],
        "pass_rate": _plain(total["pass_rate"]),
        "grade": str(total["grade_label"]),
        "communities": [
            {
                "name": r["name"],
                "kg": _plain(r["kg_total"]),
                "reduction_rate": _plain(r["reduction_rate"]),
                "pass_rate": _plain(r["pass_rate"]),
            }
            for r in figures["rows"]
        ],
    }


def write_sorting(f):
    body = [
        _("%(dates)s，全街道生活垃圾分类称重 %(kg)s 公斤，干垃圾减量率 %(rate)s。")
        % {"dates": _dates(f), "kg": _n(f["kg_total"]), "rate": _ratio(f["reduction_rate"])}
    ]
    if f["inspected"]:
        body.append(
            _("街道检查投放点 %(n)s 次，达标 %(passed)s 次，达标率 %(rate)s，评定等级“%(grade)s”。")
            % {
                "n": _n(f["inspected"]),
                "passed": _n(f["passed"]),
                "rate": _ratio(f["pass_rate"]),
                "grade": f["grade"],
            }
        )
    ranked = [c for c in f["communities"] if c["reduction_rate"] is not None]
    ranked.sort(key=lambda c: -c["reduction_rate"])
    if ranked:
        body.append(
            _("减量率最高的是%(name)s，达到 %(rate)s。")
            % {"name": ranked[0]["name"], "rate": _ratio(ranked[0]["reduction_rate"])}
        )
    return {
        "title": _("垃圾分类：干垃圾减量率 %(rate)s") % {"rate": _ratio(f["reduction_rate"])},
        "lead": _("垃圾分类减量率 %(rate)s") % {"rate": _ratio(f["reduction_rate"])},
        "body": body,
        # The ten 居村 that reduced most: a page has no room for sixty rows.
        "table": {
            "columns": [_("居村"), _("称重（公斤）"), _("减量率"), _("检查达标率")],
            "rows": [
                [c["name"], _n(c["kg"]), _ratio(c["reduction_rate"]), _ratio(c["pass_rate"])]
                for c in ranked[:TOP]
            ],
        },
        "chart": charts.bars(
            [(c["name"], (c["reduction_rate"] or 0) * 100) for c in ranked[:TOP]], unit="%"
        ),
    }


# --- 出租屋消防三色码 ------------------------------------------------------------------------------


def gather_firesafety(ctx: Context):
    from civicgrid.firesafety.services import dashboard_tile

    tile = dashboard_tile(None, ctx.first, ctx.last, ctx.now)
    if not tile["coded"]:
        return None
    return {
        "green": tile["green"],
        "yellow": tile["yellow"],
        "red": tile["red"],
        "unrated": tile["unrated"],
        "coded": tile["coded"],
        "overdue_reds": tile["overdue_reds"],
        "registered": tile["coverage"]["registered"],
        "coverage": tile["coverage"]["ratio"],
    }


def write_firesafety(f):
    body = [
        _(
            "截至本期，街道出租屋消防“三色码”已赋码 %(coded)s 户，一户一码覆盖率 %(coverage)s。"
            "其中绿码 %(green)s 户、黄码 %(yellow)s 户、红码 %(red)s 户，待评定 %(unrated)s 户。"
        )
        % {
            "coded": _n(f["coded"]),
            "coverage": _ratio(f["coverage"]),
            "green": _n(f["green"]),
            "yellow": _n(f["yellow"]),
            "red": _n(f["red"]),
            "unrated": _n(f["unrated"]),
        }
    ]
    if f["red"]:
        body.append(
            _("红码户须限期整改，其中逾期未改 %(n)s 户，已启动基层约请。")
            % {"n": _n(f["overdue_reds"])}
        )
    return {
        "title": _("三色码：绿码 %(green)s 户 红码 %(red)s 户")
        % {"green": _n(f["green"]), "red": _n(f["red"])},
        "lead": _("出租屋赋码 %(n)s 户，红码 %(red)s 户")
        % {"n": _n(f["coded"]), "red": _n(f["red"])},
        "body": body,
        "table": {
            "columns": [_("颜色"), _("户数")],
            "rows": [
                [_("绿码"), _n(f["green"])],
                [_("黄码"), _n(f["yellow"])],
                [_("红码"), _n(f["red"])],
                [_("待评定"), _n(f["unrated"])],
            ],
        },
        "chart": charts.bars(
            [(_("绿码"), f["green"]), (_("黄码"), f["yellow"]), (_("红码"), f["red"])],
            unit=_("户"),
            colours=["#2e7d32", "#f2b705", "#c62828"],
        ),
    }


# --- 沿街商铺 -----------------------------------------------------------------------------------


def gather_shops(ctx: Context):
    from civicgrid.shops.services import tile

    figures = tile(None, ctx.last)
    if not figures["blocks"]:
        return None
    return {k: figures[k] for k in ("blocks", "fresh", "yellow", "red", "ratio", "shops")} | {
        "inspections": figures["inspections"],
        "pass_rate": figures["pass_rate"],
    }


def write_shops(f):
    body = [
        _(
            "街道沿街商铺共划分 %(blocks)s 个区块、在册商铺 %(shops)s 家，半月一轮的信息更新中，"
            "%(fresh)s 个区块按时完成，信息鲜活率 %(ratio)s；临近期限 %(yellow)s 个，逾期 %(red)s 个。"
        )
        % {
            "blocks": _n(f["blocks"]),
            "shops": _n(f["shops"]),
            "fresh": _n(f["fresh"]),
            "ratio": _ratio(f["ratio"]),
            "yellow": _n(f["yellow"]),
            "red": _n(f["red"]),
        }
    ]
    if f["inspections"]:
        body.append(
            _("本月门责检查 %(n)s 次，合格率 %(rate)s。")
            % {"n": _n(f["inspections"]), "rate": _ratio(f["pass_rate"])}
        )
    return {
        "title": _("沿街商铺信息鲜活率 %(ratio)s") % {"ratio": _ratio(f["ratio"])},
        "lead": _("沿街商铺 %(n)s 家，信息鲜活率 %(ratio)s")
        % {"n": _n(f["shops"]), "ratio": _ratio(f["ratio"])},
        "body": body,
        "table": {
            "columns": [_("区块状态"), _("个数")],
            "rows": [
                [_("按时更新"), _n(f["fresh"])],
                [_("临近期限"), _n(f["yellow"])],
                [_("逾期"), _n(f["red"])],
            ],
        },
        "chart": charts.bars(
            [(_("按时更新"), f["fresh"]), (_("临近期限"), f["yellow"]), (_("逾期"), f["red"])],
            unit=_("个"),
            colours=["#2e7d32", "#f2b705", "#c62828"],
        ),
    }


# --- 爱心银行 -----------------------------------------------------------------------------------


def gather_timebank(ctx: Context):
    from civicgrid.timebank import reports

    figures = reports.report(None, ctx.first, ctx.last)
    if not figures["records"]:
        return None
    return {
        "first": ctx.first.isoformat(),
        "last": ctx.last.isoformat(),
        "hours": round(figures["hours"], 1),
        "records": figures["records"],
        "registered": figures["volunteers"]["registered"],
        "double_report": figures["volunteers"]["double_report"],
        "projects": figures["projects"],
        "partners": figures["partners"],
        # Projects only, not volunteers: a volunteer's consent (timebank's do_set_name_consent)
        # is to be named on an honour roll (the 光荣榜 article prints those), not in these figures.
        "by_project": [
            {"name": r["project__name"], "hours": round(r["hours"], 1), "records": r["records"]}
            for r in figures["by_project"][:6]
        ],
    }


def write_timebank(f):
    body = [
        _(
            "%(dates)s，“爱心银行”志愿者为社区老人服务 %(records)s 次，累计 %(hours)s 小时。"
            "目前登记志愿者 %(registered)s 人（其中双报到 %(double)s 人），"
            "开展助老项目 %(projects)s 个，公益伙伴 %(partners)s 家。"
        )
        % {
            "dates": _dates(f),
            "records": _n(f["records"]),
            "hours": _n(f["hours"]),
            "registered": _n(f["registered"]),
            "double": _n(f["double_report"]),
            "projects": _n(f["projects"]),
            "partners": _n(f["partners"]),
        }
    ]
    if f["by_project"]:
        top = f["by_project"][0]
        body.append(
            _("服务时长最多的项目是“%(name)s”，共 %(hours)s 小时。")
            % {"name": top["name"], "hours": _n(top["hours"])}
        )
    return {
        "title": _("爱心银行：志愿服务 %(hours)s 小时") % {"hours": _n(f["hours"])},
        "lead": _("志愿服务 %(n)s 次、%(hours)s 小时")
        % {"n": _n(f["records"]), "hours": _n(f["hours"])},
        "body": body,
        "table": {
            "columns": [_("项目"), _("服务次数"), _("小时")],
            "rows": [[p["name"], _n(p["records"]), _n(p["hours"])] for p in f["by_project"]],
        },
        "chart": charts.bars([(p["name"], p["hours"]) for p in f["by_project"]], unit=_("时")),
    }


# --- 社区项目 -----------------------------------------------------------------------------------


def gather_projects(ctx: Context):
    from civicgrid.projects.models import Campaign
    from civicgrid.projects.services import report

    campaign = Campaign.objects.order_by("-year", "-id").first()
    if campaign is None:
        return None
    figures = report(ctx.user, campaign, ctx.last)
    if not any(step["count"] for step in figures["funnel"]):
        return None
    return {
        "campaign": campaign.name,
        "quota": campaign.quota,
        "funnel": [{"label": str(s["label"]), "count": s["count"]} for s in figures["funnel"]],
        "budget": _plain(figures["budget"]),
        "progress": [
            {"title": r["project"].title, "percent": r["percent"], "late": len(r["late"])}
            for r in figures["rows"][:8]
        ],
    }


def write_projects(f):
    funnel = f["funnel"]
    body = [
        _("“%(campaign)s”共征集项目 %(n)s 个，进入各阶段的项目数见下图。")
        % {"campaign": f["campaign"], "n": _n(funnel[0]["count"] if funnel else 0)}
    ]
    if f["progress"]:
        done = sum(1 for p in f["progress"] if p["percent"] >= 100)
        body.append(
            _("已推荐实施的项目中，%(done)s 个已完成全部节点，预算合计 %(budget)s 元。")
            % {"done": _n(done), "budget": _n(f["budget"])}
        )
        late = [p for p in f["progress"] if p["late"]]
        if late:
            body.append(
                _("“%(title)s”等 %(n)s 个项目有节点逾期，正在督促推进。")
                % {"title": late[0]["title"], "n": _n(len(late))}
            )
    return {
        "title": _("%(campaign)s进展") % {"campaign": f["campaign"]},
        "lead": _("社区项目征集 %(n)s 个") % {"n": _n(funnel[0]["count"] if funnel else 0)},
        "body": body,
        "table": {
            "columns": [_("项目"), _("进度")],
            "rows": [[p["title"], f"{p['percent']}%"] for p in f["progress"]],
        },
        "chart": charts.bars([(s["label"], s["count"]) for s in funnel], unit=_("个")),
    }


# --- 三会 ---------------------------------------------------------------------------------------


def gather_meetings(ctx: Context):
    from civicgrid.core.scrub import scrub_text
    from civicgrid.meetings.choices import MeetingState
    from civicgrid.meetings.models import Meeting

    start, end = _bounds(ctx.first, ctx.last)
    rows = list(
        Meeting.objects.filter(
            state__in=[MeetingState.PUBLISHED, MeetingState.FOLLOWED_UP],
            published_at__gte=start,
            published_at__lt=end,
        )
        .select_related("community")
        .order_by("published_at", "id")[:8]
    )
    if not rows:
        return None
    return {
        "first": ctx.first.isoformat(),
        "last": ctx.last.isoformat(),
        "meetings": [
            {
                "kind": str(m.get_kind_display()),
                "community": m.community.name if m.community_id else "",
                "title": m.title,
                "decision": str(m.get_decision_display()) if m.decision else "",
                "outcome": scrub_text(m.outcome)[:120],
            }
            for m in rows
        ],
    }


def write_meetings(f):
    meetings = f["meetings"]
    body = [
        _("%(dates)s，各居村召开“三会”并公布结果 %(n)s 场。")
        % {"dates": _dates(f), "n": _n(len(meetings))}
    ]
    for m in meetings[:4]:
        line = _("%(community)s%(kind)s：“%(title)s”") % m
        if m["decision"]:
            line += _("，结论：%(decision)s") % m
        if m["outcome"]:
            line += _("。%(outcome)s") % m
        body.append(line.rstrip("。") + "。")
    return {
        "title": _("“三会”议定事项 %(n)s 项") % {"n": _n(len(meetings))},
        "lead": _("“三会”公布结果 %(n)s 场") % {"n": _n(len(meetings))},
        "body": body,
        "table": {
            "columns": [_("居村"), _("会议"), _("议题"), _("结论")],
            "rows": [[m["community"], m["kind"], m["title"], m["decision"]] for m in meetings],
        },
        "chart": "",
    }


# --- 公示公告 and 光荣榜 (civicgrid.notices), 星级党组织 (civicgrid.party) ---------------------------


def gather_notices(ctx: Context):
    from civicgrid.notices.choices import NoticeKind
    from civicgrid.notices.services import published_between

    kinds = [k for k in NoticeKind if k != NoticeKind.HONOUR_ROLL]
    rows = published_between(ctx.first, ctx.last, kinds=kinds)
    if not rows:
        return None
    return {
        "first": ctx.first.isoformat(),
        "last": ctx.last.isoformat(),
        "notices": [
            {
                "kind": str(r["kind_label"]),
                "title": r["title"],
                "scope": r["scope"],
                "department": r["department"],
                "objections": r["objections"],
                "answered": r["answered"],
            }
            for r in rows[:12]
        ],
        "total": len(rows),
    }


def write_notices(f):
    notices = f["notices"]
    objections = sum(n["objections"] for n in notices)
    answered = sum(n["answered"] for n in notices)
    body = [
        _("%(dates)s，街道和各居村发布公示公告 %(n)s 件。")
        % {"dates": _dates(f), "n": _n(f["total"])}
    ]
    if objections:
        body.append(
            _("公示期内收到居民异议 %(n)s 条，已答复 %(answered)s 条。")
            % {"n": _n(objections), "answered": _n(answered)}
        )
    for n in notices[:4]:
        body.append(_("%(scope)s%(kind)s：“%(title)s”。") % n)
    return {
        "title": _("本期公示公告 %(n)s 件") % {"n": _n(f["total"])},
        "lead": _("发布公示公告 %(n)s 件") % {"n": _n(f["total"])},
        "body": body,
        "table": {
            "columns": [_("类型"), _("标题"), _("范围"), _("异议")],
            "rows": [
                [n["kind"], n["title"], n["scope"], f"{n['answered']}/{n['objections']}"]
                for n in notices
            ],
        },
        "chart": "",
    }


def gather_honours(ctx: Context):
    from civicgrid.notices.models import Notice
    from civicgrid.notices.services import honour_rolls_between

    # The notices app puts on a roll only those who consented to be named (a 身边好人's nominee,
    # a volunteer); organisations (星级党组织) need none.
    rolls = honour_rolls_between(ctx.first, ctx.last)
    rolls = [r for r in rolls if r["entries"]]
    if not rolls:
        return None
    # The roll's kind (身边好人, 优秀志愿者, 星级党组织, or written by hand) names who it honours.
    sources = dict(
        Notice.objects.filter(pk__in=[r["id"] for r in rolls]).values_list("pk", "source")
    )
    return {
        "rolls": [
            {
                "title": r["title"],
                "scope": r["scope"],
                "source": sources.get(r["id"], ""),
                "entries": [
                    {"name": e["name"], "citation": scrub_citation(e["citation"])}
                    for e in r["entries"][:20]
                ],
            }
            for r in rolls
        ]
    }


def scrub_citation(text: str) -> str:
    from civicgrid.core.scrub import scrub_text

    return scrub_text(text or "")[:120]


def _honoured(source: str, n: int) -> str:
    """Who a roll honours, counted: “3 位身边好人”, “2 个星级党组织”; a roll written by hand may
    name people or units, so it says neither."""
    from civicgrid.notices.choices import NoticeSource

    words = {
        NoticeSource.NOMINATIONS: _("%(n)s 位身边好人"),
        NoticeSource.VOLUNTEERS: _("%(n)s 位优秀志愿者"),
        NoticeSource.STAR_RATING: _("%(n)s 个星级党组织"),
    }.get(source, _("%(n)s 个先进典型"))
    return words % {"n": _n(n)}


def write_honours(f):
    from civicgrid.notices.choices import NoticeSource

    body = []
    counts = {}  # by the roll's kind (its source), in the order the rolls come
    for roll in f["rolls"]:
        names = "、".join(e["name"] for e in roll["entries"])
        body.append(
            _("%(scope)s“%(title)s”：%(names)s。")
            % {"scope": roll["scope"], "title": roll["title"], "names": names}
        )
        source = roll.get("source", "")
        counts[source] = counts.get(source, 0) + len(roll["entries"])
    honoured = "、".join(_honoured(source, n) for source, n in counts.items())
    people = {NoticeSource.NOMINATIONS, NoticeSource.VOLUNTEERS}
    return {
        "title": _("光荣榜：%(who)s") % {"who": honoured},
        "lead": _("光荣榜表彰 %(who)s") % {"who": honoured},
        "body": body,
        "table": {
            "columns": [_("姓名") if set(counts) <= people else _("名称"), _("事迹")],
            "rows": [[e["name"], e["citation"]] for r in f["rolls"] for e in r["entries"]],
        },
        "chart": "",
    }


def gather_party(ctx: Context):
    from civicgrid.party.models import StarRating

    rows = list(
        StarRating.objects.filter(awarded_on__gte=ctx.first, awarded_on__lte=ctx.last, stars__gte=5)
        .order_by("organisation__name")
        .values_list("organisation__name", "stars", "awarded_by", "year")
    )
    if not rows:
        return None
    return {
        "organisations": [
            {"name": name, "stars": stars, "awarded_by": by, "year": year}
            for name, stars, by, year in rows
        ]
    }


def write_party(f):
    organisations = f["organisations"]
    first = organisations[0]
    body = [
        _("%(by)s评定 %(n)s 个党组织为%(year)s年度“五星级党组织”：%(names)s。")
        % {
            "by": first["awarded_by"],
            "n": _n(len(organisations)),
            "year": first["year"],
            "names": "、".join(o["name"] for o in organisations),
        }
    ]
    return {
        "title": _("%(n)s 个党组织获评五星级") % {"n": _n(len(organisations))},
        "lead": _("%(n)s 个党组织获评五星级") % {"n": _n(len(organisations))},
        "body": body,
        "table": {
            "columns": [_("党组织"), _("星级"), _("评定机关")],
            "rows": [[o["name"], "★" * o["stars"], o["awarded_by"]] for o in organisations],
        },
        "chart": "",
    }


# --- the digest and the links -------------------------------------------------------------------


def write_digest(leads: list[str]) -> dict:
    """要闻简讯: one line per article of the issue, from their leads."""
    return {
        "title": _("本期要闻"),
        "body": [f"● {lead}。" for lead in leads],
        "table": {},
        "chart": "",
    }


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def write_links(number: int) -> dict:
    """链接: where the reader finds this issue and the street's services online."""
    lines = [
        (_("本期网页版"), _url("bulletin:public", number)),
        (_("本期微信图文"), _url("bulletin:wechat", number)),
        (_("网上报事（随申拍）"), _url("public:report")),
        (_("报事进度查询"), _url("public:track")),
    ]
    return {
        "title": _("链接"),
        "body": [f"{label}：{url}" for label, url in lines if url],
        "table": {},
        "chart": "",
    }


@dataclass
class Source:
    topic: str
    section: str
    department: str
    gather: object
    write: object


def sources() -> list[Source]:
    """The programmes an issue is compiled from, in the order they are printed."""
    return [
        Source(Topic.CASES, Section.DATA, _("城运中心"), gather_cases, write_cases),
        Source(Topic.HOTLINE, Section.DATA, _("城运中心"), gather_hotline, write_hotline),
        Source(Topic.SORTING, Section.EXPERIENCE, _("社区管理办"), gather_sorting, write_sorting),
        Source(Topic.FIRESAFETY, Section.DATA, _("平安办"), gather_firesafety, write_firesafety),
        Source(Topic.SHOPS, Section.DATA, _("城管中队"), gather_shops, write_shops),
        Source(Topic.TIMEBANK, Section.HONOURS, _("社区自治办"), gather_timebank, write_timebank),
        Source(
            Topic.PROJECTS, Section.EXPERIENCE, _("社区自治办"), gather_projects, write_projects
        ),
        Source(Topic.MEETINGS, Section.NEWS, _("社区自治办"), gather_meetings, write_meetings),
        Source(Topic.NOTICES, Section.NEWS, _("街道党政办"), gather_notices, write_notices),
        Source(Topic.HONOURS, Section.HONOURS, _("街道党建办"), gather_honours, write_honours),
        Source(Topic.PARTY, Section.HONOURS, _("街道党建办"), gather_party, write_party),
    ]
