"""The end of a transactional test (testing.flush) leaves the database as Django's flush and
post_migrate would: every table empty but the content types and permissions, which are whole."""

from unittest import mock

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import TransactionTestCase

from civicgrid.cases.models import Category
from civicgrid.grids.models import Grid
from civicgrid.testing import flush
from civicgrid.testing.flush import KEPT, written_tables


def _permissions():
    return set(Permission.objects.values_list("content_type__app_label", "codename"))


@pytest.mark.django_db(transaction=True)
def test_the_tables_a_test_wrote_to_are_emptied_and_the_permissions_kept(users):
    assert TransactionTestCase._fixture_teardown.__module__ == "civicgrid.testing.flush"
    written = set(written_tables(connection))
    assert {"grids_grid", "accounts_user", "cases_category"} <= written
    assert not written & KEPT
    content_types = set(ContentType.objects.values_list("app_label", "model"))
    permissions = _permissions()
    # One permission a test took away comes back, as post_migrate makes it after Django's flush.
    Permission.objects.filter(codename="view_grid").delete()

    TransactionTestCase()._fixture_teardown()

    assert written_tables(connection) == []
    assert not Grid.objects.exists() and not Category.objects.exists()
    assert set(ContentType.objects.values_list("app_label", "model")) == content_types
    assert _permissions() == permissions
    # Every model's four permissions are there, the one taken away too.
    for model in apps.get_models():
        if model._meta.default_permissions == ("add", "change", "delete", "view"):
            label, name = model._meta.app_label, model._meta.model_name
            assert (label, f"view_{name}") in permissions


@pytest.mark.django_db(transaction=True)
def test_a_row_written_after_the_tables_were_listed_is_emptied_too(users):
    """A live server's late request can write between the listing and the DELETEs: here the
    first listing names the micro-grids' table alone, while the accounts (posts, 居委 staff)
    still point at them. The flush lists again until no table holds a row; nothing is left for
    the next test."""
    real, listings = flush.written_tables, []

    def listing(conn):
        listings.append(["grids_grid"] if not listings else real(conn))
        return listings[-1]

    with mock.patch.object(flush, "written_tables", side_effect=listing):
        emptied = flush.empty_tables(connection)

    assert len(listings) >= 2
    assert written_tables(connection) == []
    assert {"grids_grid", "accounts_user"} <= set(emptied)
    assert not Grid.objects.exists()
