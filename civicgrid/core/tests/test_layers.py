"""The layers contract ([tool.importlinter] in pyproject.toml) holds, names every app, and fails
on a wrong import.

`lint-imports` (import-linter) runs in a subprocess on the project's own sources; the wrong-import
test runs it on a copy of the package with one import pointing upwards added. Each run takes a
fraction of a second (grimp builds the graph without importing anything).
"""

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[3]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT_IMPORTS.exists(), reason="import-linter not installed")


def contracts() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as f:
        config = tomllib.load(f)["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def lint_imports(cwd: Path, config: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(config)],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def layer_modules() -> set[str]:
    return {
        module.strip()
        for layer in contracts()["layers"]["layers"]
        for module in layer.replace(":", "|").split("|")
    }


def test_every_app_of_the_project_has_its_layer():
    project_apps = {
        config.name for config in apps.get_app_configs() if config.name.startswith("civicgrid.")
    }
    assert project_apps <= layer_modules()
    assert project_apps == set(contracts()["test-kit"]["source_modules"])


def test_the_project_keeps_its_contracts():
    result = lint_imports(ROOT, ROOT / "pyproject.toml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "wrong_import", "broken"),
    [
        # core is the bottom: it knows no app.
        (
            "core/text.py",
            "from civicgrid.cases import models",
            "civicgrid.core.text -> civicgrid.cases.models",
        ),
        # cases is below the fronts, even through a function-level import.
        (
            "cases/indicators.py",
            "def _late():\n    from civicgrid.console import queries",
            "civicgrid.cases.indicators -> civicgrid.console.queries",
        ),
        # the fronts do not lean on each other.
        (
            "public/forms.py",
            "from civicgrid.fieldwork import forms",
            "civicgrid.public.forms -> civicgrid.fieldwork.forms",
        ),
        # production code does not use the test kit.
        (
            "grids/locator.py",
            "from civicgrid.testing import factories",
            "civicgrid.grids.locator -> civicgrid.testing.factories",
        ),
    ],
)
def test_a_wrong_import_breaks_the_contract(tmp_path, module, wrong_import, broken):
    copy = tmp_path / "civicgrid"
    shutil.copytree(
        ROOT / "civicgrid",
        copy,
        ignore=shutil.ignore_patterns(
            "static", "templates", "locale", "__pycache__", "*.sqlite3", "*.png", "*.json"
        ),
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    assert lint_imports(tmp_path, tmp_path / "pyproject.toml").returncode == 0

    target = copy / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{wrong_import}\n", encoding="utf-8")
    result = lint_imports(tmp_path, tmp_path / "pyproject.toml")
    assert result.returncode == 1
    assert "BROKEN" in result.stdout
    assert broken in result.stdout


def test_data_migrations_carry_their_data_and_import_no_live_module():
    """A migration runs the same in a year as today: its data is frozen in it or in a file next
    to it, never read from a module of the app that may change (Django's generated
    `import civicgrid.<app>.models` for field defaults in an initial migration aside)."""
    found = []
    for path in sorted((ROOT / "civicgrid").glob("*/migrations/0*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                if name.startswith("civicgrid") and not name.endswith(".models"):
                    found.append(f"{path.relative_to(ROOT)}: {name}")
    assert found == []
