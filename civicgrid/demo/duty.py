"""The demo street's 城运中心 duty: a roster around today (值班长 and 带班领导 by day and night
shift), a few 督办件 on open cases (one answered), and department liaisons to 居委.

Everything goes through civicgrid.duty.services, with `by=None` (a trusted generator).
"""

import datetime
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.cases.models import Case
from civicgrid.duty import services
from civicgrid.duty.choices import DutyRole
from civicgrid.duty.models import DutyShift, Liaison, Supervision
from civicgrid.duty.services import SUPERVISABLE
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid

INSTRUCTIONS = [
    "群众反映多次,请加快处置并当面回复",
    "涉及安全隐患,请今日内到场核实",
    "请主办部门牵头、相关部门配合,三日内拿出方案",
]


def build_demo_duty(seed: int = 2023, now: datetime.datetime | None = None) -> Counter:
    """Returns counts (shift, supervision, answered, liaison). Running it twice adds nothing."""
    now = now or timezone.now()
    rng = random.Random(f"{seed}:duty")
    counts = Counter()
    if DutyShift.objects.exists() or Supervision.objects.exists():
        return counts
    chiefs = list(User.objects.filter(role=Role.SHIFT_CHIEF, is_active=True).order_by("pk"))
    leaders = list(User.objects.filter(role=Role.DUTY_LEADER, is_active=True).order_by("pk"))
    with transaction.atomic():
        # Day 08:00–20:00 and night 20:00–08:00 shifts from yesterday to a week ahead.
        start_day = timezone.localtime(now).date() - datetime.timedelta(days=1)
        for offset in range(8):
            day = start_day + datetime.timedelta(days=offset)
            day_start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(8)))
            for half, (begin, hours) in enumerate([(day_start, 12), (day_start, 24)]):
                starts = begin if half == 0 else begin + datetime.timedelta(hours=12)
                ends = begin + datetime.timedelta(hours=hours)
                for role, people in (
                    (DutyRole.SHIFT_CHIEF, chiefs),
                    (DutyRole.DUTY_LEADER, leaders),
                ):
                    if not people:
                        continue
                    person = people[(offset * 2 + half) % len(people)]
                    services.do_add_shift(
                        None, user=person, role=role, starts_at=starts, ends_at=ends
                    )
                    counts["shift"] += 1
        if leaders:
            open_cases = list(
                Case.objects.filter(status__in=SUPERVISABLE, is_suspended=False).order_by("number")
            )
            for case in rng.sample(open_cases, min(3, len(open_cases))):
                supervision = services.do_supervise(
                    case,
                    leaders[0],
                    instruction=rng.choice(INSTRUCTIONS),
                    deadline=now + datetime.timedelta(days=rng.randint(1, 3)),
                    now=now,
                )
                counts["supervision"] += 1
                if counts["supervision"] == 1:
                    answerer = _answerer(supervision)
                    if answerer is not None:
                        services.do_answer_supervision(
                            supervision, answerer, answer="已到现场处置,明日反馈结果", now=now
                        )
                        counts["answered"] += 1
        handlers = list(User.objects.filter(role=Role.DEPT_HANDLER, is_active=True).order_by("pk"))
        communities = list(Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code"))
        for index, handler in enumerate(handlers):
            for community in communities[index * 2 : index * 2 + rng.randint(1, 2)]:
                if not Liaison.objects.filter(user=handler, community=community).exists():
                    services.do_link_liaison(None, user=handler, community=community)
                    counts["liaison"] += 1
    return counts


def _answerer(supervision):
    """Who answers on the handling side: a handler of the department, else the operator."""
    case = supervision.case
    users = User.objects.filter(is_active=True)
    if case.assigned_department_id:
        found = users.filter(role=Role.DEPT_HANDLER, department_id=case.assigned_department_id)
        if found.exists():
            return found.order_by("pk").first()
    return users.filter(role=Role.OPERATOR).order_by("pk").first()
