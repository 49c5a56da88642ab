"""manage.py backup / restore (core/backup.py), end to end in subprocesses.

A small street (backup_street.py: a demo street, cases with photos, a thumbnail) is built into a
file-based SQLite database copied from the test database (the fixture scratch_database) and its
own media root, backed up, and restored into an empty database and an empty media root; every
table (rows and a content digest) and every file must come back the same. The same round trip
runs on PostgreSQL from a copy of the test database into an empty one (each round trip in the
suite of its own database only: civicgrid.testing.suites). A corrupted archive fails before
anything is written; a restore that does not match its manifest fails with a non-zero exit.
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
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InMemoryStorage

from civicgrid.core.backup import (
    BackupError,
    archive_media,
    check_media,
    create_backup,
    media_names,
    restore_media,
    verify_archive,
)
from civicgrid.testing.suites import postgresql_suite_only, sqlite_suite_only

MANAGE = str(Path(settings.BASE_DIR) / "manage.py")
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"

# Each round trip runs in subprocesses (the street's build on a copy of the test database, then
# backup and restore) and tests its own engine's dump, so each runs in the suite of its own
# database only (civicgrid.testing.suites): CI (.ci/run) runs the suite on SQLite and again on
# PostgreSQL, so both round trips run there once each. Set CIVICGRID_BOTH_SUITES=1 to run both in
# either suite.


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
        timeout=900,  # a loaded machine; the build takes well under a minute alone
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


def _corrupt(archive: Path, copy: Path, member: str) -> None:
    shutil.copy(archive, copy)
    with tarfile.open(copy) as tar:
        offset = tar.getmember(member).offset_data
    with open(copy, "r+b") as f:
        f.seek(offset + 10)
        byte = f.read(1)
        f.seek(offset + 10)
        f.write(bytes([byte[0] ^ 0xFF]))


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


@sqlite_suite_only
@pytest.mark.long(45)
def test_sqlite_backup_and_restore(tmp_path, scratch_database):
    """One test, one street built (the build is the slow part): the round trip, then the
    refusals and the failures against the same archive."""
    source = tmp_path / "src"
    env = _env(source, scratch_database("backup", source / "db.sqlite3").url)
    _ok(_run(env, "civicgrid.core.tests.backup_street", module=True))
    archive = tmp_path / "street.tar"
    assert "备份完成" in _ok(_run(env, "backup", "-o", str(archive)))
    assert archive.stat().st_mode & 0o777 == 0o600  # personal data: the owner's only
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    before = _sqlite_tables(source / "db.sqlite3")
    files = _files(source / "media")
    # The street is really there: cases, their photos and a thumbnail, people, grids.
    assert before["cases_case"][0] >= 5
    assert before["attachments_attachment"][0] == 6
    assert before["grids_grid"][0] > 0 and before["registry_resident"][0] > 0
    assert len(files) == 7 and any(name.startswith("thumbs/") for name in files)

    # The manifest: format, vendor, migrations, every table's rows, every file's checksum.
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format"] == "civicgrid-backup" and manifest["version"] == 1
    assert manifest["database"]["vendor"] == "sqlite"
    assert manifest["tables"] == {t: n for t, (n, _d) in before.items()}
    assert manifest["migrations"]["cases"].startswith("00")
    assert {n: f["sha256"] for n, f in manifest["media"]["files"].items()} == files

    # Restored into an empty database and an empty media root: every table and file the same.
    env, target = _sqlite_env(tmp_path / "dst"), tmp_path / "dst"
    assert "恢复完成并已核对" in _ok(_run(env, "restore", str(archive)))
    after = _sqlite_tables(target / "db.sqlite3")
    assert set(after) == set(before)
    assert {t: v for t, v in after.items() if v != before[t]} == {}
    assert _files(target / "media") == files

    # A target that is not empty is refused; --force replaces its tables and keeps a stray file.
    env, target = _sqlite_env(tmp_path / "busy"), tmp_path / "busy"
    junk = sqlite3.connect(target / "db.sqlite3")
    junk.execute("CREATE TABLE junk (x)")
    junk.commit()
    junk.close()
    stray = target / "media" / "stray.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("left here")
    refused = _run(env, "restore", str(archive))
    assert refused.returncode == 1
    assert "目标不是空的" in refused.stderr and "--force" in refused.stderr
    assert set(_sqlite_tables(target / "db.sqlite3")) == {"junk"}
    out = _ok(_run(env, "restore", "--force", str(archive)))
    assert "恢复完成并已核对" in out and "另有 1 个" in out
    assert _sqlite_tables(target / "db.sqlite3") == before
    assert stray.read_text() == "left here"

    # A photo altered in the archive: refused before anything is written.
    with tarfile.open(archive) as tar:
        photo = next(n for n in tar.getnames() if n.startswith("media/attachments/"))
    bad = tmp_path / "bad.tar"
    _corrupt(archive, bad, photo)
    env, target = _sqlite_env(tmp_path / "untouched"), tmp_path / "untouched"
    done = _run(env, "restore", str(bad))
    assert done.returncode == 1
    assert "校验失败" in done.stderr and photo in done.stderr
    assert not (target / "db.sqlite3").exists()
    assert _files(target / "media") == {}

    # The database dump altered, or the archive cut short: the check finds it.
    _corrupt(archive, bad, "database.sqlite3")
    with pytest.raises(BackupError, match="校验失败：database.sqlite3"):
        verify_archive(bad)
    data = archive.read_bytes()
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(BackupError, match="不完整|已损坏"):
        verify_archive(bad)
    assert verify_archive(archive)["media"]["count"] == 7

    # Restored data that does not match the manifest: an error and a non-zero exit.
    wrong = tmp_path / "wrong.tar"
    _rewrite(archive, wrong, lambda m: m["tables"].__setitem__("cases_case", 99999))
    done = _run(_sqlite_env(tmp_path / "mismatch"), "restore", str(wrong))
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


def test_backup_never_overwrites_an_archive_nor_writes_into_the_media_it_copies(tmp_path):
    storage = FileSystemStorage(location=tmp_path / "media")
    existing = tmp_path / "old.tar"
    existing.write_bytes(b"last night's backup")
    with pytest.raises(BackupError, match="不会覆盖"):
        create_backup(existing, storage=storage)
    assert existing.read_bytes() == b"last night's backup"
    with pytest.raises(BackupError, match="媒体目录"):
        create_backup(tmp_path / "media" / "backups" / "new.tar", storage=storage)
    assert not (tmp_path / "media").exists()


def test_media_of_a_storage_that_is_not_on_disk_goes_through_the_storage_api(tmp_path):
    """An object store (S3) is listed, read and written through the Storage API only."""
    source, target = InMemoryStorage(), InMemoryStorage()
    photos = {
        "attachments/2026/12/01/a.jpg": b"\xff\xd8 first",
        "attachments/2026/12/02/b.png": b"\x89PNG second",
        "thumbs/2026/12/01/a.jpg": b"\xff\xd8 small",
    }
    for name, data in photos.items():
        assert source.save(name, ContentFile(data)) == name
    assert media_names(source) == sorted(photos)

    archive = tmp_path / "media.tar"
    with tarfile.open(archive, "w", format=tarfile.PAX_FORMAT) as tar:
        files = archive_media(tar, source, 0, lambda message: None)
    assert {n: f["sha256"] for n, f in files.items()} == {
        n: hashlib.sha256(d).hexdigest() for n, d in photos.items()
    }

    target.save("attachments/2026/12/01/a.jpg", ContentFile(b"an older photo"))
    with tarfile.open(archive) as tar:
        restore_media(tar, {m.name: m for m in tar.getmembers()}, files, target)
    check_media(files, target)  # raises on any difference
    assert {n: target.open(n).read() for n in media_names(target)} == photos

    files["thumbs/2026/12/01/a.jpg"]["sha256"] = "0" * 64
    with pytest.raises(BackupError, match="thumbs/2026/12/01/a.jpg"):
        check_media(files, target)


def test_restore_says_when_the_archive_and_the_code_have_different_migrations():
    from civicgrid.core.backup import _check_migrations

    said = []
    _check_migrations({"migrations": {"cases": "9999_from_the_future"}}, said.append)
    assert len(said) == 1 and "cases.9999_from_the_future" in said[0]
    assert "更新的程序版本" in said[0]
    said.clear()
    _check_migrations({"migrations": {"cases": "0001_initial"}}, said.append)
    assert len(said) == 1 and "manage.py migrate" in said[0]


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


@postgresql_suite_only
@pytest.mark.long(45)
def test_postgresql_round_trip_restores_every_table_and_file(tmp_path, scratch_database):
    admin = _pg_admin()
    scratch = scratch_database("backup_src")
    source_db, target_db = scratch.name, f"civicgrid_backup_dst_{os.getpid()}"
    try:
        admin.execute(f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{target_db}"')
        source = _env(tmp_path / "src", scratch.url)
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
        import psycopg

        with psycopg.connect(f"postgres://postgres@127.0.0.1:5432/{target_db}") as db:
            db.execute("CREATE TABLE junk (x int)")  # a later migration's table, say
        out = _ok(_run(target, "restore", "--force", str(archive)))
        assert "删除了备份中没有的数据表 1 张" in out
        assert _pg_tables(target_db) == before
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{target_db}" WITH (FORCE)')
        admin.close()
