import re

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import FULL_PII_ROLES, READ_ONLY_ROLES, STREET_WIDE_ROLES

CHINESE = re.compile(r"[\u4e00-\u9fff]")


class Department(models.Model):
    """A functional department (职能部门) that handles dispatched cases, e.g. 城管中队, 房管办."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    code = models.CharField(_("编码"), max_length=32, unique=True)
    phone = models.CharField(_("值班电话"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["code"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who logs in: staff of the street, of a community or a department, or a resident.

    The role decides what they may see; community staff carry their community (居村), a 片区负责人
    their area (片区) and department handlers their department. Grid leaders and workers get their micro-grids from
    their active grid posts (grids.GridPost), so the roster is the one source of that truth.
    """

    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.RESIDENT)
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("所属居村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_users",
        limit_choices_to={"level": "community"},
    )
    # 片区负责人: the 片区 (area level of the grid tree) they answer for.
    area = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("所属片区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="area_users",
        limit_choices_to={"level": "area"},
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def get_full_name(self):
        """A Chinese name is family name then given name, with no space (王秀英), as people
        write it; others Django's "first last". Every page, history row, export and record
        that names a user goes through this (Django's own gave "秀英 王")."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if CHINESE.search(first + last):
            return f"{last}{first}"
        return super().get_full_name()

    @property
    def choice_label(self) -> str:
        """The user in a list to choose from, where two people may share a name (the demo
        street's staff: 34 names twice): the name, the role and the phone's last four digits,
        as the masked phone shows them (严红英（网格长 · 尾号8642）), else the login name."""
        known = [str(self.get_role_display())]
        digits = "".join(c for c in self.phone or "" if c.isdigit())
        if len(digits) >= 4:
            known.append(str(_("尾号%(digits)s")) % {"digits": digits[-4:]})
        else:
            known.append(self.username)  # unique, where there is no phone to tell them apart
        return f"{self.get_full_name() or self.username}（{' · '.join(known)}）"

    @property
    def effective_role(self) -> str:
        # A Django superuser without a role is still the system's keeper.
        if self.is_superuser and self.role == Role.RESIDENT:
            return Role.ADMIN
        return self.role

    @property
    def sees_whole_street(self) -> bool:
        return self.effective_role in STREET_WIDE_ROLES

    @property
    def may_view_full_pii(self) -> bool:
        return self.effective_role in FULL_PII_ROLES

    @property
    def is_read_only(self) -> bool:
        return self.effective_role in READ_ONLY_ROLES


class ApiToken(models.Model):
    """An API token (`Authorization: Token …`): issued by POST /api/auth/token/, valid until
    `expires_at` (settings.CIVICGRID_API_TOKEN_TTL_HOURS), revoked by deleting the row (the
    owner's DELETE /api/auth/tokens/<id>/, or POST /api/auth/logout/ with the token).

    Only the SHA-256 of the token is stored (tokens are 256-bit random strings, so the hash is
    enough and lets a token be looked up by it); `prefix`, its first characters, tells the owner
    which one is which. See civicgrid/accounts/tokens.py.
    """

    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    client = models.CharField(_("客户端"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("过期时间"), db_index=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} · {self.prefix}…"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
