"""API tokens that expire and can be revoked (accounts.ApiToken), and their authentication.

A token is a 256-bit random string shown once, when it is issued; the database keeps its SHA-256.
Clients send it as `Authorization: Token <token>` (the same header as DRF's authtoken, so
existing clients keep working). A token stops working when it expires
(CIVICGRID_API_TOKEN_TTL_HOURS after it was issued), when its owner revokes it
(DELETE /api/auth/tokens/<id>/), and when the client logs out with it (POST /api/auth/logout/):
logging in again issues a new one.

Authentication costs one query (the token with its user); the token's `last_used_at` is written
at most once every LAST_USED_EVERY, so a busy client does not add a write per request.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import (
    SessionAuthentication as DRFSessionAuthentication,
)
from rest_framework.authentication import (
    TokenAuthentication,
    get_authorization_header,
)

from civicgrid.accounts.models import ApiToken
from civicgrid.core.lean import compiled

PREFIX_LENGTH = 8
LAST_USED_EVERY = datetime.timedelta(minutes=5)


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=getattr(settings, "CIVICGRID_API_TOKEN_TTL_HOURS", 24 * 30))


def issue_token(user, *, client: str = "") -> tuple[ApiToken, str]:
    """A new token for `user`: (the row, the token in clear — the only time it exists so).
    The user's expired tokens are removed on the way."""
    now = timezone.now()
    ApiToken.objects.filter(user=user, expires_at__lte=now).delete()
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        prefix=raw[:PREFIX_LENGTH],
        digest=token_digest(raw),
        client=(client or "")[:200],
        created_at=now,
        expires_at=now + token_lifetime(),
    )
    return token, raw


def live_tokens(user):
    """The user's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user, expires_at__gt=timezone.now())


def _by_digest(params):
    return ApiToken.objects.select_related("user").filter(digest=params[0])


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <token>` against accounts.ApiToken: unknown, revoked or expired
    tokens and inactive users are refused with 401 and a message in the request's language."""

    keyword = "Token"

    def authenticate_credentials(self, key):
        # Every API request asks this: compiled once per thread (core.lean.compiled), so only
        # the digest changes from one request to the next (bench/against.py measures it).
        found = compiled(("accounts.token", 1), _by_digest, [token_digest(key)])
        if not found:
            raise exceptions.AuthenticationFailed(_("令牌无效或已撤销，请重新登录"))
        token = found[0]
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed(_("令牌已过期，请重新登录"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("该账号已停用"))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token


class SessionAuthentication(DRFSessionAuthentication):
    """DRF's session authentication (first in DEFAULT_AUTHENTICATION_CLASSES, so that a signed-in
    browser keeps working), with one difference: DRF answers a refused authentication with the
    first class's challenge, and sessions have none (a 403). A request that came with a token
    gets the token's challenge instead: an expired, revoked or unknown token is a 401 with
    `WWW-Authenticate: Token`. Requests without credentials keep their 403."""

    def authenticate_header(self, request):
        words = get_authorization_header(request).split()
        if words and words[0].lower() == ExpiringTokenAuthentication.keyword.lower().encode():
            return ExpiringTokenAuthentication.keyword
        return None
