"""The demo logins: one or more users for every role, with known demo-only passwords.

`ensure_demo_logins()` creates the users that are missing and resets the ones that exist (role,
scope, password, active), so `make demo` always prints logins that work. Grid leader and grid
worker are linked (StaffMember.user) to the people holding the posts of the first micro-grid,
so grids.scoping finds their micro-grids through the roster like for anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import Department, User
from civicgrid.accounts.policy import BACK_OFFICE_ROLES
from civicgrid.demo import names
from civicgrid.grids.choices import GridLevel, PostRole
from civicgrid.grids.models import Grid, GridPost
from civicgrid.registry.models import Resident

# Demo-only passwords, one per role (refused in production, see ensure_demo_logins). Each passes
# settings.AUTH_PASSWORD_VALIDATORS for its users (not too close to the username, not common).
PASSWORDS = {
    Role.ADMIN: "demo-admin-2026",
    Role.OPERATOR: "demo-operator-2026",
    Role.SHIFT_CHIEF: "demo-shiftchief-2026",
    Role.DUTY_LEADER: "demo-dutyleader-2026",
    Role.AREA_HEAD: "demo-areahead-2026",
    Role.COMMUNITY_STAFF: "demo-community-2026",
    Role.GRID_LEADER: "demo-gridleader-2026",
    Role.GRID_WORKER: "demo-gridworker-2026",
    Role.DEPT_HANDLER: "demo-dept-2026",
    Role.LEADER: "demo-leader-2026",
    Role.RESIDENT: "demo-resident-2026",
}


@dataclass
class DemoLogin:
    username: str
    password: str
    role: str
    display_name: str
    scope: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


def _first_street() -> Grid | None:
    return Grid.objects.filter(level=GridLevel.STREET).order_by("code").first()


def _active_post(micro: Grid | None, role: str) -> GridPost | None:
    if micro is None:
        return None
    today = timezone.localdate()
    return (
        GridPost.objects.filter(
            micro_grid=micro, role=role, start_date__lte=today, end_date__isnull=True
        )
        .select_related("staff__user")
        .order_by("id")
        .first()
    )


def ensure_departments(street_short: str) -> int:
    """The functional departments of the demo (城管中队, 派出所 …); creates the missing ones."""
    existing = set(Department.objects.values_list("code", flat=True))
    taken_names = set(Department.objects.values_list("name", flat=True))
    new = [
        Department(code=code, name=template.format(s=street_short), phone=phone)
        for code, template, phone in names.DEPARTMENTS
        if code not in existing and template.format(s=street_short) not in taken_names
    ]
    Department.objects.bulk_create(new)
    return len(new)


def ensure_demo_logins() -> list[DemoLogin]:
    """Create or reset every demo login; returns them in display order."""
    if getattr(settings, "PRODUCTION", False):
        raise ImproperlyConfigured(_("生产环境（CIVICGRID_PRODUCTION=1）不允许创建演示账号"))
    # One hash per role: hashing is deliberately slow and the same demo password serves all
    # users of a role.
    hashes = {role: make_password(pw) for role, pw in PASSWORDS.items()}
    street = _first_street()
    street_name = street.name if street else _("全部")
    communities = (
        list(
            Grid.objects.filter(level=GridLevel.COMMUNITY, path__startswith=street.path).order_by(
                "code"
            )
        )
        if street
        else []
    )
    first_micro = (
        Grid.objects.filter(level=GridLevel.MICRO_GRID, path__startswith=communities[0].path)
        .order_by("code")
        .first()
        if communities
        else None
    )
    logins: list[DemoLogin] = []

    def upsert(username, role, display_name, scope, **fields) -> User:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role = role
        user.first_name = display_name
        user.last_name = ""
        user.is_active = True
        user.is_staff = role in BACK_OFFICE_ROLES
        user.is_superuser = role == Role.ADMIN
        user.community = fields.get("community")
        user.area = fields.get("area")
        user.department = fields.get("department")
        user.phone = fields.get("phone", user.phone or "")
        user.password = hashes[role]
        user.save()
        logins.append(DemoLogin(username, PASSWORDS[role], role, display_name, scope))
        return user

    with transaction.atomic():
        upsert("admin", Role.ADMIN, "系统管理员", _("全部数据（超级管理员）"))
        upsert("operator", Role.OPERATOR, "城运中心受理员", _("%s 全域") % street_name)
        upsert("chief", Role.SHIFT_CHIEF, "城运中心值班长", _("%s 全域") % street_name)
        upsert("dutyleader", Role.DUTY_LEADER, "带班领导", _("%s 全域") % street_name)
        upsert("leader", Role.LEADER, "分管领导", _("%s 全域（只读）") % street_name)
        area = (
            Grid.objects.filter(level=GridLevel.AREA, path__startswith=street.path)
            .order_by("code")
            .first()
            if street
            else None
        )
        upsert(
            "areahead",
            Role.AREA_HEAD,
            f"{area.name}负责人" if area else str(Role.AREA_HEAD.label),
            area.name if area else _("（尚无网格数据）"),
            area=area,
        )
        for index, community in enumerate(communities, start=1):
            upsert(
                f"community{index}",
                Role.COMMUNITY_STAFF,
                f"{community.name}社工",
                community.name,
                community=community,
            )
        for role, post_role, username in (
            (Role.GRID_LEADER, PostRole.LEADER, "gridleader"),
            (Role.GRID_WORKER, PostRole.FULL_TIME, "gridworker"),
        ):
            post = _active_post(first_micro, post_role)
            existing = User.objects.filter(username=username).first()
            staff = getattr(existing, "staff_member", None) if existing else None
            if staff is None and post is not None:
                staff = post.staff
            display = staff.name if staff else str(Role(role).label)
            if staff is None:
                scope = _("（尚无网格数据）")
            else:
                micros = Grid.objects.filter(
                    posts__staff=staff,
                    posts__end_date__isnull=True,
                    posts__start_date__lte=timezone.localdate(),
                ).order_by("code")
                scope = "、".join(
                    f"{m.parent.name}{m.name}" for m in micros.select_related("parent")
                )
            user = upsert(username, role, display, scope, phone=staff.phone if staff else "")
            if staff is not None and staff.user_id is None:
                staff.user = user
                staff.save(update_fields=["user"])
        ensure_departments(names.street_short(street.name) if street else names.STREET_NAMES[0])
        for department in Department.objects.filter(
            code__in=[code for code, _t, _p in names.DEPARTMENTS]
        ).order_by("code"):
            upsert(
                f"dept-{department.code.lower()}",
                Role.DEPT_HANDLER,
                f"{department.name}处置员",
                department.name,
                department=department,
            )
        # The resident login takes the name of a real demo resident of the first micro-grid.
        resident = (
            Resident.objects.filter(household__address__micro_grid=first_micro, lives_here=True)
            .order_by("id")
            .first()
            if first_micro
            else None
        )
        upsert(
            "resident", Role.RESIDENT, resident.name if resident else "居民", _("仅本人提交的诉求")
        )
    return logins
