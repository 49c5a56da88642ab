from django.db import models
from django.utils.translation import gettext_lazy as _


class IssueState(models.TextChoices):
    """一期社区报的状态。"""

    DRAFT = "draft", _("初稿")
    EDITED = "edited", _("已编辑")
    APPROVED = "approved", _("已审定")
    PUBLISHED = "published", _("已出版")


class Section(models.TextChoices):
    """社区报的栏目（版面顺序）。"""

    NEWS = "news", _("要闻简讯")
    EXPERIENCE = "experience", _("经验交流")
    HONOURS = "honours", _("光荣榜")
    DATA = "data", _("数据")
    LINKS = "links", _("链接")


class Topic(models.TextChoices):
    """稿件的数据来源：初稿由哪一项工作的数据写成。"""

    DIGEST = "digest", _("本期要闻")
    CASES = "cases", _("城运案件")
    HOTLINE = "hotline", _("12345 热线半年报")
    SORTING = "sorting", _("垃圾分类减量")
    FIRESAFETY = "firesafety", _("出租屋消防三色码")
    SHOPS = "shops", _("沿街商铺信息更新")
    TIMEBANK = "timebank", _("爱心银行志愿服务")
    PROJECTS = "projects", _("社区项目")
    MEETINGS = "meetings", _("三会议定事项")
    NOTICES = "notices", _("公示公告")
    HONOURS = "honours", _("身边好人光荣榜")
    PARTY = "party", _("党组织星级评定")
    LINKS = "links", _("链接")


class IssueAction(models.TextChoices):
    """社区报的操作（编辑部履历）。"""

    COMPILE = "compile", _("生成初稿")
    EDIT = "edit", _("编辑稿件")
    APPROVE = "approve", _("审定")
    RETURN = "return", _("退回修改")
    PUBLISH = "publish", _("出版")
