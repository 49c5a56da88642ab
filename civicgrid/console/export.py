"""Excel (.xlsx) export of a filtered case list (案件清单导出), streamed so that 100,000 rows work.

The rows are the list the user is looking at: the same scope (cases.permissions.scope_cases, via
console.queries.list_queryset), the same filters (cases.filters.CaseFilter through the console's
form) and the same tab. Memory stays flat whatever the number of rows:

- the rows are read as tuples (`values_list`) with a server-side cursor (`iterator`), never as
  model instances held all at once;
- xlsxwriter in `constant_memory` mode writes each row to a temporary file as it comes and
  forgets it;
- the finished workbook is a temporary file (unlinked at once: the open handle keeps it) sent by
  a FileResponse in blocks, so the file is never in memory either.

`bench/export.py` measures it against openpyxl's normal (in-memory) workbook.

Personal data: the reporter's phone is always masked (core.masking); full numbers are only ever
shown one at a time on the case page and logged. Text typed by people is passed through
core.csvsafe so a cell never becomes a formula.
"""

import datetime
import tempfile

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import CONSOLE_QUEUE_ROLES
from civicgrid.cases.choices import CaseSource, CaseStatus, Rating, WarningLevel
from civicgrid.core.csvsafe import safe_cell
from civicgrid.core.masking import mask_phone

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (field read from the database, …) in the order of the columns below.
FIELDS = (
    "number",
    "status",
    "warning_level",
    "source",
    "external_ticket",
    "category__parent__name",
    "category__name",
    "description",
    "address",
    "micro_grid__parent__name",
    "micro_grid__name",
    "is_anonymous",
    "reporter_name",
    "reporter_phone",
    "reported_at",
    "filed_at",
    "handled_by_grid",
    "assigned_department__name",
    "handling_deadline",
    "handled_at",
    "closed_at",
    "handling_result",
    "rating",
)


def column_titles() -> list[str]:
    return [
        _("案件编号"),
        _("状态"),
        _("预警"),
        _("来源"),
        _("12345工单号"),
        _("大类"),
        _("小类"),
        _("问题描述"),
        _("地址"),
        _("居村"),
        _("微网格"),
        _("上报人"),
        _("上报人电话"),
        _("上报时间"),
        _("立案时间"),
        _("处置单位"),
        _("处置期限"),
        _("处置时间"),
        _("结案时间"),
        _("处置结果"),
        _("评价"),
    ]


# Column widths (characters) for a readable sheet; description and result are wide.
WIDTHS = [16, 10, 10, 10, 14, 14, 16, 50, 28, 14, 18, 10, 14, 17, 17, 16, 17, 17, 17, 40, 8]
DATETIME_COLUMNS = {13, 14, 16, 17, 18}


def max_rows() -> int:
    return settings.CIVICGRID_CASE_EXPORT_MAX_ROWS


def rows(queryset):
    """The export's rows (lists of cell values) of `queryset`, read in chunks."""
    # Labels translated once, not once per row.
    status = {k: str(v) for k, v in CaseStatus.choices}
    warning = {k: str(v) for k, v in WarningLevel.choices}
    source = {k: str(v) for k, v in CaseSource.choices}
    rating = {k: str(v) for k, v in Rating.choices}
    tz = timezone.get_current_timezone()

    def local(value):
        """The street's wall-clock time without tzinfo (what a cell holds)."""
        return None if value is None else value.astimezone(tz).replace(tzinfo=None)

    anonymous = _("匿名")
    in_grid = _("网格内处置")
    for (
        number,
        st,
        warn,
        src,
        ticket,
        parent_category,
        category,
        description,
        address,
        community,
        micro_grid,
        is_anonymous,
        reporter,
        phone,
        reported_at,
        filed_at,
        handled_by_grid,
        department,
        handling_deadline,
        handled_at,
        closed_at,
        result,
        rate,
    ) in queryset.values_list(*FIELDS).iterator(chunk_size=2000):
        yield [
            number,
            status.get(st, st),
            warning.get(warn, "") if warn else "",
            source.get(src, src),
            ticket,
            parent_category or "",
            category or "",
            safe_cell(description),
            safe_cell(address),
            community or "",
            # A micro-grid named alone ("第1网格") is ambiguous: its 居村 goes with it.
            f"{community} · {micro_grid}" if micro_grid else "",
            anonymous if is_anonymous else safe_cell(reporter),
            mask_phone(phone),
            local(reported_at),
            local(filed_at),
            in_grid if handled_by_grid else (department or ""),
            local(handling_deadline),
            local(handled_at),
            local(closed_at),
            safe_cell(result),
            rating.get(rate, "") if rate else "",
        ]


def write_workbook(target, title: str, row_iter) -> int:
    """Write the sheet to `target` (a path or a binary file); returns the number of case rows."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            # Text stays text: a description beginning with = is not a formula, a URL not a link.
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet(_("案件清单"))
    bold = book.add_format({"bold": True})
    stamp = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for col, width in enumerate(WIDTHS):
        sheet.set_column(col, col, width, stamp if col in DATETIME_COLUMNS else None)
    sheet.write_string(0, 0, title)
    for col, heading in enumerate(column_titles()):
        sheet.write_string(1, col, heading, bold)
    sheet.freeze_panes(2, 0)
    count = 0
    for count, values in enumerate(row_iter, start=1):
        r = count + 1
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(r, col, value, stamp)
            else:
                sheet.write_string(r, col, str(value))
    if count:
        sheet.autofilter(1, 0, count + 1, len(WIDTHS) - 1)
    book.close()
    return count


def export_file(queryset, title: str):
    """The workbook of `queryset` in an anonymous temporary file, rewound for reading."""
    handle = tempfile.TemporaryFile(prefix="civicgrid-export-", suffix=".xlsx")
    try:
        write_workbook(handle, title, rows(queryset))
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle


# --- the views -----------------------------------------------------------------------------------


def respond(request, cases, *, title: str, stem: str, back_url: str):
    """The .xlsx of `cases` as a streamed download; over the row cap, back to the list with a
    message and nothing exported."""
    from django.contrib import messages
    from django.http import FileResponse
    from django.shortcuts import redirect

    count = cases.count()
    limit = max_rows()
    if count > limit:
        messages.error(
            request,
            _(
                "符合条件的案件有 %(n)s 件，超过一次导出的上限 %(limit)s 件，请缩小筛选范围后再导出。"
            )
            % {"n": count, "limit": limit},
        )
        return redirect(back_url)
    now = timezone.localtime()
    heading = _("%(title)s · 共 %(n)s 件 · 导出于 %(at)s") % {
        "title": title,
        "n": count,
        "at": now.strftime("%Y-%m-%d %H:%M"),
    }
    handle = export_file(cases, heading)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{stem}-{now:%Y%m%d-%H%M}.xlsx",
        content_type=CONTENT_TYPE,
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _tab_cases(request):
    """The cases of the queue tab the request names, with the queue's filters and scope, in the
    queue's order (?sort=, the queue's default when absent or unknown)."""
    from civicgrid.console import queries

    filtered, _filterset = queries.apply_filters(
        queries.list_queryset(request.user), request.GET, request
    )
    tab = request.GET.get("tab")
    if tab not in queries.QUEUE_KEYS:
        tab = queries.QUEUE_KEYS[0]
    label = next(str(label) for key, label, _q in queries.QUEUES if key == tab)
    cases, _sort = queries.sorted_cases(
        filtered.filter(queries.queue_condition(tab)), request.GET.get("sort", "")
    )
    return cases, label


def _queue_url(request) -> str:
    from django.urls import reverse

    query = request.GET.urlencode()
    return reverse("console:queue") + (f"?{query}" if query else "")


@require_GET
@role_required(*CONSOLE_QUEUE_ROLES)
def export_queue(request):
    """GET /console/export.xlsx?<the queue's filters and tab>: that list as .xlsx."""
    cases, label = _tab_cases(request)
    return respond(
        request,
        cases,
        title=_("案件清单（%(tab)s）") % {"tab": label},
        stem="cases",
        back_url=_queue_url(request),
    )
