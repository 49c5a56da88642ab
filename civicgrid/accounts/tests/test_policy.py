"""accounts.policy: the table in its docstring is the sets themselves, and nobody else keeps one."""

import ast
import pathlib
import re

import pytest

from civicgrid.accounts import policy
from civicgrid.accounts.choices import Role

COLUMNS = [
    Role.ADMIN,
    Role.OPERATOR,
    Role.SHIFT_CHIEF,
    Role.DUTY_LEADER,
    Role.AREA_HEAD,
    Role.COMMUNITY_STAFF,
    Role.GRID_LEADER,
    Role.GRID_WORKER,
    Role.DEPT_HANDLER,
    Role.LEADER,
    Role.RESIDENT,
]
ROW = re.compile(r"^([A-Z0-9_]+_ROLES)\s+((?:[x.]\s+){10}[x.])\s+\S")
SETS = {name: value for name, value in vars(policy).items() if name.endswith("_ROLES")}


def table_rows() -> dict[str, frozenset]:
    rows = {}
    for line in policy.__doc__.splitlines():
        match = ROW.match(line)
        if match:
            cells = match.group(2).split()
            rows[match.group(1)] = frozenset(
                r for r, c in zip(COLUMNS, cells, strict=True) if c == "x"
            )
    return rows


def test_every_set_has_one_row_in_the_table_that_says_what_it_holds():
    rows = table_rows()
    assert set(rows) == set(SETS)
    for name, roles in SETS.items():
        assert rows[name] == roles, name


@pytest.mark.parametrize("name", sorted(SETS))
def test_sets_are_frozen_and_hold_roles(name):
    roles = SETS[name]
    assert isinstance(roles, frozenset)
    assert roles and roles <= set(Role)


def test_no_other_module_writes_a_role_set():
    """A set or tuple of two or more roles written in a module other than the policy (tests and
    migrations aside) is a role set that escaped the policy."""
    root = pathlib.Path(policy.__file__).resolve().parents[1]
    found = []
    for path in sorted(root.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "policy.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Set | ast.Tuple | ast.List):
                roles = [
                    e
                    for e in node.elts
                    if isinstance(e, ast.Attribute)
                    and isinstance(e.value, ast.Name)
                    and e.value.id == "Role"
                ]
                if len(roles) >= 2:
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == []


def test_limited_reporters_are_residents_and_visitors(rf):
    from django.contrib.auth.models import AnonymousUser

    from civicgrid.accounts.models import User

    assert policy.is_limited_reporter(None)
    assert policy.is_limited_reporter(AnonymousUser())
    assert policy.is_limited_reporter(User(role=Role.RESIDENT))
    assert not policy.is_limited_reporter(User(role=Role.GRID_WORKER))
    assert not policy.is_limited_reporter(User(role=Role.OPERATOR))
