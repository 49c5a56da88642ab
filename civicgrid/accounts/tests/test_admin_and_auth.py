import pytest

from civicgrid.accounts.choices import Role
from civicgrid.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_only_superusers_manage_accounts(client):
    operator = UserFactory(role=Role.OPERATOR, is_staff=True)
    client.force_login(operator)
    assert client.get("/admin/accounts/user/").status_code == 403
    keeper = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(keeper)
    page = client.get("/admin/accounts/user/")
    assert page.status_code == 200
    assert operator.username in page.content.decode()


def test_user_changelist_has_flat_query_count(client, django_assert_max_num_queries):
    keeper = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    UserFactory.create_batch(30, role=Role.GRID_WORKER)
    client.force_login(keeper)
    with django_assert_max_num_queries(10):
        assert client.get("/admin/accounts/user/").status_code == 200


def test_api_token_login(client):
    UserFactory(username="worker1", role=Role.GRID_WORKER)
    response = client.post("/api/auth/token/", {"username": "worker1", "password": "pw-123456"})
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/grids/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200


def test_api_token_login_rejects_a_wrong_password(client):
    UserFactory(username="worker1", role=Role.GRID_WORKER)
    response = client.post("/api/auth/token/", {"username": "worker1", "password": "nope"})
    assert response.status_code == 400


def test_a_chinese_name_is_family_name_then_given_name():
    """As people write it, everywhere a user is named (pages, history, forms' choices): Django's
    own get_full_name gave "秀英 王"."""
    from civicgrid.accounts.models import User

    assert User(first_name="秀英", last_name="王").get_full_name() == "王秀英"
    assert User(first_name="Anna", last_name="Smith").get_full_name() == "Anna Smith"
    assert User(username="w1").get_full_name() == ""
