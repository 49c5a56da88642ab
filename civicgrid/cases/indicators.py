"""综合评价: the standard indicators of the loop, defined once here (and in the README).

The cohort of a period is the cases **filed** (立案) in [start, end) — merged duplicates,
cases not filed and 12345 tickets sent back to the hotline (已退单) are not in it. Evaluated at `as_of` (default now, at most the period's end is not
required: a case filed in the period and closed later counts as closed when evaluated later).

- 立案数 filed: the cohort.
- 应结案数 due: cohort cases whose handling deadline has passed at `as_of`, or already handled
  (a case still within its limit is not yet due).
- 处置数 handled / 按期处置数 handled_on_time: due cases with handler feedback (handled_at), and
  those whose feedback came by the handling deadline.
- 结案数 closed / 按期结案数 closed_on_time: due cases closed, and those closed whose handling
  was on time.
- 返工数 reworked: due cases sent back at least once by verification (返工).
- 超期数 overdue: due cases not handled by the deadline (handled late or still unhandled).
- 延期数 extended: cohort cases with at least one approved extension.
- 评价数 rated, 满意数 satisfied: the ratings of cohort cases (cases.models.CaseRating), the
  first of each closure — a case rated 不满意, reopened, closed and rated again counts twice —
  and those 满意 or 基本满意.
- Rates: 结案率 = 结案数/应结案数, 按期结案率 = 按期结案数/应结案数, 处置率 = 处置数/应结案数,
  按期处置率 = 按期处置数/应结案数, 返工率 = 返工数/应结案数, 超期率 = 超期数/应结案数,
  延期率 = 延期数/立案数, 满意率 = 满意数/评价数 — as percentages, None when the denominator is 0.
- 平均处置用时 avg_handling_hours: mean working hours from dispatch to feedback, pauses excluded.
- 等级 grade of the 按期结案率: A ≥90, B 75–90, C 60–75, D 40–60, E <40.
- 有效上报率 valid_report_rate = reported_filed / reported, over the cases **reported** in
  [start, end) (not the filed cohort): `reported` counts those whose filing is decided (a case
  still 待受理 counts neither way; a 12345 ticket sent back is not the street's), `reported_filed`
  those filed and not merged. A merged duplicate is reported but not valid: it told nothing new.
- 按时核实率 on_time_verification_rate = verified_on_time / verified: every 核查 (passed or
  failed) of a cohort case, on time when it came within VERIFICATION_LIMIT_HOURS working hours of
  the handler's feedback it judged (pauses excluded).
- 解决率 resolution_rate = resolved / resolution_answered: cohort cases closed with an answer to
  是否解决 (Case.resolved), and those answered yes. Apart from 满意率.
- 先行联系及时率 first_contact_rate = first_contact_on_time / hotline_tickets: the cohort's 12345
  tickets, and those whose caller was first contacted within CIVICGRID_FIRST_CONTACT_HOURS
  wall-clock hours of the hotline's dispatch (else the report), as cases.services.clocks does.
  The dashboard's rollups (dashboard.rollups) keep these four too (the 核查 from the history,
  dashboard.models.VerificationTally): the dashboard page, the big screen and the Excel export
  show them beside the admin's 综合评价 page and the API.
- 催办件数 hurried: cohort cases the street hurried (催办, cases.services.control.do_hurry) at
  least once — by department, the handlers who had to be chased.
- 督办件数 supervised: cohort cases a 带班领导 supervised (督办), counted by civicgrid.duty
  through `register_count` (absent when that app is not installed).

Groups: street (one row), area (片区), community, micro_grid, department, category, reporter
(the reporting user; cases reported by residents or the hotline without an account share the
row with key None). One query
for the cohort, one for the group names; the arithmetic runs over one calendar snapshot.
"""

import datetime
from collections import defaultdict

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from civicgrid.cases.choices import SATISFIED_RATINGS, CaseAction, CaseSource, CaseStatus
from civicgrid.cases.clock import parse_pauses
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases
from civicgrid.workcalendar.services import get_calendar

GROUPS = {
    "street": None,
    "area": "micro_grid__parent__parent_id",
    "community": "micro_grid__parent_id",
    "micro_grid": "micro_grid_id",
    "department": "assigned_department_id",
    "category": "category_id",
    "reporter": "reporter_user_id",
}
OUT_OF_COHORT = (CaseStatus.MERGED, CaseStatus.NOT_FILED, CaseStatus.SENT_BACK)
GRADES = [(90, "A"), (75, "B"), (60, "C"), (40, "D"), (0, "E")]
COUNTS = [
    "filed",
    "due",
    "handled",
    "handled_on_time",
    "closed",
    "closed_on_time",
    "reworked",
    "overdue",
    "extended",
    "rated",
    "satisfied",
]
RATES = {
    "closure_rate": ("closed", "due"),
    "on_time_closure_rate": ("closed_on_time", "due"),
    "handling_rate": ("handled", "due"),
    "on_time_handling_rate": ("handled_on_time", "due"),
    "rework_rate": ("reworked", "due"),
    "overdue_rate": ("overdue", "due"),
    "extension_rate": ("extended", "filed"),
    "satisfaction_rate": ("satisfied", "rated"),
}
# The dashboard's rollups keep those of QUALITY_RATES (dashboard.figures.ROLLED_QUALITY_COUNTS).
QUALITY_COUNTS = [
    "reported",
    "reported_filed",
    "verified",
    "verified_on_time",
    "resolution_answered",
    "resolved",
    "hotline_tickets",
    "first_contact_on_time",
    "hurried",
]
QUALITY_RATES = {
    "valid_report_rate": ("reported_filed", "reported"),
    "on_time_verification_rate": ("verified_on_time", "verified"),
    "resolution_rate": ("resolved", "resolution_answered"),
    "first_contact_rate": ("first_contact_on_time", "hotline_tickets"),
}
# Counts kept by apps above cases (civicgrid.duty's 督办件 "supervised"): name → function
# (cohort queryset, group key field or None) → {group key: count}, one query each. Registered
# by the app's AppConfig.ready; each adds a key to every row.
EXTRA_COUNTS: dict = {}


def register_count(name: str, count) -> None:
    EXTRA_COUNTS[name] = count


_FIELDS = [
    "status",
    "handling_deadline",
    "dispatched_at",
    "handled_at",
    "closed_at",
    "rework_count",
    "extension_count",
    "pauses",
    "source",
    "reported_at",
    "resolved",
    "first_contact_at",
    "hotline_dispatched_at",
    "hurry_count",
]
_REPORTED_AT = _FIELDS.index("reported_at")


def grade(rate) -> str | None:
    if rate is None:
        return None
    return next(letter for bound, letter in GRADES if rate >= bound)


def _percent(numerator, denominator):
    return None if not denominator else round(100 * numerator / denominator, 1)


def _labels(group: str, keys) -> dict:
    from civicgrid.accounts.models import Department
    from civicgrid.cases.models import Category
    from civicgrid.grids.models import Grid

    keys = [k for k in keys if k is not None]
    if group in ("area", "community", "micro_grid"):
        return {g.pk: (g.code, g.name) for g in Grid.objects.filter(pk__in=keys)}
    if group == "department":
        return {d.pk: (d.code, d.name) for d in Department.objects.filter(pk__in=keys)}
    if group == "category":
        return {
            c.pk: (f"{c.family}-{c.code}", c.name) for c in Category.objects.filter(pk__in=keys)
        }
    if group == "reporter":
        from django.contrib.auth import get_user_model

        return {
            u.pk: (u.username, u.get_full_name() or u.username)
            for u in get_user_model().objects.filter(pk__in=keys)
        }
    return {}


def _verifications(case_ids, calendar) -> dict:
    """{case pk: [on time?, …]}: each 核查 of the cases, on time when it came within
    VERIFICATION_LIMIT_HOURS working hours of the feedback before it (pauses excluded)."""
    from civicgrid.cases.models import CaseEvent
    from civicgrid.cases.services.checks import VERIFICATION_LIMIT_HOURS

    out = defaultdict(list)
    if not case_ids:
        return out
    events = (
        CaseEvent.objects.filter(
            case_id__in=case_ids,
            action__in=[CaseAction.HANDLE, CaseAction.VERIFY_PASS, CaseAction.VERIFY_FAIL],
        )
        .order_by("case_id", "at", "pk")
        .values_list("case_id", "action", "at", "case__pauses")
    )
    handled = {}
    for case_id, action, at, pauses in events:
        if action == CaseAction.HANDLE:
            handled[case_id] = at
            continue
        since = handled.pop(case_id, None)
        if since is None:
            continue
        spent = calendar.working_hours_between(since, at, exclude=parse_pauses(pauses))
        out[case_id].append(spent <= VERIFICATION_LIMIT_HOURS)
    return out


def _ratings(case_ids) -> dict:
    """{case pk: (rated, satisfied)}: the counted rating of each closure (CaseRating), so that
    a 不满意 that reopened the case still counts after the case is closed and rated again."""
    from civicgrid.cases.models import CaseRating

    out = {}
    if not case_ids:
        return out
    rows = CaseRating.objects.filter(case_id__in=case_ids, counted=True).values_list(
        "case_id", "rating"
    )
    for case_id, rating in rows:
        rated, satisfied = out.get(case_id, (0, 0))
        out[case_id] = (rated + 1, satisfied + (rating in SATISFIED_RATINGS))
    return out


def period(first: datetime.date, last: datetime.date):
    """Local dates first..last (both included) as the aware interval [start, end)."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return start, end


def compute(user, start: datetime.datetime, end: datetime.datetime, group="street", as_of=None):
    """Indicator rows for the cases the user may see, filed in [start, end), grouped."""
    if group not in GROUPS:
        raise ValueError(group)
    as_of = as_of or timezone.now()
    calendar = get_calendar()
    key_field = GROUPS[group]
    fields = [*_FIELDS, key_field] if key_field else _FIELDS
    visible = scope_cases(Case.objects.all(), user)
    counts = defaultdict(lambda: dict.fromkeys([*COUNTS, *QUALITY_COUNTS], 0))
    cases = visible.filter(filed_at__gte=start, filed_at__lt=end).exclude(status__in=OUT_OF_COHORT)
    # One query for both cohorts: the cases filed in the period, and (有效上报率) those reported
    # in it whose filing is decided.
    reported_q = Q(reported_at__gte=start, reported_at__lt=end) & ~Q(
        status__in=[CaseStatus.REPORTED, CaseStatus.SENT_BACK, CaseStatus.WITHDRAWN]
    )
    filed_q = Q(filed_at__gte=start, filed_at__lt=end) & ~Q(status__in=OUT_OF_COHORT)
    rows = list(visible.filter(filed_q | reported_q).values_list("pk", "filed_at", *fields))
    cohort = []
    for pk, filed_at, *row in rows:
        if start <= row[_REPORTED_AT] < end:
            c = counts[row[len(_FIELDS)] if key_field else None]
            c["reported"] += 1
            if filed_at is not None and row[0] not in OUT_OF_COHORT:
                c["reported_filed"] += 1
        if filed_at is not None and start <= filed_at < end and row[0] not in OUT_OF_COHORT:
            cohort.append((pk, *row))
    hours = defaultdict(list)
    contact_limit = datetime.timedelta(hours=float(settings.CIVICGRID_FIRST_CONTACT_HOURS))
    verifications = _verifications([row[0] for row in cohort], calendar)
    ratings = _ratings([row[0] for row in cohort])
    for pk, *row in cohort:
        (
            status,
            deadline,
            dispatched_at,
            handled_at,
            closed_at,
            rework,
            extensions,
            pauses,
            source,
            reported_at,
            resolved,
            first_contact_at,
            hotline_dispatched_at,
            hurry_count,
        ) = row[: len(_FIELDS)]
        key = row[len(_FIELDS)] if key_field else None
        c = counts[key]
        c["filed"] += 1
        for on_time in verifications.get(pk, ()):
            c["verified"] += 1
            c["verified_on_time"] += on_time
        if status == CaseStatus.CLOSED and resolved is not None:
            c["resolution_answered"] += 1
            c["resolved"] += resolved
        if source == CaseSource.HOTLINE_12345:
            c["hotline_tickets"] += 1
            # As cases.services.clocks.first_contact_deadline: wall-clock hours from the
            # hotline's dispatch (else the report).
            since = hotline_dispatched_at or reported_at
            if first_contact_at is not None and first_contact_at - since <= contact_limit:
                c["first_contact_on_time"] += 1
        if extensions:
            c["extended"] += 1
        if hurry_count:
            c["hurried"] += 1
        rated, satisfied = ratings.get(pk, (0, 0))
        c["rated"] += rated
        c["satisfied"] += satisfied
        if handled_at and dispatched_at:
            hours[key].append(
                calendar.working_hours_between(
                    dispatched_at, handled_at, exclude=parse_pauses(pauses)
                )
            )
        due = handled_at is not None or (deadline is not None and deadline < as_of)
        if not due:
            continue
        c["due"] += 1
        on_time = handled_at is not None and (deadline is None or handled_at <= deadline)
        if handled_at is not None:
            c["handled"] += 1
            c["handled_on_time"] += on_time
        if status == CaseStatus.CLOSED and closed_at is not None:
            c["closed"] += 1
            c["closed_on_time"] += on_time
        if rework:
            c["reworked"] += 1
        if not on_time:
            c["overdue"] += 1
    # A group shows with cases filed in the period; a reporter also when none of theirs was.
    if group != "reporter":
        counts = defaultdict(
            counts.default_factory, {k: c for k, c in counts.items() if c["filed"]}
        )
    for name, count in EXTRA_COUNTS.items():
        found = count(cases, key_field) if counts else {}
        for key, c in counts.items():
            c[name] = found.get(key, 0)
    labels = _labels(group, counts.keys())
    rows = []
    for key, c in counts.items():
        code, name = labels.get(key, (None, None))
        row = {"group": group, "key": key, "code": code, "name": name, **c}
        for rate, (numerator, denominator) in (RATES | QUALITY_RATES).items():
            row[rate] = _percent(c[numerator], c[denominator])
        values = hours[key]
        row["avg_handling_hours"] = round(sum(values) / len(values), 2) if values else None
        row["grade"] = grade(row["on_time_closure_rate"])
        rows.append(row)
    rows.sort(key=lambda r: (r["code"] is None, r["code"] or ""))
    return rows
