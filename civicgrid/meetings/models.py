"""三会: hearings (听证会), coordination meetings (协调会) and evaluation meetings (评议会) of a 居村
(seed 002: "'三会'实训 … 听证会、协调会、评议会的流程规范"; 《上海市居民区听证会、协调会、评议会制度试行办法》).

The 居民区党组织 leads (the chair), the 居委会 convenes. A meeting concerns an object of another
app (a project, a case, a parking rule, a 居民公约, a department, a 物业) through a generic
`subject`, so that meetings sit below the programme apps that point at them.

Rows change only through meetings.services. History, sign-ins' votes, opinions and signed minutes
are immutable; a correction of signed minutes is a new, linked version.
"""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.meetings.choices import (
    Ballot,
    BodyKind,
    Decision,
    MeetingAction,
    MeetingKind,
    MeetingState,
    Part,
    Rating,
    SignInMethod,
    Stance,
    TraineePost,
)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class Meeting(models.Model):
    """三会会议: one hearing, coordination or evaluation meeting of a 居村, its subject, convener,
    chair, time, place, state, quorum rule and outcome."""

    kind = models.CharField(_("会议类型"), max_length=20, choices=MeetingKind.choices)
    community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("居村"),
        on_delete=models.PROTECT,
        related_name="meetings",
        limit_choices_to={"level": "community"},
    )
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    title = models.CharField(_("议题"), max_length=200)
    subject_type = models.ForeignKey(
        ContentType,
        verbose_name=_("议题对象类型"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    subject_id = models.PositiveBigIntegerField(_("议题对象编号"), null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    subject_title = models.CharField(_("议题对象"), max_length=200, blank=True)
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=MeetingState.choices,
        default=MeetingState.PLANNED,
        db_index=True,
    )
    starts_at = models.DateTimeField(_("召开时间"), db_index=True)
    place = models.CharField(_("地点"), max_length=200)
    convener = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("召集人（居委会）"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="convened_meetings",
    )
    chair_name = models.CharField(_("主持人（居民区党组织）"), max_length=50, blank=True)
    description = models.TextField(_("会议说明"), blank=True)
    notice_days = models.PositiveSmallIntegerField(
        _("提前公告天数"), validators=[MaxValueValidator(60)]
    )
    noticed_at = models.DateTimeField(_("公告时间"), null=True, blank=True)
    held_at = models.DateTimeField(_("召开登记时间"), null=True, blank=True)
    # Quorum rule (法定人数): more than quorum_percent % of the representatives present; a motion
    # passes with more than pass_percent % of those present voting for it.
    quorum_percent = models.PositiveSmallIntegerField(
        _("到会比例（百分比）"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    pass_percent = models.PositiveSmallIntegerField(
        _("通过比例（百分比）"), validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    decision = models.CharField(_("听证结论"), max_length=20, choices=Decision.choices, blank=True)
    outcome = models.TextField(_("会议结果"), blank=True)
    published_at = models.DateTimeField(_("结果公布时间"), null=True, blank=True)
    follow_up = models.TextField(_("跟踪落实情况"), blank=True)
    followed_up_at = models.DateTimeField(_("落实时间"), null=True, blank=True)
    sign_in_token = models.CharField(_("签到码"), max_length=64, unique=True, default=new_token)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        verbose_name = _("三会会议")
        verbose_name_plural = _("三会会议")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.title}"


class MeetingEvent(ImmutableModel):
    """会议记录: one step of a meeting (planned, noticed, held, minutes signed …), by whom, when."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("动作"), max_length=20, choices=MeetingAction.choices)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("会议记录")
        verbose_name_plural = _("会议记录")
        ordering = ["at", "id"]


class Participant(models.Model):
    """参会人员: a person at the meeting with their part, and their sign-in (by the QR code on
    their phone, or ticked by a 居委 worker). Representatives (居民代表) are the voters."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="participants"
    )
    part = models.CharField(_("参会身份"), max_length=20, choices=Part.choices)
    name = models.CharField(_("姓名"), max_length=50)
    organisation = models.CharField(_("单位"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="meeting_seats",
    )
    signed_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    sign_in_method = models.CharField(
        _("签到方式"), max_length=10, choices=SignInMethod.choices, blank=True
    )
    signed_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("代签人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("参会人员")
        verbose_name_plural = _("参会人员")
        ordering = ["meeting", "part", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                condition=models.Q(user__isnull=False),
                name="meeting_participant_user_once",
            ),
        ]

    def __str__(self):
        return f"{self.get_part_display()} {self.name}"

    @property
    def is_voter(self) -> bool:
        return self.part == Part.REPRESENTATIVE


class Opinion(ImmutableModel):
    """意见: a participant's opinion (support, oppose, amend) with its text, as recorded."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="opinions"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("发言人"), on_delete=models.CASCADE, related_name="opinions"
    )
    stance = models.CharField(_("意见类型"), max_length=10, choices=Stance.choices)
    text = models.TextField(_("意见内容"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("会议意见")
        verbose_name_plural = _("会议意见")
        ordering = ["at", "id"]


class Motion(models.Model):
    """表决事项: a question put to the representatives' vote."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="motions"
    )
    title = models.CharField(_("表决事项"), max_length=200)
    created_at = models.DateTimeField(_("提出时间"), default=timezone.now)

    class Meta:
        verbose_name = _("表决事项")
        verbose_name_plural = _("表决事项")
        ordering = ["meeting", "id"]

    def __str__(self):
        return self.title


class Vote(ImmutableModel):
    """表决票: one representative's vote on one motion (cast once)."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("表决事项"), on_delete=models.CASCADE, related_name="votes"
    )
    participant = models.ForeignKey(
        Participant, verbose_name=_("投票人"), on_delete=models.CASCADE, related_name="votes"
    )
    ballot = models.CharField(_("表决意见"), max_length=10, choices=Ballot.choices)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("表决票")
        verbose_name_plural = _("表决票")
        constraints = [
            models.UniqueConstraint(fields=["motion", "participant"], name="meeting_vote_once"),
        ]


class MinutesQuerySet(models.QuerySet):
    """Signed minutes are not changed or removed in bulk either."""

    def update(self, **kwargs):
        if self.filter(signed_at__isnull=False).exists():
            raise ValueError("Signed minutes are immutable; write a correction")
        return super().update(**kwargs)

    def delete(self):
        if self.filter(signed_at__isnull=False).exists():
            raise ValueError("Signed minutes are immutable; write a correction")
        return super().delete()


class Minutes(models.Model):
    """会议纪要: the minutes of a meeting. Once signed they are immutable: a correction is a new
    version that names the one it corrects (`corrects`)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="minutes"
    )
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    text = models.TextField(_("纪要内容"))
    corrects = models.OneToOneField(
        "self",
        verbose_name=_("更正的版本"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
    )
    correction_reason = models.CharField(_("更正原因"), max_length=300, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("签署时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签署人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MinutesQuerySet.as_manager()

    class Meta:
        verbose_name = _("会议纪要")
        verbose_name_plural = _("会议纪要")
        ordering = ["meeting", "version"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "version"], name="minutes_version_once"),
        ]

    def __str__(self):
        return f"{self.meeting} v{self.version}"

    def save(self, *args, **kwargs):
        if self._stored_signed():
            raise ValueError("Signed minutes are immutable; write a correction")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self._stored_signed():
            raise ValueError("Signed minutes are immutable; write a correction")
        return super().delete(*args, **kwargs)

    def _stored_signed(self) -> bool:
        if self._state.adding or self.pk is None:
            return False
        return type(self).objects.filter(pk=self.pk, signed_at__isnull=False).exists()


class AgreedAction(models.Model):
    """协调事项: an action of a coordination meeting's agreement, its owner and due date; it may
    open a case in the loop."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="actions"
    )
    text = models.CharField(_("事项"), max_length=300)
    owner = models.CharField(_("责任方"), max_length=100)
    due_on = models.DateField(_("完成期限"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("关联案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_actions",
    )

    class Meta:
        verbose_name = _("协调事项")
        verbose_name_plural = _("协调事项")
        ordering = ["meeting", "due_on", "id"]

    def __str__(self):
        return self.text


class EvaluationScore(models.Model):
    """评议结果: an evaluation meeting's count of 满意 / 基本满意 / 不满意 for one body (a
    department, a 物业, a project, a staff member) and one item."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="scores"
    )
    body_kind = models.CharField(_("评议对象类型"), max_length=20, choices=BodyKind.choices)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("职能部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_scores",
    )
    property_company = models.ForeignKey(
        "estates.PropertyCompany",
        verbose_name=_("物业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evaluation_scores",
    )
    body_name = models.CharField(_("评议对象"), max_length=100)
    item = models.CharField(_("评议项目"), max_length=100)
    satisfied = models.PositiveSmallIntegerField(_("满意"), default=0)
    fairly = models.PositiveSmallIntegerField(_("基本满意"), default=0)
    dissatisfied = models.PositiveSmallIntegerField(_("不满意"), default=0)

    class Meta:
        verbose_name = _("评议结果")
        verbose_name_plural = _("评议结果")
        ordering = ["meeting", "body_name", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "body_name", "item"], name="evaluation_score_once"
            ),
        ]

    def __str__(self):
        return f"{self.body_name} {self.item}"

    @property
    def total(self) -> int:
        return self.satisfied + self.fairly + self.dissatisfied

    @property
    def rating(self) -> str:
        """The item's grade: 不满意 when a third or more are dissatisfied, 满意 when more than
        half are satisfied, else 基本满意."""
        if not self.total:
            return ""
        if self.dissatisfied * 3 >= self.total:
            return Rating.DISSATISFIED
        if self.satisfied * 2 > self.total:
            return Rating.SATISFIED
        return Rating.FAIRLY


class Rectification(models.Model):
    """整改要求: a request an evaluation made of a body, answered at a later meeting."""

    score = models.ForeignKey(
        EvaluationScore,
        verbose_name=_("评议结果"),
        on_delete=models.CASCADE,
        related_name="rectifications",
    )
    request = models.CharField(_("整改要求"), max_length=300)
    answer = models.TextField(_("整改答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("答复会议"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="answered_rectifications",
    )

    class Meta:
        verbose_name = _("整改要求")
        verbose_name_plural = _("整改要求")
        ordering = ["score", "id"]

    def __str__(self):
        return self.request


class TrainingRecord(ImmutableModel):
    """三会实训记录: one 书记's or community worker's 三会 training (course, date, passed)."""

    trainee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("学员"),
        on_delete=models.PROTECT,
        related_name="meeting_trainings",
    )
    community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("居村"),
        on_delete=models.PROTECT,
        related_name="meeting_trainings",
        limit_choices_to={"level": "community"},
    )
    post = models.CharField(_("岗位"), max_length=20, choices=TraineePost.choices)
    course = models.CharField(_("课程"), max_length=100)
    trained_on = models.DateField(_("培训日期"))
    passed = models.BooleanField(_("考核通过"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("三会实训记录")
        verbose_name_plural = _("三会实训记录")
        ordering = ["-trained_on", "id"]
