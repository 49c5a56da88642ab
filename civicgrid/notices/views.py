"""Pages of the notices: the residents' board (list by scope, a notice with its versions and
objections, the objection form), the kiosk of a scope, a household's own relocation figures, the
身边好人 nomination form; the staff's pages (list, compose, review and publish, correct, withdraw,
answer objections; relocation progress; nominations). Every change goes through notices.services.
"""

import datetime

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from civicgrid.accounts.access import login_redirect, role_required
from civicgrid.accounts.policy import NOTICES_RESIDENT_ROLES, NOTICES_VIEW_ROLES
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.inputs import posted_date, posted_id
from civicgrid.core.pages import error_messages
from civicgrid.core.scrub import scrub_text
from civicgrid.core.storedfiles import missing_file_is_404
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.notices import generate, services
from civicgrid.notices.choices import Audience, NoticeKind, ScopeLevel
from civicgrid.notices.filters import NominationFilter, NoticeFilter
from civicgrid.notices.models import (
    Nomination,
    Notice,
    NoticeAttachment,
    Objection,
    Relocation,
)
from civicgrid.registry.addresses import normalize_search_text
from civicgrid.registry.models import Household

PAGE = 50
KIOSK_ROTATE_SECONDS = 12


def _detail(notice):
    return (
        Notice.objects.select_related("grid", "estate", "relocation", "approver")
        .prefetch_related("versions", "attachments", "entries", "objections__answer")
        .get(pk=notice.pk)
    )


# --- residents -------------------------------------------------------------------------------


def board(request):
    """公示栏: the notices a visitor may read, filtered by scope and kind."""
    filterset = NoticeFilter(request.GET, queryset=services.shown_notices(request.user))
    notices = filterset.qs.select_related("grid").order_by("-published_at", "-id")[:PAGE]
    return render(request, "notices/board.html", {"filter": filterset, "notices": notices})


def _public_objections(notice) -> list[dict]:
    """Objections and answers as the public reads them: personal data in the text masked."""
    return [
        {
            "created_at": o.created_at,
            "version": o.version,
            "text": scrub_text(o.text),
            "answer": scrub_text(o.answer.text) if hasattr(o, "answer") else "",
        }
        for o in notice.objections.all()
    ]


def detail(request, pk):
    notice = get_object_or_404(Notice, pk=pk)
    user = request.user if request.user.is_authenticated else None
    if not services.may_read(user, notice):
        if notice.audience != Audience.PUBLIC and user is None:
            return login_redirect(request)
        raise Http404
    notice = _detail(notice)
    may_object = (
        user is not None
        and user.effective_role in NOTICES_RESIDENT_ROLES
        and services.objection_open(notice)
    )
    return render(
        request,
        "notices/detail.html",
        {
            "notice": notice,
            "versions": list(notice.versions.all()),
            "objections": _public_objections(notice),
            "objection_open": services.objection_open(notice),
            "may_object": may_object,
            "staff": user is not None and services.may_edit(user),
        },
    )


@require_GET
def attachment(request, pk):
    """A notice's attachment, for whoever may read the notice (staff: a draft's too)."""
    item = get_object_or_404(NoticeAttachment.objects.select_related("notice"), pk=pk)
    user = request.user if request.user.is_authenticated else None
    if not services.may_read(user, item.notice):
        raise Http404
    with missing_file_is_404(item.file):
        response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def object_to(request, pk):
    """提出异议 (POST, a signed-in resident)."""
    notice = get_object_or_404(Notice, pk=pk)
    if request.method != "POST":
        return redirect("notices:detail", pk=pk)
    if not request.user.is_authenticated:
        return login_redirect(request)
    try:
        services.do_object(request.user, notice, text=request.POST.get("text", ""))
    except (ValidationError, IllegalTransition) as error:
        notice = _detail(notice)
        return render(
            request,
            "notices/detail.html",
            {
                "notice": notice,
                "versions": list(notice.versions.all()),
                "objections": _public_objections(notice),
                "objection_open": services.objection_open(notice),
                "may_object": True,
                "errors": error_messages(error),
                "text": request.POST.get("text", ""),
            },
            status=400,
        )
    messages.success(request, _("异议已提交，我们将在公示页答复。"))
    return redirect("notices:detail", pk=pk)


def _rotate_seconds(value) -> int:
    """The kiosk's pace (?rotate=N seconds, 3 to 60), for screens read from further away."""
    try:
        return min(max(int(value), 3), 60)
    except (TypeError, ValueError):
        return KIOSK_ROTATE_SECONDS


def kiosk(request, grid):
    """显示屏: the full-screen board of a scope, rotating its live public notices; a household
    looks up its own items by signing in (the 查询本户 button)."""
    grid = get_object_or_404(
        Grid, pk=grid, level__in=[GridLevel.STREET, GridLevel.AREA, GridLevel.COMMUNITY]
    )
    notices = list(services.kiosk_notices(grid).prefetch_related("entries")[:30])
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "notices": [
                    {"id": n.pk, "title": n.title, "kind": n.get_kind_display()} for n in notices
                ]
            }
        )
    relocations = Relocation.objects.filter(community__path__startswith=grid.path).order_by(
        "-starts_on"
    )[:3]
    return render(
        request,
        "notices/kiosk.html",
        {
            "grid": grid,
            "notices": notices[:12],
            "relocations": [(r, services.signing_figures(r)) for r in relocations],
            "rotate_seconds": _rotate_seconds(request.GET.get("rotate")),
        },
    )


@role_required(*NOTICES_RESIDENT_ROLES)
def me(request):
    """我家征收信息: the signed-in household's relocation totals and its OWN figures."""
    return render(
        request,
        "notices/me.html",
        {
            "relocations": services.my_relocations(request.user),
            "linked": bool(services.household_ids_of(request.user)),
        },
    )


class NominationForm(forms.Form):
    community = forms.ModelChoiceField(
        queryset=Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code"),
        label=gettext_lazy("居村"),
    )
    nominee = forms.CharField(label=gettext_lazy("被推荐人"), max_length=50)
    deed = forms.CharField(label=gettext_lazy("事迹"), widget=forms.Textarea, max_length=2000)
    consent = forms.BooleanField(label=gettext_lazy("被推荐人同意公开姓名"), required=False)


@role_required(*NOTICES_RESIDENT_ROLES)
def nominate(request):
    """推荐身边好人."""
    form = NominationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.do_nominate(request.user, **form.cleaned_data)
            except ValidationError as error:
                for message in error_messages(error):
                    form.add_error(None, message)
            else:
                messages.success(request, _("推荐已提交，居委会审核后将在光荣榜公布。"))
                return redirect("notices:nominate")
        status = 400
    return render(request, "notices/nominate.html", {"form": form}, status=status)


# --- staff -----------------------------------------------------------------------------------


@role_required(*NOTICES_VIEW_ROLES)
def staff_list(request):
    filterset = NoticeFilter(
        request.GET, queryset=services.scope_notices(Notice.objects.all(), request.user)
    )
    notices = filterset.qs.select_related("grid").order_by("-updated_at", "-id")[:PAGE]
    return render(
        request,
        "notices/staff_list.html",
        {
            "filter": filterset,
            "notices": notices,
            "may_edit": services.may_edit(request.user),
            "relocations": services.scope_communities(Relocation.objects.all(), request.user),
        },
    )


class ComposeForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=NoticeKind.choices)
    scope_level = forms.ChoiceField(
        label=gettext_lazy("范围"),
        choices=[c for c in ScopeLevel.choices if c[0] != ScopeLevel.PROJECT],
    )
    grid = forms.ModelChoiceField(
        queryset=Grid.objects.filter(
            level__in=[GridLevel.STREET, GridLevel.AREA, GridLevel.COMMUNITY]
        ).order_by("path"),
        label=gettext_lazy("所属网格"),
        required=False,
    )
    audience = forms.ChoiceField(label=gettext_lazy("公开对象"), choices=Audience.choices)
    households = forms.CharField(
        label=gettext_lazy("指定住户"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "公开对象为“指定住户”时填写：每行一户，写户编号或标准地址；须在公告范围内。"
        ),
    )
    title = forms.CharField(label=gettext_lazy("标题"), max_length=200)
    body = forms.CharField(label=gettext_lazy("正文"), widget=forms.Textarea)
    department_name = forms.CharField(label=gettext_lazy("发布单位"), max_length=100)
    objection_days = forms.IntegerField(
        label=gettext_lazy("异议期（工作日）"), required=False, min_value=1, max_value=30
    )

    MAX_HOUSEHOLDS = 500

    def clean_households(self):
        """Each line a household: its number in the registry (户编号) or its standard address
        (one household at that address); the scope is the service's check."""
        lines = [line.strip() for line in self.cleaned_data.get("households", "").splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > self.MAX_HOUSEHOLDS:
            raise ValidationError(_("一次最多指定%(n)s户") % {"n": self.MAX_HOUSEHOLDS})
        found, unknown = [], []
        for line in lines:
            digits = line.lstrip("#＃")
            if digits.isdigit():
                matches = list(Household.objects.filter(pk=int(digits))[:2])
            else:
                text = normalize_search_text(line)
                matches = list(Household.objects.filter(address__normalized=text)[:2])
            if len(matches) == 1:
                found.append(matches[0])
            elif len(matches) > 1:
                raise ValidationError(_("地址“%(a)s”有多户，请改写户编号") % {"a": line[:60]})
            else:
                unknown.append(line[:60])
        if unknown:
            raise ValidationError(_("没有这些住户：%(list)s") % {"list": "、".join(unknown[:5])})
        return found


@role_required(*NOTICES_VIEW_ROLES)
def compose(request):
    if not services.may_edit(request.user):
        raise PermissionDenied
    form = ComposeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                notice = services.do_draft_notice(request.user, **form.cleaned_data)
            except ValidationError as error:
                for message in error_messages(error):
                    form.add_error(None, message)
            else:
                messages.success(request, _("草稿已保存。"))
                return redirect("notices:manage", pk=notice.pk)
        status = 400
    return render(request, "notices/compose.html", {"form": form}, status=status)


def _publish_at(value):
    """The 定时发布 time typed on the manage page (local time), or None: publish now."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value.replace(" ", "T"))
    except ValueError:  # well formed but no such moment: 2026-02-30 10:00
        moment = None
    if moment is None:
        raise ValidationError({"publish_at": _("请填写正确的定时发布时间")})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _act(request, notice):
    """One POSTed action of the manage page → its service."""
    user, post = request.user, request.POST
    action = post.get("action")
    if action == "submit":
        services.do_submit(user, notice)
    elif action == "return":
        services.do_return(user, notice, note=post.get("note", ""))
    elif action == "publish":
        services.do_publish(user, notice, publish_at=_publish_at(post.get("publish_at")))
    elif action == "correct":
        services.do_correct(
            user,
            notice,
            title=post.get("title", ""),
            body=post.get("body", ""),
            note=post.get("note", ""),
        )
    elif action == "withdraw":
        services.do_withdraw(user, notice, reason=post.get("reason", ""))
    elif action == "close":
        services.do_close_objections(user, notice)
    elif action == "archive":
        services.do_archive(user, notice)
    elif action == "edit":
        services.do_edit_draft(user, notice, title=post.get("title", ""), body=post.get("body", ""))
    elif action == "attach":
        services.do_attach(user, notice, upload=request.FILES.get("upload"))
    elif action == "answer":
        objection = get_object_or_404(Objection, pk=post.get("objection"), notice=notice)
        services.do_answer(user, objection, text=post.get("text", ""))
    else:
        raise ValidationError(_("未知操作"))


@role_required(*NOTICES_VIEW_ROLES)
def manage(request, pk):
    notice = get_object_or_404(services.scope_notices(Notice.objects.all(), request.user), pk=pk)
    errors, status = [], 200
    if request.method == "POST":
        try:
            _act(request, notice)
        except (ValidationError, IllegalTransition) as error:
            errors, status = error_messages(error), 400
        else:
            messages.success(request, _("操作成功。"))
            return redirect("notices:manage", pk=pk)
    notice = _detail(notice)
    return render(
        request,
        "notices/manage.html",
        {
            "notice": notice,
            "versions": list(notice.versions.all()),
            "objections": list(notice.objections.all()),
            "events": list(notice.events.select_related("by")),
            "review_note": next(
                (e.note for e in notice.events.all() if e.action == "draft" and e.note), ""
            ),
            "errors": errors,
            "may_edit": services.may_edit(request.user),
            "may_approve": services.may_approve(request.user),
            "now": timezone.now(),
        },
        status=status,
    )


class GenerateForm(forms.Form):
    """光荣榜 drafts written from the programmes' data (then reviewed like any notice)."""

    KINDS = [
        ("stars", gettext_lazy("五星级党组织光荣榜")),
        ("volunteers", gettext_lazy("爱心银行优秀志愿者光荣榜")),
        ("nominations", gettext_lazy("身边好人光荣榜")),
    ]
    roll = forms.ChoiceField(label=gettext_lazy("生成"), choices=KINDS)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    community = forms.ModelChoiceField(
        queryset=Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code"),
        label=gettext_lazy("居村（身边好人）"),
        required=False,
    )
    department_name = forms.CharField(label=gettext_lazy("发布单位"), max_length=100)


@role_required(*NOTICES_VIEW_ROLES)
def generate_roll(request):
    """生成光荣榜: a draft honour roll from star ratings, the time bank or nominations, sent for
    review."""
    if not services.may_edit(request.user):
        raise PermissionDenied
    form = GenerateForm(request.POST or None, initial={"year": timezone.localdate().year - 1})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, year, department = request.user, data["year"], data["department_name"]
        try:
            if data["roll"] == "stars":
                notice = generate.star_honour_roll(user, year, department_name=department)
            elif data["roll"] == "volunteers":
                notice = generate.volunteer_honour_roll(
                    user,
                    datetime.date(year, 1, 1),
                    datetime.date(year, 12, 31),
                    department_name=department,
                )
            else:
                if data["community"] is None:
                    raise ValidationError({"community": _("请选择居村")})
                notice = generate.nomination_honour_roll(
                    user, data["community"], department_name=department
                )
        except ValidationError as error:
            for message in error_messages(error):
                form.add_error(None, message)
        else:
            messages.success(request, _("光荣榜草稿已生成，待审核发布。"))
            return redirect("notices:manage", pk=notice.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "notices/generate.html", {"form": form}, status=status)


@role_required(*NOTICES_VIEW_ROLES)
def relocation(request, pk):
    """征收进度 for staff: every household with its figures and signing, the rate over time; the
    指挥部 records a visit or a signing here."""
    project = get_object_or_404(
        services.scope_communities(Relocation.objects.all(), request.user), pk=pk
    )
    errors, status = [], 200
    if request.method == "POST":
        rh = get_object_or_404(project.households.all(), pk=posted_id(request.POST, "household"))
        on = posted_date(request.POST, "on")
        try:
            if request.POST.get("action") == "sign":
                services.do_sign(request.user, rh, on=on)
            else:
                services.do_record_visit(request.user, rh, on=on, note=request.POST.get("note", ""))
        except (ValidationError, IllegalTransition) as error:
            errors, status = error_messages(error), 400
        else:
            messages.success(request, _("已记录。"))
            return redirect("notices:relocation", pk=pk)
    rows = project.households.select_related("household__address").order_by("id")
    return render(
        request,
        "notices/relocation.html",
        {
            "project": project,
            "rows": rows,
            "figures": services.signing_figures(project),
            "errors": errors,
            "may_edit": services.may_edit(request.user),
            "today": timezone.localdate(),
        },
        status=status,
    )


@role_required(*NOTICES_VIEW_ROLES)
def nominations(request):
    """身边好人 nominations of the user's 居村, to review."""
    qs = services.scope_communities(Nomination.objects.select_related("community"), request.user)
    filterset = NominationFilter(request.GET, queryset=qs)
    errors, status = [], 200
    if request.method == "POST":
        nomination = get_object_or_404(qs, pk=posted_id(request.POST, "nomination"))
        try:
            services.do_review_nomination(
                request.user,
                nomination,
                approve=request.POST.get("decision") == "approve",
                note=request.POST.get("note", ""),
            )
        except (ValidationError, IllegalTransition) as error:
            errors, status = error_messages(error), 400
        else:
            messages.success(request, _("审核完成。"))
            return redirect("notices:nominations")
    return render(
        request,
        "notices/nominations.html",
        {"filter": filterset, "nominations": filterset.qs[:PAGE], "errors": errors},
        status=status,
    )
