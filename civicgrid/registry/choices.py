from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class IdType(models.TextChoices):
    """Document types; only the resident ID card has a check digit we can verify (GB 11643)."""

    RESIDENT_ID = "resident_id", _("居民身份证")
    PASSPORT = "passport", _("护照")
    HK_MACAO = "hk_macao", _("港澳居民来往内地通行证")
    TAIWAN = "taiwan", _("台湾居民来往大陆通行证")
    FOREIGN_PR = "foreign_pr", _("外国人永久居留身份证")
    OTHER = "other", _("其他")


class Tenure(models.TextChoices):
    """A dwelling's tenure (房屋性质), as the 居委 registers count it (普育里: 77 公房, 136 售后公房)."""

    COMMERCIAL = "commercial", _("商品房")
    PUBLIC_RENT = "public_rent", _("公房")
    SOLD_PUBLIC = "sold_public", _("售后公房")
    SELF_BUILT = "self_built", _("自建房")
    RESETTLEMENT = "resettlement", _("动迁安置")
    AFFORDABLE_RENTAL = "affordable_rental", _("保障性租赁")
    OTHER = "other", _("其他")


class DwellingUse(models.TextChoices):
    """What a dwelling is used for (房屋用途): whoever owns it, it may be let (seed 002:
    1692户农村自建房出租屋)."""

    OWNER_OCCUPIED = "owner_occupied", _("自住")
    RENTED = "rented", _("出租")
    GROUP_RENTED = "group_rented", _("群租")
    VACANT = "vacant", _("空置")
    BUSINESS = "business", _("经营")


RENTED_USES = frozenset({DwellingUse.RENTED, DwellingUse.GROUP_RENTED})


class CareTag(models.TextChoices):
    """Special-care tags that grid workers visit for."""

    ELDERLY_ALONE = "elderly_alone", _("独居老人")
    ELDERLY_LONELY = "elderly_lonely", _("孤老")
    DISABLED = "disabled", _("残疾人")
    LOW_INCOME = "low_income", _("低保")
    VETERAN = "veteran", _("优抚对象")
    SERIOUS_ILLNESS = "serious_illness", _("大病")
    LEFT_BEHIND_CHILD = "left_behind_child", _("困境儿童")


class PiiField(models.TextChoices):
    ID_NUMBER = "id_number", _("证件号码")
    PHONE = "phone", _("手机号")
