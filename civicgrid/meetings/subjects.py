"""The kinds of object a meeting may concern (议题对象) and how to find one in a user's scope.

A meeting's `subject` is generic; the plan form offers a kind select and a searchable select of
that kind's objects the planner may see (`/meetings/subjects/?kind=…&q=…`), free text staying
the fallback. Cases, departments and 物业 are known here (apps below meetings); the programme
apps above — community projects, parking rules, conventions — add their kind from their own
AppConfig.ready() through `register`, since meetings may not import them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LIMIT = 20


@dataclass(frozen=True)
class SubjectKind:
    key: str
    label: str
    # search(user, query) → a queryset (or list) of objects the user may choose, best first.
    search: Callable
    # text(obj) → how the object reads in the select and as the meeting's subject_title.
    text: Callable = str


_kinds: dict[str, SubjectKind] = {}


def register(key: str, label, search: Callable, text: Callable = str) -> None:
    """Called once per kind, from an AppConfig.ready()."""
    _kinds[key] = SubjectKind(key, label, search, text)


def kinds() -> list[SubjectKind]:
    return list(_kinds.values())


def choices() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in _kinds.values()]


def search(user, key: str, query: str = "") -> list[dict]:
    """At most LIMIT objects of kind `key` the user may see, matching `query`."""
    kind = _kinds.get(key)
    if kind is None:
        return []
    rows = kind.search(user, (query or "").strip()[:50])
    return [{"id": obj.pk, "text": kind.text(obj)} for obj in list(rows[:LIMIT])]


def find(user, key: str, pk) -> object | None:
    """The object of kind `key` with id `pk`, if the user may choose it (None otherwise)."""
    kind = _kinds.get(key)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    if kind is None:
        return None
    rows = kind.search(user, "")
    if hasattr(rows, "filter"):
        return rows.filter(pk=pk).first()
    return next((obj for obj in rows if obj.pk == pk), None)


def key_for(user, obj) -> str:
    """The kind of a stored subject (its model's), "" when no kind knows it."""
    for kind in _kinds.values():
        if getattr(kind.search(user, ""), "model", None) is type(obj):
            return kind.key
    return ""


def text_of(key: str, obj) -> str:
    kind = _kinds.get(key)
    return kind.text(obj) if kind is not None else str(obj)


# --- the kinds known below meetings --------------------------------------------------------------


def _cases(user, query):
    from civicgrid.cases.models import Case
    from civicgrid.cases.permissions import scope_cases

    rows = scope_cases(Case.objects.select_related("category"), user)
    if query:
        rows = rows.filter(
            Q(number__icontains=query)
            | Q(address__icontains=query)
            | Q(description__icontains=query)
        )
    return rows.order_by("-id")


def _departments(user, query):
    from civicgrid.accounts.models import Department

    rows = Department.objects.filter(is_active=True)
    if query:
        rows = rows.filter(name__icontains=query)
    return rows.order_by("name")


def _property_companies(user, query):
    from civicgrid.estates.models import Estate, PropertyCompany
    from civicgrid.meetings.services import visible_communities

    rows = PropertyCompany.objects.filter(
        pk__in=Estate.objects.filter(community__in=visible_communities(user).values("pk"))
        .exclude(property_company=None)
        .values("property_company")
    )
    if query:
        rows = rows.filter(name__icontains=query)
    return rows.order_by("name")


def _case_text(case):
    category = case.category.name if case.category_id else ""
    return f"{case.number} {category} {case.address}".strip()


def register_builtins():
    register("case", _("案件"), _cases, _case_text)
    register("department", _("职能部门"), _departments)
    register("property_company", _("物业服务企业"), _property_companies)
