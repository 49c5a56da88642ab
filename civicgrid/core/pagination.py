"""Pagination of every API list (REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"])."""

from rest_framework import pagination


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """?limit=&offset= with a ceiling: `limit` above MAX_LIMIT gives MAX_LIMIT rows (a page of
    all 31,000 residents would be a 10 MB answer); a negative or unreadable limit or offset
    falls back to the default (DRF), a huge one is refused by the input guard."""

    max_limit = 500
