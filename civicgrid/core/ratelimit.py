"""Who is asking, and the one intake limit every reporting channel shares.

`client_ip(request)` is the address a request came from: REMOTE_ADDR, or — only when settings say
that requests pass through trusted proxies (CIVICGRID_NUM_PROXIES) — the address those proxies
put into X-Forwarded-For. The login throttles (django-axes, accounts.throttle) and the limits here
use it, so a client cannot dodge either by sending its own X-Forwarded-For header.

`hit_intake_limit(request)` counts one report of a person and says whether it is over the limit:
the residents' web form, the REST intake (residents) and Open311 POSTs all count in the same
place, held in the shared cache (settings.CACHES: the database, or Redis) so that every gunicorn
worker sees the same count. A person is their account when signed in, else their address.
The 12345 hotline push and staff reporting from their work are not counted: whose reports count
is a question of roles, answered by accounts.policy.is_limited_reporter, which the callers ask.
"""

import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def client_ip(request) -> str:
    """The client's address. X-Forwarded-For is believed only behind CIVICGRID_NUM_PROXIES
    proxies: each appends the address it got the request from, so the client is the
    NUM_PROXIES-th address from the right; anything left of it may be forged by the client."""
    remote = request.META.get("REMOTE_ADDR") or ""
    proxies = settings.CIVICGRID_NUM_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies and _is_ip(forwarded[-proxies]):
            return forwarded[-proxies]
    return remote or "unknown"


def person_key(request) -> str:
    """The account when signed in, else the client's address."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"u{user.pk}"
    return "ip" + client_ip(request)


def count_in_window(key: str, window: int) -> tuple[int, int]:
    """Count one hit of `key` in the current fixed window of `window` seconds; returns (hits so
    far in this window, seconds until the window ends).

    The window's number is part of the cache key, so the count starts afresh when the window
    turns whatever the backend does to expiry times (the database cache's incr() resets them).
    On Redis incr() is atomic; on the database cache two exactly simultaneous hits may count
    once — good enough for a limit meant to stop scripts, not to bill.
    """
    now = time.time()
    slot = int(now // window)
    retry_after = max(1, math.ceil((slot + 1) * window - now))
    slot_key = f"{key}:{slot}"
    if cache.add(slot_key, 1, window):
        return 1, retry_after
    try:
        count = cache.incr(slot_key)
    except ValueError:  # expired between add() and incr()
        cache.add(slot_key, 1, window)
        return 1, retry_after
    cache.touch(slot_key, window)
    return count, retry_after


@dataclass(frozen=True)
class Verdict:
    refused: bool
    count: int
    limit: int
    retry_after: int  # seconds until the person may report again


def intake_limit() -> tuple[int, int]:
    return tuple(settings.CIVICGRID_INTAKE_LIMIT)


def hit_intake_limit(request, key: str | None = None) -> Verdict:
    """Count one report attempt by the person behind `request` (or by `key`); refused when over
    CIVICGRID_INTAKE_LIMIT in the current window. Every attempt counts, refused or not."""
    limit, window = intake_limit()
    count, retry_after = count_in_window(f"civicgrid:intake:{key or person_key(request)}", window)
    return Verdict(refused=count > limit, count=count, limit=limit, retry_after=retry_after)


def refused_message(verdict: Verdict) -> str:
    """What a refused reporter is told, in the request's language."""
    minutes = max(1, math.ceil(verdict.retry_after / 60))
    return ngettext(
        "提交过于频繁，请%(minutes)d分钟后再试，或拨打12345热线反映",
        "提交过于频繁，请%(minutes)d分钟后再试，或拨打12345热线反映",
        minutes,
    ) % {"minutes": minutes}


class IntakeThrottled(APIException):
    """429 for the REST intake: {"detail": refused_message} with Retry-After (seconds)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "throttled"

    def __init__(self, verdict: Verdict):
        self.wait = verdict.retry_after
        super().__init__(detail=refused_message(verdict))


# For extend_schema(responses={429: THROTTLED_RESPONSE}) of the intake endpoints.
THROTTLED_RESPONSE = OpenApiResponse(
    inline_serializer("IntakeThrottledError", {"detail": serializers.CharField()}),
    description="提交过于频繁(每人每时段的上报数有上限),Retry-After 为可再提交的秒数",
)
