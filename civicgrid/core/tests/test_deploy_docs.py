"""docs/deploy.md names every environment variable the settings read, and the nginx configuration
of the cluster proof (scripts/cluster/run.py, `make cluster-test`) is one nginx accepts.

The cluster proof itself is not part of the suite (it needs nginx, PostgreSQL and Redis, and runs
for minutes); these checks are quick and keep its two documents honest."""

import importlib.util
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_every_environment_variable_is_documented_in_deploy_md():
    source = (ROOT / "civicgrid" / "settings.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env_(?:str|int|bool|float|list)\(\s*"([A-Z0-9_]+)"', source))
    names |= set(re.findall(r'working_hours_env\(env_str\("([A-Z0-9_]+)"', source))
    assert "DATABASE_URL" in names and "CIVICGRID_S3_BUCKET" in names  # the pattern reads them
    documented = set(re.findall(r"`([A-Z0-9_]+)`", (ROOT / "docs" / "deploy.md").read_text()))
    assert sorted(names - documented) == []


def _cluster_script():
    spec = importlib.util.spec_from_file_location(
        "cluster_run", ROOT / "scripts" / "cluster" / "run.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_the_cluster_proofs_nginx_configuration_is_valid(tmp_path):
    run = _cluster_script()
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / sub).mkdir()
    conf = tmp_path / "nginx.conf"
    conf.write_text(run.NGINX_CONF.format(d=tmp_path, a=18001, b=18002, port=18000, user=""))
    result = subprocess.run(
        [shutil.which("nginx"), "-t", "-p", str(tmp_path), "-c", str(conf)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr
    # What the proof relies on: both nodes upstream, failover without retrying POSTs (nor on
    # a timeout: one slow page would mark every node down), photos.
    text = conf.read_text()
    assert "server 127.0.0.1:18001" in text and "server 127.0.0.1:18002" in text
    retry = text.split("proxy_next_upstream error")[1].split(";")[0]
    assert "http_502" in retry and "non_idempotent" not in retry and "timeout" not in retry
    assert "client_max_body_size 12m" in text
    # A read timeout counts against max_fails even without a retry: no node is ever marked down.
    assert "server 127.0.0.1:18001 max_fails=0;" in text
    assert "server 127.0.0.1:18002 max_fails=0;" in text
