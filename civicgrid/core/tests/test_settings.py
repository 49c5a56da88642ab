import os
import subprocess
import sys
from pathlib import Path

import pytest

from civicgrid.env import ImproperlyConfiguredEnv, env_bool, env_int, env_list, env_str

# Fresh interpreters importing the settings: the file runs first (testing.schedule).
pytestmark = pytest.mark.long(20)

ROOT = Path(__file__).resolve().parents[3]


def test_env_helpers_parse_typed_values(monkeypatch):
    monkeypatch.setenv("CG_FLAG", "yes")
    monkeypatch.setenv("CG_NUM", "42")
    monkeypatch.setenv("CG_LIST", "a.example, b.example ,")
    assert env_bool("CG_FLAG", False) is True
    assert env_int("CG_NUM", 0) == 42
    assert env_list("CG_LIST", []) == ["a.example", "b.example"]
    assert env_str("CG_MISSING", "fallback") == "fallback"


def test_env_helpers_fail_fast_on_bad_values(monkeypatch):
    monkeypatch.setenv("CG_FLAG", "maybe")
    monkeypatch.setenv("CG_NUM", "forty")
    with pytest.raises(ImproperlyConfiguredEnv, match="CG_FLAG"):
        env_bool("CG_FLAG", False)
    with pytest.raises(ImproperlyConfiguredEnv, match="CG_NUM"):
        env_int("CG_NUM", 0)
    with pytest.raises(ImproperlyConfiguredEnv, match="CG_REQUIRED"):
        env_str("CG_REQUIRED")


def _run_check(env):
    full_env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_mode_requires_secret_key(tmp_path):
    result = _run_check({"CIVICGRID_PRODUCTION": "1", "CIVICGRID_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_demo_mode_generates_and_keeps_a_secret_key(tmp_path):
    first = _run_check({"CIVICGRID_VAR_DIR": str(tmp_path)})
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) > 40
    second = _run_check({"CIVICGRID_VAR_DIR": str(tmp_path)})
    assert second.returncode == 0
    assert (tmp_path / "secret_key").read_text() == key


def test_sqlite_runs_in_wal_mode_with_busy_timeout(tmp_path):
    code = (
        "import django; django.setup();"
        "from django.db import connection;"
        "c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], c.execute('PRAGMA busy_timeout').fetchone()[0])"
    )
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"CIVICGRID_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "civicgrid.settings"})
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000"]


def test_importing_the_settings_writes_nothing(tmp_path):
    """var/, the secret key and the static root are made by the demo-files check, not at import."""
    var = tmp_path / "fresh"
    code = "import django; django.setup(); from django.conf import settings; print(len(settings.SECRET_KEY))"
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env.update({"CIVICGRID_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "civicgrid.settings"})
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) > 40
    assert not var.exists()
    # The first management command prepares them (make demo starts with migrate).
    assert _run_check({"CIVICGRID_VAR_DIR": str(var)}).returncode == 0
    assert (var / "secret_key").is_file()
    assert not (var / "staticfiles").exists()
