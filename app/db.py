"""The database: engine and pragmas, sessions, migrations, backups.

One SQLite file per installation. Every connection runs in WAL mode with foreign keys on and
a busy timeout. Python's sqlite3 driver would otherwise open transactions lazily and commit
DDL on its own; we take transaction control (``BEGIN`` on SQLAlchemy's begin) so that a
migration, an import or a sync either happens whole or not at all.

Importing this module is cheap: SQLAlchemy, SQLModel and the table models (about half a
second and 40 MiB) are loaded by the first function that needs them, so the desktop client
can show its window from a read-only stdlib connection (``open_readonly_at_head``) while
they load in the background.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app import paths
from app.migrations import SCHEMA_HEAD

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy.engine import Engine
    from sqlmodel import Session

BUSY_TIMEOUT_MS = 5000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class DatabaseError(Exception):
    """A database problem to show to the user as is (the message is Chinese)."""


class DatabaseTooNewError(DatabaseError):
    pass


class NotADatabaseError(DatabaseError):
    pass


def _configure(engine: Engine) -> None:
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, see module doc
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA synchronous = NORMAL")
        # 32 MiB of page cache (the default is 2 MiB): bulk inserts into tables with several
        # indexes on random UUID keys otherwise re-read the same index pages over and over.
        cur.execute("PRAGMA cache_size = -32768")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        conn.exec_driver_sql("BEGIN")


def make_engine(path: Path | str) -> Engine:
    from sqlmodel import create_engine

    import app.models  # noqa: F401  (registers every table on SQLModel.metadata)

    url = "sqlite://" if str(path) == ":memory:" else f"sqlite:///{path}"
    engine = create_engine(url, connect_args={"check_same_thread": False})
    _configure(engine)
    return engine


def alembic_config() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def schema_revision(conn: sqlite3.Connection) -> str | None:
    """The Alembic revision recorded in the file; None when it has no ``alembic_version``
    (a new file, or one that is not ours)."""
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone()
    if not has_table:
        return None
    row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else None


def at_head(revision: str | None) -> bool:
    """True when a database at ``revision`` is exactly what this program writes: it opens
    with no backup, no migration and no Alembic import (``open_database``'s fast path, and
    the only case the desktop client may show before ``open_database`` has run)."""
    return revision == SCHEMA_HEAD


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        return schema_revision(raw)  # type: ignore[arg-type]


def readonly_uri(path: Path | str) -> str:
    """SQLite's ``file:`` URI opening ``path`` read-only. Not ``Path.as_uri()``: that makes
    ``file://server/share/…`` of a Windows network path, which SQLite refuses (it wants
    an empty authority, ``file:////server/share/…``)."""
    from urllib.parse import quote

    p = Path(path).resolve().as_posix()  # /home/…, C:/…, //server/share/…
    if not p.startswith("/"):
        p = "/" + p  # a drive letter: file:/C:/…
    if p.startswith("//"):
        p = "//" + p  # a network share: empty authority, then //server/share
    return f"file:{quote(p, safe='/:')}?mode=ro"


def connect_readonly(path: Path | str) -> sqlite3.Connection:
    """A stdlib connection that cannot write (``mode=ro``), with SQLite's default 2 MiB page
    cache: for reads beside the engine, e.g. the desktop client's roster."""
    conn = sqlite3.connect(readonly_uri(path), uri=True, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def open_readonly_at_head(path: Path | str) -> sqlite3.Connection | None:
    """A read-only stdlib connection to ``path`` when the file is a database this program
    can read as is (SQLite, ours, ``at_head``); None otherwise (missing, empty, not SQLite,
    not ours, needing an upgrade, too new), and then only ``open_database`` may decide what
    to do with it. Nothing is written, and SQLAlchemy is not imported."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return None
        with path.open("rb") as fh:
            if fh.read(16) != b"SQLite format 3\x00":
                return None
        conn = connect_readonly(path)
    except (OSError, sqlite3.Error):
        return None
    try:
        if at_head(schema_revision(conn)):
            return conn
    except sqlite3.Error:
        pass
    conn.close()
    return None


def _known_revision(rev: str) -> bool:
    from alembic.script import ScriptDirectory

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(rev) is not None
    except Exception:
        return False


def sqlite_backup(src: Path, dest: Path) -> Path:
    """Consistent copy of a live database with SQLite's online backup API."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".part")
    tmp.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(tmp)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    tmp.replace(dest)  # a half-written backup never carries the final name
    return dest


def _check_is_sqlite(path: Path) -> None:
    with path.open("rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise NotADatabaseError(f"文件“{path.name}”不是退管通数据库（不是 SQLite 文件）。")


@dataclass
class Database:
    path: Path
    engine: Engine

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """One short unit of work: commit on success, roll back on any error."""
        from sqlmodel import Session

        session = Session(self.engine, expire_on_commit=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def backup(self, out: Path | None = None, reason: str = "manual") -> Path:
        if out is None:
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            out = paths.backups_dir(self.path) / f"{self.path.stem}-{stamp}-{reason}.sqlite3"
        return sqlite_backup(self.path, Path(out))

    def close(self) -> None:
        self.engine.dispose()


def upgrade(engine: Engine) -> None:
    """Bring the schema to head inside one transaction.

    Foreign keys are off while the steps run because SQLite changes a column by copying the
    table, which would trip them half way; they are checked as a whole before commit."""
    from alembic import command

    cfg = alembic_config()
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        raw.execute("PRAGMA foreign_keys = OFF")  # only takes effect outside a transaction
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise DatabaseError(f"数据库升级后有 {len(broken)} 处引用不一致，升级已撤销，数据未改动。")
        finally:
            raw.execute("PRAGMA foreign_keys = ON")


def open_database(path: Path | str, *, create: bool = True) -> Database:
    """Open (and if needed create and upgrade) the database at ``path``.

    A database with data that needs upgrading is backed up first; one written by a newer
    program is refused untouched.
    """
    path = Path(path)
    exists = path.exists() and path.stat().st_size > 0
    if not exists and not create:
        raise DatabaseError(f"找不到数据库文件：{path}")
    if exists:
        _check_is_sqlite(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = make_engine(path)
    try:
        try:
            current = current_revision(engine)
        except sqlite3.DatabaseError as exc:  # pragma: no cover - corrupt header beyond magic
            raise NotADatabaseError(f"数据库文件已损坏，无法打开：{path.name}（{exc}）") from exc
        # Fast path: a database at the revision this program ships needs no Alembic at all.
        if not at_head(current):
            if current is not None and not _known_revision(current):
                raise DatabaseTooNewError(
                    f"数据库“{path.name}”由更新版本的退管通创建（数据库版本 {current}），"
                    "当前程序无法打开。请先升级退管通，数据未作任何改动。"
                )
            if exists and current is not None:
                sqlite_backup(
                    path,
                    paths.backups_dir(path)
                    / f"{path.stem}-{datetime.now():%Y%m%d-%H%M%S}-before-upgrade-{current}.sqlite3",
                )
            elif exists and _has_tables(engine):
                raise NotADatabaseError(f"文件“{path.name}”不是退管通数据库。")
            upgrade(engine)
    except BaseException:
        engine.dispose()
        raise
    return Database(path=path, engine=engine)


def _has_tables(engine: Engine) -> bool:
    with engine.connect() as conn:
        n = conn.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type='table'").scalar()
    return bool(n)


def restore_from(db_path: Path, backup_file: Path) -> Path:
    """Replace the database at ``db_path`` with ``backup_file`` after checking it, keeping a
    backup of what is replaced. Returns that safety backup's path."""
    backup_file = Path(backup_file)
    if not backup_file.exists():
        raise DatabaseError(f"找不到备份文件：{backup_file}")
    _check_is_sqlite(backup_file)
    probe = make_engine(backup_file)
    try:
        rev = current_revision(probe)
    finally:
        probe.dispose()
    if rev is None:
        raise NotADatabaseError(f"文件“{backup_file.name}”不是退管通数据库备份。")
    if not _known_revision(rev):
        raise DatabaseTooNewError(
            f"备份“{backup_file.name}”来自更新版本的退管通（数据库版本 {rev}），当前程序无法恢复。"
        )
    safety = db_path
    if db_path.exists():
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        safety = sqlite_backup(db_path, paths.backups_dir(db_path) / f"{db_path.stem}-{stamp}-before-restore.sqlite3")
    tmp = db_path.with_suffix(".restoring")
    shutil.copyfile(backup_file, tmp)
    for suffix in ("-wal", "-shm"):
        Path(str(db_path) + suffix).unlink(missing_ok=True)
    tmp.replace(db_path)
    return safety
