"""Pages of the 三会 for the 居委: the list with its filters, plan a meeting, run it (notice,
participants and sign-in with the QR code, opinions, motions and votes, minutes and corrections,
outcome: decision, agreed actions → cases, evaluation scores and rectifications, publish, follow
up), the training records with coverage per 居村, the phone's sign-in page and each 居村's public
notice page (upcoming noticed meetings; a later notices app will take it over).
Pages only call meetings.services; scoping and roles are the services' and accounts.policy's."""

import datetime

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.access import role_required
from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import Department
from civicgrid.accounts.policy import MEETINGS_EDIT_ROLES, MEETINGS_VIEW_ROLES
from civicgrid.cases.models import Category
from civicgrid.cases.permissions import openable_cases
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.forms import DateInput
from civicgrid.estates.fields import EstateChoiceField
from civicgrid.estates.models import Estate, PropertyCompany
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.meetings import services, subjects
from civicgrid.meetings.choices import (
    Ballot,
    BodyKind,
    Decision,
    MeetingKind,
    MeetingState,
    Part,
    Stance,
    TraineePost,
)
from civicgrid.meetings.filters import MeetingFilter, TrainingFilter
from civicgrid.meetings.models import (
    AgreedAction,
    EvaluationScore,
    Meeting,
    MeetingEvent,
    Motion,
    Rectification,
    TrainingRecord,
)


def _error_text(error) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "；".join(m for msgs in error.message_dict.values() for m in msgs)
        return "；".join(error.messages)
    return getattr(error, "message", None) or str(error)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _without_page(query) -> str:
    rest = query.copy()
    rest.pop("page", None)
    return rest.urlencode()


def _meetings(user):
    return services.scope_meetings(Meeting.objects.select_related("community", "estate"), user)


@role_required(*MEETINGS_VIEW_ROLES)
def index(request):
    """三会: the meetings of the user's 居村 with their filters."""
    meetings = (
        _meetings(request.user)
        .annotate(
            participants_count=Count("participants", distinct=True),
            present_count=Count(
                "participants", filter=Q(participants__signed_in_at__isnull=False), distinct=True
            ),
        )
        .order_by("-starts_at", "-id")
    )
    filterset = MeetingFilter(request.GET, queryset=meetings, request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/index.html",
        {
            "filter": filterset,
            "page": page,
            "query": _without_page(request.GET),
            "may_edit": services.may_edit(request.user),
            "communities": services.visible_communities(request.user).order_by("code"),
        },
    )


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("会议类型"), choices=MeetingKind.choices)
    community = forms.ModelChoiceField(label=gettext_lazy("居村"), queryset=Grid.objects.none())
    estate = EstateChoiceField(
        label=gettext_lazy("小区"), queryset=Estate.objects.none(), required=False
    )
    title = forms.CharField(label=gettext_lazy("议题"), max_length=200)
    subject_kind = forms.ChoiceField(label=gettext_lazy("议题对象类型"), required=False)
    subject_query = forms.CharField(
        label=gettext_lazy("搜索议题对象"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("输入名称、编号或地址的一部分，在下方选择。"),
    )
    subject_id = forms.IntegerField(
        label=gettext_lazy("议题对象"), required=False, widget=forms.Select(choices=[("", "—")])
    )
    subject_title = forms.CharField(
        label=gettext_lazy("议题对象（文字）"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("选择了对象时可不填；找不到对象时直接填写。"),
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("召开时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    place = forms.CharField(label=gettext_lazy("地点"), max_length=200)
    chair_name = forms.CharField(
        label=gettext_lazy("主持人（居民区党组织）"), max_length=50, required=False
    )
    notice_days = forms.IntegerField(label=gettext_lazy("提前公告天数"), min_value=0, max_value=60)
    quorum_percent = forms.IntegerField(
        label=gettext_lazy("到会比例（百分比）"), min_value=1, max_value=99
    )
    pass_percent = forms.IntegerField(
        label=gettext_lazy("通过比例（百分比）"), min_value=1, max_value=99
    )
    description = forms.CharField(
        label=gettext_lazy("会议说明"), widget=forms.Textarea, max_length=5000, required=False
    )

    def __init__(self, user, *args, **kwargs):
        super().__init__(*args, **kwargs)
        communities = services.visible_communities(user).order_by("code")
        self.fields["community"].queryset = communities
        self.fields["estate"].queryset = Estate.objects.filter(community__in=communities)
        self.user = user
        self.fields["subject_kind"].choices = [("", gettext_lazy("不关联（只填文字）"))] + (
            subjects.choices()
        )
        self.fields["subject_kind"].widget.attrs["data-subject-kind"] = "1"
        self.fields["subject_query"].widget.attrs.update(
            {"data-subject-query": "1", "autocomplete": "off", "type": "search"}
        )
        self.fields["subject_id"].widget.attrs.update(
            {"data-subject-select": "1", "data-url": reverse("meetings:subjects")}
        )
        # A re-shown (or an edited) form keeps the chosen object as the select's option.
        source = self.data if self.is_bound else self.initial
        kind = source.get("subject_kind")
        chosen = subjects.find(user, kind, source.get("subject_id")) if kind else None
        if chosen is not None:
            self.fields["subject_id"].widget.choices = [
                ("", "—"),
                (chosen.pk, subjects.text_of(kind, chosen)),
            ]

    def clean(self):
        data = super().clean()
        kind, pk = data.pop("subject_kind", ""), data.pop("subject_id", None)
        data.pop("subject_query", None)
        data["subject"] = None
        if kind:
            subject = subjects.find(self.user, kind, pk)
            if subject is None:
                self.add_error("subject_id", _("请选择议题对象，或改为只填文字。"))
            else:
                data["subject"] = subject
                if not (data.get("subject_title") or "").strip():
                    data["subject_title"] = subjects.text_of(kind, subject)[:200]
        return data


@role_required(*MEETINGS_EDIT_ROLES)
def subject_options(request):
    """The objects of one kind the planner may choose as a meeting's subject (JSON)."""
    return JsonResponse(
        {
            "results": subjects.search(
                request.user, request.GET.get("kind", ""), request.GET.get("q", "")
            )
        }
    )


@role_required(*MEETINGS_EDIT_ROLES)
def plan(request):
    from django.conf import settings

    form = PlanForm(
        request.user,
        request.POST or None,
        initial={
            "notice_days": settings.CIVICGRID_MEETINGS_NOTICE_DAYS,
            "quorum_percent": settings.CIVICGRID_MEETINGS_QUORUM_PERCENT,
            "pass_percent": settings.CIVICGRID_MEETINGS_PASS_PERCENT,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.do_plan_meeting(request.user, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("会议已计划。"))
            return redirect("meetings:meeting", pk=meeting.pk)
    return render(request, "meetings/plan.html", {"form": form})


def _initial_of(user, meeting) -> dict:
    initial = {field: getattr(meeting, field) for field in services.EDITABLE}
    initial["community"] = meeting.community_id
    initial["estate"] = meeting.estate_id
    initial["starts_at"] = timezone.localtime(meeting.starts_at)
    subject = meeting.subject if meeting.subject_type_id else None
    if subject is not None:
        initial["subject_kind"] = subjects.key_for(user, subject)
        initial["subject_id"] = subject.pk
    return initial


@role_required(*MEETINGS_EDIT_ROLES)
def edit(request, pk):
    """Edit a planned meeting (before its notice goes up), with the same form as the plan."""
    meeting = get_object_or_404(_meetings(request.user), pk=pk)
    form = PlanForm(request.user, request.POST or None, initial=_initial_of(request.user, meeting))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_edit_meeting(request.user, meeting, **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except (PermissionDenied, IllegalTransition) as error:
            form.add_error(None, _error_text(error))
        else:
            messages.success(request, _("已保存。"))
            return redirect("meetings:meeting", pk=meeting.pk)
    return render(request, "meetings/plan.html", {"form": form, "meeting": meeting})


def _qr(request, meeting) -> str:
    url = request.build_absolute_uri(reverse("meetings:sign_in", args=[meeting.sign_in_token]))
    return segno.make(url, error="m").svg_inline(scale=4, border=2)


def _post_action(request, meeting):
    """Run the POSTed step of the run page; returns the success message."""
    user = request.user
    post = request.POST
    action = post.get("action")
    if action == "notice":
        services.do_notice_meeting(user, meeting)
        return _("公告已发布。")
    if action == "hold":
        services.do_hold_meeting(user, meeting)
        return _("会议已召开。")
    if action == "cancel":
        services.do_cancel_meeting(user, meeting, reason=post.get("reason", ""))
        return _("会议已取消。")
    if action == "participant":
        account = None
        username = (post.get("username") or "").strip()
        if username:
            account = get_user_model().objects.filter(username=username).first()
            if account is None:
                raise ValidationError({"username": _("账号不存在。")})
        services.do_add_participant(
            user,
            meeting,
            part=post.get("part", ""),
            name=post.get("name", ""),
            organisation=post.get("organisation", ""),
            account=account,
        )
        return _("参会人员已添加。")
    if action == "tick":
        participant = meeting.participants.filter(pk=_int(post.get("participant"))).first()
        if participant is None:
            raise ValidationError(_("参会人员不存在。"))
        services.do_tick_sign_in(user, participant)
        return _("已签到。")
    if action == "opinion":
        participant = meeting.participants.filter(pk=_int(post.get("participant"))).first()
        if participant is None:
            raise ValidationError(_("请选择发言人。"))
        services.do_record_opinion(
            user, participant, stance=post.get("stance", ""), text=post.get("text", "")
        )
        return _("意见已记录。")
    if action == "motion":
        services.do_add_motion(user, meeting, title=post.get("title", ""))
        return _("表决事项已提出。")
    if action == "vote":
        motion = Motion.objects.filter(meeting=meeting, pk=_int(post.get("motion"))).first()
        if motion is None:
            raise ValidationError(_("表决事项不存在。"))
        ballots = {
            key.removeprefix("ballot_"): value
            for key, value in post.items()
            if key.startswith("ballot_") and value
        }
        services.do_cast_votes(user, motion, ballots)
        return _("表决票已录入。")
    if action == "minutes":
        services.do_write_minutes(user, meeting, text=post.get("text", ""))
        return _("纪要已保存。")
    if action == "sign":
        services.do_sign_minutes(user, meeting)
        return _("纪要已签署。")
    if action == "correct":
        services.do_correct_minutes(
            user, meeting, text=post.get("text", ""), reason=post.get("reason", "")
        )
        return _("纪要更正已签署。")
    if action == "outcome":
        services.do_record_outcome(
            user, meeting, outcome=post.get("outcome", ""), decision=post.get("decision", "")
        )
        return _("会议结果已记录。")
    if action == "agreed":
        try:
            due_on = datetime.date.fromisoformat(post.get("due_on", ""))
        except ValueError:
            raise ValidationError({"due_on": _("请填写完成期限。")}) from None
        services.do_add_action(
            user, meeting, text=post.get("text", ""), owner=post.get("owner", ""), due_on=due_on
        )
        return _("协调事项已添加。")
    if action in ("open_case", "done"):
        agreed = AgreedAction.objects.filter(meeting=meeting, pk=_int(post.get("agreed"))).first()
        if agreed is None:
            raise ValidationError(_("协调事项不存在。"))
        if action == "done":
            services.do_complete_action(user, agreed)
            return _("协调事项已完成。")
        category = Category.objects.filter(pk=_int(post.get("category"))).first()
        services.do_open_case(user, agreed, category=category)
        return _("已转为案件。")
    if action == "score":
        counts = [_int(post.get(name)) for name in ("satisfied", "fairly", "dissatisfied")]
        services.do_record_score(
            user,
            meeting,
            body_kind=post.get("body_kind", ""),
            body_name=post.get("body_name", ""),
            item=post.get("item", ""),
            satisfied=counts[0],
            fairly=counts[1],
            dissatisfied=counts[2],
            department=Department.objects.filter(pk=_int(post.get("department"))).first(),
            property_company=PropertyCompany.objects.filter(
                pk=_int(post.get("property_company"))
            ).first(),
        )
        return _("评议结果已录入。")
    if action == "rectify":
        score = EvaluationScore.objects.filter(meeting=meeting, pk=_int(post.get("score"))).first()
        if score is None:
            raise ValidationError(_("评议结果不存在。"))
        services.do_request_rectification(user, score, request=post.get("request", ""))
        return _("整改要求已记录。")
    if action == "answer":
        rectification = Rectification.objects.filter(
            score__meeting__community=meeting.community, pk=_int(post.get("rectification"))
        ).first()
        if rectification is None:
            raise ValidationError(_("整改要求不存在。"))
        services.do_answer_rectification(
            user, rectification, meeting=meeting, answer=post.get("answer", "")
        )
        return _("整改答复已记录。")
    if action == "publish":
        services.do_publish_outcome(user, meeting)
        return _("会议结果已公布。")
    if action == "follow_up":
        services.do_follow_up(user, meeting, text=post.get("text", ""))
        return _("落实情况已记录。")
    raise ValidationError(_("未知操作。"))


@role_required(*MEETINGS_VIEW_ROLES)
def meeting_detail(request, pk):
    """The run page of a meeting: each step as its state allows."""
    meeting = get_object_or_404(_meetings(request.user), pk=pk)
    editable = services.may_edit(request.user)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("您无权办理三会事务"))
        try:
            messages.success(request, _post_action(request, meeting))
        except (ValidationError, PermissionDenied, IllegalTransition) as error:
            messages.error(request, _error_text(error))
        return redirect("meetings:meeting", pk=meeting.pk)
    participants = list(meeting.participants.select_related("user"))
    state = meeting.state
    running = state in (MeetingState.NOTICED, MeetingState.HELD)
    open_rectifications = []
    if state == MeetingState.HELD and editable:
        open_rectifications = Rectification.objects.filter(
            score__meeting__community=meeting.community,
            score__meeting__starts_at__lt=meeting.starts_at,
            answered_at__isnull=True,
        ).select_related("score__meeting")
    actions = list(meeting.actions.select_related("case"))
    return render(
        request,
        "meetings/meeting.html",
        {
            "meeting": meeting,
            "participants": participants,
            "voters": [p for p in participants if p.is_voter and p.signed_in_at],
            "attendance": services.count(meeting),
            "tallies": services.tallies(meeting),
            "opinions": meeting.opinions.select_related("participant"),
            "minutes": list(meeting.minutes.select_related("signed_by")),
            "draft": meeting.minutes.filter(signed_at__isnull=True).first(),
            "current": services.current_minutes(meeting),
            "actions": actions,
            "openable": openable_cases(request.user, [action.case for action in actions]),
            "scores": meeting.scores.prefetch_related("rectifications__answered_meeting"),
            "open_rectifications": open_rectifications,
            "events": MeetingEvent.objects.filter(meeting=meeting).select_related("user"),
            "may_edit": editable,
            "running": running,
            "qr": _qr(request, meeting) if running and editable else None,
            "parts": Part.choices,
            "stances": Stance.choices,
            "ballots": Ballot.choices,
            "decisions": Decision.choices,
            "body_kinds": BodyKind.choices,
            "departments": Department.objects.filter(is_active=True),
            "companies": PropertyCompany.objects.all(),
            "categories": Category.objects.filter(is_active=True, parent__isnull=False).order_by(
                "family", "code"
            )
            if meeting.kind == MeetingKind.COORDINATION
            else (),
            "notice_due": services.notice_due(meeting),
            "outcome_open": state in (MeetingState.HELD, MeetingState.MINUTES_SIGNED),
        },
    )


@role_required()
def sign_in(request, token):
    """扫码签到 on the phone: the participant's own account; any role."""
    meeting = get_object_or_404(Meeting.objects.select_related("community"), sign_in_token=token)
    participant = meeting.participants.filter(user=request.user).first()
    if request.method == "POST":
        try:
            participant = services.do_sign_in(request.user, token)
        except (ValidationError, PermissionDenied, IllegalTransition) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("签到成功。"))
        return redirect("meetings:sign_in", token=token)
    return render(
        request,
        "meetings/sign_in.html",
        {"meeting": meeting, "participant": participant},
    )


def notices(request, community):
    """The 居村's public notice page: upcoming noticed meetings (no sign-in needed)."""
    community = get_object_or_404(Grid, pk=community, level=GridLevel.COMMUNITY)
    return render(
        request,
        "meetings/notices.html",
        {"community": community, "meetings": services.upcoming_notices(community)},
    )


class TrainingForm(forms.Form):
    trainee = forms.ModelChoiceField(label=gettext_lazy("学员"), queryset=None)
    post = forms.ChoiceField(label=gettext_lazy("岗位"), choices=TraineePost.choices)
    course = forms.CharField(label=gettext_lazy("课程"), max_length=100, initial="三会实训")
    trained_on = forms.DateField(label=gettext_lazy("培训日期"), widget=DateInput())
    passed = forms.BooleanField(label=gettext_lazy("考核通过"), required=False)

    def __init__(self, user, *args, **kwargs):
        # Its own field ids: the page also holds the records' filter, whose fields have the same names.
        kwargs.setdefault("auto_id", "training_%s")
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = (
            get_user_model()
            .objects.filter(
                role=Role.COMMUNITY_STAFF,
                is_active=True,
                community__in=services.visible_communities(user),
            )
            .select_related("community")
            .order_by("community__code", "username")
        )
        self.fields["trainee"].label_from_instance = lambda u: (
            f"{u.community.name if u.community_id else ''} {u.get_full_name() or u.username}"
        )


@role_required(*MEETINGS_VIEW_ROLES)
def training(request):
    """三会实训: the records and the coverage per 居村."""
    user = request.user
    editable = services.may_edit(user)
    form = TrainingForm(user, request.POST or None) if editable else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("您无权办理三会事务"))
        if form.is_valid():
            try:
                services.do_record_training(user, **form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except PermissionDenied as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("培训记录已登记。"))
                return redirect("meetings:training")
    records = services.scope_meetings(
        TrainingRecord.objects.select_related("trainee", "community"), user
    )
    filterset = TrainingFilter(request.GET, queryset=records, request=request)
    page = Paginator(filterset.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "meetings/training.html",
        {
            "form": form,
            "filter": filterset,
            "page": page,
            "query": _without_page(request.GET),
            "coverage": services.training_coverage(services.visible_communities(user)),
            "today": timezone.localdate(),
        },
    )
