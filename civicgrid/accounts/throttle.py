"""Brute-force protection of the logins, built on django-axes.

Every login surface (the web front's /login/, the admin's, the browsable API's /api/auth/login/
and POST /api/auth/token/) authenticates through django.contrib.auth.authenticate() with the
request, so django-axes sees every failure (the user_login_failed signal) and refuses every
attempt made during a lock-out (LoginThrottleBackend, first in AUTHENTICATION_BACKENDS).

Failures are counted in the shared cache (settings.CACHES, so every gunicorn worker sees the same
counts) separately by account and by client address, each with its own limit
(settings.CIVICGRID_LOGIN_FAILURE_LIMITS: a few per account, more per address since a whole
office may sit behind one address). Reaching either limit locks that account, or that address,
for the cool-off (AXES_COOLOFF_TIME); attempts during the lock-out are refused even with the right
password and are not counted, so the lock ends when it said it would. A successful login clears
its account's count (not the address's). Each failure and each lock-out is logged (logger
"civicgrid.security"), without the password.

The user is told in plain words: the login forms show `lockout_message()` in their own page with
status 429; JSON callers get 429 {"detail": …} and Retry-After (`lockout_response`).
"""

import hashlib
import logging
import math

from axes.backends import AxesStandaloneBackend
from axes.conf import settings as axes_settings
from axes.handlers.cache import AxesCacheHandler
from axes.helpers import (
    get_cache,
    get_cache_timeout,
    get_client_ip_address,
    get_client_str,
    get_client_username,
    get_cool_off,
    get_failure_limit,
    get_lockout_parameters,
)
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import ngettext
from rest_framework import status
from rest_framework.exceptions import APIException

log = logging.getLogger("civicgrid.security")


# --- what the user is told -------------------------------------------------------------------------


def cool_off_seconds(request=None) -> int:
    cool_off = get_cool_off(request)
    return int(cool_off.total_seconds()) if cool_off else 0


def lockout_message(request=None) -> str:
    minutes = max(1, math.ceil(cool_off_seconds(request) / 60))
    return ngettext(
        "登录失败次数过多，该账号或本机地址已被暂时锁定，请%(minutes)d分钟后再试",
        "登录失败次数过多，该账号或本机地址已被暂时锁定，请%(minutes)d分钟后再试",
        minutes,
    ) % {"minutes": minutes}


def is_locked_out(request) -> bool:
    """Whether the last authenticate() with `request` was refused or ended by a lock-out."""
    return bool(getattr(request, "axes_locked_out", False))


class LoginLockedOut(APIException):
    """429 for the API's token login during a lock-out; Retry-After is the cool-off."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "locked_out"

    def __init__(self, request=None):
        self.wait = cool_off_seconds(request) or None
        super().__init__(detail=lockout_message(request))


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: what AxesMiddleware answers once a request hit a lock-out.

    A login form has already put `lockout_message()` on its own page: that page is kept, with
    status 429. Anything else gets the message as JSON, like the API's other errors.
    """
    retry_after = str(cool_off_seconds(request))
    if original_response is not None:
        if original_response.status_code == status.HTTP_429_TOO_MANY_REQUESTS:
            return original_response
        content_type = original_response.get("Content-Type", "")
        if original_response.status_code == 200 and content_type.startswith("text/html"):
            original_response.status_code = status.HTTP_429_TOO_MANY_REQUESTS
            original_response.reason_phrase = "Too Many Requests"
            original_response["Retry-After"] = retry_after
            return original_response
    response = JsonResponse(
        {"detail": lockout_message(request)}, status=status.HTTP_429_TOO_MANY_REQUESTS
    )
    response["Retry-After"] = retry_after
    return response


class LockoutMessageMixin:
    """For Django's AuthenticationForm and its admin variant: the lock-out, not "wrong password",
    when authenticate() was refused or ended by one."""

    def get_invalid_login_error(self):
        if is_locked_out(self.request):
            return ValidationError(lockout_message(self.request), code="locked_out")
        return super().get_invalid_login_error()


class ThrottledAuthenticationForm(LockoutMessageMixin, AuthenticationForm):
    """The browsable API's login page (/api/auth/login/)."""


def with_lockout_message(form_class=None):
    """The admin site's login form (AdminAuthenticationForm or the site's own) with the lock-out
    message: `admin.site.login_form = with_lockout_message(admin.site.login_form)`."""
    form_class = form_class or AdminAuthenticationForm
    if issubclass(form_class, LockoutMessageMixin):
        return form_class
    return type(form_class.__name__, (LockoutMessageMixin, form_class), {"__module__": __name__})


# --- django-axes plumbing --------------------------------------------------------------------------


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' backend: refuses attempts during a lock-out. Calls without a request (the
    shell, management commands, tests' client.login) have no client to throttle and pass on."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def _limit(parameter: str, request, credentials) -> int:
    limits = getattr(settings, "CIVICGRID_LOGIN_FAILURE_LIMITS", {})
    return limits.get(parameter) or get_failure_limit(request, credentials)


class LoginThrottleHandler(AxesCacheHandler):
    """django-axes' cache handler with one limit per lockout parameter (account, address).

    AXES_LOCKOUT_PARAMETERS names what is counted ("username", "ip_address"); each gets its own
    counter in the cache and its limit from CIVICGRID_LOGIN_FAILURE_LIMITS (else
    AXES_FAILURE_LIMIT). The cache is looked up on each use, not kept from start-up.
    """

    def __init__(self):  # AxesCacheHandler keeps one cache object; we look it up each time
        pass

    @property
    def cache(self):
        return get_cache()

    @staticmethod
    def cache_key(parameter: str, value: str) -> str:
        digest = hashlib.sha256(f"{parameter}\0{value}".encode()).hexdigest()
        return f"axes-{parameter}-{digest}"

    def counters(self, request, credentials=None) -> list[tuple[str, str, int]]:
        """(parameter, cache key, limit) of each thing counted for this attempt."""
        values = {
            "username": get_client_username(request, credentials),
            "ip_address": getattr(request, "axes_ip_address", None)
            or get_client_ip_address(request),
        }
        result = []
        for parameter in get_lockout_parameters(request, credentials):
            if not isinstance(parameter, str) or not values.get(parameter):
                continue
            key = self.cache_key(parameter, values[parameter])
            result.append((parameter, key, _limit(parameter, request, credentials)))
        return result

    def get_failures(self, request, credentials=None) -> int:
        keys = [key for _p, key, _l in self.counters(request, credentials)]
        found = self.cache.get_many(keys) if keys else {}
        return max(found.values(), default=0)

    def is_locked(self, request, credentials=None) -> bool:
        if not axes_settings.AXES_LOCK_OUT_AT_FAILURE:
            return False
        counters = self.counters(request, credentials)
        found = self.cache.get_many([key for _p, key, _l in counters]) if counters else {}
        return any(found.get(key, 0) >= limit for _p, key, limit in counters)

    def _client(self, request, username) -> str:
        return get_client_str(
            username,
            request.axes_ip_address,
            request.axes_user_agent,
            request.axes_path_info,
            request,
        )

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        if request is None:
            return
        username = get_client_username(request, credentials)
        if request.axes_locked_out:
            # Refused by LoginThrottleBackend: not counted, so the lock ends when it said.
            request.axes_credentials = credentials
            log.warning("Login refused during lock-out: %s", self._client(request, username))
            user_locked_out.send(
                "axes", request=request, username=username, ip_address=request.axes_ip_address
            )
            return
        if self.is_whitelisted(request, credentials):
            return
        timeout = get_cache_timeout(request)
        counts = []
        for parameter, key, limit in self.counters(request, credentials):
            if self.cache.add(key, 1, timeout):
                count = 1
            else:
                try:
                    count = self.cache.incr(key)
                except ValueError:  # expired between add() and incr()
                    self.cache.add(key, 1, timeout)
                    count = 1
                self.cache.touch(key, timeout)
            counts.append((parameter, count, limit))
        request.axes_failures_since_start = max((c for _p, c, _l in counts), default=0)
        locked = any(count >= limit for _p, count, limit in counts)
        client = self._client(request, username)
        log.warning(
            "Login failed: %s (%s)", client, ", ".join(f"{p} {c}/{n}" for p, c, n in counts)
        )
        if locked and axes_settings.AXES_LOCK_OUT_AT_FAILURE:
            log.warning("Login locked out for %s s: %s", timeout, client)
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes", request=request, username=username, ip_address=request.axes_ip_address
            )

    def user_logged_in(self, sender, request, user, **kwargs):
        # The right password clears the account's failures; the address keeps its count, so an
        # attacker's own account cannot reset the count of the address it guesses from.
        if request is None or not hasattr(request, "axes_ip_address"):
            return
        self.cache.delete(self.cache_key("username", user.get_username()))
        log.info("Login: %s", self._client(request, user.get_username()))

    def user_logged_out(self, sender, request, user, **kwargs):
        pass

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        """For axes_reset_ip / axes_reset_username: clears that address's or account's count."""
        keys = []
        if ip_address:
            keys.append(self.cache_key("ip_address", ip_address))
        if username:
            keys.append(self.cache_key("username", username))
        if not keys:
            raise NotImplementedError("Cannot clear all entries from cache")
        found = self.cache.get_many(keys)
        self.cache.delete_many(keys)
        return len(found)
