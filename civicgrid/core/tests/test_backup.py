"""manage.py backup / restore (core/backup.py), end to end in subprocesses.

A small street (backup_street.py: migrations, a demo street, cases with photos, a thumbnail) is
built into a file-based SQLite database and its own media root, backed up, and restored into an
empty database and an empty media root; every table (rows and a content digest) and every file
must come back the same. The same round trip runs on PostgreSQL in two scratch databases. A
corrupted archive fails before anything is written; a restore that does not match its manifest
fails with a non-zero exit.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings

from civicgrid.core.backup import BackupError, verify_archive

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"


def _env(var_dir: Path, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL",)}
    env.update(
        CIVICGRID_VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="civicgrid.settings",
        CIVICGRID_PRODUCTION="0",
    )
    return env


def _run(env: dict, *args, module=False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", *args] if module else [sys.executable, MANAGE, *args]
    return subprocess.run(
        command,
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _sqlite_env(root: Path) -> dict:
    root.mkdir(parents=True, exist_ok=True)
    return _env(root, f"sqlite:///{root / 'db.sqlite3'}")


def _files(media: Path) -> dict[str, str]:
    if not media.exists():
        return {}
    return {
        p.relative_to(media).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(media.rglob("*"))
        if p.is_file()
    }


def _digest(rows) -> str:
    return hashlib.sha256("\n".join(sorted(repr(tuple(r)) for r in rows)).encode()).hexdigest()


def _sqlite_tables(path: Path) -> dict[str, tuple[int, str]]:
    db = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        tables = {}
        for name in names:
            rows = db.execute(f'SELECT * FROM "{name}"').fetchall()
            tables[name] = (len(rows), _digest(rows))
        return tables
    finally:
        db.close()


@pytest.fixture(scope="module")
def sqlite_backup(tmp_path_factory):
    """The small street in SQLite, and its backup archive."""
    root = tmp_path_factory.mktemp("backup")
    env = _sqlite_env(root / "src")
    _ok(_run(env, "civicgrid.core.tests.backup_street", module=True))
    archive = root / "street.tar"
    out = _ok(_run(env, "backup", "-o", str(archive)))
    assert "备份完成" in out
    return root / "src", archive


def _fresh(tmp_path: Path) -> tuple[dict, Path]:
    target = tmp_path / "dst"
    return _sqlite_env(target), target


def test_sqlite_round_trip_restores_every_table_and_file(sqlite_backup, tmp_path):
    source, archive = sqlite_backup
    env, target = _fresh(tmp_path)
    out = _ok(_run(env, "restore", str(archive)))
    assert "恢复完成并已核对" in out

    before, after = _sqlite_tables(source / "db.sqlite3"), _sqlite_tables(target / "db.sqlite3")
    assert set(after) == set(before)
    assert {t: v for t, v in after.items() if v != before[t]} == {}
    # The street is really there: cases, their photos, people, grids.
    assert before["cases_case"][0] >= 5
    assert before["attachments_attachment"][0] == 6
    assert before["grids_grid"][0] > 0 and before["registry_resident"][0] > 0

    files = _files(source / "media")
    assert len(files) == 7  # six photos and one thumbnail
    assert any(name.startswith("thumbs/") for name in files)
    assert _files(target / "media") == files

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format"] == "civicgrid-backup" and manifest["version"] == 1
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["tables"] == {t: n for t, (n, _d) in before.items()}
    assert manifest["migrations"]["cases"].startswith("00")
    assert {n: f["sha256"] for n, f in manifest["media"]["files"].items()} == files


def test_restore_refuses_a_target_that_is_not_empty_unless_forced(sqlite_backup, tmp_path):
    _source, archive = sqlite_backup
    env, target = _fresh(tmp_path)
    stray = target / "media" / "stray.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("left here")

    refused = _run(env, "restore", str(archive))
    assert refused.returncode == 1
    assert "目标不是空的" in refused.stderr and "--force" in refused.stderr
    assert not (target / "db.sqlite3").exists() or _sqlite_tables(target / "db.sqlite3") == {}

    out = _ok(_run(env, "restore", "--force", str(archive)))
    assert "恢复完成并已核对" in out
    assert "另有 1 个" in out  # the stray file is reported, never deleted
    assert stray.read_text() == "left here"
    # A second forced restore over the restored data gives the same data again.
    _ok(_run(env, "restore", "--force", str(archive)))
    assert _sqlite_tables(target / "db.sqlite3") == _sqlite_tables(sqlite_backup[0] / "db.sqlite3")


def _corrupt(archive: Path, copy: Path, member: str) -> None:
    shutil.copy(archive, copy)
    with tarfile.open(copy) as tar:
        offset = tar.getmember(member).offset_data
    with open(copy, "r+b") as f:
        f.seek(offset + 10)
        byte = f.read(1)
        f.seek(offset + 10)
        f.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("which", ["photo", "database"])
def test_a_tampered_archive_fails_before_anything_is_written(sqlite_backup, tmp_path, which):
    _source, archive = sqlite_backup
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    member = (
        "database.sqlite3"
        if which == "database"
        else next(n for n in names if n.startswith("media/attachments/"))
    )
    bad = tmp_path / "bad.tar"
    _corrupt(archive, bad, member)
    env, target = _fresh(tmp_path)

    done = _run(env, "restore", str(bad))
    assert done.returncode == 1
    assert "校验失败" in done.stderr and member in done.stderr
    assert not (target / "db.sqlite3").exists()
    assert _files(target / "media") == {}
    assert _run(env, "restore", "--verify-only", str(bad)).returncode == 1
    assert "备份完整" in _ok(_run(env, "restore", "--verify-only", str(archive)))


def test_a_truncated_archive_fails_before_anything_is_written(sqlite_backup, tmp_path):
    _source, archive = sqlite_backup
    cut = tmp_path / "cut.tar"
    data = archive.read_bytes()
    cut.write_bytes(data[: len(data) // 2])
    env, target = _fresh(tmp_path)

    done = _run(env, "restore", str(cut))
    assert done.returncode == 1
    assert "CommandError" in done.stderr
    assert not (target / "db.sqlite3").exists()
    assert _files(target / "media") == {}


def _rewrite(archive: Path, out: Path, change) -> None:
    """A copy of `archive` whose manifest went through `change` (members kept as they are)."""
    with tarfile.open(archive) as src, tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


def test_a_restore_that_does_not_match_the_manifest_exits_with_an_error(sqlite_backup, tmp_path):
    _source, archive = sqlite_backup
    wrong = tmp_path / "wrong.tar"
    _rewrite(archive, wrong, lambda m: m["tables"].__setitem__("cases_case", 99999))
    env, _target = _fresh(tmp_path)

    done = _run(env, "restore", str(wrong))
    assert done.returncode == 1
    assert "恢复后的数据表与清单不符" in done.stderr and "cases_case" in done.stderr


def _archive(path: Path, members: dict[str, bytes], manifest: dict) -> Path:
    with tarfile.open(path, "w") as tar:
        for name, data in [*members.items(), ("manifest.json", json.dumps(manifest).encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def _manifest(files: dict[str, bytes], dump=b"dump") -> dict:
    return {
        "format": "civicgrid-backup",
        "version": 1,
        "created_at": "2026-12-01T00:00:00+00:00",
        "database": {
            "vendor": "sqlite",
            "file": "database.sqlite3",
            "size": len(dump),
            "sha256": hashlib.sha256(dump).hexdigest(),
        },
        "migrations": {},
        "tables": {},
        "media": {
            "storage": "x",
            "count": len(files),
            "bytes": 0,
            "files": {
                n: {"size": len(d), "sha256": hashlib.sha256(d).hexdigest()}
                for n, d in files.items()
            },
        },
    }


def test_verify_accepts_a_consistent_archive_and_refuses_unsafe_or_unlisted_members(tmp_path):
    files = {"attachments/a.jpg": b"jpeg"}
    members = {"database.sqlite3": b"dump", "media/attachments/a.jpg": b"jpeg"}
    good = _archive(tmp_path / "good.tar", members, _manifest(files))
    assert verify_archive(good)["media"]["count"] == 1

    escaping = {"../outside.jpg": b"jpeg"}
    bad = _archive(
        tmp_path / "escape.tar",
        {"database.sqlite3": b"dump", "media/../outside.jpg": b"jpeg"},
        _manifest(escaping),
    )
    with pytest.raises(BackupError, match="不安全"):
        verify_archive(bad)

    unlisted = _archive(
        tmp_path / "unlisted.tar", {**members, "media/extra.jpg": b"x"}, _manifest(files)
    )
    with pytest.raises(BackupError, match="清单之外"):
        verify_archive(unlisted)

    missing = _archive(tmp_path / "missing.tar", {"database.sqlite3": b"dump"}, _manifest(files))
    with pytest.raises(BackupError, match="缺少"):
        verify_archive(missing)

    newer = _manifest(files)
    newer["version"] = 2
    with pytest.raises(BackupError, match="版本"):
        verify_archive(_archive(tmp_path / "newer.tar", members, newer))

    with pytest.raises(BackupError, match="不存在"):
        verify_archive(tmp_path / "nowhere.tar")


# --- PostgreSQL -----------------------------------------------------------------------------


def _pg_admin():
    if shutil.which("pg_dump") is None or shutil.which("pg_restore") is None:
        pytest.skip("pg_dump/pg_restore 未安装（apt-get install postgresql-client）")
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        pytest.skip(f"127.0.0.1:5432 上没有可用的 PostgreSQL（{exc}）")


def _pg_tables(name: str) -> dict[str, tuple[int, str]]:
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{name}") as db:
        names = [
            r[0]
            for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        tables = {}
        for table in names:
            rows = db.execute(f'SELECT * FROM "{table}"').fetchall()
            tables[table] = (len(rows), _digest(rows))
        return tables


def test_postgresql_round_trip_restores_every_table_and_file(tmp_path):
    admin = _pg_admin()
    source_db, target_db = (f"civicgrid_backup_{k}_{os.getpid()}" for k in ("src", "dst"))
    try:
        for name in (source_db, target_db):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        source = _env(tmp_path / "src", f"postgres://postgres@127.0.0.1:5432/{source_db}")
        target = _env(tmp_path / "dst", f"postgres://postgres@127.0.0.1:5432/{target_db}")
        _ok(_run(source, "civicgrid.core.tests.backup_street", module=True))
        archive = tmp_path / "street.tar"
        _ok(_run(source, "backup", "-o", str(archive)))
        with tarfile.open(archive) as tar:
            assert "database.pgdump" in tar.getnames()

        out = _ok(_run(target, "restore", str(archive)))
        assert "恢复完成并已核对" in out
        before = _pg_tables(source_db)
        assert before["attachments_attachment"][0] == 6
        assert _pg_tables(target_db) == before
        files = _files(tmp_path / "src" / "media")
        assert len(files) == 7
        assert _files(tmp_path / "dst" / "media") == files

        # Not empty now: refused, then restored over with --force (pg_restore --clean).
        refused = _run(target, "restore", str(archive))
        assert refused.returncode == 1 and "目标不是空的" in refused.stderr
        _ok(_run(target, "restore", "--force", str(archive)))
        assert _pg_tables(target_db) == before
    finally:
        for name in (source_db, target_db):
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
