"""Brute-force protection of the four login surfaces, the password rules and the API tokens.

The throttles count in the shared cache; these tests use the database cache (settings.CACHES
without REDIS_URL), so every request below is its own request cycle reading and writing the
same table, as gunicorn workers do — and Redis too when a server answers on REDIS_URL.
"""

import datetime
import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import ApiToken, User
from civicgrid.accounts.tokens import issue_token
from civicgrid.core.ratelimit import client_ip
from civicgrid.testing.factories import UserFactory
from civicgrid.testing.redis import redis_cache, redis_url

pytestmark = pytest.mark.django_db

PASSWORD = "pw-123456"  # UserFactory's
PER_ACCOUNT, PER_ADDRESS = 3, 5
LOCKED = "登录失败次数过多"


@pytest.fixture(autouse=True)
def shared_cache(settings):
    """The database cache (the default without REDIS_URL) and small, known limits."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "civicgrid_cache",
        }
    }
    settings.CIVICGRID_LOGIN_FAILURE_LIMITS = {"username": PER_ACCOUNT, "ip_address": PER_ADDRESS}
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def operator(db):
    return UserFactory(username="zhanglei", role=Role.OPERATOR, is_staff=True)


# --- the four surfaces ----------------------------------------------------------------------------


def _web(password, username, ip):
    return Client().post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _admin(password, username, ip):
    return Client().post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        REMOTE_ADDR=ip,
    )


def _browsable_api(password, username, ip):
    return Client().post(
        "/api/auth/login/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _token(password, username, ip):
    return APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def _signed_in(response) -> bool:
    return response.status_code == 302 and SESSION_KEY in response.client.session


SURFACES = {
    # name: (post, status of a wrong password, whether the right one signed in)
    "web": (_web, 200, _signed_in),
    "admin": (_admin, 200, _signed_in),
    "browsable_api": (_browsable_api, 200, _signed_in),
    "token": (_token, 400, lambda r: r.status_code == 200 and "token" in r.json()),
}


def _message(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode()


@pytest.mark.parametrize("surface", list(SURFACES))
def test_each_login_locks_after_the_failure_limit_and_says_so(surface, operator):
    post, wrong_status, signed_in = SURFACES[surface]
    for _ in range(PER_ACCOUNT - 1):
        response = post("wrong-password", "zhanglei", "10.0.0.1")
        assert response.status_code == wrong_status
        assert LOCKED not in _message(response)
    # The failure that reaches the limit is told at once.
    response = post("wrong-password", "zhanglei", "10.0.0.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert "登录失败次数过多，该账号或本机地址已被暂时锁定，请15分钟后再试" in _message(response)
    # The right password is refused during the lock-out: no session, no token.
    response = post(PASSWORD, "zhanglei", "10.0.0.1")
    assert response.status_code == 429
    assert LOCKED in _message(response)
    assert not ApiToken.objects.exists()
    operator.refresh_from_db()
    assert operator.last_login is None


@pytest.mark.parametrize("surface", list(SURFACES))
def test_each_login_still_works_with_the_right_password(surface, operator):
    post, _wrong_status, signed_in = SURFACES[surface]
    post("wrong-password", "zhanglei", "10.0.0.1")
    assert signed_in(post(PASSWORD, "zhanglei", "10.0.0.1"))


def test_the_api_lockout_answers_json_in_the_requests_language(operator):
    for _ in range(PER_ACCOUNT):
        response = _token("wrong-password", "zhanglei", "10.0.0.1")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail"}
    assert response.json()["detail"].startswith(LOCKED)


def test_the_lock_is_by_account_from_any_address(operator):
    other = UserFactory(username="liqiang", role=Role.OPERATOR, is_staff=True)
    for n in range(PER_ACCOUNT):
        _web("wrong-password", "zhanglei", f"10.0.1.{n}")  # a new address each time
    response = _web(PASSWORD, "zhanglei", "10.0.2.1")
    assert response.status_code == 429 and LOCKED in _message(response)
    assert _token(PASSWORD, "zhanglei", "10.0.2.2").status_code == 429
    # Another account from the same addresses is not affected.
    assert _signed_in(_web(PASSWORD, other.username, "10.0.2.1"))


def test_the_lock_is_by_address_for_every_account(operator):
    # Fewer failures per account than its limit, but PER_ADDRESS from one address in all.
    for n in range(PER_ADDRESS):
        response = _web("wrong-password", f"guess{n}", "10.0.3.3")
    assert response.status_code == 429
    response = _web(PASSWORD, "zhanglei", "10.0.3.3")
    assert response.status_code == 429 and LOCKED in _message(response)
    assert _token(PASSWORD, "zhanglei", "10.0.3.3").status_code == 429
    # The same account from another address logs in.
    assert _signed_in(_web(PASSWORD, "zhanglei", "10.0.3.4"))


def test_a_forged_forwarded_for_header_changes_nothing_without_a_proxy(operator):
    for n in range(PER_ADDRESS):
        _token("wrong-password", f"guess{n}", "10.0.4.4")
    forged = APIClient().post(
        "/api/auth/token/",
        {"username": "zhanglei", "password": PASSWORD},
        REMOTE_ADDR="10.0.4.4",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert forged.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(operator, settings):
    settings.CIVICGRID_TRUSTED_PROXIES = ["10.9.9.9"]
    proxy = "10.9.9.9"
    for n in range(PER_ADDRESS):
        APIClient().post(
            "/api/auth/token/",
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR=proxy,
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
    locked = APIClient().post(
        "/api/auth/token/",
        {"username": "zhanglei", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert locked.status_code == 429
    # Another client behind the same proxy is not locked out with it.
    other = APIClient().post(
        "/api/auth/token/",
        {"username": "zhanglei", "password": PASSWORD},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR="198.51.100.8",
    )
    assert other.status_code == 200


def test_client_ip(rf, settings):
    settings.CIVICGRID_TRUSTED_PROXIES = []
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"
    settings.CIVICGRID_TRUSTED_PROXIES = ["10.0.0.0/24"]
    assert client_ip(request) == "1.2.3.4"
    # The client may prepend anything; only what the trusted proxies appended is believed.
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    assert client_ip(request) == "1.2.3.4"
    settings.CIVICGRID_TRUSTED_PROXIES = ["10.0.0.0/24", "1.2.3.4"]
    assert client_ip(request) == "6.6.6.6"
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="not-an-address")
    assert client_ip(request) == "10.0.0.5"


def test_a_right_password_clears_the_accounts_count(operator):
    for _ in range(PER_ACCOUNT - 1):
        _web("wrong-password", "zhanglei", "10.0.5.1")
    assert _signed_in(_web(PASSWORD, "zhanglei", "10.0.5.1"))
    for _ in range(PER_ACCOUNT - 1):
        response = _web("wrong-password", "zhanglei", "10.0.5.2")
    assert response.status_code == 200 and LOCKED not in _message(response)


def test_the_lock_ends_after_the_cool_off(operator, monkeypatch):
    for _ in range(PER_ACCOUNT):
        _web("wrong-password", "zhanglei", "10.0.6.1")
    assert _web(PASSWORD, "zhanglei", "10.0.6.1").status_code == 429
    later = timezone.now() + datetime.timedelta(minutes=16)
    # The database cache compares expiry times with its own import of timezone.now.
    monkeypatch.setattr("django.core.cache.backends.db.tz_now", lambda: later)
    assert _signed_in(_web(PASSWORD, "zhanglei", "10.0.6.1"))


def test_a_keeper_unlocks_an_account_or_an_address_early(operator):
    from django.core.management import call_command

    for _ in range(PER_ACCOUNT):
        _web("wrong-password", "zhanglei", "10.0.6.5")
    for n in range(PER_ADDRESS):
        _web("wrong-password", f"guess{n}", "10.0.6.6")
    call_command("axes_reset_username", "zhanglei", stdout=io.StringIO())
    assert _signed_in(_web(PASSWORD, "zhanglei", "10.0.6.5"))
    assert _web(PASSWORD, "zhanglei", "10.0.6.6").status_code == 429
    call_command("axes_reset_ip", "10.0.6.6", stdout=io.StringIO())
    assert _signed_in(_web(PASSWORD, "zhanglei", "10.0.6.6"))


def test_failures_and_the_lockout_are_logged_without_the_password(operator, caplog):
    caplog.set_level(logging.WARNING, logger="civicgrid.security")
    for _ in range(PER_ACCOUNT):
        _web("s3cret-guess", "zhanglei", "10.0.7.7")
    _web(PASSWORD, "zhanglei", "10.0.7.7")
    messages = [r.getMessage() for r in caplog.records if r.name == "civicgrid.security"]
    failed = [m for m in messages if m.startswith("Login failed")]
    assert len(failed) == PER_ACCOUNT
    assert 'username: "zhanglei"' in failed[0] and 'ip_address: "10.0.7.7"' in failed[0]
    assert 'path_info: "/login/"' in failed[0]
    assert f"username {PER_ACCOUNT}/{PER_ACCOUNT}" in failed[-1]
    assert any(m.startswith("Login locked out") for m in messages)
    assert any(m.startswith("Login refused during lock-out") for m in messages)
    assert not any("s3cret-guess" in m or PASSWORD in m for m in messages)


def test_the_count_is_shared_by_separate_request_cycles(operator):
    """Each request below comes from a different client (no session, no cookie in common); only
    the database table behind the cache carries the count from one to the next."""
    from civicgrid.accounts.throttle import LoginThrottleHandler

    key = LoginThrottleHandler.cache_key("username", "zhanglei")
    _web("wrong-password", "zhanglei", "10.0.8.1")
    _admin("wrong-password", "zhanglei", "10.0.8.2")
    assert cache.get(key) == 2
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM civicgrid_cache")
        assert cursor.fetchone()[0] >= 3  # the account's count and both addresses'
    assert _token("wrong-password", "zhanglei", "10.0.8.3").status_code == 429


@pytest.mark.skipif(redis_url() is None, reason="no Redis server to test against")
def test_with_redis_another_process_sees_the_lock(operator, settings):
    with redis_cache(settings) as (url, prefix):
        for _ in range(PER_ACCOUNT):
            _token("wrong-password", "zhanglei", "10.0.9.1")
        # A separate Python process — another gunicorn worker — reads the same count.
        child = (
            "import django; django.setup()\n"
            "from django.core.cache.backends.redis import RedisCache\n"
            "from civicgrid.accounts.throttle import LoginThrottleHandler as H\n"
            f"c = RedisCache({url!r}, {{'KEY_PREFIX': {prefix!r}}})\n"
            "print(c.get(H.cache_key('username', 'zhanglei')))\n"
        )
        env = {**os.environ, "REDIS_URL": url, "DJANGO_SETTINGS_MODULE": "civicgrid.settings"}
        out = subprocess.run(
            [sys.executable, "-c", child],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=False,
        )
        assert out.stdout.strip().splitlines()[-1] == str(PER_ACCOUNT), out.stderr
        assert _token(PASSWORD, "zhanglei", "10.0.9.2").status_code == 429


# --- password rules -------------------------------------------------------------------------------


def test_weak_passwords_are_refused():
    user = User(username="wangwei", first_name="伟", last_name="王")
    for weak, why in [
        ("12345678", {"password_too_common", "password_entirely_numeric"}),
        ("83920174", {"password_entirely_numeric"}),
        ("wangwei1", {"password_too_similar"}),
        ("Ab3$x", {"password_too_short"}),
        ("password", {"password_too_common"}),
    ]:
        with pytest.raises(ValidationError) as refused:
            validate_password(weak, user)
        assert why <= {error.code for error in refused.value.error_list}, weak
    # In the user's language (Chinese by default).
    with pytest.raises(ValidationError) as refused:
        validate_password("12345678", user)
    assert "这个密码太常见了。" in refused.value.messages
    assert "密码只包含数字。" in refused.value.messages
    validate_password("qiao-river-2026", user)  # a sound one passes


def test_the_demo_and_test_passwords_pass_the_rules():
    from civicgrid.demo.logins import PASSWORDS

    usernames = {
        Role.ADMIN: "admin",
        Role.OPERATOR: "operator",
        Role.SHIFT_CHIEF: "chief",
        Role.DUTY_LEADER: "dutyleader",
        Role.AREA_HEAD: "areahead",
        Role.LEADER: "leader",
        Role.COMMUNITY_STAFF: "community1",
        Role.GRID_LEADER: "gridleader",
        Role.GRID_WORKER: "gridworker",
        Role.DEPT_HANDLER: "dept-cgzd",
        Role.RESIDENT: "resident",
    }
    for role, password in PASSWORDS.items():
        validate_password(password, User(username=usernames[role], first_name="演示"))
    validate_password(PASSWORD, UserFactory.build())


# --- API tokens -----------------------------------------------------------------------------------


def _login(username="zhanglei", **extra):
    response = APIClient().post(
        "/api/auth/token/", {"username": username, "password": PASSWORD}, **extra
    )
    assert response.status_code == 200, response.content
    return response.json()


def _as(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_login_answers_the_token_and_its_expiry(operator, settings):
    settings.CIVICGRID_API_TOKEN_TTL_HOURS = 48
    before = timezone.now()
    body = _login(HTTP_USER_AGENT="civicgrid-app/1.0")
    assert set(body) == {"token", "expires"}
    expires = datetime.datetime.fromisoformat(body["expires"])
    assert (
        datetime.timedelta(hours=47, minutes=59)
        < expires - before
        < datetime.timedelta(hours=48, minutes=1)
    )
    assert _as(body["token"]).get("/api/grids/").status_code == 200
    # Only a digest is stored.
    token = ApiToken.objects.get()
    assert body["token"] not in (token.digest, token.prefix) and body["token"].startswith(
        token.prefix
    )
    assert token.client == "civicgrid-app/1.0"
    operator.refresh_from_db()
    assert operator.last_login is not None


def test_an_expired_token_is_refused_with_401(operator):
    body = _login()
    ApiToken.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    response = _as(body["token"]).get("/api/grids/")
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌已过期，请重新登录"}
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_works_until_its_user_is_deactivated(operator):
    """Each request reads the token and its user afresh (one statement, compiled once per
    thread: accounts.tokens): the same token, asked again after a change, sees the change."""
    body = _login()
    client = _as(body["token"])
    assert client.get("/api/grids/").status_code == 200
    assert client.get("/api/grids/").status_code == 200
    operator.is_active = False
    operator.save(update_fields=["is_active"])
    response = client.get("/api/grids/")
    assert response.status_code == 401
    assert response.json() == {"detail": "该账号已停用"}
    operator.is_active = True
    operator.save(update_fields=["is_active"])
    ApiToken.objects.all().delete()  # revoked
    response = client.get("/api/grids/")
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌无效或已撤销，请重新登录"}


def test_an_unknown_token_is_refused_with_401(db):
    response = _as("no-such-token").get("/api/grids/")
    assert response.status_code == 401
    assert response.json() == {"detail": "令牌无效或已撤销，请重新登录"}


def test_a_user_lists_their_own_tokens_never_the_secret(operator):
    other = UserFactory(username="liqiang", role=Role.OPERATOR)
    issue_token(other)
    first, second = _login(), _login()
    response = _as(second["token"]).get("/api/auth/tokens/")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 2
    assert set(rows[0]) == {
        "id",
        "prefix",
        "client",
        "created_at",
        "expires_at",
        "last_used_at",
        "current",
    }
    assert [row["current"] for row in rows] == [True, False]  # newest first
    assert rows[0]["last_used_at"] is not None and rows[1]["last_used_at"] is None
    text = response.content.decode()
    assert first["token"] not in text and second["token"] not in text
    assert not any(t.digest in text for t in ApiToken.objects.all())


def test_a_user_revokes_their_own_token_and_nobody_elses(operator):
    other = UserFactory(username="liqiang", role=Role.OPERATOR)
    theirs, their_raw = issue_token(other)
    kept, lost = _login(), _login()
    mine = _as(kept["token"])
    lost_id = ApiToken.objects.get(prefix=lost["token"][:8]).pk
    assert mine.delete(f"/api/auth/tokens/{lost_id}/").status_code == 204
    assert _as(lost["token"]).get("/api/grids/").status_code == 401
    assert mine.get("/api/grids/").status_code == 200
    # Another user's token: not found, and it still works.
    assert mine.delete(f"/api/auth/tokens/{theirs.pk}/").status_code == 404
    assert _as(their_raw).get("/api/grids/").status_code == 200
    # Without credentials: the API's usual 403, and nothing revoked.
    assert APIClient().delete(f"/api/auth/tokens/{theirs.pk}/").status_code == 403
    assert ApiToken.objects.filter(pk=theirs.pk).exists()


def test_logout_revokes_the_token_used_and_a_new_login_gets_a_new_one(operator):
    phone, laptop = _login(), _login()
    response = _as(phone["token"]).post("/api/auth/logout/")
    assert response.status_code == 204
    assert _as(phone["token"]).get("/api/grids/").status_code == 401
    assert _as(laptop["token"]).get("/api/grids/").status_code == 200
    again = _login()
    assert again["token"] not in (phone["token"], laptop["token"])
    assert _as(again["token"]).get("/api/grids/").status_code == 200
    assert ApiToken.objects.filter(user=operator).count() == 2


def test_logout_with_a_session_ends_the_session(operator):
    client = APIClient()
    client.force_login(operator)
    assert client.get("/api/auth/tokens/").status_code == 200
    assert client.post("/api/auth/logout/").status_code == 204
    assert client.get("/api/auth/tokens/").status_code == 403


def test_expired_tokens_are_cleared_at_the_next_login(operator):
    old, _raw = issue_token(operator)
    ApiToken.objects.filter(pk=old.pk).update(expires_at=timezone.now())
    _login()
    assert not ApiToken.objects.filter(pk=old.pk).exists()
    assert ApiToken.objects.filter(user=operator).count() == 1


def test_the_schema_documents_the_token_endpoints(client, operator):
    client.force_login(operator)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    assert set(paths["/api/auth/token/"]) >= {"post"}
    assert "429" in paths["/api/auth/token/"]["post"]["responses"]
    assert "200" in paths["/api/auth/token/"]["post"]["responses"]
    assert "get" in paths["/api/auth/tokens/"]
    assert "delete" in paths["/api/auth/tokens/{id}/"]
    assert "204" in paths["/api/auth/logout/"]["post"]["responses"]
    listed = schema["components"]["schemas"]["ApiToken"]["properties"]
    assert "digest" not in listed and "token" not in listed
