"""Household.housing_type splits into tenure and use without loss (registry 0004), and back.

On an empty scratch database (testing.scratch, `empty=True`) migrated to registry 0003, forward
to 0004 and back: the test database stays at the latest schema, and the test takes a second or
two where taking the test database back and forward three times took a minute and a half (it ran
in one suite only then; now in both).
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# The old single list's values (租赁房 beside 公房), as the database held them before 0004.
OLD_VALUES = ["commercial", "public_rent", "sold_public", "self_built", "rental", "other"]

BEFORE = [("registry", "0003_address_estate")]
AFTER = [("registry", "0004_household_tenure_use")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _building_group(apps):
    """A micro-grid and its 楼组, written with the grid model of registry 0003's time."""
    Grid = apps.get_model("grids", "Grid")
    micro = Grid.objects.create(
        name="普育西路第1微网格", level="micro_grid", number=1, code="3101010010010001", path="/m/"
    )
    return Grid.objects.create(
        name="1号楼组",
        level="building_group",
        parent=micro,
        number=1,
        code="310101001001000101",
        path="/m/b/",
    )


@pytest.mark.django_db(transaction=True)
def test_old_housing_types_map_onto_tenure_and_use_and_back(scratch_database):
    with scratch_database("tenure", empty=True).as_default():
        old_apps = migrate(BEFORE)
        bg = _building_group(old_apps)
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
