"""Pages of `GET /api/cases/`: numbered pages (?limit=&offset=) for the first ones, a cursor
(keyset) for deep ones.

An offset makes the database walk past every row before the page (`offset=10000` reads 10,050
rows) and the count scans all the cases in scope; at 10M cases both grow with the table. With
`?cursor=` (empty for the first page) the page is read from the index on (reported_at, id) from
where the last one stopped — the same cost at any depth — and no count is made: the answer is
`{"next": url or null, "results": [...]}`, `next` carrying the cursor of the following page.
The cursor is the last row's report time and id (the list's order: newest first), opaque to
clients (base64 of the JSON pair); a malformed one is a 400 with a Chinese message.
"""

import base64
import binascii
import json

from django.db.models import Q
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from civicgrid.core.lean import lean
from civicgrid.core.pagination import LimitOffsetPagination

CURSOR = "cursor"
CURSOR_HELP = (
    "游标分页：首页传空值（?cursor=），之后传上一页答复中 next 链接里的游标。"
    "按游标取页不计总数（答复无 count），任意深度耗时相同；深翻页请用游标，不用 offset。"
)


def encode_cursor(case) -> str:
    raw = json.dumps([case.reported_at.isoformat(), case.pk], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str):
    """(reported_at, id) of the row a page ends with; ValidationError if it is not a cursor."""
    try:
        padded = text + "=" * (-len(text) % 4)
        at, pk = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        moment = parse_datetime(at)
        if moment is None or moment.tzinfo is None or not isinstance(pk, int):
            raise ValueError(text)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise ValidationError(
            {CURSOR: [_("游标无效，请从首页（cursor 为空）重新翻页。")]}
        ) from None
    return moment, pk


class CaseListPagination(LimitOffsetPagination):
    """Limit/offset as every other list, or keyset pages when `cursor` is in the query."""

    def paginate_queryset(self, queryset, request, view=None):
        # A page's cases (with their category, micro-grid and department) are built without
        # Model.__init__, as the console's pages are (core/lean.py says when that is the same).
        queryset = lean(queryset)
        self.cursor_mode = CURSOR in request.query_params
        if not self.cursor_mode:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        self.limit = self.get_limit(request)
        text = request.query_params[CURSOR].strip()
        if text:
            at, pk = decode_cursor(text)
            # The list's order is (-reported_at, -id): the next page is strictly after (at, pk).
            # The redundant `reported_at <= at` is the index range; the OR only filters in it.
            queryset = queryset.filter(
                Q(reported_at__lte=at) & (Q(reported_at__lt=at) | Q(reported_at=at, pk__lt=pk))
            )
        rows = list(queryset.order_by("-reported_at", "-id")[: self.limit + 1])
        self.has_next = len(rows) > self.limit
        rows = rows[: self.limit]
        self.next_cursor = encode_cursor(rows[-1]) if self.has_next else None
        return rows

    def get_paginated_response(self, data):
        if not self.cursor_mode:
            return super().get_paginated_response(data)
        return Response({"next": self.get_next_link(), "results": data})

    def get_next_link(self):
        if not getattr(self, "cursor_mode", False):
            return super().get_next_link()
        if self.next_cursor is None:
            return None
        url = self.request.build_absolute_uri()
        url = remove_query_param(url, self.offset_query_param)
        return replace_query_param(url, CURSOR, self.next_cursor)

    def get_paginated_response_schema(self, schema):
        # Either shape: count/previous only with limit/offset, without them by cursor.
        paged = super().get_paginated_response_schema(schema)
        paged["required"] = ["results"]
        paged["properties"]["count"]["description"] = "总数；按游标取页时不返回"
        return paged

    def get_schema_operation_parameters(self, view):
        return [*super().get_schema_operation_parameters(view), _cursor_schema()]


def _cursor_schema():
    return {
        "name": CURSOR,
        "required": False,
        "in": "query",
        "description": CURSOR_HELP,
        "schema": {"type": "string"},
    }
