"""Pages of the 社区报: the editors' list with the compile form (/bulletin/), an issue's editing
desk (/bulletin/<n>/edit/: its articles, the workflow's buttons, the history), an article's form,
and the three editions — the web page (/bulletin/<n>/), the PDF and the WeChat article. A
published issue is public; a draft only for the bulletin's staff. Pages only call services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import BULLETIN_VIEW_ROLES
from civicgrid.bulletin import render as editions
from civicgrid.bulletin import services
from civicgrid.bulletin.filters import IssueFilter
from civicgrid.bulletin.models import Article
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.pages import error_messages
from civicgrid.core.storedfiles import missing_file_is_404


def _issue(request, number):
    issue = services.visible_issues(request.user).filter(number=number).first()
    if issue is None:
        raise Http404(_("没有这一期社区报"))
    return issue


@role_required(*BULLETIN_VIEW_ROLES)
def index(request):
    """The issues, newest first, and (for editors) the form that compiles a new one."""
    errors, form = [], {}
    if request.method == "POST":
        form = request.POST
        try:
            issue = services.do_compile_issue(
                request.user,
                number=form.get("number"),
                issue_date=form.get("issue_date"),
                next_date=form.get("next_date") or None,
                period_first=form.get("period_first"),
                period_last=form.get("period_last"),
                pages=form.get("pages") or 4,
            )
            messages.success(request, _("第 %(n)s 期初稿已生成") % {"n": issue.number})
            return redirect("bulletin:edit", issue.number)
        except (ValidationError, PermissionDenied) as error:
            errors = error_messages(error)
    filters = IssueFilter(
        request.GET, queryset=services.visible_issues(request.user).order_by("-number")
    )
    issues = list(filters.qs[:100]) if filters.is_valid() else []
    return render(
        request,
        "bulletin/index.html",
        {
            "issues": issues,
            "filters": filters,
            "errors": errors,
            "form": form,
            "may_edit": services.may_edit(request.user),
            "today": timezone.localdate(),
        },
        status=400 if errors else 200,
    )


@role_required(*BULLETIN_VIEW_ROLES)
def edit(request, number):
    """The editing desk: articles, approve / send back / publish, the history."""
    issue = _issue(request, number)
    errors, status = [], 400
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "approve":
                services.do_approve(request.user, issue, note=request.POST.get("note", ""))
                messages.success(request, _("已审定"))
            elif action == "return":
                services.do_return(request.user, issue, note=request.POST.get("note", ""))
                messages.success(request, _("已退回修改"))
            elif action == "publish":
                services.do_publish(request.user, issue)
                messages.success(request, _("已出版"))
            else:
                raise ValidationError({"action": _("未知的操作")})
            return redirect("bulletin:edit", issue.number)
        except PermissionDenied as error:
            # 审定 is the 宣传/党建办's: anyone else is refused outright (403), not told to retry.
            errors, status = error_messages(error), 403
        except (ValidationError, IllegalTransition) as error:
            errors = error_messages(error)
    return render(
        request,
        "bulletin/edit.html",
        {
            **editions.context(issue),
            "events": issue.events.select_related("user", "article"),
            "errors": errors,
            "may_edit": services.may_edit(request.user),
            "may_approve": services.may_approve(request.user),
        },
        status=status if errors else 200,
    )


@role_required(*BULLETIN_VIEW_ROLES)
def article(request, pk):
    """An article's words: title, paragraphs (one a line), byline and department."""
    item = get_object_or_404(Article.objects.select_related("issue"), pk=pk)
    errors, form = [], None
    if request.method == "POST":
        form = request.POST
        try:
            services.do_edit_article(
                request.user,
                item,
                title=form.get("title", ""),
                body=form.get("body", ""),
                byline=form.get("byline", ""),
                department=form.get("department", ""),
            )
            messages.success(request, _("稿件已保存"))
            return redirect("bulletin:edit", item.issue.number)
        except (ValidationError, PermissionDenied, IllegalTransition) as error:
            errors = error_messages(error)
    return render(
        request,
        "bulletin/article.html",
        {"article": item, "issue": item.issue, "form": form, "errors": errors},
        status=400 if errors else 200,
    )


def public(request, number):
    """The web edition (public once published)."""
    issue = _issue(request, number)
    return render(request, "bulletin/issue.html", editions.context(issue))


def pdf(request, number):
    """The print-ready PDF, rendered once per revision and kept in storage."""
    issue = _issue(request, number)
    stored = editions.pdf_for(issue)
    with missing_file_is_404(stored):
        handle = stored.open("rb")
    return FileResponse(
        handle,
        content_type="application/pdf",
        filename=f"bulletin-{issue.number}.pdf",
    )


def wechat(request, number):
    """The WeChat article: one fragment with inline styles, ready to paste."""
    issue = _issue(request, number)
    fragment = editions.wechat_html(issue)
    return HttpResponse(
        f'<!DOCTYPE html><html lang="zh-hans"><head><meta charset="utf-8">'
        f"<title>{escape(str(issue))}</title></head><body>{fragment}</body></html>",
        content_type="text/html; charset=utf-8",
    )
