"""Fixed vocabularies of the case loop (事件闭环)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseStatus(models.TextChoices):
    """Where a case stands in the loop 受理 → 立案 → 派遣 → 处置 → 核查 → 结案.

    Two things are flags, not states, because they happen *within* a state:
    - 挂起 (suspension): `Case.is_suspended` plus pause intervals; the case keeps its state and
      its clocks stop, so resuming returns to exactly where it was.
    - 评价 (rating): a closed case carries `rating`/`rated_at`; 不满意 may reopen it once
      (back to 处置中).
    """

    REPORTED = "reported", _("待受理")
    FILED = "filed", _("已立案")
    NOT_FILED = "not_filed", _("不予立案")
    DISPATCHED = "dispatched", _("已派遣")
    ACCEPTED = "accepted", _("处置中")
    RETURNED = "returned", _("退回")
    HANDLED = "handled", _("已处置")
    CLOSED = "closed", _("已结案")
    MERGED = "merged", _("已合并")
    # 退单: a 12345 ticket the street sent back to the hotline (not its street, not its
    # competence); the hotline re-dispatches it, the street's part is over.
    SENT_BACK = "sent_back", _("已退单")
    # 撤销: the reporter took their own report back before it was filed.
    WITHDRAWN = "withdrawn", _("已撤销")


# States of a case still being worked on (open for duplicates, warnings, call-ins).
OPEN_STATUSES = frozenset(
    {
        CaseStatus.REPORTED,
        CaseStatus.FILED,
        CaseStatus.DISPATCHED,
        CaseStatus.ACCEPTED,
        CaseStatus.RETURNED,
        CaseStatus.HANDLED,
    }
)


class WarningLevel(models.TextChoices):
    """Deadline warning of the running clock: yellow at 80 % of the limit, red when overdue."""

    NONE = "", _("正常")
    YELLOW = "yellow", _("黄灯预警")
    RED = "red", _("红灯超期")


class CaseSource(models.TextChoices):
    """Intake channel of a case."""

    GRID_PATROL = "grid_patrol", _("巡查上报")
    RESIDENT = "resident", _("居民上报")
    HOTLINE_12345 = "hotline_12345", _("12345热线")
    DEPARTMENT = "department", _("部门自查")
    SUPERVISION = "supervision", _("督查")
    OPEN311 = "open311", _("Open311")
    # A grid worker's household visit (or its follow-up) turned into a case (civicgrid.fieldwork).
    VISIT = "visit", _("走访")
    # 物管家 "一口式受理" (seed 002): a repair request taken in at the estate's property desk.
    PROPERTY_REPAIR = "property_repair", _("物业报修")
    # Taken in by the 城运中心's desk: a call to the street's own line (来电) or a visitor at the
    # desk (来访); a 12345 ticket typed by hand stays HOTLINE_12345 with its ticket number.
    PHONE_CALL = "phone_call", _("来电")
    WALK_IN = "walk_in", _("来访")
    # 主动发现: a grid worker's finding on a proactive patrol task (civicgrid.proactive: a hotspot,
    # an anomaly or a 一弄一案 item sent them there).
    PROACTIVE = "proactive", _("主动发现")


# Sources a client may not pick (the API's `source`, the desk's 受理渠道): only their own service
# sets them — 主动发现 comes from a finding on a proactive patrol task (proactive.services
# do_record_finding) and the dashboard's 主动发现占比 and the scorecard's 防范到位 count it, so a
# hand-set one would inflate them. The value is the refusal shown on the field.
SOURCES_NOT_BY_HAND = {
    CaseSource.PROACTIVE: _("主动发现只能由主动治理巡查任务的发现生成"),
}


class CategoryFamily(models.TextChoices):
    """The two families of the urban-management standard plus the community extension class."""

    COMPONENT = "component", _("部件")
    EVENT = "event", _("事件")
    COMMUNITY = "community", _("社区扩展")


class LimitUnit(models.TextChoices):
    """Unit of a handling limit; both count only working time from the calendar."""

    WORKING_HOURS = "working_hours", _("工作小时")
    WORKING_DAYS = "working_days", _("工作日")


class Rating(models.TextChoices):
    """The reporter's rating of a closed case."""

    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


# 满意率 counts these (满意数); 不满意 counts only in the denominator (评价数).
SATISFIED_RATINGS = (Rating.SATISFIED, Rating.BASICALLY)


class RatingChannel(models.TextChoices):
    """How a rating reached the street (CaseRating.channel)."""

    LINK = "link", _("查询码链接")
    RESIDENT = "resident", _("居民账号")
    RETURN_VISIT = "return_visit", _("回访记录")


class HotlineRequestType(models.TextChoices):
    """12345 request types; each has its own handling limit (沪府办〔2018〕62号 practice)."""

    CONSULT = "consult", _("咨询/建议")
    SUPERVISE = "supervise", _("督办/回访复核")
    HELP = "help", _("一般求助/投诉")
    COMPLEX = "complex", _("复杂疑难")


# Handling limit in working days per 12345 request type. A complex ticket gets its 15 working
# days only once the 值班长 approves them (services.do_approve_complex_limit,
# Case.complex_limit_approved_at); until then it runs on the 求助/投诉 limit.
HOTLINE_LIMIT_DAYS = {
    HotlineRequestType.CONSULT: 1,
    HotlineRequestType.SUPERVISE: 3,
    HotlineRequestType.HELP: 5,
    HotlineRequestType.COMPLEX: 15,
}
UNAPPROVED_COMPLEX_LIMIT_DAYS = HOTLINE_LIMIT_DAYS[HotlineRequestType.HELP]


class MediationOutcome(models.TextChoices):
    """调解结果 of a 矛盾纠纷 case, recorded with its handling (处置反馈)."""

    SUCCEEDED = "succeeded", _("调解成功")
    FAILED = "failed", _("调解不成功")
    REFERRED = "referred", _("转办")


class HotlineMessageKind(models.TextChoices):
    """What the street sends back to the 12345 hotline (cases.hotline)."""

    SEND_BACK = "send_back", _("退单")
    REPLY = "reply", _("办结回复")


class HotlineMessageStatus(models.TextChoices):
    """A message to the hotline waits until the hotline acknowledges it."""

    PENDING = "pending", _("待发送")
    ACKNOWLEDGED = "acknowledged", _("已确认")


class ExtensionStatus(models.TextChoices):
    """State of a request for more time (延期申请)."""

    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已驳回")


class CoHandlingStatus(models.TextChoices):
    """State of a co-handling department's part (协办)."""

    OPEN = "open", _("待反馈")
    DONE = "done", _("已反馈")
    CANCELLED = "cancelled", _("已取消")


class CallInStatus(models.TextChoices):
    """State of a grassroots call-in (基层约请)."""

    OPEN = "open", _("约请中")
    CONCLUDED = "concluded", _("已办结")


class CaseAction(models.TextChoices):
    """Every action the history records; the allowed ones per state are in cases.workflow."""

    REPORT = "report", _("上报")
    FILE = "file", _("立案")
    REFUSE_FILING = "refuse_filing", _("不予立案")
    DISPATCH = "dispatch", _("派遣")
    ACCEPT = "accept", _("接单处置")
    RETURN = "return", _("退回")
    HANDLE = "handle", _("处置反馈")
    VERIFY_PASS = "verify_pass", _("核查通过")
    VERIFY_FAIL = "verify_fail", _("核查不通过（返工）")
    RATE = "rate", _("评价")
    REOPEN = "reopen", _("不满意重新处置")
    REQUEST_EXTENSION = "request_extension", _("申请延期")
    DECIDE_EXTENSION = "decide_extension", _("审批延期")
    SUSPEND = "suspend", _("挂起")
    RESUME = "resume", _("恢复")
    MERGE = "merge", _("合并到主案件")
    MERGE_RECEIVE = "merge_receive", _("并入重复案件")
    START_CALL_IN = "start_call_in", _("发起基层约请")
    RECORD_CALL_IN_OUTCOME = "record_call_in_outcome", _("约请结果")
    # The operator sets the place of a case the locator could not place (待人工定位) or corrects it.
    LOCATE = "locate", _("人工定位")
    # 退单: a 12345 ticket back to the hotline, approved by the 值班长 (cases.services.hotline).
    SEND_BACK = "send_back", _("退单")
    # 先行联系: the first contact with the caller, recorded once while the case is open.
    FIRST_CONTACT = "first_contact", _("先行联系")
    # The 值班长 grants a 复杂 12345 ticket its 15-working-day limit.
    APPROVE_COMPLEX_LIMIT = "approve_complex_limit", _("批准复杂件办理时限")
    # The reporter adds a note or a photo to their own open report (补充信息).
    ADD_INFO = "add_info", _("补充信息")
    # The reporter withdraws their own report before it is filed (撤销).
    WITHDRAW = "withdraw", _("撤销")
    # 改派: the street moves a dispatched case to another department (the old one loses it).
    REDISPATCH = "redispatch", _("改派")
    # 撤回: the street takes a dispatched case back to 待派遣.
    RECALL = "recall", _("撤回")
    # 催办: the street hurries the handler of a case near or past its deadline (counted).
    HURRY = "hurry", _("催办")
    # 协办反馈: a co-handling department (协办) gives its part before the lead's 处置反馈.
    CO_FEEDBACK = "co_feedback", _("协办反馈")
    # 取消合并: the 值班长 undoes a merge; the duplicate goes back to where it stood.
    UNMERGE = "unmerge", _("取消合并")
    UNMERGE_RECEIVE = "unmerge_receive", _("移出合并案件")
    # A later 12345 push of a ticket the desk typed in by hand brings the hotline's clock.
    HOTLINE_CLOCK = "hotline_clock", _("12345推送办理期限")
    # Not a transition: the log of one full view of the reporter's phone (personal data).
    REVEAL_PHONE = "reveal_phone", _("查看上报人完整电话")
