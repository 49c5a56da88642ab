"""Accounts and patrol duty for every posted 网格长 and 专职网格员 of the demo street.

The demo logins (demo.logins) give one grid leader and one grid worker a password. Everyone
else who holds a 网格长 or 专职 post gets an account too, so that the roster, the patrol plan
(巡块责任区, one per 专职网格员 on their micro-grid) and the patrol coverage exist for the whole
street, not for one grid:

- the account is active with an **unusable password**: nobody can sign in with it until the
  administrator sets a password in the back office (用户 → 设置密码) — then it works at once,
  scoped by the person's posts like any grid worker;
- the usernames are `gl<micro-grid code>` (网格长) and `gw<micro-grid code>` (专职; `-2`, `-3`
  … for a second one on the same micro-grid), the names those of the staff records;
- each 专职网格员 walks their micro-grid twice every working day of the last PATROL_DAYS days
  (a few rounds missed, more by some than others), so the coverage indicator has a spread.

Bulk writes (accounts, the finished rounds) keep the load time flat; the areas go through
fieldwork.services. Deterministic per seed.
"""

import datetime
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User
from civicgrid.demo.builder import insert_rows
from civicgrid.demo.fieldwork import PATROL_DAYS
from civicgrid.fieldwork import services as field
from civicgrid.fieldwork.choices import PatrolShift, PatrolStatus
from civicgrid.fieldwork.models import Patrol, PatrolArea
from civicgrid.grids.choices import PostRole
from civicgrid.grids.models import GridPost, StaffMember
from civicgrid.grids.services import active_posts_q
from civicgrid.workcalendar.services import get_calendar

ROLES = {PostRole.LEADER: (Role.GRID_LEADER, "gl"), PostRole.FULL_TIME: (Role.GRID_WORKER, "gw")}


def _split_name(name: str) -> tuple[str, str]:
    """(surname, given name) of a Chinese name: the first character is the surname."""
    return (name[:1], name[1:]) if name else ("", "")


def _accounts(today) -> tuple[list, Counter]:
    """An account for each posted 网格长/专职 without one; returns the 专职 posts (for areas)."""
    counts = Counter()
    posts = list(
        GridPost.objects.filter(active_posts_q(today), role__in=list(ROLES))
        .select_related("staff", "micro_grid")
        .order_by("micro_grid__code", "role", "staff_id")
    )
    taken = set(User.objects.values_list("username", flat=True))
    new_users, staff_rows, seen = [], [], set()
    for post in posts:
        staff = post.staff
        if staff.user_id is not None or staff.pk in seen:
            continue
        seen.add(staff.pk)
        role, prefix = ROLES[post.role]
        base = f"{prefix}{post.micro_grid.code}"
        username, n = base, 1
        while username in taken:
            n += 1
            username = f"{base}-{n}"
        taken.add(username)
        last, first = _split_name(staff.name)
        user = User(username=username, role=role, last_name=last, first_name=first, is_active=True)
        user.set_unusable_password()  # no hashing: cheap, and no sign-in until an admin sets one
        new_users.append(user)
        staff.user = user
        staff_rows.append(staff)
        counts[f"account:{role}"] += 1
    with transaction.atomic():
        User.objects.bulk_create(new_users, batch_size=500)
        for staff in staff_rows:
            staff.user_id = staff.user.pk
        StaffMember.objects.bulk_update(staff_rows, ["user"], batch_size=500)
    users = {staff.pk: staff.user_id for staff in staff_rows}
    full_time = []
    for post in posts:
        if post.role == PostRole.FULL_TIME:
            post.staff.user_id = post.staff.user_id or users.get(post.staff_id)
            full_time.append(post)
    return full_time, counts


def _workdays(today, days: int) -> list[datetime.date]:
    calendar = get_calendar()
    span = [today - datetime.timedelta(days=n) for n in range(days, 0, -1)]
    return [d for d in span if calendar.is_workday(d)]


def build_posted_accounts(*, seed: int = 2023, now=None) -> Counter:
    """Accounts for the posted 网格长 and 专职网格员, a 巡块责任区 for each 专职 on their
    micro-grid, and their finished rounds of the last PATROL_DAYS days; returns counts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rng = random.Random(seed * 6151 + 17)
    full_time, counts = _accounts(today)
    days = _workdays(today, PATROL_DAYS)
    if not days:
        return counts
    has_area = set(PatrolArea.objects.values_list("worker_id", "micro_grid_id"))
    rounds = []
    for post in full_time:
        worker_id = post.staff.user_id
        if worker_id is None or (worker_id, post.micro_grid_id) in has_area:
            continue  # the demo grid worker's own area and rounds come from demo.fieldwork
        has_area.add((worker_id, post.micro_grid_id))
        field.save_patrol_area(
            None, PatrolArea(worker_id=worker_id, micro_grid=post.micro_grid, start_date=days[0])
        )
        counts["patrol_area"] += 1
        # Most workers walk nearly every round; a few fall behind.
        diligence = rng.choice([0.97, 0.95, 0.93, 0.9, 0.85, 0.7])
        grid = post.micro_grid
        point = [grid.centroid_lon, grid.centroid_lat] if grid.centroid_lon else None
        for day in days:
            for shift, hour in ((PatrolShift.MORNING, 9), (PatrolShift.AFTERNOON, 14)):
                if rng.random() > diligence:
                    continue
                start = timezone.make_aware(
                    datetime.datetime.combine(day, datetime.time(hour, rng.randrange(0, 50)))
                )
                end = start + datetime.timedelta(minutes=rng.randint(25, 55))
                route = [[*point, start.isoformat()], [*point, end.isoformat()]] if point else []
                rounds.append(
                    Patrol(
                        worker_id=worker_id,
                        micro_grid_id=grid.pk,
                        shift=shift,
                        status=PatrolStatus.FINISHED,
                        started_at=start,
                        ended_at=end,
                        route=route,
                        note="巡查完毕",
                    )
                )
    insert_rows(Patrol, rounds)
    counts["patrol"] = len(rounds)
    return counts
