"""Residents' pages: report a problem, follow it by number and phone (or the link), rate it.

Open to visitors without an account (a phone is then how they are reached and how they find
their case again) and to signed-in residents. Staff accounts report from their own pages. Every
POST answers with a redirect (PRG); GETs change nothing. The decisions are the services'.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts.choices import Role
from civicgrid.attachments import services as attachment_services
from civicgrid.cases import services as case_services
from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import Case
from civicgrid.core.storedfiles import missing_file_is_404
from civicgrid.public import services
from civicgrid.public.forms import (
    AddInfoForm,
    RateForm,
    ReportForm,
    SurveyForm,
    TrackForm,
    WithdrawForm,
)
from civicgrid.survey import services as survey_services
from civicgrid.web.forms import add_service_errors

PAGE_SIZE = 20


def _reporting_user(request):
    """The account a report goes under (a resident's) or None for a visitor; staff are sent to
    their own pages, where a report carries their channel (巡查上报, 部门自查 …)."""
    user = request.user
    if not user.is_authenticated:
        return None
    if user.effective_role != Role.RESIDENT:
        raise PermissionDenied(_("居民反映页面供居民和访客使用；工作人员请在工作台上报问题"))
    return user


def home(request):
    """A signed-in user's own reports, newest first; for a visitor, how to report and follow."""
    page = None
    if request.user.is_authenticated:
        mine = (
            Case.objects.filter(reporter_user=request.user)
            .select_related("category")
            .only(
                "number",
                "status",
                "is_suspended",
                "reported_at",
                "public_token",
                "description",
                "rating",
                "category__name",
            )
            .order_by("-reported_at", "-id")
        )
        page = Paginator(mine, PAGE_SIZE).get_page(request.GET.get("page"))
    # An open satisfaction survey the visitor or resident may still answer (staff may not).
    open_survey = None
    user = request.user if request.user.is_authenticated else None
    if user is None or user.effective_role == Role.RESIDENT:
        community = user.community if user is not None else None
        open_survey = next(
            (
                s
                for s in survey_services.open_surveys(community)
                if user is None or not survey_services.has_answered(s, user=user)
            ),
            None,
        )
    return render(request, "public/home.html", {"page_obj": page, "open_survey": open_survey})


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def report(request):
    user = _reporting_user(request)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, user=user)
        if services.hit_limit(request, "report"):
            form.is_valid()
            form.add_error(None, _("提交过于频繁，请稍后再试，或拨打12345热线反映"))
        elif form.is_valid():
            try:
                case = services.submit_report(
                    user=user, photo=form.cleaned_data.get("photo"), **form.service_fields()
                )
            except ValidationError as exc:
                add_service_errors(form, exc, ReportForm.SERVICE_FIELDS)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return redirect("public:report_done", token=case.public_token)
        chose_photo = bool(request.FILES.get("photo"))
    else:
        initial = {}
        if user is not None:
            initial = {"reporter_name": user.get_full_name(), "reporter_phone": user.phone}
        form = ReportForm(initial=initial, user=user)
        chose_photo = False
    return render(
        request,
        "public/report.html",
        {
            "form": form,
            "outlines": services.map_outlines(),
            # A browser never keeps a chosen file across a page: say so when one was sent.
            "photo_again": chose_photo and form.errors,
        },
    )


def _case_by_token(token):
    return Case.objects.select_related("category").filter(public_token=token).first()


def _not_found(request):
    return render(request, "public/not_found.html", status=404)


def report_done(request, token):
    """The receipt after a report: the case number and the link to follow it."""
    case = _case_by_token(token)
    if case is None:
        return _not_found(request)
    link = request.build_absolute_uri(reverse("public:track_token", args=[case.public_token]))
    return render(request, "public/report_done.html", {"case": case, "track_link": link})


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def track(request):
    """Find a case by its number and the reporter's phone; the answer is the token page."""
    if request.method == "POST":
        form = TrackForm(request.POST)
        if services.hit_limit(request, "track"):
            form.is_valid()
            form.add_error(None, _("查询过于频繁，请稍后再试"))
        elif form.is_valid():
            case = services.find_case(form.cleaned_data["number"], form.cleaned_data["phone"])
            if case is not None:
                return redirect("public:track_token", token=case.public_token)
            form.add_error(None, _("未找到该案件：请核对案件编号和上报时留下的联系电话"))
    else:
        form = TrackForm()
    return render(request, "public/track.html", {"form": form})


def _track_page(request, case, rate_form=None, add_form=None, withdraw_form=None, status=200):
    if rate_form is None and _may_rate(case):
        rate_form = RateForm()
    as_reporter = services.may_act_as_reporter(request.user)
    may_add = as_reporter and services.may_add_info(case)
    may_withdraw = as_reporter and services.may_withdraw(case)
    context = {
        "case": case,
        "public_status": services.public_status(case),
        "timeline": services.public_timeline(case),
        # Staff write it; names, phones and rooms in it are masked (core.scrub).
        "handling_result": services.public_handling_result(case),
        "photos": services.photo_gallery(case),
        # Masked in the template; digits only first, so "139 1234 5678" masks like "13912345678".
        "reporter_phone": services.normalize_phone(case.reporter_phone),
        "rate_form": rate_form if _may_rate(case) else None,
        "add_form": (add_form or AddInfoForm()) if may_add else None,
        "withdraw_form": (withdraw_form or WithdrawForm()) if may_withdraw else None,
    }
    return render(request, "public/track_case.html", context, status=status)


def _may_rate(case) -> bool:
    return case.status == CaseStatus.CLOSED and not case.rating


@never_cache
def track_token(request, token):
    """The public timeline of one case (TrackSerializer's fields, the steps without who or
    notes) and, once closed and not yet rated, the rating form."""
    case = _case_by_token(token)
    if case is None:
        return _not_found(request)
    return _track_page(request, case)


@csrf_protect
@require_POST
def rate(request, token):
    case = _case_by_token(token)
    if case is None:
        return _not_found(request)
    form = RateForm(request.POST)
    if services.hit_limit(request, "rate"):
        messages.error(request, _("提交过于频繁，请稍后再试"))
        return redirect("public:track_token", token=token)
    if not form.is_valid():
        return _track_page(request, case, rate_form=form)
    try:
        case = case_services.do_rate(
            case,
            request.user if request.user.is_authenticated else None,
            rating=form.cleaned_data["rating"],
            comment=form.cleaned_data["comment"],
            token=case.public_token,
        ).case
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _track_page(request, case, rate_form=form)
    except (case_services.IllegalTransition, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        if case.status == CaseStatus.CLOSED:
            messages.success(request, _("感谢您的评价!"))
        else:
            messages.success(
                request, _("感谢您的评价。您对处理结果不满意，案件已重新交由处置单位处理。")
            )
    return redirect("public:track_token", token=token)


@csrf_protect
@require_POST
def add_info(request, token):
    """补充信息: a note and/or photos added by the reporter (or the holder of the link) to
    their open report (cases.services.do_add_info)."""
    case = _case_by_token(token)
    if case is None:
        return _not_found(request)
    form = AddInfoForm(request.POST, request.FILES)
    if services.hit_limit(request, "rate"):
        messages.error(request, _("提交过于频繁，请稍后再试"))
        return redirect("public:track_token", token=token)
    if not form.is_valid():
        return _track_page(request, case, add_form=form, status=400)
    try:
        case_services.do_add_info(
            case,
            request.user,
            note=form.cleaned_data["note"],
            photos=form.cleaned_data["photos"],
            token=case.public_token,
        )
    except ValidationError as exc:
        add_service_errors(form, exc, AddInfoForm.SERVICE_FIELDS)
        return _track_page(request, case, add_form=form, status=400)
    except (case_services.IllegalTransition, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(request, _("已补充，处理人员会看到您补充的信息。"))
    return redirect(reverse("public:track_token", args=[token]) + "#timeline")


@csrf_protect
@require_POST
def withdraw(request, token):
    """撤销: the reporter takes back their report while it waits for 立案."""
    case = _case_by_token(token)
    if case is None:
        return _not_found(request)
    form = WithdrawForm(request.POST)
    if services.hit_limit(request, "rate"):
        messages.error(request, _("提交过于频繁，请稍后再试"))
        return redirect("public:track_token", token=token)
    if not form.is_valid():
        return _track_page(request, case, withdraw_form=form, status=400)
    try:
        case_services.do_withdraw_report(
            case, request.user, reason=form.cleaned_data["reason"], token=case.public_token
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return _track_page(request, case, withdraw_form=form, status=400)
    except (case_services.IllegalTransition, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "message", None) or str(exc))
    else:
        messages.success(request, _("您的反映已撤销。如问题仍然存在，欢迎随时重新反映。"))
    return redirect("public:track_token", token=token)


@never_cache
def photo(request, token, pk, size="file"):
    """A photo of the case shown on its link page (the reporter's own, and the after-photos
    once the case is closed: services.public_photos) — the full photo or its thumbnail."""
    case = _case_by_token(token)
    attachment = services.public_photos(case).filter(pk=pk).first() if case else None
    if attachment is None:
        raise Http404
    with missing_file_is_404(attachment.file):
        if size == "thumb":
            response = FileResponse(
                attachment_services.thumbnail(attachment), content_type="image/jpeg"
            )
        else:
            response = FileResponse(
                attachment.file.open("rb"), content_type=attachment.content_type
            )
    # Re-encoded by us; the browser must not second-guess it, nor cache it for others.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- the satisfaction survey (居民满意度测评) ---------------------------------------------------------

SURVEY_FIELDS = {"scores": None, "user": None, "survey": None}


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST"])
def survey(request):
    """The open surveys of the resident's 居村 (or all open ones for a visitor, who names their
    居村 for a street-wide one) and the form of the chosen one (?survey=<id>, else the first)."""
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.effective_role != Role.RESIDENT:
        raise PermissionDenied(_("满意度测评仅供居民填写"))
    community = user.community if user is not None else None
    surveys = list(survey_services.open_surveys(community))
    chosen_id = (
        request.POST.get("survey") if request.method == "POST" else request.GET.get("survey")
    )
    chosen = None
    if chosen_id:
        chosen = next((s for s in surveys if str(s.pk) == str(chosen_id)), None)
        if chosen is None:
            if request.method == "POST":
                messages.error(request, _("该测评不在开放期内"))
                return redirect("public:survey")
            return _not_found(request)
    elif surveys:
        chosen = surveys[0]
    form = None
    if chosen is not None:
        kwargs = {"survey": chosen, "user": user, "communities": survey_services.communities()}
        if request.method == "POST":
            form = SurveyForm(request.POST, **kwargs)
            if services.hit_limit(request, "survey"):
                form.is_valid()
                form.add_error(None, _("提交过于频繁，请稍后再试"))
            elif form.is_valid():
                try:
                    survey_services.do_answer(chosen, user=user, **form.service_fields())
                except ValidationError as exc:
                    add_service_errors(form, exc, SURVEY_FIELDS)
                else:
                    messages.success(request, _("感谢您参加满意度测评!"))
                    return redirect(f"{reverse('public:survey')}?survey={chosen.pk}")
        elif user is not None and survey_services.has_answered(chosen, user=user):
            form = None  # the page says they took part
        else:
            form = SurveyForm(**kwargs)
    status = 400 if form is not None and form.errors else 200
    return render(
        request,
        "public/survey.html",
        {
            "surveys": surveys,
            "chosen": chosen,
            "form": form,
            "answered": chosen is not None and form is None,
        },
        status=status,
    )
