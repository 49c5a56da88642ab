"""The staff's notification centre (站内通知) at /notifications/: the list (newest first, unread
highlighted, `?unread=1` for the unread ones), opening an item (marks it read and goes to the
case's page for this user), marking all read. The header's badge is web.context.front's
`nav_unread`. Every change goes through civicgrid.messaging.inbox."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import NOTIFICATION_ROLES
from civicgrid.messaging import inbox
from civicgrid.messaging.models import Notification

PAGE_SIZE = 20


@role_required(*NOTIFICATION_ROLES)
def notification_list(request):
    unread_only = request.GET.get("unread") == "1"
    items = inbox.items_for(request.user, unread_only=unread_only)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/notifications.html",
        {"page_obj": page, "unread_only": unread_only},
    )


@require_POST
@role_required(*NOTIFICATION_ROLES)
def notification_open(request, pk):
    try:
        item = inbox.do_mark_read(request.user, pk)
    except Notification.DoesNotExist as error:
        raise Http404(_("没有这条通知")) from error
    return redirect(inbox.case_page(request.user, item.message.case_number) or "web:notifications")


@require_POST
@role_required(*NOTIFICATION_ROLES)
def notification_read_all(request):
    changed = inbox.do_mark_all_read(request.user)
    if changed:
        messages.success(request, _("已将%(n)d条通知标为已读") % {"n": changed})
    return redirect("web:notifications")
