"""Who is asking, and the one intake limit every reporting channel shares.

`client_ip(request)` is the address a request came from: REMOTE_ADDR, or — only when REMOTE_ADDR is
one of the reverse proxies settings trust (CIVICGRID_TRUSTED_PROXIES) — the address those proxies
put into X-Forwarded-For (CIVICGRID_CLIENT_IP_HEADER). The login throttles (django-axes through
AXES_CLIENT_IP_CALLABLE, accounts.throttle) and the limits here all use it, so a client cannot
dodge either by sending its own X-Forwarded-For header.

`hit_intake_limit(request)` counts one report of a person and says whether it is over the limit:
the residents' web form, the REST intake (residents) and Open311 POSTs all count in the same
place, held in the shared cache (settings.CACHES: the database, or Redis) so that every gunicorn
worker sees the same count. A person is their account when signed in, else their address.
The 12345 hotline push and staff reporting from their work are not counted: whose reports count
is a question of roles, answered by accounts.policy.is_limited_reporter, which the callers ask.
"""

import functools
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


@functools.cache
def _trusted_networks(proxies: tuple[str, ...]) -> tuple:
    # Checked at start-up by settings; cached per value so that tests may change the setting.
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str):
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    # An IPv4 client seen through an IPv6 socket (::ffff:a.b.c.d) is that IPv4 client.
    return getattr(address, "ipv4_mapped", None) or address


def client_ip(request) -> str:
    """The client's address.

    Each trusted proxy appends the address it got the request from to X-Forwarded-For, so the
    header is "whatever the client sent, …, what our proxies saw". Walking it from the right while
    the hop is a trusted proxy, the first other address is the client as our outermost proxy saw
    it; everything left of it may have been written by the client and is ignored. The header is
    read only when REMOTE_ADDR itself is a trusted proxy: a client talking to gunicorn directly
    is its REMOTE_ADDR whatever it claims. A garbled hop ends the walk at the last trusted one.

    Not django-ipware: it picks a fixed position in the chain (a count of proxies, or a list of
    them in order) and never asks whether REMOTE_ADDR is a proxy at all, which is the question.
    """
    remote = request.META.get("REMOTE_ADDR") or ""
    trusted = _trusted_networks(tuple(settings.CIVICGRID_TRUSTED_PROXIES))
    peer = _address(remote)
    if peer is None or not trusted:
        return remote or "unknown"

    def is_trusted(address) -> bool:
        return any(address.version == net.version and address in net for net in trusted)

    if not is_trusted(peer):
        return str(peer)
    client = peer
    header = request.META.get(settings.CIVICGRID_CLIENT_IP_HEADER, "")
    for hop in reversed(header.split(",")):
        address = _address(hop)
        if address is None:
            break
        client = address
        if not is_trusted(address):
            break
    return str(client)


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
