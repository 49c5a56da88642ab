"""The web front's frame: landing page, login, each role's start page, logout, 403, languages."""

import pytest
from django.urls import reverse

from civicgrid.accounts.choices import Role
from civicgrid.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_visitors_see_the_landing_page_with_report_and_login(client):
    response = client.get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert reverse("web:login") in text


def test_login_follows_a_safe_next(client):
    user = UserFactory(role=Role.OPERATOR)
    response = client.post(
        "/login/?next=/admin/", {"username": user.username, "password": "pw-123456"}
    )
    assert response["Location"] == "/admin/"


def test_a_wrong_password_is_a_message_and_keeps_the_username(client):
    user = UserFactory(role=Role.OPERATOR)
    response = client.post("/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "用户名或密码不正确" in text
    assert f'value="{user.username}"' in text
    assert "_auth_user_id" not in client.session


def test_empty_login_names_the_missing_fields(client):
    response = client.post("/login/", {"username": "", "password": ""})
    assert response.status_code == 200
    assert response.content.decode().count("该字段是必填项") == 2


def test_inactive_users_cannot_sign_in(client):
    user = UserFactory(role=Role.OPERATOR, is_active=False)
    response = client.post("/login/", {"username": user.username, "password": "pw-123456"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_needs_post(client):
    user = UserFactory(role=Role.OPERATOR)
    client.force_login(user)
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_page_in_english_on_request(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    text = response.content.decode()
    assert "Sign in" in text and "登录" not in text.split("<main")[1]


def test_the_header_names_chinese_users_family_name_first():
    from civicgrid.web.context import display_name

    assert display_name(UserFactory.build(first_name="秀英", last_name="王")) == "王秀英"
    assert display_name(UserFactory.build(first_name="王秀英", last_name="")) == "王秀英"
    assert display_name(UserFactory.build(first_name="Ada", last_name="Lovelace")) == "Ada Lovelace"
    assert display_name(UserFactory.build(username="op7", first_name="", last_name="")) == "op7"
