"""Backup and restore (备份与恢复): the database and the media files in one verified archive.

One archive is one uncompressed tar file: a single file to copy off the machine, written under a
temporary name and renamed only when complete (a crash never leaves a plausible half archive),
readable with any `tar`, and its members can be checked one by one without unpacking. It is not
compressed: the PostgreSQL dump (`pg_dump -Fc`) is compressed already and the photos are JPEG,
PNG or WebP.

Members, in this order:

- `database.pgdump` (PostgreSQL, `pg_dump -Fc`) or `database.sqlite3` (SQLite, a copy made with
  SQLite's online backup API: consistent while the app writes);
- `media/<name>`: every file of the default storage (photos, thumbnails) — walked on disk for a
  FileSystemStorage, otherwise listed and read through the storage API (an object store);
- `manifest.json`, last: format and version, creation time, database vendor, the latest applied
  migration per app, the row count of every table, and the size and sha256 of the dump and of
  every media file.

The row counts come from the same snapshot as the dump: PostgreSQL exports the snapshot of a
REPEATABLE READ transaction and pg_dump reads that very snapshot (`--snapshot`); SQLite counts
in the copy. The media files are collected after the database: a photo is on disk before its
row commits, so every file a dumped row names is in the archive.

`restore` checks everything it can before it writes anything (format, vendor, an empty target
unless `force`, every member's size and checksum against the manifest, no member outside the
manifest, no unsafe name), then restores the database (PostgreSQL: one transaction) and the
files, and finally counts every table and re-reads every file it wrote. Any mismatch is a
BackupError; the commands turn it into a non-zero exit.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.db import connections
from django.utils.translation import gettext as _

FORMAT = "civicgrid-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA_PREFIX = "media/"
DUMP_NAMES = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in the user's language."""


Report = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


@dataclass
class Restored:
    """What restore did: the manifest, and the files left in the media storage that the archive
    does not have (never deleted: they may be photos the backup missed)."""

    manifest: dict
    extra_files: list[str] = field(default_factory=list)
    dropped_tables: list[str] = field(default_factory=list)


# --- hashing --------------------------------------------------------------------------------


class _HashingReader(io.RawIOBase):
    """Reads through to `raw`, hashing and counting what passes."""

    def __init__(self, raw):
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.size = 0

    def readable(self):
        return True

    def read(self, n=-1):
        data = self.raw.read(n)
        self.sha256.update(data)
        self.size += len(data)
        return data

    def readinto(self, buffer):
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _digest(fileobj) -> tuple[str, int]:
    sha, size = hashlib.sha256(), 0
    while chunk := fileobj.read(CHUNK):
        sha.update(chunk)
        size += len(chunk)
    return sha.hexdigest(), size


# --- the database ---------------------------------------------------------------------------


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in DUMP_NAMES:
        raise BackupError(
            _("不支持的数据库类型：%(v)s（只支持 PostgreSQL 和 SQLite）") % {"v": vendor}
        )
    return vendor


def _pg_env(using: str) -> dict[str, str]:
    """libpq's environment for the database `using` (password through PGPASSWORD, never argv)."""
    from django.db.backends.postgresql.client import DatabaseClient

    settings_dict = connections[using].settings_dict
    _args, env = DatabaseClient.settings_to_cmd_args_env(settings_dict, [])
    env = {**os.environ, **(env or {})}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    env["PGDATABASE"] = settings_dict["NAME"] or ""
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(
            _("找不到 %(cmd)s：请安装 PostgreSQL 客户端（与服务器同一主版本或更新）")
            % {"cmd": args[0]}
        ) from exc
    if done.returncode != 0:
        raise BackupError(
            _("%(cmd)s 失败（退出码 %(code)d）：%(err)s")
            % {"cmd": args[0], "code": done.returncode, "err": done.stderr.strip()}
        )


def _latest_migrations(rows) -> dict[str, str]:
    latest: dict[str, str] = {}
    for app, name in rows:  # in the order they were applied
        latest[app] = name
    return dict(sorted(latest.items()))


def _dump_postgresql(using: str, path: Path) -> tuple[dict[str, int], dict[str, str]]:
    connection = connections[using]
    connection.close()
    connection.ensure_connection()
    connection.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            tables = sorted(connection.introspection.table_names(cursor))
            counts = {}
            for table in tables:
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
            migrations = {}
            if "django_migrations" in counts:
                cursor.execute("SELECT app, name FROM django_migrations ORDER BY applied, id")
                migrations = _latest_migrations(cursor.fetchall())
            # pg_dump reads the snapshot of this transaction: it must stay open until it is done.
            _run(
                ["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(path)],
                _pg_env(using),
            )
    finally:
        connection.rollback()
        connection.set_autocommit(True)
        connection.close()
    return counts, migrations


def _sqlite_tables(db: sqlite3.Connection) -> list[str]:
    rows = db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return sorted(row[0] for row in rows)


def _sqlite_counts(db: sqlite3.Connection) -> dict[str, int]:
    return {
        table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
        for table in _sqlite_tables(db)
    }


def _dump_sqlite(using: str, path: Path) -> tuple[dict[str, int], dict[str, str]]:
    name = connections[using].settings_dict["NAME"]
    if not Path(name).is_file():
        raise BackupError(_("SQLite 数据库文件不存在：%(p)s") % {"p": name})
    source = sqlite3.connect(f"{Path(name).resolve().as_uri()}?mode=ro", uri=True, timeout=20)
    copy = sqlite3.connect(path)
    try:
        # One step: the whole copy is read under one read lock, a consistent snapshot even while
        # the app writes (WAL lets it go on writing meanwhile).
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        counts = _sqlite_counts(copy)
        migrations = {}
        if "django_migrations" in counts:
            migrations = _latest_migrations(
                copy.execute("SELECT app, name FROM django_migrations ORDER BY applied, id")
            )
    finally:
        copy.close()
        source.close()
    return counts, migrations


def _target_tables(using: str) -> list[str]:
    connection = connections[using]
    if connection.vendor == "sqlite":
        name = connection.settings_dict["NAME"]
        if not Path(name).exists():
            return []
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def _target_counts(using: str, tables) -> dict[str, int]:
    connection = connections[using]
    counts = {}
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        for table in tables:
            if table in existing:
                cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
    return counts


def _restore_postgresql(using: str, dump: Path, *, force: bool, tables: set[str]) -> list[str]:
    connection = connections[using]
    connection.close()
    args = [
        "pg_restore",
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    if force:
        args += ["--clean", "--if-exists"]
    env = _pg_env(using)
    _run([*args, "-d", env["PGDATABASE"], str(dump)], env)
    # Tables the archive does not have (a later migration's): they would contradict the
    # restored django_migrations; `migrate` makes them again.
    dropped = [t for t in _target_tables(using) if t not in tables]
    if dropped:
        with connection.cursor() as cursor:
            cursor.execute(
                "DROP TABLE IF EXISTS "
                + ", ".join(connection.ops.quote_name(t) for t in dropped)
                + " CASCADE"
            )
    connection.close()
    return dropped


def _restore_sqlite(using: str, copy: Path) -> None:
    connection = connections[using]
    connection.close()
    name = connection.settings_dict["NAME"]
    Path(name).parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(name, timeout=20)
    try:
        # The backup API replaces the target's whole content in one transaction.
        source.backup(target)
    finally:
        target.close()
        source.close()


# --- the media files ------------------------------------------------------------------------


def _is_filesystem(storage: Storage) -> bool:
    return isinstance(storage, FileSystemStorage)


def _walk_storage(storage: Storage, prefix: str = "") -> Iterator[str]:
    try:
        directories, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for directory in sorted(directories):
        yield from _walk_storage(storage, f"{prefix}{directory}/")


def media_names(storage: Storage) -> list[str]:
    """Every file of `storage`, as storage names ("attachments/2026/12/02/ab….jpg")."""
    if _is_filesystem(storage):
        root = Path(storage.location)
        if not root.is_dir():
            return []
        names = []
        for directory, _dirs, files in os.walk(root):
            for filename in files:
                path = Path(directory) / filename
                if path.is_file() and not path.is_symlink():
                    names.append(path.relative_to(root).as_posix())
        return sorted(names)
    return sorted(_walk_storage(storage))


def _open_media(storage: Storage, name: str):
    if _is_filesystem(storage):
        return open(Path(storage.location) / name, "rb")  # closed by the caller
    return storage.open(name, "rb")


def _media_size(storage: Storage, name: str) -> int:
    if _is_filesystem(storage):
        return (Path(storage.location) / name).stat().st_size
    return storage.size(name)


def _safe_media_name(name: str) -> bool:
    path = PurePosixPath(name)
    return (
        bool(name)
        and not path.is_absolute()
        and "\\" not in name
        and all(part not in ("", ".", "..") for part in name.split("/"))
    )


def _write_media(storage: Storage, name: str, fileobj) -> None:
    if _is_filesystem(storage):
        path = Path(storage.location) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.restoring")
        with open(temporary, "wb") as out:
            shutil.copyfileobj(fileobj, out, CHUNK)
        os.replace(temporary, path)
        return
    if storage.exists(name):
        storage.delete(name)
    saved = storage.save(name, File(fileobj, name=PurePosixPath(name).name))
    if saved != name:
        raise BackupError(
            _("存储把文件 %(name)s 存成了 %(saved)s：请检查存储的覆盖设置")
            % {"name": name, "saved": saved}
        )


def archive_media(tar: tarfile.TarFile, storage: Storage, mtime: float, report: Report) -> dict:
    """Add every file of `storage` to `tar` as media/<name>; returns {name: {size, sha256}}."""
    names = media_names(storage)
    report(_("复制媒体文件 %(n)d 个……") % {"n": len(names)})
    files = {}
    for name in names:
        try:
            size = _media_size(storage, name)
            with _open_media(storage, name) as fileobj:
                reader = _HashingReader(fileobj)
                tar.addfile(_tarinfo(MEDIA_PREFIX + name, size, mtime), reader)
        except FileNotFoundError:
            # Deleted since it was listed (an administrator removed a photo, rows and all):
            # the database was dumped earlier and may still name it; say so, go on.
            report(_("注意：文件 %(name)s 在备份过程中被删除，未备份") % {"name": name})
            continue
        except OSError as exc:
            raise BackupError(
                _("文件 %(name)s 在备份时被改动，请重新备份（%(err)s）")
                % {"name": name, "err": exc}
            ) from exc
        files[name] = {"size": size, "sha256": reader.sha256.hexdigest()}
    return files


def restore_media(tar: tarfile.TarFile, members: dict, files: dict, storage: Storage) -> None:
    """Write the archive's media/<name> members for `files` into `storage`, under their names."""
    for name in files:
        _write_media(storage, name, tar.extractfile(members[MEDIA_PREFIX + name]))


def check_media(files: dict, storage: Storage) -> None:
    """Re-read every restored file from `storage`: its size and sha256 must be the manifest's."""
    for name, entry in files.items():
        try:
            with _open_media(storage, name) as fileobj:
                sha, size = _digest(fileobj)
        except OSError:
            sha, size = None, None
        if sha != entry["sha256"] or size != entry["size"]:
            raise BackupError(_("恢复后的文件 %(name)s 与清单不符") % {"name": name})


# --- backup ---------------------------------------------------------------------------------


def _tarinfo(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o600
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def default_output(var_dir: Path) -> Path:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%d-%H%M%S")
    return Path(var_dir) / "backups" / f"civicgrid-{stamp}.tar"


def create_backup(
    output: Path,
    *,
    using: str = "default",
    storage: Storage | None = None,
    report: Report = _quiet,
) -> dict:
    """Write the archive `output` (which must not exist yet); returns its manifest."""
    storage = storage or default_storage
    output = Path(output)
    if output.exists():
        raise BackupError(_("%(p)s 已存在：不会覆盖已有的备份") % {"p": output})
    if _is_filesystem(storage) and output.resolve().is_relative_to(
        Path(storage.location).resolve()
    ):
        raise BackupError(_("备份文件不能放在媒体目录 %(p)s 里") % {"p": storage.location})
    output.parent.mkdir(parents=True, exist_ok=True)
    vendor = _vendor(using)
    created_at = datetime.datetime.now(datetime.UTC)
    partial = output.with_name(f".{output.name}.partial")
    with tempfile.TemporaryDirectory(prefix=".civicgrid-backup-", dir=output.parent) as work:
        dump = Path(work) / DUMP_NAMES[vendor]
        report(_("导出数据库（%(v)s）……") % {"v": vendor})
        if vendor == "postgresql":
            counts, migrations = _dump_postgresql(using, dump)
        else:
            counts, migrations = _dump_sqlite(using, dump)
        try:
            # Readable by its owner only: the archive holds personal data.
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                    with open(dump, "rb") as fileobj:
                        reader = _HashingReader(fileobj)
                        size = dump.stat().st_size
                        tar.addfile(_tarinfo(dump.name, size, created_at.timestamp()), reader)
                    database = {
                        "vendor": vendor,
                        "file": dump.name,
                        "size": size,
                        "sha256": reader.sha256.hexdigest(),
                    }
                    dump.unlink()  # the archive holds it now; the disk need not hold it twice
                    files = archive_media(tar, storage, created_at.timestamp(), report)
                    manifest = {
                        "format": FORMAT,
                        "version": VERSION,
                        "created_at": created_at.isoformat(),
                        "database": database,
                        "migrations": migrations,
                        "tables": counts,
                        "media": {
                            "storage": f"{type(storage).__module__}.{type(storage).__qualname__}",
                            "count": len(files),
                            "bytes": sum(f["size"] for f in files.values()),
                            "files": files,
                        },
                    }
                    data = json.dumps(
                        manifest, ensure_ascii=False, indent=1, sort_keys=True
                    ).encode()
                    tar.addfile(
                        _tarinfo(MANIFEST, len(data), created_at.timestamp()), io.BytesIO(data)
                    )
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return manifest


# --- restore --------------------------------------------------------------------------------


def _open_archive(archive: Path) -> tarfile.TarFile:
    try:
        return tarfile.open(archive, "r:")
    except FileNotFoundError as exc:
        raise BackupError(_("备份文件不存在：%(p)s") % {"p": archive}) from exc
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(
            _("%(p)s 不是完整的备份文件（%(err)s）") % {"p": archive, "err": exc}
        ) from exc


def _members(tar: tarfile.TarFile, archive: Path) -> dict[str, tarfile.TarInfo]:
    try:
        members = tar.getmembers()
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(
            _("%(p)s 已损坏或不完整（%(err)s）") % {"p": archive, "err": exc}
        ) from exc
    found: dict[str, tarfile.TarInfo] = {}
    for member in members:
        if not member.isfile() or member.name in found:
            raise BackupError(_("备份中有不应出现的条目：%(name)s") % {"name": member.name})
        found[member.name] = member
    return found


def _read_manifest(tar: tarfile.TarFile, members: dict[str, tarfile.TarInfo]) -> dict:
    if MANIFEST not in members:
        raise BackupError(_("备份中没有 manifest.json：备份不完整或不是 civicgrid 的备份"))
    try:
        manifest = json.loads(tar.extractfile(members[MANIFEST]).read())
        database, media = manifest["database"], manifest["media"]
        ok = (
            manifest.get("format") == FORMAT
            and isinstance(manifest.get("tables"), dict)
            and isinstance(manifest.get("migrations"), dict)
            and database["vendor"] in DUMP_NAMES
            and database["file"] == DUMP_NAMES[database["vendor"]]
            and isinstance(media["files"], dict)
        )
    except (ValueError, KeyError, TypeError, tarfile.TarError, OSError) as exc:
        raise BackupError(_("manifest.json 无法读取：%(err)s") % {"err": exc}) from exc
    if not ok:
        raise BackupError(_("manifest.json 不是 civicgrid 备份清单"))
    if manifest.get("version") != VERSION:
        raise BackupError(
            _("备份格式版本 %(v)s 不受支持（本程序读取版本 %(ours)s）")
            % {"v": manifest.get("version"), "ours": VERSION}
        )
    return manifest


def _expected(manifest: dict) -> dict[str, dict]:
    expected = {manifest["database"]["file"]: manifest["database"]}
    for name, entry in manifest["media"]["files"].items():
        if not _safe_media_name(name):
            raise BackupError(_("备份中的文件名不安全：%(name)s") % {"name": name})
        expected[MEDIA_PREFIX + name] = entry
    return expected


def verify_archive(archive: Path, *, report: Report = _quiet) -> dict:
    """Check the archive against its manifest without writing anything; returns the manifest.

    Every member is read in full: its size and sha256 must be the manifest's, no member may be
    missing and none may be extra."""
    archive = Path(archive)
    with _open_archive(archive) as tar:
        members = _members(tar, archive)
        manifest = _read_manifest(tar, members)
        expected = _expected(manifest)
        extra = sorted(set(members) - set(expected) - {MANIFEST})
        if extra:
            raise BackupError(_("备份中有清单之外的文件：%(name)s") % {"name": extra[0]})
        missing = sorted(set(expected) - set(members))
        if missing:
            raise BackupError(_("备份缺少文件：%(name)s") % {"name": missing[0]})
        report(_("校验备份中的 %(n)d 个文件……") % {"n": len(expected)})
        for name, entry in expected.items():
            try:
                sha, size = _digest(tar.extractfile(members[name]))
            except (tarfile.TarError, OSError) as exc:
                raise BackupError(
                    _("读取 %(name)s 失败，备份已损坏（%(err)s）") % {"name": name, "err": exc}
                ) from exc
            if size != entry["size"] or sha != entry["sha256"]:
                raise BackupError(
                    _("校验失败：%(name)s 与清单不符（备份已损坏或被改动）") % {"name": name}
                )
    return manifest


def _check_migrations(manifest: dict, report: Report) -> None:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    unknown = [
        f"{app}.{name}"
        for app, name in manifest["migrations"].items()
        if (app, name) not in loader.disk_migrations and app in loader.migrated_apps
    ]
    if unknown:
        report(
            _("注意：备份来自更新的程序版本，本程序不认识迁移 %(m)s；请先部署相同或更新的版本。")
            % {"m": ", ".join(unknown)}
        )
    leaves = {app: name for app, name in loader.graph.leaf_nodes()}
    behind = [app for app, name in manifest["migrations"].items() if leaves.get(app, name) != name]
    if behind and not unknown:
        report(_("备份的数据库结构比程序旧：恢复后请运行 manage.py migrate。"))


def restore_backup(
    archive: Path,
    *,
    force: bool = False,
    using: str = "default",
    storage: Storage | None = None,
    report: Report = _quiet,
) -> Restored:
    """Restore `archive` into the database `using` and `storage` (the default storage).

    Nothing is written before the whole archive has been verified and the target found empty
    (or `force`). Afterwards every table's row count and every restored file is checked."""
    storage = storage or default_storage
    archive = Path(archive)
    vendor = _vendor(using)

    with _open_archive(archive) as tar:
        manifest = _read_manifest(tar, _members(tar, archive))
    if manifest["database"]["vendor"] != vendor:
        raise BackupError(
            _("备份的数据库是 %(theirs)s，目标数据库是 %(ours)s：不能跨数据库类型恢复")
            % {"theirs": manifest["database"]["vendor"], "ours": vendor}
        )
    existing_tables = _target_tables(using)
    existing_files = media_names(storage)
    if not force and (existing_tables or existing_files):
        raise BackupError(
            _(
                "目标不是空的（数据表 %(t)d 张，媒体文件 %(f)d 个）：恢复会覆盖它们。"
                "请恢复到新建的空数据库和空媒体目录，或确认后加 --force。"
            )
            % {"t": len(existing_tables), "f": len(existing_files)}
        )
    manifest = verify_archive(archive, report=report)
    _check_migrations(manifest, report)

    restored = Restored(manifest=manifest)
    tables = manifest["tables"]
    with (
        _open_archive(archive) as tar,
        tempfile.TemporaryDirectory(prefix="civicgrid-restore-") as work,
    ):
        members = _members(tar, archive)
        dump = Path(work) / manifest["database"]["file"]
        with open(dump, "wb") as out:
            reader = _HashingReader(tar.extractfile(members[dump.name]))
            shutil.copyfileobj(reader, out, CHUNK)
        if reader.sha256.hexdigest() != manifest["database"]["sha256"]:
            raise BackupError(_("校验失败：数据库备份在读取时改变了"))
        report(_("恢复数据库（%(v)s）……") % {"v": vendor})
        if vendor == "postgresql":
            restored.dropped_tables = _restore_postgresql(
                using, dump, force=force, tables=set(tables)
            )
        else:
            _restore_sqlite(using, dump)
        dump.unlink()

        counts = _target_counts(using, tables)
        wrong = []
        for table, want in sorted(tables.items()):
            got = counts.get(table)
            if got is None:
                wrong.append(_("%(t)s（恢复后不存在）") % {"t": table})
            elif got != want:
                wrong.append(
                    _("%(t)s（清单 %(want)d 行，恢复后 %(got)d 行）")
                    % {"t": table, "want": want, "got": got}
                )
        if wrong:
            raise BackupError(_("恢复后的数据表与清单不符：%(t)s") % {"t": "；".join(wrong)})

        files = manifest["media"]["files"]
        report(_("恢复媒体文件 %(n)d 个……") % {"n": len(files)})
        restore_media(tar, members, files, storage)
    check_media(files, storage)
    restored.extra_files = sorted(set(media_names(storage)) - set(files))
    return restored
