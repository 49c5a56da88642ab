"""The services' one role check (accounts.access.require_role / require): what a refused user
reads, and that a leader (read-only) is refused even when a role set names them."""

import pytest
from django.core.exceptions import PermissionDenied

from civicgrid.accounts.access import require, require_role, role_of
from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import User


def _user(role):
    return User(username=f"u-{role}", role=role)


def test_a_role_in_the_set_passes_and_no_user_is_the_system():
    require_role(_user(Role.COMMUNITY_STAFF), {Role.COMMUNITY_STAFF}, "不会出现")
    require_role(None, {Role.COMMUNITY_STAFF}, "不会出现")


def test_another_role_reads_the_services_message_or_the_default():
    with pytest.raises(PermissionDenied, match="您的角色不能维护车位"):
        require_role(_user(Role.RESIDENT), {Role.COMMUNITY_STAFF}, "您的角色不能维护车位")
    with pytest.raises(PermissionDenied, match="您的角色不能进行此操作"):
        require_role(_user(Role.RESIDENT), {Role.COMMUNITY_STAFF})


def test_a_leader_is_refused_even_when_the_set_names_them():
    with pytest.raises(PermissionDenied, match="不能修改"):
        require_role(_user(Role.LEADER), {Role.LEADER, Role.COMMUNITY_STAFF}, "不能修改")


def test_require_and_role_of():
    require(True, "不会出现")
    with pytest.raises(PermissionDenied, match="仅党建办"):
        require(False, "仅党建办/宣传审定人可出版社区报")
    assert role_of(None) is None
    assert role_of(_user(Role.COMMUNITY_STAFF)) == Role.COMMUNITY_STAFF
