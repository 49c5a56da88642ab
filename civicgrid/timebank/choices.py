from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectKind(models.TextChoices):
    """助老项目的类别。"""

    MEALS = "meals", _("助餐")
    CLEANING = "cleaning", _("助洁")
    MEDICAL = "medical", _("助医")
    COMPANY = "company", _("陪伴")
    ERRANDS = "errands", _("代办")
    HAIRCUT = "haircut", _("理发")
    REPAIRS = "repairs", _("小修")
    OTHER = "other", _("其他")


class PartnerKind(models.TextChoices):
    """公益伙伴的类别。"""

    SOCIAL_ORG = "social_org", _("社会组织")
    COMPANY = "company", _("企业")
    UNIT = "unit", _("机关事业单位")
    SHOP = "shop", _("沿街商户")


class RequestState(models.TextChoices):
    """求助的状态。"""

    OPEN = "open", _("待匹配")
    MATCHED = "matched", _("已匹配")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class RecordState(models.TextChoices):
    """服务记录的状态。"""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    VERIFIED = "verified", _("已审核")
    REJECTED = "rejected", _("已退回")


class AccountKind(models.TextChoices):
    """时间账户的类型：个人账户，或银行的三个账户。"""

    PERSON = "person", _("个人账户")
    ISSUED = "issued", _("发行账户")
    REDEEMED = "redeemed", _("兑换账户")
    POOL = "pool", _("公益池")


class TransferKind(models.TextChoices):
    """时间币分录的事由。"""

    EARN = "earn", _("服务存入")
    GIFT = "gift", _("赠与亲属")
    DONATE = "donate", _("捐入公益池")
    REDEEM = "redeem", _("兑换服务")
    REVERSAL = "reversal", _("冲正")
