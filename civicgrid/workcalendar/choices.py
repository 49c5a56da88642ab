from django.db import models
from django.utils.translation import gettext_lazy as _


class DayKind(models.TextChoices):
    """What a calendar day is for deadlines; set each year by the State Council's notice."""

    WORKDAY = "workday", _("工作日")
    WEEKEND = "weekend", _("周末")
    HOLIDAY = "holiday", _("法定节假日")
    ADJUSTED_WORKDAY = "adjusted_workday", _("调休上班")


# Kinds on which the clock of a working-day or working-hour limit runs.
WORKING_KINDS = frozenset({DayKind.WORKDAY, DayKind.ADJUSTED_WORKDAY})


class DaySource(models.TextChoices):
    """Where a day's kind came from, so an operator can tell package data from their own edits."""

    SEED = "seed", _("chinese-calendar 数据")
    NOTICE = "notice", _("录入国务院通知")
    MANUAL = "manual", _("手工修改")


# The State Council notices name the holidays in Chinese; chinese-calendar names them in English.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
