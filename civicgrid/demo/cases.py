"""The demo street's case history: ~300 cases over the last 60 days, made through the services.

Every case is reported and moved through the loop by the same `cases.services` functions the API
calls, so its history rows, deadlines (working-day calendar), counters (returns, rework,
extensions) and the 综合评价 indicators are real. Sources: grid patrol, residents (some logged in,
some anonymous with a phone or an e-mail), 12345 pushes, department self-reports and supervision.
Outcomes cover every state and side path: not filed, waiting, dispatched, accepted, returned and
re-dispatched, handled, reworked, closed, rated (不满意 reopens once), extensions, suspensions,
merged duplicates and 基层约请; old cases left open are overdue (red) after the warning scan,
recent ones near their limit yellow.

Backdating: every service takes the moment of its step as `now=`; the builder passes its own
clock, which moves forward through the 60 days (nothing global is patched). A case's
`updated_at` (auto_now, written at the real time) is set afterwards to the time of its last
history row (`backfill_updated_at`). No e-mail or text goes out for the made-up steps
(`notifications.muted`); the staff's notification centres get their items, dated by the step, and
what is older than a day, but each one's newest few, has been read (`read_old_notifications`).
Deterministic: the same seed and the same `now` give the same cases.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import Department, User
from civicgrid.cases import notifications, services, warnings
from civicgrid.cases.choices import (
    OPEN_STATUSES,
    CaseSource,
    HotlineRequestType,
    MediationOutcome,
    Rating,
    WarningLevel,
)
from civicgrid.cases.choices import CaseStatus as S
from civicgrid.cases.models import Case, CaseEvent, Category
from civicgrid.cases.services.clocks import first_contact_start
from civicgrid.dispatch.corpus import description_for
from civicgrid.grids.choices import GridLevel, PostRole
from civicgrid.grids.models import Grid, GridPost
from civicgrid.messaging import inbox
from civicgrid.workcalendar.services import get_calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")
MERGEABLE_MASTER = (S.REPORTED, S.FILED, S.DISPATCHED, S.ACCEPTED, S.RETURNED)
DEFAULT_CASES = 300
DAYS = 60

# The everyday problems of a street, most frequent first (family, code) → weight.
COMMON = {
    ("event", "0102"): 14,  # 暴露垃圾
    ("event", "0505"): 10,  # 机动车乱停放
    ("event", "0506"): 8,  # 非机动车乱停放
    ("event", "0507"): 7,  # 乱堆物堆料
    ("event", "0504"): 6,  # 店外经营
    ("event", "0201"): 6,  # 非法张贴小广告
    ("event", "0501"): 4,  # 无照经营游商
    ("event", "0301"): 4,  # 施工扰民
    ("event", "0510"): 2,  # 露天烧烤
    ("event", "0401"): 1,  # 路面塌陷
}
COMMUNITY_WEIGHT = 4  # each 社区扩展 category (楼道堆物, 飞线充电, 群租 …)
OTHER_WEIGHT = 1

# Of the cases older than a few days, how many are left unhandled (they show red); the rest of
# the old ones went through the loop. Reports of the last hours wait for 立案.
LATE_LEFT = 3
STALE_AFTER = datetime.timedelta(days=4)
TODAY_REPORTS = 5
# 协办: the first few stalled cases dispatched to a department get a co-handling department;
# every other one has given its feedback (the lead's 处置反馈 waits for the rest).
CO_HANDLED = 4
# 催办: the desk hurried this many cases near their deadline (yellow) and past it (red, twice).
HURRIED_YELLOW = 2
HURRIED_RED = 2

# Who writes a source's reports (dispatch.corpus.register_of): a resident's report does not open
# with 巡查发现, nor a patrol's with 打扰了; departments and supervisors write as patrols do.
WRITTEN_BY = {
    CaseSource.GRID_PATROL: "patrol",
    CaseSource.HOTLINE_12345: "hotline",
    CaseSource.RESIDENT: "resident",
}

# 先行联系 (the 12345 evaluation's 先行联系及时率): how the desk rings the caller back, by source —
# (share rung back within CIVICGRID_FIRST_CONTACT_HOURS, share rung back later); the rest never.
CONTACTS = {
    CaseSource.HOTLINE_12345: (0.85, 0.10),
    CaseSource.RESIDENT: (0.60, 0.15),
}
CONTACT_NOTES = [
    "已电话联系来电人，说明受理情况和处置时限",
    "已回电来电人，告知已派单处置，来电人表示认可",
    "已联系反映人，约定现场查看时间",
    "电话联系来电人，核实具体位置和情况",
]

# Which department handles what (demo department codes, see demo.names.DEPARTMENTS).
BY_CLASS = {
    ("event", "01"): "LHSR",
    ("event", "02"): "CGZD",
    ("event", "03"): "CGZD",
    ("event", "04"): "SWZ",
    ("event", "05"): "CGZD",
    ("event", "06"): "CGZD",
    ("component", "01"): "SWZ",
    ("component", "02"): "CGZD",
    ("component", "03"): "LHSR",
    ("component", "04"): "LHSR",
    ("component", "05"): "FGB",
    ("component", "06"): "WYGS",
}
BY_CODE = {("event", "0501"): "SCJG", ("event", "0504"): "SCJG"}
BY_NAME = [
    ("飞线充电", "XFJY"),
    ("消防", "XFJY"),
    ("群租", "FGB"),
    ("违法搭建", "FGB"),
    ("高空抛物", "PCS"),
    ("噪音", "PCS"),
    ("僵尸车", "PCS"),
    ("积水", "SWZ"),
]

SOURCES = [
    (CaseSource.GRID_PATROL, 40),
    (CaseSource.RESIDENT, 20),
    (CaseSource.HOTLINE_12345, 25),
    (CaseSource.DEPARTMENT, 8),
    (CaseSource.SUPERVISION, 7),
]
# What happens to a case (its plan); a plan stops early when the next step would be in the future.
PLANS = [
    ("closed_rated", 46),
    ("closed", 10),
    ("returned", 7),
    ("rework", 5),
    ("extension", 6),
    ("unsatisfied", 4),
    ("stalled", 6),
    ("not_filed", 5),
    ("suspended", 3),
    ("merged", 4),
    ("call_in", 2),
    ("waiting", 2),
    ("near_deadline", 3),
]
HOTLINE_TYPES = [
    (HotlineRequestType.HELP, 6),
    (HotlineRequestType.CONSULT, 2),
    (HotlineRequestType.SUPERVISE, 1),
    (HotlineRequestType.COMPLEX, 1),
]
DESCRIPTIONS = {
    "default": ["{a}附近发现{c},请处理", "{a}{c},影响居民出行和环境", "{c}:{a},已持续多日"],
}
RESULTS = ["已到场处置完毕,现场恢复正常", "已联系责任人整改到位", "已清理,拍照留存", "已告知并劝离"]


class _Clock:
    """The builder's clock: the moment of the next step (passed to the services as `now=`)."""

    def __init__(self, at):
        self.at = at


def backfill_updated_at() -> int:
    """Every case's `updated_at` set to the time of its last history row (the steps were made up
    at other times than the real one that auto_now wrote). Not a field the dashboard rollups
    watch."""
    last = CaseEvent.objects.filter(case=OuterRef("pk")).order_by("-at", "-id").values("at")[:1]
    return Case.objects.update(updated_at=Coalesce(Subquery(last), F("updated_at")))


def _weighted(rng: random.Random, items):
    values, weights = zip(*items, strict=True)
    return rng.choices(values, weights=weights)[0]


class _CaseMaker:
    def __init__(self, seed: int, now: datetime.datetime):
        self.rng = random.Random(seed * 7919 + 11)
        self.now = now
        self.clock = _Clock(now)
        self.counts: Counter = Counter()
        # Each case as its last step saved it (the step's Done.case): what the builder reads of a
        # case between steps comes from there, not from another query (see refresh).
        self.saved: dict[int, Case] = {}
        # A street's desk keeps up: only a handful of old cases are left lying (red).
        self.late_left = LATE_LEFT
        self.co_handled = 0
        # 先行联系 due to be recorded: case pk → (moment, note); done before the case's first
        # step at or after that moment (see step), so every history stays in time order.
        self.contacts: dict[int, tuple] = {}
        self.operator = (
            User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("pk").first()
        )
        # The 值班长 approves refusals, suspensions, extensions and merges (accounts.policy).
        self.chief = (
            User.objects.filter(role=Role.SHIFT_CHIEF, is_active=True).order_by("pk").first()
            or User.objects.filter(role=Role.ADMIN, is_active=True).order_by("pk").first()
        )
        self.resident = User.objects.filter(username="resident").first()
        self.handlers = {
            u.department.code: u
            for u in User.objects.filter(role=Role.DEPT_HANDLER, is_active=True)
            .select_related("department")
            .order_by("pk")
        }
        self.departments = {d.code: d for d in Department.objects.filter(is_active=True)}
        self.departments_by_id = {d.pk: d for d in self.departments.values()}
        self.community_staff = {
            u.community_id: u
            for u in User.objects.filter(role=Role.COMMUNITY_STAFF, is_active=True).order_by("pk")
        }
        self.gridworker = User.objects.filter(username="gridworker").first()
        worker_grids = set()
        if self.gridworker is not None and hasattr(self.gridworker, "staff_member"):
            worker_grids = set(
                GridPost.objects.filter(
                    staff=self.gridworker.staff_member, end_date__isnull=True
                ).values_list("micro_grid_id", flat=True)
            )
        self.worker_grids = worker_grids
        micros = {
            g.pk: g
            for g in Grid.objects.filter(level=GridLevel.MICRO_GRID).only("pk", "name", "parent_id")
        }
        self.points = [
            (g.centroid_lon, g.centroid_lat, g.name, micros[g.parent_id])
            for g in Grid.objects.filter(
                level=GridLevel.BUILDING_GROUP, centroid_lon__isnull=False
            ).order_by("code")
            if g.parent_id in micros
        ]
        self.patrollers = {}
        for post in (
            GridPost.objects.filter(role=PostRole.FULL_TIME, end_date__isnull=True)
            .select_related("staff")
            .order_by("pk")
        ):
            self.patrollers.setdefault(post.micro_grid_id, post.staff)
        categories = list(Category.objects.filter(parent__isnull=False).order_by("family", "code"))
        self.categories = [
            (
                c,
                COMMON.get((c.family, c.code))
                or (COMMUNITY_WEIGHT if c.family == "community" else OTHER_WEIGHT),
            )
            for c in categories
        ]

    # --- helpers ------------------------------------------------------------------------------
    def department_for(self, category) -> Department | None:
        if category.default_department_id:
            # The departments read once (the category's own would be one query a category).
            return (
                self.departments_by_id.get(category.default_department_id)
                or category.default_department
            )
        code = BY_CODE.get((category.family, category.code)) or BY_CLASS.get(
            (category.family, category.code[:2])
        )
        if code is None:
            code = next((c for word, c in BY_NAME if word in category.name), "WYGS")
        return self.departments.get(code) or next(iter(self.departments.values()), None)

    def later(self, hours_low: float, hours_high: float) -> bool:
        """Move the clock on; False (and the clock unmoved) if that would pass the present."""
        at = self.clock.at + datetime.timedelta(hours=self.rng.uniform(hours_low, hours_high))
        if at >= self.now:
            return False
        self.clock.at = at
        return True

    def until(self, at) -> bool:
        if at >= self.now:
            return False
        self.clock.at = max(at, self.clock.at + datetime.timedelta(minutes=1))
        return True

    def step(self, service, case, *args, **kwargs):
        """Run one `do_*` step on the case and keep the copy it saved (Done.case)."""
        self.contact(case, before=kwargs.get("now", self.clock.at))
        done = service(case, *args, **kwargs)
        self.saved[done.case.pk] = done.case
        return done

    def plan_contact(self, case) -> None:
        """Whether and when the desk rings the caller back (先行联系), from a generator of the
        case's own: the demo's random stream, and every other figure, stay as they were."""
        shares = CONTACTS.get(case.source)
        if shares is None:
            return
        rng = random.Random(f"contact-{case.source}-{case.number}")
        draw, limit = rng.random(), float(settings.CIVICGRID_FIRST_CONTACT_HOURS)
        if draw < shares[0]:
            hours = limit * rng.uniform(0.1, 0.9)
        elif draw < shares[0] + shares[1]:
            hours = limit + rng.uniform(0.5, 6)
        else:
            return
        at = first_contact_start(case) + datetime.timedelta(hours=hours)
        self.contacts[case.pk] = (at, rng.choice(CONTACT_NOTES))

    def contact(self, case, *, before) -> None:
        """The case's 先行联系, if it falls before `before` and the case is open (not suspended)
        then."""
        planned = self.contacts.get(case.pk)
        if planned is None or planned[0] > before or planned[0] >= self.now:
            return
        del self.contacts[case.pk]
        self.refresh(case, "status", "is_suspended")
        if case.status not in OPEN_STATUSES or case.is_suspended:
            return
        done = services.do_first_contact(case, self.operator, note=planned[1], now=planned[0])
        self.saved[done.case.pk] = done.case
        self.counts["first_contact"] += 1

    def contact_the_rest(self) -> None:
        """The 先行联系 due before now of the cases no later step reached."""
        waiting = Case.objects.in_bulk(list(self.contacts))
        for pk in sorted(self.contacts):
            if pk in waiting:
                self.contact(waiting[pk], before=self.now)

    def refresh(self, case, *fields) -> None:
        """`case.refresh_from_db(fields=…)` from the copy the case's last step saved: the services
        lock and save their own copy of the row, and the builder read the fields afresh after
        each step, ~1,500 queries for the values it already had."""
        saved = self.saved.get(case.pk)
        if saved is None:
            case.refresh_from_db(fields=list(fields))
            return
        for name in fields:
            field = Case._meta.get_field(name)
            value = getattr(saved, field.attname)
            if isinstance(value, datetime.datetime):
                # As a read gives it back (UTC), whatever zone the step was given its time in.
                value = value.astimezone(datetime.UTC)
            elif isinstance(value, str):
                value = str(value)  # a choice's plain value, as read, not its enum member
            setattr(case, field.attname, value)

    def handler_of(self, case):
        # The services lock and save their own copy of the row: read the assignment afresh.
        self.refresh(case, "assigned_department", "handled_by_grid")
        if case.handled_by_grid:
            return self.gridworker if case.micro_grid_id in self.worker_grids else None
        department = self.departments_by_id.get(case.assigned_department_id)
        return self.handlers.get(department.code) if department else None

    # --- one case -----------------------------------------------------------------------------
    def report(self, at, source, category, point, ticket_no):
        lon, lat, place, micro = point
        self.clock.at = at
        text = self.rng.choice(DESCRIPTIONS["default"]).format(a=place, c=category.name)
        # Residents' own words (dispatch.corpus), from a generator of their own so the draw
        # above keeps the demo's random stream (and every other figure) as it was.
        text = (
            description_for(
                random.Random(f"{ticket_no}-{category.family}{category.code}"),
                category.family,
                category.code,
                by=WRITTEN_BY.get(source, "patrol"),
            )
            or text
        )
        fields = {"category": category, "description": text, "lon": lon, "lat": lat}
        fields["address"] = f"{place}"
        if source == CaseSource.GRID_PATROL:
            staff = self.patrollers.get(micro.pk)
            if self.gridworker is not None and micro.pk in self.worker_grids:
                return services.do_report(
                    user=self.gridworker, source=source, **fields, now=self.clock.at
                ).case
            return services.do_report(
                user=None,
                source=source,
                reporter_name=staff.name if staff else "",
                reporter_phone=staff.phone if staff else "",
                **fields,
                now=self.clock.at,
            ).case
        if source == CaseSource.RESIDENT:
            if self.resident is not None and self.rng.random() < 0.3:
                return services.do_report(
                    user=self.resident, source=source, **fields, now=self.clock.at
                ).case
            n = self.rng.randrange(10**8)
            anonymous = self.rng.random() < 0.3
            return services.do_report(
                user=None,
                source=source,
                reporter_name="" if anonymous else self.rng.choice("王李张刘陈杨黄赵") + "先生",
                reporter_phone=f"139{n:08d}",
                reporter_email=f"resident{n % 1000}@example.com" if self.rng.random() < 0.3 else "",
                is_anonymous=anonymous,
                **fields,
                now=self.clock.at,
            ).case
        if source == CaseSource.HOTLINE_12345:
            case, _created = services.intake_hotline(
                user=self.operator,
                ticket=f"{at:%Y%m%d}{ticket_no:05d}",
                hotline_request_type=_weighted(self.rng, HOTLINE_TYPES),
                reporter_phone=f"137{self.rng.randrange(10**8):08d}",
                **fields,
                now=self.clock.at,
            )
            return case
        if source == CaseSource.DEPARTMENT:
            department = self.department_for(category)
            handler = self.handlers.get(department.code) if department else None
            return services.do_report(
                user=handler or self.operator, source=source, **fields, now=self.clock.at
            ).case
        return services.do_report(
            user=self.operator, source=source, **fields, now=self.clock.at
        ).case

    def dispatch(self, case, category, *, co=False) -> bool:
        if not self.later(0.1, 1.5):
            return False
        to_grid = category.family == "community" and case.micro_grid_id and self.rng.random() < 0.4
        if to_grid:
            self.step(
                services.do_dispatch,
                case,
                self.operator,
                to_grid=True,
                note="网格自治处置",
                now=self.clock.at,
            )
        else:
            lead = self.department_for(category)
            helpers = self.co_departments(lead) if co else []
            self.step(
                services.do_dispatch,
                case,
                self.operator,
                department=lead,
                co_departments=[d.pk for d in helpers],
                note="请会同协办部门处置" if helpers else "",
                now=self.clock.at,
            )
        return True

    def co_departments(self, lead) -> list[Department]:
        """One co-handling department (with a handler, not the lead) for the next of the first
        CO_HANDLED cases; taken in turn, without the random stream (the rest of the street stays
        as the seed made it)."""
        if self.co_handled >= CO_HANDLED:
            return []
        others = [
            d for code, d in sorted(self.departments.items()) if d != lead and code in self.handlers
        ]
        if not others:
            return []
        self.co_handled += 1
        return [others[self.co_handled % len(others)]]

    def co_feedback(self, case) -> None:
        """Every other co-handled case: its co-handling department has given its part."""
        parts = list(services.open_co_handlings(case))
        if not parts or self.co_handled % 2 == 0:
            return
        for part in parts:
            if not self.until(self.clock.at + datetime.timedelta(hours=3)):
                return
            self.step(
                services.do_co_feedback,
                case,
                self.handlers[part.department.code],
                feedback="已配合主办部门到场核查，相关情况已告知当事人",
                now=self.clock.at,
            )
            self.counts["co_feedback"] += 1

    def accept_and_handle(self, case, *, late: bool, stop_after_accept=False) -> bool:
        if not self.later(0.2, 4):
            return False
        handler = self.handler_of(case)
        self.step(services.do_accept, case, handler, now=self.clock.at)
        if stop_after_accept:
            return True
        self.refresh(case, "handling_deadline", "dispatched_at")
        start, deadline = case.dispatched_at, case.handling_deadline
        if late:
            at = deadline + datetime.timedelta(hours=self.rng.uniform(2, 60))
        else:
            at = start + (deadline - start) * self.rng.uniform(0.15, 0.9)
        if not self.until(at):
            return False
        self.step(
            services.do_handle,
            case,
            handler,
            result=self.rng.choice(RESULTS),
            now=self.clock.at,
            **self.mediation(case),
        )
        return True

    def verify(self, case, passed=True) -> bool:
        if not self.later(0.3, 3):
            return False
        if passed:
            self.step(
                services.do_verify_pass,
                case,
                self.operator,
                note="现场核查属实,已整改",
                now=self.clock.at,
            )
        else:
            self.step(
                services.do_verify_fail,
                case,
                self.operator,
                reason="现场仍有残留,需返工",
                now=self.clock.at,
            )
        return True

    def rate(self, case, rating) -> bool:
        if not self.later(2, 72):
            return False
        if case.reporter_user_id and case.reporter_user.effective_role == Role.RESIDENT:
            self.step(services.do_rate, case, case.reporter_user, rating=rating, now=self.clock.at)
        elif case.source in (CaseSource.HOTLINE_12345, CaseSource.RESIDENT):
            # The 12345 call-back: the operator records what the caller said.
            self.step(
                services.do_rate,
                case,
                self.operator,
                rating=rating,
                comment="回访记录",
                now=self.clock.at,
            )
        else:
            return False
        return True

    def live(self, case, category, plan) -> None:
        """Move one reported case along its plan as far as the present allows."""
        if plan == "waiting":
            # Waiting for 立案 while its filing time lasts; the desk files it before it runs out.
            self.refresh(case, "filing_deadline")
            if case.filing_deadline is None or case.filing_deadline > self.now:
                return
            plan = "closed_rated"
        if not self.later(0.1, 2.5 if not category.is_urgent else 0.1):
            return
        if plan == "not_filed":
            self.step(
                services.do_refuse_filing,
                case,
                self.chief,
                reason="经核实不属于网格化管理范围",
                now=self.clock.at,
            )
            return
        self.step(services.do_file, case, self.operator, now=self.clock.at)
        if not self.dispatch(case, category, co=plan == "stalled"):
            return
        if plan == "returned" and not case.handled_by_grid:
            if not self.later(0.3, 3):
                return
            self.step(
                services.do_return,
                case,
                self.handler_of(case),
                reason="不属于本部门职责,请改派",
                now=self.clock.at,
            )
            # The desk re-dispatches within hours; only a fresh return may still be waiting.
            fresh = self.now - self.clock.at < datetime.timedelta(hours=6)
            if (fresh and self.rng.random() < 0.5) or not self.later(0.2, 2):
                return
            others = [
                d
                for c, d in sorted(self.departments.items())
                if d.pk != case.assigned_department_id
            ]
            case.refresh_from_db()
            self.step(
                services.do_dispatch,
                case,
                self.operator,
                department=self.rng.choice(others),
                now=self.clock.at,
            )
        if plan == "stalled":
            if self.rng.random() < 0.5:
                self.accept_and_handle(case, late=False, stop_after_accept=True)
            self.co_feedback(case)
            return
        if plan == "suspended":
            if not self.later(1, 8):
                return
            self.step(
                services.do_suspend, case, self.chief, reason="待产权方提供材料", now=self.clock.at
            )
            return
        if plan == "call_in":
            if not self.accept_and_handle(case, late=False, stop_after_accept=True):
                return
            if not self.later(4, 24):
                return
            staff = self.community_staff.get(case.micro_grid.parent_id) if case.micro_grid else None
            chosen = sorted(self.departments.values(), key=lambda d: d.code)[:3]
            call_in = self.step(
                services.do_start_call_in,
                case,
                staff or self.operator,
                reason="涉及多个部门,居委会协调未果,提请街道约请",
                departments=[d.pk for d in chosen],
                now=self.clock.at,
            ).call_in
            if not self.later(24, 72):
                return
            self.step(
                services.do_record_call_in_outcome,
                case,
                self.operator,
                call_in=call_in,
                outcome="会商明确由城管牵头、房管配合,一周内完成整治",
                now=self.clock.at,
            )
            self.accept_and_handle_rest(case)
            return
        if plan == "extension":
            if not self.accept_and_handle(case, late=False, stop_after_accept=True):
                return
            if not self.later(1, 6):
                return
            request = self.step(
                services.do_request_extension,
                case,
                self.handler_of(case),
                days=self.rng.randint(2, 5),
                reason="需协调产权单位",
                now=self.clock.at,
            ).extension
            if not self.later(0.5, 4):
                return
            self.step(
                services.do_decide_extension,
                case,
                self.chief,
                extension=request,
                approve=self.rng.random() < 0.8,
                now=self.clock.at,
            )
            if not self.handle_now(case):
                return
        elif not self.accept_and_handle(case, late=self.rng.random() < 0.12):
            return
        if plan == "rework":
            if not self.verify(case, passed=False):
                return
            if not self.handle_now(case):
                return
        if not self.verify(case):
            return
        if plan == "closed":
            return
        rating = (
            Rating.UNSATISFIED
            if plan == "unsatisfied"
            else _weighted(
                self.rng, [(Rating.SATISFIED, 80), (Rating.BASICALLY, 15), (Rating.UNSATISFIED, 5)]
            )
        )
        if self.rate(case, rating) and rating == Rating.UNSATISFIED:
            self.handle_again(case)

    def handle_again(self, case) -> None:
        """不满意 reopened the case: handled again, checked, and rated a second time."""
        case.refresh_from_db()
        if case.status != S.ACCEPTED or not self.handle_now(case):
            return
        if not self.verify(case):
            return
        self.rate(case, _weighted(self.rng, [(Rating.SATISFIED, 1), (Rating.BASICALLY, 1)]))

    def handle_now(self, case) -> bool:
        if not self.later(2, 30):
            return False
        self.step(
            services.do_handle,
            case,
            self.handler_of(case),
            result=self.rng.choice(RESULTS),
            now=self.clock.at,
            **self.mediation(case),
        )
        return True

    def mediation(self, case) -> dict:
        """A 矛盾纠纷 case is handled with its mediation outcome (cases.services.do_handle)."""
        if case.category.needs_mediation_outcome:
            return {"mediation_outcome": self.rng.choice(MediationOutcome.values)}
        return {}

    def accept_and_handle_rest(self, case) -> None:
        if self.handle_now(case):
            self.verify(case)

    def near_deadline(self, category, point, i) -> bool:
        """A patrol case dispatched so that 82–97 % of its handling time is used now (yellow)."""
        calendar = get_calendar()
        probe = Case(category=category, source=CaseSource.GRID_PATROL)
        last = 6 * 24 * 40

        def share(steps: int):
            """(share of the handling time used now, candidate start); 1.0 once overdue."""
            candidate = self.now - datetime.timedelta(minutes=10 * steps)
            deadline = services.handling_deadline(probe, candidate).at
            if deadline <= self.now:
                return 1.0, candidate
            used = calendar.working_hours_between(candidate, self.now)
            total = calendar.working_hours_between(candidate, deadline)
            return (used / total if total > 0 else 0.0), candidate

        # The share grows as the start moves back, so bisect for the first step that reaches 82 %
        # (a linear walk cost ~1,000 deadline computations per yellow case, an eighth of the load).
        low, high = 6, last
        while low < high:
            middle = (low + high) // 2
            if share(middle)[0] >= 0.82:
                high = middle
            else:
                low = middle + 1
        start = None
        for steps in range(low, min(low + 12, last)):
            used, candidate = share(steps)
            if used >= 1.0:
                break
            if 0.82 <= used <= 0.97:
                start = candidate
                break
        if start is None:
            return False
        case = self.report(
            start - datetime.timedelta(hours=1), CaseSource.GRID_PATROL, category, point, i
        )
        self.saved[case.pk] = case
        self.clock.at = start - datetime.timedelta(minutes=30)
        self.step(services.do_file, case, self.operator, now=self.clock.at)
        self.clock.at = start
        self.step(
            services.do_dispatch,
            case,
            self.operator,
            department=self.department_for(category),
            now=self.clock.at,
        )
        if self.later(0.1, 0.5):
            self.step(services.do_accept, case, self.handler_of(case), now=self.clock.at)
        return True

    def merge(self, duplicate, master) -> None:
        if not self.later(0.2, 2):
            return
        self.step(
            services.do_merge,
            duplicate,
            self.chief,
            master=master,
            note="同一地点同一问题,合并办理",
            now=self.clock.at,
        )

    def realistic(self, plan: str, age: datetime.timedelta) -> str:
        """A street at work: a report waits for 立案 only on the day it came in, and of the cases
        older than a few days only LATE_LEFT are left lying; the others went round the loop."""
        if plan == "waiting" and age > datetime.timedelta(hours=8):
            return "closed_rated"
        if age < datetime.timedelta(hours=1):
            return "waiting"
        if plan == "stalled" and age > STALE_AFTER:
            if self.late_left <= 0:
                return "closed_rated"
            self.late_left -= 1
        return plan

    def times(self, n: int) -> list:
        """`n` report times over the last DAYS days in the daytime, the last TODAY_REPORTS of
        them in the hours before now (today's reports, some still waiting for 立案)."""
        start = self.now - datetime.timedelta(days=DAYS)
        times = []
        for _i in range(max(n - TODAY_REPORTS, 0)):
            day = start + datetime.timedelta(days=self.rng.uniform(0, DAYS - 1))
            local = day.astimezone(SHANGHAI)
            # Problems are reported in the daytime.
            hour = self.rng.choices(
                range(7, 22), weights=[2, 5, 8, 9, 8, 6, 6, 7, 8, 7, 6, 4, 3, 2, 1]
            )[0]
            at = local.replace(hour=hour, minute=self.rng.randrange(60), second=0, microsecond=0)
            times.append(min(at, self.now - datetime.timedelta(hours=6)))
        for i in range(min(TODAY_REPORTS, n)):
            # Most of today's came in this morning and are under way; the last ones just now.
            minutes = self.rng.uniform(3, 15) if i < 3 else self.rng.uniform(90, 5 * 60)
            times.append(self.now - datetime.timedelta(minutes=minutes))
        return sorted(times)

    def hurry(self) -> None:
        """催办: the desk hurries a few open cases near their deadline (yellow) once and a few past
        it (red) twice — the second time now — after their last step, through the service."""
        wanted = {WarningLevel.YELLOW: HURRIED_YELLOW, WarningLevel.RED: HURRIED_RED}
        last_steps = dict(
            CaseEvent.objects.filter(case__status__in=[S.DISPATCHED, S.ACCEPTED])
            .values("case")
            .annotate(last=Max("at"))
            .values_list("case", "last")
        )
        candidates = Case.objects.filter(
            status__in=[S.DISPATCHED, S.ACCEPTED], is_suspended=False
        ).order_by("number")
        for case in candidates:
            at = max(last_steps[case.pk], self.now - datetime.timedelta(hours=4))
            at += datetime.timedelta(minutes=10)
            level = services.hurry_level(case, self.now)
            if at >= self.now or not wanted.get(level) or services.hurry_level(case, at) != level:
                continue
            wanted[level] -= 1
            services.do_hurry(case, self.operator, note="请抓紧处置并反馈", now=at)
            if level == WarningLevel.RED:
                services.do_hurry(
                    case, self.operator, note="再次催办，请今日内处置完毕", now=self.now
                )
            self.counts[f"hurried:{level}"] += 1
            if not any(wanted.values()):
                return

    # --- all cases ----------------------------------------------------------------------------
    def build(self, n: int) -> Counter:
        if not (
            self.points and self.categories and self.departments and self.operator and self.chief
        ):
            # A geometry-only street or one without logins: no one to report or handle cases.
            return self.counts
        times = self.times(n)
        open_cases = []
        for i, at in enumerate(times, start=1):
            plan = _weighted(self.rng, PLANS)
            master = None
            if plan == "merged" and open_cases:
                master, master_point = open_cases[-1]
                master.refresh_from_db(fields=["status"])
                if master.status not in MERGEABLE_MASTER:
                    open_cases.pop()
                    master = None
            if master is not None:
                # The same problem again (a 12345 caller about a patrol's case …): same place.
                category, point, source = master.category, master_point, CaseSource.HOTLINE_12345
            else:
                category = _weighted(self.rng, self.categories)
                point = self.rng.choice(self.points)
                source = _weighted(self.rng, SOURCES)
                plan = "closed_rated" if plan == "merged" else plan
            if plan == "near_deadline":
                if self.near_deadline(category, point, i):
                    self.counts["case"] += 1
                    continue
                plan = "stalled"
            plan = self.realistic(plan, self.now - at)
            case = self.report(at, source, category, point, i)
            self.saved[case.pk] = case
            self.plan_contact(case)
            if master is not None:
                self.merge(case, master)
            else:
                self.live(case, category, plan)
                self.refresh(case, "status")
                if case.status in MERGEABLE_MASTER:
                    open_cases.append((case, point))
            self.counts["case"] += 1
        return self.counts


# Staff have read their notifications older than this, all but their newest few (a grid worker's
# last 核查 may be a week old); the rest wait in the header's badge.
READ_AFTER = datetime.timedelta(days=1)
KEEP_UNREAD = 3


def read_old_notifications(now) -> int:
    """Each staff member has read what reached them before the last day but their newest
    `KEEP_UNREAD` items (through the centre's own service); returns how many items that
    marked."""
    marked = 0
    for user in User.objects.filter(notifications__read_at__isnull=True).distinct():
        newest = list(
            inbox.items_for(user).values_list("created_at", flat=True)[
                KEEP_UNREAD - 1 : KEEP_UNREAD
            ]
        )
        if newest:  # fewer items than that: all of them still unread
            before = min(now - READ_AFTER, newest[0])
            marked += inbox.do_mark_all_read(user, before=before, now=now)
    return marked


def last_case_pk() -> int:
    """The newest case's pk (0 for none): what `work_through_reports` takes as its start."""
    return Case.objects.aggregate(last=Max("pk"))["last"] or 0


def work_through_reports(after_pk: int, *, seed: int = 2023, now=None) -> Counter:
    """The desk's work on the reports the programmes' builders wrote after case `after_pk` (a
    垃圾分类 inspection below the line, a failed 门责 check, a campaign's 督查 finding, a fire
    inspection's hazard …): each was reported at its moment in the past and left at 上报, so
    that the dashboard showed a street whose desk had not looked at a report for months (117 of
    139 open cases overdue on the default demo). A street's desk files, dispatches and closes
    them as it does its own: each goes round the loop from its report, through the same services,
    as far as the present allows — today's are still under way, the last hour's wait for 立案.
    Returns the counts by the status each ended in."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    counts: Counter = Counter()
    waiting = list(
        Case.objects.filter(pk__gt=after_pk, status=S.REPORTED, reported_at__lt=now)
        .select_related("category", "micro_grid", "reporter_user")
        .order_by("reported_at", "pk")
    )
    if not waiting:
        return counts
    # A generator of its own: the demo's other figures keep the random stream they had.
    maker = _CaseMaker(seed + 1, now)
    if not (maker.departments and maker.operator and maker.chief):
        return counts
    with notifications.muted(inbox=True), transaction.atomic():
        for case in waiting:
            maker.clock.at = case.reported_at
            maker.saved[case.pk] = case
            maker.plan_contact(case)
            plan = _weighted(maker.rng, [("closed_rated", 8), ("closed", 2)])
            maker.live(case, case.category, maker.realistic(plan, now - case.reported_at))
        maker.contact_the_rest()
        backfill_updated_at()
        warnings.scan(now=now)
    for status in Case.objects.filter(pk__in=[c.pk for c in waiting]).values_list(
        "status", flat=True
    ):
        counts[f"status:{status}"] += 1
    return counts


def build_demo_cases(n: int = DEFAULT_CASES, *, seed: int = 2023, now=None) -> Counter:
    """Write `n` demo cases with their histories (see the module docstring); then the warning
    scan colours the open ones. Returns counts by status and warning level."""
    now = (now or timezone.now()).replace(second=0, microsecond=0)
    if n <= 0:
        return Counter()
    maker = _CaseMaker(seed, now)
    with notifications.muted(inbox=True), transaction.atomic():
        counts = maker.build(n)
        maker.contact_the_rest()
        maker.hurry()
        backfill_updated_at()
        warnings.scan(now=now)
        read_old_notifications(now)
    for status, level in Case.objects.values_list("status", "warning_level"):
        counts[f"status:{status}"] += 1
        if level:
            counts[f"warning:{level}"] += 1
    return counts
