"""The bodies of the console's case tables (the queue's and the inbox's), written in Python.

A page shows 30 rows of ten cells; through the template language each cell was a variable
lookup, a filter and an escape, and the rows were most of the page's rendering (bench/lists.py:
the queue's page against a hand-built page of one query and json.dumps). Here a row is one
f-string: the page's fixed words are translated once, every value from the database goes
through `esc` (html.escape, what Django's autoescape does), and the pieces built as safe HTML in
console.views._rows (the badges, the time left) are put in as they are. The templates keep the
table's head and layout; the markup of a row is the one they had.
"""

from html import escape as _escape
from urllib.parse import urlencode

from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from civicgrid.console.templatetags.console_tags import actor_name


def esc(value) -> str:
    """A value as the template's autoescape writes it: None and "" alike empty."""
    if value is None:
        return ""
    return _escape(str(value))


def truncate(text, length: int) -> str:
    """The `truncatechars` filter's result (NFC, "…" within `length`), escaped."""
    return esc(Truncator(text or "").chars(length))


class Query:
    """The page's query string and links made from it with some parameters changed — what the
    `query_with` tag and a QueryDict copy per link did (a deep copy each: the queue has some
    thirty links), from one plain copy."""

    def __init__(self, data):
        self.items = {key: list(values) for key, values in data.lists()}

    def with_(self, _last: bool = False, **changes) -> str:
        """The query string with `changes` (None or "" drops the key). A key kept in place,
        as `query_with` does; `_last`: moved to the end, as console.views._url_with did."""
        items = dict(self.items)
        for key, value in changes.items():
            if _last or value is None or value == "":
                items.pop(key, None)
            if value is not None and value != "":
                items[key] = [value]
        return urlencode([(key, value) for key, values in items.items() for value in values])


def field_html(field) -> str:
    """One form field as web/includes/field.html writes it: label, the widget, help, errors."""
    css = "field"
    if field.errors:
        css += " has-error"
    if field.field.required:
        css += " required"
    parts = [f'<div class="{css}" id="field-{esc(field.html_name)}">']
    if field.widget_type == "checkbox":
        parts.append(f"<label>{field} {esc(field.label)}</label>")
    else:
        parts.append(f'<label for="{esc(field.id_for_label)}">{esc(field.label)}</label>{field}')
    if field.help_text:
        parts.append(f'<small class="help">{esc(field.help_text)}</small>')
    parts.extend(f'<p class="error" role="alert">{esc(error)}</p>' for error in field.errors)
    parts.append("</div>")
    return mark_safe("".join(parts))  # the widget is safe HTML, the rest escaped


FILTER_FIELDS = ("q", "community", "micro_grid", "category", "source", "department")
FILTER_FIELDS += ("date_from", "date_to")

# The filter fields as written, per (options' version, options' key, the submitted filters): the
# same options (console.queries caches them under a version bumped by any change of a grid, a
# category or a department) and the same input write the same fields, and their hundreds of
# options were most of the form's cost. A process keeps a few; a new version is a new key.
_WRITTEN: dict = {}
_WRITTEN_MAX = 256


def written_key(version, options_key, data):
    """The key of `_WRITTEN` for a page, or None (nothing kept) when the options' version or
    key is not known (grid staff's posts: their options are read each time)."""
    if version is None or options_key is None:
        return None
    return (
        version,
        options_key,
        tuple((name, tuple(data.getlist(name))) for name in FILTER_FIELDS),
    )


def filter_fields(form, key=None) -> str:
    """The queue's filter fields (console/queue.html), the micro-grid's in the box the chosen
    居村 swaps (htmx); `key` (written_key) keeps them for the next page with the same."""
    if key is not None and key in _WRITTEN:
        return _WRITTEN[key]
    html = _filter_fields(form)
    if key is not None:
        if len(_WRITTEN) >= _WRITTEN_MAX:
            _WRITTEN.clear()
        _WRITTEN[key] = html
    return html


def _filter_fields(form) -> str:
    fields = [field_html(form[name]) for name in ("q", "community")]
    fields.append(f'<div id="micro-grid-filter">{field_html(form["micro_grid"])}</div>')
    fields += [
        field_html(form[name])
        for name in ("category", "source", "department", "date_from", "date_to")
    ]
    return mark_safe("\n".join(fields))


def _when(moment) -> str:
    return localtime(moment).strftime("%m-%d %H:%M") if moment else ""


def _returned(event) -> str:
    """Why a returned case is back: who 撤回 it, or which department 退回 it (and the note)."""
    who = esc(actor_name(event.actor))
    at = esc(_when(event.at))
    if event.action == "recall":
        said = _("%(who)s %(at)s 撤回") % {"who": who, "at": at}
    else:
        data = event.data if isinstance(event.data, dict) else {}
        department = data.get("department_name") or data.get("department") or _("网格")
        said = _("%(d)s 退回（%(who)s,%(at)s）") % {"d": esc(department), "who": who, "at": at}
    return (
        f'<span class="why returned" data-why="returned">{said}:{truncate(event.note, 80)}</span>'
    )


def queue_body(rows, *, selectable: bool, selected=frozenset()) -> str:
    """The <tbody> rows of the queue (console/_case_table.html): `rows` from views._rows with
    their `returned` event and supervision `reasons`; `selectable` adds the bulk forms' tick
    boxes (`selected`: the case numbers ticked before a refused submit)."""
    if not rows:
        empty = esc(_("没有符合条件的案件"))
        return mark_safe(f'<tr><td colspan="10" class="muted">{empty}</td></tr>')
    # Outside the f-strings: xgettext does not read inside them.
    rework_word, unlocated_word = esc(_("返工")), esc(_("待人工定位"))
    rework = f' <span class="badge st-back">{rework_word}</span>'
    unlocated = f'<span class="badge warn-yellow">{unlocated_word}</span>'
    by_grid = esc(_("网格内处置"))
    out = []
    for row in rows:
        case = row["case"]
        number = esc(case.number)
        tick = ""
        if selectable:
            label = _("选择 %(n)s") % {"n": number}
            mark = " checked" if case.number in selected else ""
            tick = (
                f'<td><input type="checkbox" name="cases" value="{number}"'
                f' aria-label="{label}"{mark}></td>'
            )
        state = row["badges"]
        if case.rework_count:
            state += rework
        if case.hurry_count:
            times = ngettext("催办 %(n)s 次", "催办 %(n)s 次", case.hurry_count) % {
                "n": case.hurry_count
            }
            state += f' <span class="badge">{times}</span>'
        desc = truncate(case.description, 60)
        if case.address:
            desc += f'<br><small class="muted">{esc(case.address)}</small>'
        # The template's line break before the reasons: a space between the text and them.
        desc += "\n"
        if row.get("returned") is not None:
            desc += _returned(row["returned"])
        for reason in row.get("reasons", ()):
            desc += f'<span class="why" data-why="supervision">{truncate(reason, 120)}</span>'
        grid = case.micro_grid
        if grid is not None:
            parent = grid.parent.name if grid.parent_id else ""
            place = f'{esc(parent)}<br><small class="muted">{esc(grid.name)}</small>'
        else:
            place = unlocated
        source = esc(row["source"])
        if case.external_ticket:
            source += f'<br><small class="muted">{esc(case.external_ticket)}</small>'
        if case.handled_by_grid:
            department = by_grid
        else:
            assigned = case.assigned_department
            department = esc(assigned.name if assigned is not None and assigned.name else "—")
        due = f"{row['due']}<br>{row['left']}" if row["deadline"] else "—"
        out.append(
            f'<tr class="{row["css"]}" data-number="{number}">{tick}'
            f'<td><a href="{esc(row["url"])}">{number}</a></td>'
            f"<td>{state}</td><td>{esc(case.category.name)}</td>"
            f'<td class="desc">{desc}</td><td>{place}</td><td>{source}</td>'
            f'<td>{department}</td><td class="deadline">{row["reported"]}</td>'
            f'<td class="deadline">{due}</td></tr>'
        )
    return mark_safe("".join(out))  # every value escaped above


def inbox_body(rows, *, request, tab: str) -> str:
    """The <tbody> rows of the department inbox (console/inbox.html): each row's 办理 cell
    offers what the case's state allows (接单 and 退回 as POST forms back to this page)."""
    if not rows:
        empty = esc(_("暂无案件"))
        return mark_safe(f'<tr><td colspan="7" class="muted">{empty}</td></tr>')
    rework_word = esc(_("返工"))
    rework = f' <span class="badge st-back">{rework_word}</span>'
    labels = {
        "feedback": esc(_("提交协办反馈")),
        "accept": esc(_("接单")),
        "reason": esc(_("退回理由")),
        "return": esc(pgettext("button", "退回")),
        "handle": esc(_("反馈处置结果")),
        "extend": esc(_("申请延期")),
        "view": esc(_("查看")),
    }
    forms_needed = tab != "co_handling" and any(
        row["case"].status == "dispatched" and not row["case"].is_suspended for row in rows
    )
    if forms_needed:
        csrf = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
        )
        back = format_html('<input type="hidden" name="next" value="{}">', request.get_full_path())
    out = []
    for row in rows:
        case = row["case"]
        number = esc(case.number)
        url = esc(row["url"])
        state = row["badges"] + (rework if case.rework_count else "")
        place = esc(case.address)
        grid = case.micro_grid
        if grid is not None:
            parent = grid.parent.name if grid.parent_id else ""
            place += f'<br><small class="muted">{esc(parent)} · {esc(grid.name)}</small>'
        due = f"{row['due']}<br>{row['left']}" if row["deadline"] else "—"
        if tab == "co_handling":
            act = f'<a class="button primary" href="{url}#act-co_feedback">{labels["feedback"]}</a>'
        elif case.status == "dispatched" and not case.is_suspended:
            act = (
                f'<form method="post" action="{url}do/accept/" class="inline">{csrf}{back}'
                f'<button type="submit" class="primary">{labels["accept"]}</button></form>'
                f'<form method="post" action="{url}do/return/" class="inline inline-return">'
                f'{csrf}{back}<input type="text" name="reason" placeholder="{labels["reason"]}"'
                f' aria-label="{labels["reason"]}">'
                f'<button type="submit" class="danger">{labels["return"]}</button></form>'
            )
        elif case.status == "accepted":
            act = (
                f'<a class="button primary" href="{url}#act-handle">{labels["handle"]}</a>'
                f' <a class="button" href="{url}#act-request_extension">{labels["extend"]}</a>'
            )
        else:
            act = f'<a class="button" href="{url}">{labels["view"]}</a>'
        out.append(
            f'<tr class="{row["css"]}" data-number="{number}">'
            f'<td><a href="{url}">{number}</a></td><td>{state}</td>'
            f'<td>{esc(case.category.name)}</td><td class="desc">{truncate(case.description, 60)}</td>'
            f'<td>{place}</td><td class="deadline">{due}</td>'
            f'<td class="row-actions">{act}</td></tr>'
        )
    return mark_safe("".join(out))  # every value escaped above
