"""The case loop's data: categories, cases, their immutable history, extensions and call-ins.

Every change of a case goes through cases.services (one function per action, see
cases.workflow for the table of allowed transitions); nothing here changes a status by itself.
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.choices import (
    OPEN_STATUSES,
    CallInStatus,
    CaseAction,
    CaseSource,
    CaseStatus,
    CategoryFamily,
    CoHandlingStatus,
    ExtensionStatus,
    HotlineMessageKind,
    HotlineMessageStatus,
    HotlineRequestType,
    LimitUnit,
    MediationOutcome,
    Rating,
    RatingChannel,
    WarningLevel,
)
from civicgrid.cases.clock import running_deadline_expression
from civicgrid.cases.signals import refuse_watched
from civicgrid.core.models import ImmutableModel
from civicgrid.grids.choices import GridLevel


def new_public_token() -> str:
    return secrets.token_urlsafe(16)


class Category(models.Model):
    """A problem category (案件类别) of the urban-management standard or a community extension.

    Top-level classes have a 2-digit code ("01") and no parent; second levels have a 4-digit code
    whose first two digits are the parent's ("0102" 暴露垃圾 under "01" 市容环境). Codes are unique
    within a family (部件 01 and 事件 01 are different classes). Limits are per category: the
    filing limit (立案+派遣) in minutes, the handling limit in working hours or working days.
    """

    family = models.CharField(_("大类"), max_length=20, choices=CategoryFamily.choices)
    code = models.CharField(_("编码"), max_length=8)
    name = models.CharField(_("名称"), max_length=50)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    default_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("默认处置部门"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="default_categories",
    )
    filing_limit_minutes = models.PositiveIntegerField(
        _("立案派遣时限（分钟）"),
        default=30,
        help_text=_("紧急类按自然时间计，其余按工作时间计"),
    )
    handling_limit_value = models.PositiveIntegerField(_("处置时限"), default=5)
    handling_limit_unit = models.CharField(
        _("处置时限单位"),
        max_length=20,
        choices=LimitUnit.choices,
        default=LimitUnit.WORKING_DAYS,
    )
    is_urgent = models.BooleanField(
        _("紧急"), default=False, help_text=_("紧急类须在10分钟内立案并派遣")
    )
    is_active = models.BooleanField(_("启用"), default=True)
    is_public = models.BooleanField(
        _("对外公开"),
        default=True,
        help_text=_("否：此类案件不在 Open311 公开接口发布（涉及个人或弱势群体的类别）"),
    )
    group = models.CharField(
        _("归并组"),
        max_length=20,
        blank=True,
        db_index=True,
        help_text=_("内容重叠的类别填同一组码（如跨门营业与店外经营），重复提示和指标按一类计"),
    )
    needs_mediation_outcome = models.BooleanField(
        _("须记录调解结果"),
        default=False,
        help_text=_("是：处置反馈时必须填写调解结果（调解成功、调解不成功、转办），如矛盾纠纷"),
    )

    class Meta:
        verbose_name = _("案件类别")
        verbose_name_plural = _("案件类别")
        ordering = ["family", "code"]
        constraints = [
            models.UniqueConstraint(fields=["family", "code"], name="category_unique_code"),
        ]

    def __str__(self):
        return f"{self.get_family_display()} {self.code} {self.name}"

    @property
    def is_leaf(self) -> bool:
        return self.parent_id is not None


class CaseNumberCounter(models.Model):
    """The last sequence number handed out on one day; locked row by row to number cases."""

    day = models.DateField(_("日期"), unique=True)
    last = models.PositiveIntegerField(_("已用序号"), default=0)

    class Meta:
        verbose_name = _("案件编号计数器")
        verbose_name_plural = _("案件编号计数器")

    def __str__(self):
        return f"{self.day}: {self.last}"


class CaseQuerySet(models.QuerySet):
    """Bulk writes of the fields cases.signals.case_changed announces are refused: those change
    only through cases.services (see cases.signals for the rule)."""

    def update(self, **kwargs):
        refuse_watched(kwargs)
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, batch_size=None):
        refuse_watched(fields)
        return super().bulk_update(objs, fields, batch_size=batch_size)


class Case(models.Model):
    """One problem (案件) on its way through the loop, from report to close and rating.

    `number` is "YYYYMMDD" + a 5-digit sequence of the day (2026112200017). Deadlines are
    computed by cases.services from the category (or the 12345 request type) with the working-day
    calendar; `calendar_published` is False when the running deadline relied on a year whose
    holiday notice is not yet entered (plain Monday–Friday assumed).
    """

    number = models.CharField(_("案件编号"), max_length=20, unique=True, editable=False)
    source = models.CharField(_("来源"), max_length=20, choices=CaseSource.choices)
    external_ticket = models.CharField(
        _("外部工单号"), max_length=64, blank=True, help_text=_("12345 工单号等，同一来源内唯一")
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("类别"),
        on_delete=models.PROTECT,
        related_name="cases",
        # case_list_category_idx below leads with it: a second index would only slow intake.
        db_index=False,
    )
    hotline_request_type = models.CharField(
        _("12345诉求类型"), max_length=20, choices=HotlineRequestType.choices, blank=True
    )
    hotline_dispatched_at = models.DateTimeField(
        _("12345派单时间"),
        null=True,
        blank=True,
        help_text=_("热线派单给街镇的时间：12345工单的办理时限从此起算"),
    )
    hotline_deadline = models.DateTimeField(
        _("12345办理期限"),
        null=True,
        blank=True,
        help_text=_("热线推送的办理期限（原样保存）；街镇内退回不停止计时"),
    )
    description = models.TextField(_("问题描述"))
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        limit_choices_to={"level": GridLevel.MICRO_GRID},
        # Led by case_list_grid_idx and the (micro_grid, status) index below.
        db_index=False,
    )
    needs_manual_location = models.BooleanField(
        _("待人工定位"), default=False, help_text=_("上报位置不在任何网格内或未提供")
    )
    reporter_name = models.CharField(_("上报人"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("上报人电话"), max_length=32, blank=True)
    reporter_email = models.EmailField(
        _("上报人电子邮箱"),
        blank=True,
        help_text=_("用于告知立案、处置、结案和评价链接；对外显示时打码"),
    )
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_cases",
    )
    is_anonymous = models.BooleanField(_("匿名"), default=False)

    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=CaseStatus.choices,
        default=CaseStatus.REPORTED,
        # Led by case_list_status_idx and case_deadline_status_idx (nothing asks LIKE of it).
        db_index=False,
    )
    assigned_department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("处置部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        # Led by case_list_dept_idx, case_deadline_dept_idx and (department, status).
        db_index=False,
    )
    handled_by_grid = models.BooleanField(_("网格内处置"), default=False)

    # Led by case_list_newest_idx (a B-tree reads either way).
    reported_at = models.DateTimeField(_("上报时间"))
    filed_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("接单时间"), null=True, blank=True)
    handled_at = models.DateTimeField(_("处置时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)

    filing_deadline = models.DateTimeField(_("立案派遣期限"), null=True, blank=True)
    handling_deadline = models.DateTimeField(_("处置期限"), null=True, blank=True)
    verification_deadline = models.DateTimeField(_("核查期限"), null=True, blank=True)
    calendar_published = models.BooleanField(
        _("期限依据已公布日历"),
        default=True,
        help_text=_("否：期限跨入节假日安排尚未公布的年份，按周一至周五估算"),
    )

    warning_level = models.CharField(
        _("预警"),
        max_length=10,
        choices=WarningLevel.choices,
        default=WarningLevel.NONE,
        blank=True,
        help_text=_("由定时任务按当前时限计算：用时达80%黄灯，超期红灯"),
    )

    rework_count = models.PositiveIntegerField(_("返工次数"), default=0)
    extension_count = models.PositiveIntegerField(_("延期次数"), default=0)
    returned_count = models.PositiveIntegerField(_("退回次数"), default=0)
    hurry_count = models.PositiveIntegerField(_("催办次数"), default=0)
    reopened_once = models.BooleanField(_("已因不满意重新处置"), default=False)

    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并到"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
    )

    is_suspended = models.BooleanField(_("挂起中"), default=False)
    suspended_at = models.DateTimeField(_("挂起时间"), null=True, blank=True)
    suspension_reason = models.CharField(_("挂起原因"), max_length=500, blank=True)
    pauses = models.JSONField(
        _("暂停区间"), default=list, blank=True, help_text=_("已结束的挂起区间 [开始，结束]")
    )

    handling_result = models.TextField(_("处置结果"), blank=True)
    rating = models.CharField(_("评价"), max_length=20, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    # Kept with each CaseRating in the same step (services.do_rate), so that the dashboard's
    # rollups, which follow the case's watched fields, count every closure's rating; `rating`
    # above is only the current closure's and is cleared when 不满意 reopens the case.
    rated_closures = models.PositiveSmallIntegerField(_("已评价结案次数"), default=0)
    satisfied_closures = models.PositiveSmallIntegerField(_("满意结案次数"), default=0)
    # 是否解决, apart from the rating: set at 核查通过, may be changed at the return visit (评价).
    resolved = models.BooleanField(_("是否解决"), null=True, blank=True)
    mediation_outcome = models.CharField(
        _("调解结果"), max_length=20, choices=MediationOutcome.choices, blank=True
    )
    first_contact_at = models.DateTimeField(
        _("先行联系时间"), null=True, blank=True, help_text=_("首次联系上报人（来电人）的时间")
    )
    first_contact_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("先行联系人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    first_contact_note = models.TextField(_("先行联系情况"), blank=True)
    complex_limit_approved_at = models.DateTimeField(
        _("复杂件时限批准时间"),
        null=True,
        blank=True,
        help_text=_("值班长批准12345复杂件按15个工作日办理的时间；未批准时按5个工作日"),
    )
    complex_limit_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("复杂件时限批准人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    public_token = models.CharField(
        _("查询码"), max_length=32, unique=True, default=new_public_token, editable=False
    )
    # A report kept on a phone without signal is sent again when the connection returns: the
    # key the phone generated for it makes the resend answer the case the first send created.
    client_key = models.UUIDField(
        _("客户端提交标识"), null=True, blank=True, unique=True, editable=False
    )
    # What the request that brought client_key asked for (SHA-256 of its payload, API and
    # Open311 Idempotency-Key): the same key with another payload is refused, not answered.
    client_fingerprint = models.CharField(
        _("提交内容摘要"), max_length=64, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件")
        verbose_name_plural = _("案件")
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_ticket"],
                condition=~models.Q(external_ticket=""),
                name="case_unique_external_ticket",
            ),
        ]
        # Every index is written by each intake and by each step that changes an indexed column
        # (a new row version enters all of them): none here repeats another's leading columns.
        indexes = [
            # Warning counts and filters; declared here, not by db_index, which on PostgreSQL adds
            # a second (LIKE) index that no query uses.
            models.Index(fields=["warning_level"], name="case_warning_idx"),
            models.Index(fields=["assigned_department", "status"]),
            models.Index(fields=["micro_grid", "status"]),
            models.Index(fields=["category", "status"]),
            # The lists' keyset pages (newest first, cases.api.pagination), whole street, by
            # state and by department: read from the index at any depth, never sorted.
            models.Index(fields=["-reported_at", "-id"], name="case_list_newest_idx"),
            models.Index(fields=["status", "-reported_at", "-id"], name="case_list_status_idx"),
            models.Index(
                fields=["assigned_department", "-reported_at", "-id"], name="case_list_dept_idx"
            ),
            models.Index(fields=["micro_grid", "-reported_at", "-id"], name="case_list_grid_idx"),
            # The 类别 order, category by category (console.queries._category_ids).
            models.Index(fields=["category", "-reported_at", "-id"], name="case_list_category_idx"),
            # The same order over the open cases only: a tab of several states (处置中, 超期,
            # 督办) in report order reads its few thousand open cases from here, where the index
            # above walked the closed history first (oldest first: every closed case).
            models.Index(
                fields=["-reported_at", "-id"],
                condition=models.Q(status__in=sorted(OPEN_STATUSES)),
                name="case_open_newest_idx",
            ),
            # The queues' urgency orders (console.queries.SORTS: 期限 and 状态, the department
            # inbox's default): on the running deadline itself, the expression the queries sort
            # by — PostgreSQL uses an index on an expression only for that exact expression, so
            # it is cases.clock's, and a change of the clocks changes these indexes (a migration).
            # ASC puts NULL (no clock running: closed cases) last in PostgreSQL, as the sorts do.
            models.Index(running_deadline_expression(), F("id").desc(), name="case_deadline_idx"),
            models.Index(
                "status",
                running_deadline_expression(),
                F("id").desc(),
                name="case_deadline_status_idx",
            ),
            models.Index(
                "assigned_department",
                "status",
                running_deadline_expression(),
                F("id").desc(),
                name="case_deadline_dept_idx",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.category.name if self.category_id else ''}"


class CaseEvent(ImmutableModel):
    """One immutable row of a case's history: who did what, when, from which state to which."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_events",
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    action = models.CharField(_("动作"), max_length=30, choices=CaseAction.choices)
    from_status = models.CharField(
        _("原状态"), max_length=20, choices=CaseStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=20, choices=CaseStatus.choices)
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("数据"), default=dict, blank=True)

    class Meta:
        verbose_name = _("案件流转记录")
        verbose_name_plural = _("案件流转记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class CaseRating(ImmutableModel):
    """评价记录: one rating of one closure (结案) of a case, kept for good.

    A case closed, rated 不满意 and reopened is closed a second time and may be rated again: each
    closure has its own number (`closure`, 1 for the first). The first rating of a closure is the
    one 满意率 counts (`counted`); the case's own `rating` field only holds the current closure's.
    """

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="ratings"
    )
    closure = models.PositiveSmallIntegerField(_("结案轮次"))
    rating = models.CharField(_("评价"), max_length=20, choices=Rating.choices)
    comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    resolved = models.BooleanField(_("是否解决"), null=True, blank=True)
    counted = models.BooleanField(_("计入满意率"), default=True)
    channel = models.CharField(_("评价渠道"), max_length=20, choices=RatingChannel.choices)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空：报告人通过查询码评价"),
    )
    at = models.DateTimeField(_("评价时间"), db_index=True)

    class Meta:
        verbose_name = _("评价记录")
        verbose_name_plural = _("评价记录")
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "closure"],
                condition=models.Q(counted=True),
                name="case_rating_one_counted_per_closure",
            ),
        ]

    def __str__(self):
        return f"{self.case_id}#{self.closure} {self.get_rating_display()}"


class ExtensionRequest(models.Model):
    """A handler's request for more time (延期申请) and the operator's decision on it."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("申请时间"))
    days = models.PositiveIntegerField(_("延期工作日数"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("状态"), max_length=20, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)
    previous_deadline = models.DateTimeField(_("原处置期限"), null=True, blank=True)
    new_deadline = models.DateTimeField(_("新处置期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["requested_at", "id"]

    def __str__(self):
        return f"{self.case_id} +{self.days} {self.get_status_display()}"


class CallIn(models.Model):
    """基层约请: a community escalates an overdue or cross-department case to the street, which
    convenes the departments; the meeting and its outcome are part of the case."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="call_ins"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("发起时间"))
    reason = models.TextField(_("约请事由"))
    departments = models.ManyToManyField(
        "accounts.Department", verbose_name=_("约请部门"), related_name="call_ins"
    )
    meeting_at = models.DateTimeField(_("会商时间"), null=True, blank=True)
    outcome = models.TextField(_("约请结果"), blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=CallInStatus.choices, default=CallInStatus.OPEN
    )
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("基层约请")
        verbose_name_plural = _("基层约请")
        ordering = ["requested_at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.get_status_display()}"


class CoHandling(models.Model):
    """协办: a department dispatched to help the lead department (主办, the case's
    assigned_department). It gives its own feedback (text, photos with the history row) before
    the lead may record the handling; a 改派, 撤回 or 退回 cancels the parts still open."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="co_handlings"
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("协办部门"),
        on_delete=models.PROTECT,
        related_name="co_handlings",
    )
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=CoHandlingStatus.choices,
        default=CoHandlingStatus.OPEN,
        db_index=True,
    )
    assigned_at = models.DateTimeField(_("派遣时间"))
    feedback = models.TextField(_("协办反馈"), blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("反馈人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The history row of the feedback: its photos hang off it (attachments.Attachment.event).
    feedback_event = models.ForeignKey(
        CaseEvent,
        verbose_name=_("反馈记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("协办")
        verbose_name_plural = _("协办")
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=models.Q(status="open"),
                name="co_handling_one_open_per_department",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} {self.department_id} {self.get_status_display()}"


class HotlineMessage(models.Model):
    """热线回传: one message of the street to the 12345 hotline (a 退单 or a 办结 reply), kept
    until the hotline acknowledges it (an outbox: written in the step's transaction, sent by the
    task worker through cases.hotline, retried until acknowledged, each attempt logged)."""

    case = models.ForeignKey(
        Case, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="hotline_messages"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=HotlineMessageKind.choices)
    payload = models.JSONField(_("内容"))
    created_at = models.DateTimeField(_("生成时间"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=HotlineMessageStatus.choices,
        default=HotlineMessageStatus.PENDING,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("发送次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("热线回传")
        verbose_name_plural = _("热线回传")
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.case_id} {self.get_kind_display()} {self.get_status_display()}"


class HotlineAttempt(ImmutableModel):
    """热线回传记录: one attempt to send a HotlineMessage and the hotline's answer (immutable)."""

    message = models.ForeignKey(
        HotlineMessage,
        verbose_name=_("热线回传"),
        on_delete=models.PROTECT,
        related_name="attempt_log",
    )
    at = models.DateTimeField(_("时间"))
    ok = models.BooleanField(_("已确认"))
    status_code = models.PositiveIntegerField(_("HTTP状态码"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("热线回传记录")
        verbose_name_plural = _("热线回传记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.message_id} {self.at:%Y-%m-%d %H:%M} {self.status_code or '-'}"
