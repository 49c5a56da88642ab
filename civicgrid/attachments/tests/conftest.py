import pytest

from civicgrid.testing.cases import case_in_state
from civicgrid.testing.world import category


@pytest.fixture
def case(users, departments):
    """A resident's report in micro-grid 0, filed and dispatched to 城管 by the operator."""
    return case_in_state(
        "dispatched",
        users,
        cat=category("event", "0102"),
        description="小区门口暴露垃圾",
        department=departments["cg"],
    )
