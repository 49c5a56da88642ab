from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.grids.choices import GridLevel
from civicgrid.registry.choices import (
    CareTag,
    DwellingUse,
    Gender,
    IdType,
    PiiField,
    Tenure,
)


class Address(models.Model):
    """A standard address (标准地址): road, lane (弄), number (号), building, room (室).

    `normalized` is the canonical form produced by registry.addresses.normalize_parts, so that
    "祁连山南路2891弄12号301室" and its variants (full-width digits, 號, spaces, 栋/幢/号楼,
    Chinese numerals) are one record.
    Each address belongs to a building group (楼组); `micro_grid` is copied from it because every
    scoped query filters on it. `estate` (小区) is filled from the estates' address ranges
    (road + 弄) when the address is created, and by `manage.py assign_estates` for old ones.
    """

    road = models.CharField(_("路（街）"), max_length=100)
    lane = models.CharField(_("弄"), max_length=20, blank=True)
    number = models.CharField(_("号"), max_length=20, blank=True)
    building = models.CharField(_("幢/栋"), max_length=20, blank=True)
    room = models.CharField(_("室"), max_length=20, blank=True)
    normalized = models.CharField(_("标准地址"), max_length=200, unique=True)
    building_group = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("楼组"),
        on_delete=models.PROTECT,
        related_name="addresses",
        limit_choices_to={"level": GridLevel.BUILDING_GROUP},
    )
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        related_name="micro_grid_addresses",
        editable=False,
    )
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.SET_NULL,
        related_name="addresses",
        null=True,
        blank=True,
    )
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("标准地址")
        verbose_name_plural = _("标准地址")
        ordering = ["normalized"]

    def __str__(self):
        return self.normalized

    def save(self, *args, **kwargs):
        from civicgrid.registry.addresses import clean_parts

        parts = clean_parts(self.road, self.lane, self.number, self.building, self.room)
        self.road, self.lane, self.number = parts.road, parts.lane, parts.number
        self.building, self.room = parts.building, parts.room
        self.normalized = parts.normalized
        if self.building_group_id:
            self.micro_grid_id = self.building_group.parent_id
        super().save(*args, **kwargs)

    def clean(self):
        from civicgrid.registry.addresses import normalize_parts

        if self.building_group_id and self.building_group.level != GridLevel.BUILDING_GROUP:
            raise ValidationError({"building_group": _("地址只能挂在楼组下")})
        if not (self.number or self.building):
            raise ValidationError({"number": _("门牌号（号）和幢至少填写一项")})
        normalized = normalize_parts(self.road, self.lane, self.number, self.building, self.room)
        clash = Address.objects.filter(normalized=normalized).exclude(pk=self.pk)
        if clash.exists():
            raise ValidationError(_("标准地址“%(addr)s”已存在") % {"addr": normalized})


class Household(models.Model):
    """A household (户) living at or registered to an address. Its dwelling has a tenure
    (房屋性质: 商品房, 公房 …) and a use (房屋用途: 自住, 出租 …); its estate is its address's."""

    address = models.ForeignKey(
        Address, verbose_name=_("地址"), on_delete=models.PROTECT, related_name="households"
    )
    household_number = models.CharField(_("户号"), max_length=32, blank=True)
    tenure = models.CharField(
        _("房屋性质"), max_length=20, choices=Tenure.choices, default=Tenure.COMMERCIAL
    )
    use = models.CharField(
        _("房屋用途"),
        max_length=20,
        choices=DwellingUse.choices,
        default=DwellingUse.OWNER_OCCUPIED,
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["address__normalized", "id"]

    def __str__(self):
        return f"{self.address}({self.household_number or self.pk})"

    @property
    def estate(self):
        return self.address.estate


class Resident(models.Model):
    """A person in the real-population registry (实有人口).

    ID number and phone are stored here once and nowhere else; every screen and endpoint shows
    them masked (registry.pii) unless the viewer's role allows a full view, which is logged in
    PersonalDataAccess.
    """

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="residents"
    )
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_type = models.CharField(
        _("证件类型"), max_length=20, choices=IdType.choices, default=IdType.RESIDENT_ID
    )
    id_number = models.CharField(_("证件号码"), max_length=32, blank=True)
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    relation_to_head = models.CharField(_("与户主关系"), max_length=20, blank=True)
    is_registered = models.BooleanField(_("户籍人口"), default=True)
    lives_here = models.BooleanField(_("实际居住"), default=True)
    care_tags = models.JSONField(_("关爱标签"), default=list, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_type", "id_number"],
                condition=~models.Q(id_number=""),
                name="resident_unique_document",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """Document checksum, phone format and care tags; Chinese messages per field."""
        from civicgrid.registry.validators import (
            id_birth_date,
            id_gender,
            normalize_id_number,
            validate_document,
            validate_mobile,
        )

        errors = {}
        self.id_number = normalize_id_number(self.id_number)
        if self.id_number and self.id_type == IdType.RESIDENT_ID:
            # Fill what the ID card already says before comparing, so a blank field is no error.
            doc_errors = validate_document(self.id_type, self.id_number)
            if not doc_errors:
                self.gender = self.gender or id_gender(self.id_number)
                self.birth_date = self.birth_date or id_birth_date(self.id_number)
        errors.update(
            validate_document(
                self.id_type, self.id_number, gender=self.gender, birth_date=self.birth_date
            )
        )
        if self.phone:
            try:
                self.phone = validate_mobile(self.phone)
            except ValidationError as exc:
                errors["phone"] = exc.messages[0]
        if not self.gender and "gender" not in errors:
            errors["gender"] = _("请填写性别（居民身份证号码可自动识别性别）")
        valid_tags = set(CareTag.values)
        if not isinstance(self.care_tags, list) or not set(self.care_tags) <= valid_tags:
            errors["care_tags"] = _("关爱标签只能取：%s") % "、".join(
                str(x) for x in CareTag.labels
            )
        if errors:
            raise ValidationError(errors)

    @property
    def care_tag_labels(self):
        labels = dict(CareTag.choices)
        return [labels.get(tag, tag) for tag in self.care_tags]


class RentalRegistration(models.Model):
    """租赁登记: a let dwelling (use 出租 or 群租), its landlord — a registered resident, or a name
    and phone (shown masked) — its tenants (residents) and the term."""

    household = models.ForeignKey(
        Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="rentals"
    )
    landlord = models.ForeignKey(
        Resident,
        verbose_name=_("出租人（居民）"),
        on_delete=models.PROTECT,
        related_name="rentals_as_landlord",
        null=True,
        blank=True,
    )
    landlord_name = models.CharField(_("出租人姓名"), max_length=50, blank=True)
    landlord_phone = models.CharField(_("出租人手机号"), max_length=32, blank=True)
    tenants = models.ManyToManyField(
        Resident, verbose_name=_("承租人"), related_name="rentals_as_tenant", blank=True
    )
    start_date = models.DateField(_("租赁开始日期"))
    end_date = models.DateField(_("租赁结束日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("租赁登记")
        verbose_name_plural = _("租赁登记")
        ordering = ["-start_date", "id"]

    def __str__(self):
        return f"{self.household} {self.start_date:%Y-%m-%d}"

    def clean(self):
        errors = {}
        if self.landlord_id is None and not self.landlord_name:
            errors["landlord"] = _("请选择出租人（居民）或填写出租人姓名")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("租赁结束日期不能早于开始日期")
        if errors:
            raise ValidationError(errors)


class PersonalDataAccess(ImmutableModel):
    """An immutable log row: who saw whose full ID number or phone, when and where."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        on_delete=models.PROTECT,
        related_name="pii_accesses",
    )
    resident = models.ForeignKey(
        Resident, verbose_name=_("被查看人"), on_delete=models.PROTECT, related_name="pii_accesses"
    )
    field = models.CharField(_("字段"), max_length=20, choices=PiiField.choices)
    channel = models.CharField(_("途径"), max_length=100, blank=True)
    accessed_at = models.DateTimeField(_("查看时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("个人信息查看记录")
        verbose_name_plural = _("个人信息查看记录")
        ordering = ["-accessed_at"]

    def __str__(self):
        return f"{self.user} → {self.resident} {self.field} {self.accessed_at:%Y-%m-%d %H:%M}"
