"""Household.housing_type splits into tenure and use without loss (registry 0004), and back.

Minutes of Django's migration state rendering (back past registry 0004 and forward three times):
the mapping is the data migration's own Python, the same on both engines, so it runs in the
PostgreSQL suite only (civicgrid.testing.suites; CIVICGRID_BOTH_SUITES=1 runs it on SQLite too).
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civicgrid.testing.suites import postgresql_suite_only

# The old single list's values (租赁房 beside 公房), as the database held them before 0004.
OLD_VALUES = ["commercial", "public_rent", "sold_public", "self_built", "rental", "other"]

BEFORE = [("registry", "0003_address_estate")]
AFTER = [("registry", "0004_household_tenure_use")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@postgresql_suite_only
@pytest.mark.django_db(transaction=True)
def test_old_housing_types_map_onto_tenure_and_use_and_back(tree):
    bg = tree["building_groups"][0]
    old_apps = migrate(BEFORE)
    try:
        Address = old_apps.get_model("registry", "Address")
        OldHousehold = old_apps.get_model("registry", "Household")
        for i, value in enumerate(OLD_VALUES):
            address = Address.objects.create(
                road="普育东路",
                number=str(i + 1),
                normalized=f"普育东路{i + 1}号",
                building_group_id=bg.pk,
                micro_grid_id=bg.parent_id,
            )
            OldHousehold.objects.create(address=address, household_number=value, housing_type=value)
        new_apps = migrate(AFTER)
        NewHousehold = new_apps.get_model("registry", "Household")
        pairs = {h.household_number: (h.tenure, h.use) for h in NewHousehold.objects.all()}
        assert pairs == {
            "commercial": ("commercial", "owner_occupied"),
            "public_rent": ("public_rent", "owner_occupied"),
            "sold_public": ("sold_public", "owner_occupied"),
            "self_built": ("self_built", "owner_occupied"),
            "rental": ("other", "rented"),
            "other": ("other", "owner_occupied"),
        }
        back = migrate(BEFORE).get_model("registry", "Household")
        assert {h.household_number: h.housing_type for h in back.objects.all()} == {
            v: v for v in OLD_VALUES
        }
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
