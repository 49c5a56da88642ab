import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.estates.choices import CommitteeRole, EstateClass, EstateKind
from civicgrid.grids.choices import GridLevel


class PropertyCompany(models.Model):
    """物业服务企业: a company that manages estates, with its contact (phone shown masked)."""

    name = models.CharField(_("企业名称"), max_length=100, unique=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    office_address = models.CharField(_("办公地址"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("物业服务企业")
        verbose_name_plural = _("物业服务企业")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Estate(models.Model):
    """小区 (in a village: 自然村 or 村民小组), the unit the 三驾马车 (党组织, 居委会, 物业, 业委会)
    run together. It belongs to one 居村 and covers some of its micro-grids; addresses are matched
    to it by its address ranges (road + 弄)."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(
        _("类型"), max_length=20, choices=EstateKind.choices, default=EstateKind.ESTATE
    )
    estate_class = models.CharField(
        _("小区类别"), max_length=20, choices=EstateClass.choices, default=EstateClass.COMMERCIAL
    )
    community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("居村"),
        on_delete=models.PROTECT,
        related_name="estates",
        limit_choices_to={"level": GridLevel.COMMUNITY},
    )
    micro_grids = models.ManyToManyField(
        "grids.Grid",
        verbose_name=_("微网格"),
        related_name="micro_grid_estates",
        blank=True,
        limit_choices_to={"level": GridLevel.MICRO_GRID},
    )
    year_built = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    is_heritage = models.BooleanField(_("文物保护"), default=False)
    heritage_note = models.CharField(_("保护级别"), max_length=100, blank=True)
    property_company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("物业服务企业"),
        on_delete=models.PROTECT,
        related_name="estates",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["community__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="estate_unique_name"),
        ]

    def __str__(self):
        return self.name

    @property
    def choice_label(self) -> str:
        """The estate among a street's (one name may be several 居村's: 东明公寓 stands in
        two): its name and its 居村. Read it with the 居村 (select_related)."""
        return f"{self.name}（{self.community.name}）" if self.community_id else self.name

    def clean(self):
        errors = {}
        if self.community_id and self.community.level != GridLevel.COMMUNITY:
            errors["community"] = _("小区只能属于居村")
        if self.year_built is not None and not 1000 <= self.year_built <= 2100:
            errors["year_built"] = _("建成年份应为四位年份")
        if self.heritage_note and not self.is_heritage:
            errors["heritage_note"] = _("只有文物保护建筑才填写保护级别")
        if errors:
            raise ValidationError(errors)


LANE_NUMBER = re.compile(r"^([0-9]+)")


def lane_number(lane: str) -> int | None:
    """The lane's number (“2891支3” → 2891); None when the address has no lane."""
    match = LANE_NUMBER.match(lane or "")
    return int(match.group(1)) if match else None


class EstateAddressRange(models.Model):
    """地址范围: the lanes (弄) of one road that belong to an estate, both ends included."""

    estate = models.ForeignKey(
        Estate, verbose_name=_("小区"), on_delete=models.CASCADE, related_name="address_ranges"
    )
    road = models.CharField(_("路（街）"), max_length=100)
    lane_from = models.PositiveIntegerField(_("起始弄号"))
    lane_to = models.PositiveIntegerField(_("截止弄号"))

    class Meta:
        verbose_name = _("小区地址范围")
        verbose_name_plural = _("小区地址范围")
        ordering = ["road", "lane_from"]

    def __str__(self):
        if self.lane_from == self.lane_to:
            return f"{self.road}{self.lane_from}弄"
        return f"{self.road}{self.lane_from}–{self.lane_to}弄"

    def clean(self):
        if self.lane_from is not None and self.lane_to is not None:
            if self.lane_from > self.lane_to:
                raise ValidationError({"lane_to": _("截止弄号不能小于起始弄号")})

    def covers(self, road: str, lane: str) -> bool:
        number = lane_number(lane)
        return road == self.road and number is not None and self.lane_from <= number <= self.lane_to


class OwnersCommittee(models.Model):
    """业委会: one term of an estate's owners' committee, with its 党建联络员 and the
    “红色业委会” flag (a committee led by party members under the 居委 party organisation)."""

    estate = models.ForeignKey(
        Estate, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="committees"
    )
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))
    party_liaison = models.CharField(_("党建联络员"), max_length=50, blank=True)
    is_red = models.BooleanField(_("红色业委会"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("业委会")
        verbose_name_plural = _("业委会")
        ordering = ["estate", "-term_start"]

    def __str__(self):
        return f"{self.estate}业委会({self.term_start:%Y}–{self.term_end:%Y})"

    def clean(self):
        if self.term_start and self.term_end and self.term_end <= self.term_start:
            raise ValidationError({"term_end": _("任期结束日期必须晚于开始日期")})


class CommitteeMember(models.Model):
    """业委会成员: name, office and whether a party member (for the 红色业委会 count)."""

    committee = models.ForeignKey(
        OwnersCommittee, verbose_name=_("业委会"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(
        _("职务"), max_length=20, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER
    )
    is_party_member = models.BooleanField(_("党员"), default=False)

    class Meta:
        verbose_name = _("业委会成员")
        verbose_name_plural = _("业委会成员")
        ordering = ["committee", "role", "id"]

    def __str__(self):
        return f"{self.name}({self.get_role_display()})"
