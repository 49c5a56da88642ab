"""The test kit's seeding after a flush (civicgrid.testing.browser.ensure_migration_data).

In a module of its own: the demo world of test_kit.py (built once per module) holds cases of the
督查 category, which could then not be removed here."""

import pytest


@pytest.mark.django_db
def test_migration_data_comes_back_whole_after_a_flush():
    """A flush empties every table; the seeded ones come back when empty, and the rows other
    data migrations add to them (the 督查 category under a seeded class, the 社区报 approvers'
    group) come back although the table they sit in is not empty: before, a browser test after a
    flush found every category but the 督查 one."""
    from django.contrib.auth.models import Group

    from civicgrid.campaigns.services import campaign_category
    from civicgrid.cases.models import Category
    from civicgrid.testing.browser import ensure_migration_data

    categories = set(Category.objects.values_list("family", "code", "name"))
    assert campaign_category() is not None and Group.objects.filter(name="宣传/党建办").exists()
    # The state a flush and the seeding of the empty tables left behind.
    campaign_category().delete()
    Group.objects.all().delete()

    ensure_migration_data()

    assert set(Category.objects.values_list("family", "code", "name")) == categories
    group = Group.objects.get(name="宣传/党建办")
    assert group.permissions.filter(codename="approve_bulletin").exists()
