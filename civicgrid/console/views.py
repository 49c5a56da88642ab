"""Pages of the 城运中心 console and of the department handler's inbox.

Views stay thin: the queues come from console.queries, every change from cases.services through
console.services.ACTIONS. A GET never changes anything; every action is a POST (CSRF) followed
by a redirect with a message (PRG), or — when the input is refused — the same page again with
the message next to the field and what the user typed. An illegal transition is an error
message with nothing changed; a role or scope problem is the 403 page.

Roles: admin and operator see the whole street and act; community staff see their community
(and may verify and start call-ins); leaders see everything and get no buttons (a POST is a
403); department handlers use the inbox and the case page for their department's cases.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from civicgrid.accounts.access import role_required
from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import (
    APPROVER_ROLES,
    CONSOLE_CASE_ROLES,
    CONSOLE_QUEUE_ROLES,
    DEPARTMENT_INBOX_ROLES,
    DISPATCH_ROLES,
)
from civicgrid.attachments.models import Attachment
from civicgrid.cases import services as case_services
from civicgrid.cases.actions import available_actions
from civicgrid.cases.choices import (
    OPEN_STATUSES,
    CallInStatus,
    CaseStatus,
    CoHandlingStatus,
    ExtensionStatus,
)
from civicgrid.cases.duplicates import possible_duplicates
from civicgrid.cases.models import CallIn, Case, CaseEvent, CoHandling, ExtensionRequest
from civicgrid.cases.permissions import scope_cases
from civicgrid.console import queries, tables
from civicgrid.console import services as console_services
from civicgrid.console.forms import BulkDispatchForm, BulkFilingForm
from civicgrid.console.tables import esc
from civicgrid.dispatch import views as dispatch_views
from civicgrid.web.forms import add_service_errors
from civicgrid.web.navigation import home_url_name
from civicgrid.web.templatetags.civicgrid_web import STATUS_CLASS

PAGE_SIZE = 30


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _rows(cases, now, calendar_key=None):
    """Each case of a list with what its row shows, built here once a page rather than by
    template tags per cell (labels translated once, times formatted directly, the time left
    worded by cases.clock.remaining with one calendar): the lean row of _case_table.html."""
    from civicgrid.cases.clock import remaining
    from civicgrid.workcalendar.services import get_calendar

    labels = _row_labels()
    suspended = labels["suspended"]
    calendar = get_calendar(calendar_key) if cases else None
    case_url = reverse("console:case", args=["0"]).rsplit("0", 1)[0]

    def when(moment):
        return localtime(moment).strftime("%m-%d %H:%M") if moment else ""

    rows = []
    for case in cases:
        label, deadline = queries.running_deadline(case)
        status = labels["status"].get(case.status, case.status)
        if case.is_suspended:
            status = f"{status} · {suspended}"
        # f-strings with html.escape: format_html's lazy wrappers were most of a row's cost.
        badges = (
            f'<span class="badge {esc(STATUS_CLASS.get(case.status, "st-new"))}">'
            f"{esc(status)}</span>"
        )
        if case.warning_level:
            warning = labels["warning_level"].get(case.warning_level, case.warning_level)
            badges += f' <span class="badge warn-{esc(case.warning_level)}">{esc(warning)}</span>'
        left = remaining(case, now, calendar) if deadline else None
        if left is None:
            left_html = ""
        else:
            css = (
                "left overdue"
                if left.overdue
                else "left suspended"
                if left.state == "suspended"
                else "left"
            )
            left_html = f'<span class="{css}" data-left="{esc(left.state)}">{esc(left.text)}</span>'
        rows.append(
            {
                "case": case,
                "deadline_label": label,
                "deadline": deadline,
                "url": f"{case_url}{case.number}/",
                "css": f"warn-{esc(case.warning_level)}" if case.warning_level else "",
                "badges": mark_safe(badges),  # every value escaped above
                "source": labels["source"].get(case.source, case.source),
                "reported": when(case.reported_at),
                "due": when(deadline),
                "left": mark_safe(left_html),  # every value escaped above
            }
        )
    return rows


_ROW_LABELS: dict = {}


def _row_labels() -> dict:
    """The rows' words in the active language — the states', sources' and warning levels'
    labels, 挂起 — translated once per process and language, not once per page."""
    language = get_language()
    labels = _ROW_LABELS.get(language)
    if labels is None:
        labels = {
            name: {value: str(label) for value, label in Case._meta.get_field(name).flatchoices}
            for name in ("status", "source", "warning_level")
        }
        labels["suspended"] = _("挂起")
        _ROW_LABELS[language] = labels
    return labels


# --- the queues ----------------------------------------------------------------------------------


@require_GET
@role_required(*CONSOLE_QUEUE_ROLES)
def queue(request):
    return _queue_page(request)


def _queue_heading(user) -> str:
    """The queue is the 城运中心's desk; a 居委 or a 片区 sees its own cases under its own name."""
    if user.effective_role == Role.COMMUNITY_STAFF and user.community_id:
        return _("%(name)s案件工作台") % {"name": user.community.name}
    if user.effective_role == Role.AREA_HEAD and user.area_id:
        return _("%(name)s案件工作台") % {"name": user.area.name}
    return _("城运中心案件工作台")


def counted_paginator(object_list, count: int) -> Paginator:
    """A Paginator told its count (already in the tab counts) instead of counting again."""
    paginator = Paginator(object_list, PAGE_SIZE)
    paginator.__dict__["count"] = count  # Paginator.count is a cached_property
    return paginator


def _url_with(request, **changes) -> str:
    query = getattr(request, "_console_query", None)
    if query is None:
        query = request._console_query = tables.Query(request.GET)
    return f"?{query.with_(_last=True, **changes)}"


class _Pages:
    """A sorted queue as the Paginator slices it, each page read by queries.page_of."""

    # Paginator asks `ordered` (True: sorted_cases sorts every queue).
    ordered = True

    def __init__(self, queryset, sort: str):
        self.queryset, self.sort = queryset, sort

    def __getitem__(self, part: slice) -> list:
        return queries.page_of(self.queryset, self.sort, part.start, part.stop)


def paged(request, ordered, sort: str, count: int, more: bool = False):
    """(page_obj, rows, pager) of a list in the sort `sort`: numbered pages up to
    queries.NUMBERED_PAGES (its count known: the tab's), then by cursor (?cursor=: keyset, the
    same cost at any depth, next/previous from the rows shown); `more`: there are rows beyond
    `count` (a capped count). `pager` holds the links."""
    decoded = None
    text = request.GET.get("cursor", "")
    if text:
        decoded = queries.decode_cursor(text, sort)
    if decoded is not None:
        rows, more = queries.keyset_page(ordered, sort, decoded, PAGE_SIZE)
        forward = decoded[0]
        pager = {"first": _url_with(request, page=None, cursor=None), "numbers": []}
        if rows and (more or not forward):
            pager["next"] = _url_with(
                request,
                page=None,
                cursor=queries.encode_cursor(sort, rows[-1], forward=True),
            )
        if rows and (more or forward):
            pager["previous"] = _url_with(
                request,
                page=None,
                cursor=queries.encode_cursor(sort, rows[0], forward=False),
            )
        return None, rows, pager
    numbered = min(count, queries.NUMBERED_PAGES * PAGE_SIZE)
    page = counted_paginator(_Pages(ordered, sort), numbered).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    pager = {"number": page.number, "numbers": []}
    if page.paginator.num_pages > 1 or count > numbered:
        pager["numbers"] = [
            {
                "n": n,
                "url": _url_with(request, page=str(n), cursor=None),
                "current": n == page.number,
            }
            for n in page.paginator.page_range
        ]
    if page.has_previous():
        pager["previous"] = _url_with(request, page=str(page.previous_page_number()), cursor=None)
    if page.has_next():
        pager["next"] = _url_with(request, page=str(page.next_page_number()), cursor=None)
    elif rows and (count > page.number * PAGE_SIZE or more):
        # Past the numbered pages: the next one by cursor.
        pager["next"] = _url_with(
            request, page=None, cursor=queries.encode_cursor(sort, rows[-1], forward=True)
        )
    return page, rows, pager


def _queue_page(request, bulk_form=None, status=200, filing_form=None):
    user = request.user
    source = request.GET if request.method == "GET" else request.POST
    # The tab counts and the filter's options from the shared cache, in one round trip.
    counts_key = queries.counts_key("queue", user, source)
    options_key = queries.options_key(user, source)
    reads = queries.shared_reads(counts_key, options_key, user=user)
    filtered, filterset = queries.apply_filters(
        queries.list_queryset(user), source, request, reads=reads
    )
    form = filterset.form
    tab = source.get("tab") if source.get("tab") in queries.QUEUE_KEYS else queries.QUEUE_KEYS[0]
    counts = queries.cached_counts(counts_key, lambda: queries.queue_counts(filtered), reads)
    sort = source.get("sort", "")
    cases, sort = queries.sorted_cases(
        queries.row_columns(filtered.filter(queries.queue_condition(tab, sort))), sort
    )
    # The tab's count is known (capped for 全部): the paginator does not count again.
    capped = min(counts[tab], queries.ALL_COUNT_CAP)
    page, cases, pager = paged(request, cases, sort, capped, more=counts[tab] > capped)
    now = timezone.now()
    may_dispatch = tab == "to_dispatch" and user.effective_role in DISPATCH_ROLES
    if may_dispatch and bulk_form is None:
        bulk_form = BulkDispatchForm()
    # 待受理: 立案 (and, for the 值班长, 不予立案) of the ticked cases, one by one.
    may_file = tab == "reported" and user.effective_role in DISPATCH_ROLES
    if may_file and filing_form is None:
        filing_form = BulkFilingForm()
    chosen = bulk_form if may_dispatch else filing_form if may_file else None
    selected = set(chosen.data.getlist("cases")) if chosen is not None and chosen.data else set()
    rows = _rows(cases, now, queries.calendar_key(reads))
    returned = queries.returned_reasons(cases)
    reasons = queries.supervision_reasons(cases) if tab == "supervision" else {}
    for row in rows:
        row["returned"] = returned.get(row["case"].pk)
        row["reasons"] = reasons.get(row["case"].pk, [])
    table_body = tables.queue_body(
        rows,
        selectable=(may_dispatch and bulk_form is not None)
        or (may_file and filing_form is not None),
        selected=selected,
    )
    query = tables.Query(request.GET)
    # The links of the sort menu and the table's heads: the query with another order.
    sort_urls = {key: query.with_(sort=key, page=None, cursor=None) for key in queries.SORTS}
    # The 上报时间 head turns the report-time order round.
    sort_urls["by_report_time"] = sort_urls["created" if sort == "-created" else "-created"]
    context = {
        "form": form,
        # The filter form is on the full page only (htmx swaps the results).
        "filter_fields": None
        if _is_htmx(request)
        else tables.filter_fields(form, queries.written_fields_key(reads, options_key, source)),
        "tab": tab,
        "tabs": [
            {
                "key": key,
                "label": label,
                "count": queries.count_label(counts[key]),
                "url": query.with_(tab=key, page=None, cursor=None),
            }
            for key, label, _q in queries.QUEUES
        ],
        "sort_urls": sort_urls,
        "export_query": query.with_(page=None, cursor=None),
        "page_obj": page,
        "pager": pager,
        "rows": rows,
        "table_body": table_body,
        "bulk_form": bulk_form if may_dispatch else None,
        "filing_form": filing_form if may_file else None,
        "may_refuse": user.effective_role in APPROVER_ROLES,
        "may_enter": user.effective_role in DISPATCH_ROLES,
        "heading": _queue_heading(user),
        "selected": selected,
        "sort": sort,
        "sorts": [
            {"key": key, "label": label, "url": sort_urls[key]}
            for key, (label, _f) in queries.SORTS.items()
        ],
        "now": now,
        **queries.badge_context(reads, user),
    }
    template = "console/_queue_results.html" if _is_htmx(request) else "console/queue.html"
    return render(request, template, context, status=status)


@require_POST
@role_required(*DISPATCH_ROLES)
def bulk_dispatch(request):
    """派遣 several 待派遣 cases at once: all of them, or — if any one fails — none."""
    form = BulkDispatchForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        failures = console_services.bulk_dispatch(
            data["cases"],
            request.user,
            department=data["dispatch_department"],
            to_grid=data["dispatch_to_grid"],
            note=data["dispatch_note"],
        )
        if not failures:
            messages.success(
                request,
                _("已派遣 %(n)s 件案件") % {"n": len(data["cases"])},
            )
            return redirect(_queue_url(request.POST))
        detail = ";".join(f"{number}:{message}" for number, message in failures)
        form.add_error(
            None,
            _("以下案件未能派遣，本次没有派遣任何案件：%(detail)s") % {"detail": detail},
        )
    return _queue_page(request, bulk_form=form)


FILTER_KEYS = (
    "tab",
    "sort",
    "q",
    "community",
    "micro_grid",
    "category",
    "source",
    "department",
    "date_from",
    "date_to",
)


def _queue_url(data) -> str:
    keep = {k: data.get(k) for k in FILTER_KEYS if data.get(k)}
    return reverse("console:queue") + (f"?{urlencode(keep)}" if keep else "")


# --- the case page -------------------------------------------------------------------------------


def _case_queryset(user):
    return scope_cases(
        Case.objects.select_related(
            "category",
            "category__parent",
            "category__default_department",
            "micro_grid",
            "micro_grid__parent",
            "assigned_department",
            "merged_into",
        )
        .defer("micro_grid__parent__geometry")
        .prefetch_related(
            Prefetch("events", queryset=CaseEvent.objects.select_related("actor")),
            Prefetch(
                "extensions",
                queryset=ExtensionRequest.objects.select_related("requested_by", "decided_by"),
            ),
            Prefetch(
                "call_ins",
                queryset=CallIn.objects.select_related(
                    "requested_by", "concluded_by"
                ).prefetch_related("departments"),
            ),
            Prefetch(
                "co_handlings",
                queryset=CoHandling.objects.select_related("department", "feedback_by"),
            ),
        ),
        user,
    )


def _map_data(case):
    features = []
    if case.micro_grid_id and case.micro_grid.geometry:
        features.append(
            {
                "type": "Feature",
                "geometry": case.micro_grid.geometry,
                "properties": {
                    "name": case.micro_grid.display_name,
                    "code": case.micro_grid.code,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _deadlines(case, now):
    """The case's deadlines, the one running now marked (its time left: the time_left tag)."""
    _running_label, running = queries.running_deadline(case)
    rows = []
    for label, at in (
        (gettext_lazy("立案派遣期限"), case.filing_deadline),
        (gettext_lazy("处置期限"), case.handling_deadline),
        (gettext_lazy("核查期限"), case.verification_deadline),
    ):
        if at is None:
            continue
        live = at == running and case.status in OPEN_STATUSES
        rows.append({"label": label, "at": at, "running": live})
    return rows


def _back_url(user) -> str:
    """The list the user came from: the queues, the inbox, or their own start page."""
    if user.effective_role in CONSOLE_QUEUE_ROLES:
        return reverse("console:queue")
    return reverse(home_url_name(user))


def _merged_into_this(case):
    """The duplicates merged into this (master) case, each with its photos (two queries)."""
    duplicates = list(
        Case.objects.filter(merged_into=case, status=CaseStatus.MERGED)
        .select_related("category")
        .order_by("reported_at", "pk")
    )
    photos = {}
    if duplicates:
        for photo in Attachment.objects.filter(case__in=duplicates).order_by("uploaded_at", "pk"):
            photos.setdefault(photo.case_id, []).append(photo)
    for duplicate in duplicates:
        duplicate.merged_photos = photos.get(duplicate.pk, [])
    return duplicates


def action_ids(name: str) -> str:
    """The ids of an action form's fields (its auto_id): the case page holds a form per action,
    several with a 说明 or a 理由, and one page must not hold two fields of one id (a label
    focused another form's field)."""
    return f"{name}_%s"


def case_context(request, case, bound=None):
    """Everything the case page shows; `bound` = (action name, bound form) after refused input."""
    user = request.user
    now = timezone.now()
    extensions = list(case.extensions.all())
    call_ins = list(case.call_ins.all())
    pending = next((e for e in extensions if e.status == ExtensionStatus.PENDING), None)
    open_call_in = next((c for c in call_ins if c.status == CallInStatus.OPEN), None)
    names = available_actions(user, case, pending_extension=pending, open_call_in=open_call_in)
    if bound and bound[0] not in names:
        # Refused input for an action the page no longer offers (e.g. someone else acted in
        # between): still shown, with its message, so the user sees why nothing happened.
        names = [*names, bound[0]]
    forms = []
    for name in names:
        spec = console_services.ACTIONS[name]
        if bound and bound[0] == name:
            form = bound[1]
        else:
            initial = {}
            if name == "decide_extension":
                initial["extension"] = pending.pk
            if name == "record_call_in_outcome":
                initial["call_in"] = open_call_in.pk
            form = spec.form(case=case, user=user, initial=initial, auto_id=action_ids(name))
        forms.append({"spec": spec, "form": form, "open": bool(bound and bound[0] == name)})
    duplicates = []
    if case.status in OPEN_STATUSES:
        duplicates = [
            {
                "case": other,
                "distance": None if distance is None else round(distance),
                "match": match,
            }
            for other, distance, match in possible_duplicates(
                case, scope_cases(Case.objects.all(), user)
            )
        ]
    attachments = list(
        Attachment.objects.filter(case=case).select_related("uploaded_by").order_by("uploaded_at")
    )
    co_handlings = list(case.co_handlings.all())
    by_event = {}
    for photo in attachments:
        by_event.setdefault(photo.event_id, []).append(photo)
    for part in co_handlings:
        part.photos = by_event.get(part.feedback_event_id, []) if part.feedback_event_id else []
    merged = _merged_into_this(case)
    return {
        "case": case,
        "events": list(case.events.all()),
        "extensions": extensions,
        "call_ins": call_ins,
        "pending_extension": pending,
        "open_call_in": open_call_in,
        "action_forms": forms,
        "may_merge": "merge" in names,
        "duplicates": duplicates,
        "attachments": attachments,
        "co_handlings": co_handlings,
        "co_waiting": [p for p in co_handlings if p.status == CoHandlingStatus.OPEN],
        "merged": merged,
        "deadlines": _deadlines(case, now),
        "map_data": _map_data(case),
        "point": f"{case.lon},{case.lat}" if case.lon is not None else "",
        "may_reveal_phone": bool(
            case.reporter_phone and user.may_view_full_pii and not user.is_read_only
        ),
        "back_url": _back_url(user),
        # 智能派单: the model's suggestion for a report waiting for 立案 (one query, desk only).
        "suggestion": dispatch_views.panel(user, case),
        "now": now,
    }


@require_GET
@role_required(*CONSOLE_CASE_ROLES)
def case_detail(request, number):
    case = get_object_or_404(_case_queryset(request.user), number=number)
    return render(request, "console/case.html", case_context(request, case))


def _still_visible(user, case) -> bool:
    """After a step the case may have left the user's scope (a handler's 退回, a 改派 to another
    department): then the user goes back to their list with the message, not to a 404."""
    return scope_cases(Case.objects.filter(pk=case.pk), user).exists()


def _next_url(request, fallback):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@require_POST
@role_required(*CONSOLE_CASE_ROLES)
def case_action(request, number, action):
    """One action of the loop through its cases.services function; PRG on success."""
    user = request.user
    if user.is_read_only:
        raise PermissionDenied(_("领导账号只能查看案件，不能办理"))
    spec = console_services.ACTIONS.get(action)
    case = get_object_or_404(scope_cases(Case.objects.all(), user), number=number)
    case_url = reverse("console:case", args=[case.number])
    if spec is None:
        messages.error(request, _("未知的操作"))
        return redirect(case_url)
    form = spec.form(request.POST, request.FILES, case=case, user=user, auto_id=action_ids(action))
    if form.is_valid():
        try:
            spec.perform(case, user, form.cleaned_data)
        except case_services.IllegalTransition as exc:
            messages.error(request, exc.message)
            return redirect(case_url)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect(case_url)
        except ValidationError as exc:
            add_service_errors(form, exc, spec.field_map)
        else:
            messages.success(request, _("%(n)s:%(done)s") % {"n": case.number, "done": spec.done})
            if not _still_visible(user, case):
                return redirect(_back_url(user))
            return redirect(_next_url(request, case_url))
    fresh = get_object_or_404(_case_queryset(user), pk=case.pk)
    context = case_context(request, fresh, bound=(action, form))
    return render(request, "console/case.html", context)


@require_POST
@role_required(*CONSOLE_CASE_ROLES)
def reveal_phone(request, number):
    """The reporter's full phone for a call-back, shown once as a message; logged as history."""
    case = get_object_or_404(scope_cases(Case.objects.all(), request.user), number=number)
    phone = case_services.reveal_reporter_phone(case, request.user, channel="web")
    messages.info(
        request,
        _("上报人完整电话：%(phone)s（本次查看已记入案件流转记录）") % {"phone": phone or "—"},
    )
    return redirect("console:case", number=case.number)


# --- the department handler's inbox --------------------------------------------------------------

INBOX_TABS = [
    ("to_accept", gettext_lazy("待接单"), lambda now: Q(status=CaseStatus.DISPATCHED)),
    ("in_progress", gettext_lazy("处置中"), lambda now: Q(status=CaseStatus.ACCEPTED)),
    (
        "rework",
        gettext_lazy("返工"),
        lambda now: Q(status=CaseStatus.ACCEPTED, rework_count__gt=0),
    ),
    (
        "overdue",
        gettext_lazy("超期"),
        # The department's own clock (处置) past its deadline: cases.clock's one meaning, with
        # its running deadline's range (queries.overdue_tab_q).
        lambda now: (
            Q(status__in=[CaseStatus.DISPATCHED, CaseStatus.ACCEPTED]) & queries.overdue_tab_q(now)
        ),
    ),
    ("handled", gettext_lazy("已反馈待核查"), lambda now: Q(status=CaseStatus.HANDLED)),
]
# 协办: cases of another (lead) department where this department's part is still open.
# The tabs count the department's own cases and its parts only: what moves the department's
# counts version (console.queries._changed) — a tab counting anything else must move it there.
CO_TAB = ("co_handling", gettext_lazy("协办待反馈"))


@require_GET
@role_required(*DEPARTMENT_INBOX_ROLES)
def inbox(request):
    """Cases dispatched to the handler's department, with its overdue and rework counts."""
    user = request.user
    now = timezone.now()
    base = queries.list_queryset(user)
    if user.department_id is None:
        base = base.none()
    own = Q(assigned_department_id=user.department_id, handled_by_grid=False)
    conditions = {key: own & q(now) for key, _label, q in INBOX_TABS}
    conditions[CO_TAB[0]] = Q(
        pk__in=CoHandling.objects.filter(
            department_id=user.department_id, status=CoHandlingStatus.OPEN
        ).values("case_id")
    )
    # The department's own tabs hold open cases only: counted over those (the state index),
    # 协办 on its own; the page's count is the tab's, not counted again.
    co_condition = conditions.pop(CO_TAB[0])

    def count():
        counts = base.filter(status__in=OPEN_STATUSES).aggregate(
            **{key: Count("pk", filter=q) for key, q in conditions.items()}
        )
        counts[CO_TAB[0]] = base.filter(co_condition).count()
        return counts

    counts_key = queries.counts_key("inbox", user, request.GET)
    # The counts, the calendar's revision and the header's badge in one round trip. The counts
    # go by the department's version (an intake or another department's change keeps them).
    department_id = user.department_id
    reads = queries.shared_reads(counts_key, user=user, department_id=department_id)
    counts = queries.cached_counts(counts_key, count, reads, department_id)
    conditions[CO_TAB[0]] = co_condition
    tab = request.GET.get("tab") if request.GET.get("tab") in conditions else "to_accept"
    cases, sort = queries.sorted_cases(
        queries.row_columns(base.filter(conditions[tab])), "deadline"
    )
    page, cases, pager = paged(request, cases, sort, counts[tab])
    # The department's name: joined on its own cases' rows already (one query less).
    department = next(
        (c.assigned_department for c in cases if c.assigned_department_id == user.department_id),
        None,
    )
    rows = _rows(cases, now, queries.calendar_key(reads))
    context = {
        "tab": tab,
        "tabs": [
            {"key": key, "label": label, "count": counts[key]}
            for key, label in [*((k, label) for k, label, _q in INBOX_TABS), CO_TAB]
        ],
        "counts": counts,
        "page_obj": page,
        "pager": pager,
        "rows": rows,
        "table_body": tables.inbox_body(rows, request=request, tab=tab),
        "department": department or user.department,
        "now": now,
        **queries.badge_context(reads, user),
    }
    return render(request, "console/inbox.html", context)
