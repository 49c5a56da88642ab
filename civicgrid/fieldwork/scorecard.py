"""The 六个到位 monthly scorecard of each grid worker (六个到位考核: 联系、排查、帮教、管控、服务、
防范到位; issue 10 §3, seed 002), computed from the work already recorded — nothing is stored, so
it always agrees with the visits, patrols, follow-ups and cases it reads.

One measure per 到位, each a rate between 0 and 1 (None when there was nothing to measure):

* **联系到位** (contact) — household visit coverage: households of the worker's micro-grids the
  worker visited from the start of the quarter to the end of the month ÷ households registered
  there ("四百走访": every household once a quarter).
* **排查到位** (inspection) — patrol coverage of the month against the 巡块 plan (rounds done ÷
  rounds due; fieldwork.coverage).
* **帮教到位** (help) — follow-ups left by the worker's visits of the month that are settled:
  done, turned into a case, or put on the 专题会 agenda as a 难点 ÷ all of them.
* **管控到位** (control) — problems found on the worker's patrols of the month that became a
  case ÷ problems found.
* **服务到位** (service) — the worker's visits of the month tagged with 急难愁盼 needs that were
  answered (the visit became a case, or one of its follow-ups was settled) ÷ those visits.
* **防范到位** (prevention) — problems found before any complaint: the worker's reports of the
  month (not refused) with no resident, 12345 or Open311 report of the same category within
  100 m (same micro-grid when either has no location) in the 7 days before ÷ the worker's
  reports of the month.

Each measure scores rate × 100; the worker's score is the mean of the measures that had
something to measure (one decimal), None when none had.

A worker is a grid-worker account with a micro-grid post in force during the month; their
micro-grids are those posts' micro-grids. A grid leader and 居委 staff see the workers of the
micro-grids they oversee, a grid worker only themselves. The query count does not grow with the
number of workers (about a dozen queries for any scope).
"""

import dataclasses
import datetime
import math
import re

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import Role
from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import Case
from civicgrid.fieldwork import coverage
from civicgrid.fieldwork.choices import FindingResult
from civicgrid.fieldwork.models import FollowUp, PatrolArea, PatrolFinding, Visit
from civicgrid.fieldwork.services import my_micro_grids, quarter_bounds
from civicgrid.grids.choices import GROUP_POST_ROLES
from civicgrid.grids.models import GridPost
from civicgrid.proactive import indicators

# 防范到位 counts "found before any complaint" by proactive governance's one rule (the sources,
# 100 m or the same micro-grid, 7 days: CIVICGRID_PROACTIVE_FIRST_*; proactive.indicators).
COMPLAINT_SOURCES = indicators.COMPLAINT_SOURCES
MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")

# (key, label, what is measured), in the order of the seed's 六个到位.
MEASURES = (
    ("contact", _("联系到位"), _("本季度走访覆盖的户数 ÷ 所在微网格户数")),
    ("inspection", _("排查到位"), _("本月巡块已巡 ÷ 应巡")),
    ("help", _("帮教到位"), _("本月走访跟进事项已完成、转案件或列为难点 ÷ 全部跟进事项")),
    ("control", _("管控到位"), _("本月巡查发现问题转为案件 ÷ 发现问题")),
    ("service", _("服务到位"), _("本月急难愁盼走访已转案件或跟进落实 ÷ 急难愁盼走访")),
    ("prevention", _("防范到位"), _("本月上报案件早于居民、12345 投诉 ÷ 本月上报案件")),
)


@dataclasses.dataclass
class Measure:
    key: str
    label: str
    done: int = 0
    total: int = 0

    @property
    def rate(self) -> float | None:
        return self.done / self.total if self.total else None

    @property
    def score(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


@dataclasses.dataclass
class Card:
    worker_id: int
    name: str
    micro_grids: list = dataclasses.field(default_factory=list)
    measures: dict = dataclasses.field(default_factory=dict)

    @property
    def rows(self) -> list[Measure]:
        return [self.measures[key] for key, _label, _what in MEASURES]

    @property
    def score(self) -> float | None:
        scores = [m.score for m in self.rows if m.score is not None]
        return round(sum(scores) / len(scores), 1) if scores else None


def parse_month(raw: str, today: datetime.date) -> tuple[datetime.date, str]:
    """(first day of the month, error) from "YYYY-MM"; this month when empty."""
    raw = (raw or "").strip()
    if not raw:
        return today.replace(day=1), ""
    match = MONTH_PATTERN.match(raw)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        return today.replace(day=1), str(_("月份格式应为 YYYY-MM"))
    first = datetime.date(int(match.group(1)), int(match.group(2)), 1)
    if first > today:
        return today.replace(day=1), str(_("不能查看未来月份的考核"))
    return first, ""


def month_last(first: datetime.date) -> datetime.date:
    following = (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def workers(user, first: datetime.date, last: datetime.date) -> dict[int, Card]:
    """The grid workers `user` may see, with the micro-grids of their posts in force during the
    month (one query)."""
    posts = (
        GridPost.objects.filter(
            micro_grid__in=my_micro_grids(user).values("pk"),
            staff__user__role=Role.GRID_WORKER,
            staff__user__is_active=True,
            start_date__lte=last,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .exclude(role__in=list(GROUP_POST_ROLES))
    )
    if user.effective_role == Role.GRID_WORKER:
        posts = posts.filter(staff__user=user)
    cards: dict[int, Card] = {}
    rows = posts.values_list(
        "staff__user_id",
        "staff__user__username",
        "staff__user__last_name",
        "staff__user__first_name",
        "micro_grid_id",
        "micro_grid__name",
    ).order_by("micro_grid__code", "staff__user__username")
    for user_id, username, last_name, first_name, grid_id, grid_name in rows:
        card = cards.get(user_id)
        if card is None:
            name = f"{last_name}{first_name}".strip() or username
            card = cards[user_id] = Card(
                worker_id=user_id,
                name=name,
                measures={key: Measure(key, str(label)) for key, label, _w in MEASURES},
            )
        if (grid_id, grid_name) not in card.micro_grids:
            card.micro_grids.append((grid_id, grid_name))
    return cards


def _contact(cards, first, last) -> None:
    from civicgrid.registry.models import Household

    grid_ids = {g for card in cards.values() for g, _name in card.micro_grids}
    households = dict(
        Household.objects.filter(address__micro_grid_id__in=grid_ids)
        .values_list("address__micro_grid_id")
        .annotate(n=Count("pk"))
        .values_list("address__micro_grid_id", "n")
    )
    quarter_first, _quarter_last = quarter_bounds(first.year, (first.month - 1) // 3 + 1)
    visited = (
        Visit.objects.filter(
            worker_id__in=list(cards),
            micro_grid_id__in=grid_ids,
            visited_at__gte=_aware(quarter_first),
            visited_at__lt=_aware(last + datetime.timedelta(days=1)),
        )
        .values_list("worker_id", "micro_grid_id")
        .annotate(n=Count("household_id", distinct=True))
    )
    reached = {(worker_id, grid_id): n for worker_id, grid_id, n in visited}
    for card in cards.values():
        measure = card.measures["contact"]
        for grid_id, _name in card.micro_grids:
            measure.total += households.get(grid_id, 0)
            measure.done += reached.get((card.worker_id, grid_id), 0)


def _inspection(cards, first, last, now) -> None:
    rounds = coverage.plan(
        PatrolArea.objects.filter(worker_id__in=list(cards)), first, last, now=now
    )
    for r in rounds:
        if r.outcome == coverage.Outcome.PENDING:
            continue
        measure = cards[r.area.worker_id].measures["inspection"]
        measure.total += 1
        measure.done += r.outcome == coverage.Outcome.DONE


def _help_and_service(cards, start, end) -> None:
    settled = Q(is_done=True) | Q(case__isnull=False) | Q(topic__isnull=False)
    follow_ups = (
        FollowUp.objects.filter(
            visit__worker_id__in=list(cards),
            visit__visited_at__gte=start,
            visit__visited_at__lt=end,
        )
        .values_list("visit__worker_id")
        .annotate(total=Count("pk"), settled=Count("pk", filter=settled))
    )
    for worker_id, total, done in follow_ups:
        measure = cards[worker_id].measures["help"]
        measure.total, measure.done = total, done
    answered = FollowUp.objects.filter(settled, visit=OuterRef("pk"))
    visits = (
        Visit.objects.filter(
            worker_id__in=list(cards),
            visited_at__gte=start,
            visited_at__lt=end,
            needs__isnull=False,
        )
        .annotate(answered=Exists(answered))
        .values_list("pk", "worker_id", "case_id", "answered")
        .distinct()
    )
    for _pk, worker_id, case_id, was_answered in visits:
        measure = cards[worker_id].measures["service"]
        measure.total += 1
        measure.done += bool(case_id or was_answered)


def _control(cards, start, end) -> None:
    findings = (
        PatrolFinding.objects.filter(
            patrol__worker_id__in=list(cards),
            patrol__started_at__gte=start,
            patrol__started_at__lt=end,
            result=FindingResult.PROBLEM,
        )
        .values_list("patrol__worker_id")
        .annotate(total=Count("pk"), cased=Count("pk", filter=Q(case__isnull=False)))
    )
    for worker_id, total, cased in findings:
        measure = cards[worker_id].measures["control"]
        measure.total, measure.done = total, cased


def _prevention(cards, start, end) -> None:
    fields = ("pk", "category_id", "lon", "lat", "micro_grid_id", "reported_at")
    reports = list(
        Case.objects.filter(
            reporter_user_id__in=list(cards), reported_at__gte=start, reported_at__lt=end
        )
        .exclude(status=CaseStatus.NOT_FILED)
        .exclude(source__in=COMPLAINT_SOURCES)
        .values(*fields, "reporter_user_id")
    )
    if not reports:
        return
    complaints = indicators.Earlier(
        Case.objects.filter(
            source__in=COMPLAINT_SOURCES,
            category_id__in={r["category_id"] for r in reports},
            reported_at__gte=start - indicators.window(),
            reported_at__lt=end,
        ).values(*fields)
    )
    for report in reports:
        measure = cards[report["reporter_user_id"]].measures["prevention"]
        measure.total += 1
        if indicators.found_first(report, complaints):
            measure.done += 1


def scorecard(user, first: datetime.date, *, now=None) -> dict:
    """The 六个到位 scorecard of the month starting `first` for every grid worker `user` may
    see: {"first", "last", "measures" (key, label, what), "cards" (worst score first)}."""
    now = now or timezone.now()
    last = min(month_last(first), timezone.localdate(now))
    cards = workers(user, first, last)
    if cards:
        start, end = _aware(first), _aware(last + datetime.timedelta(days=1))
        _contact(cards, first, last)
        _inspection(cards, first, last, now)
        _help_and_service(cards, start, end)
        _control(cards, start, end)
        _prevention(cards, start, end)
    ordered = sorted(
        cards.values(),
        key=lambda c: (c.score if c.score is not None else math.inf, c.name),
    )
    return {"first": first, "last": last, "measures": MEASURES, "cards": ordered}
