"""app.db's stdlib side: the schema check the desktop client's fast start relies on."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app import db as app_db
from app.migrations import SCHEMA_HEAD

FIXTURE_V1 = Path(__file__).parent / "fixtures" / "schema_0001.sqlite3"


def test_importing_app_db_loads_no_sqlalchemy() -> None:
    code = ("import sys, app.db; heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'pydantic', 'alembic',"
            " 'app.models') if m in sys.modules]; assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])


def test_at_head_is_the_open_fast_path(db: Any) -> None:
    assert app_db.at_head(SCHEMA_HEAD)
    assert not app_db.at_head("0001") and not app_db.at_head(None)
    assert app_db.current_revision(db.engine) == SCHEMA_HEAD


def test_readonly_connection_at_head_cannot_write(db: Any) -> None:
    conn = app_db.open_readonly_at_head(db.path)
    assert conn is not None
    try:
        assert app_db.schema_revision(conn) == SCHEMA_HEAD
        assert conn.execute("SELECT count(*) FROM units").fetchone()[0] == 1
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM units")
    finally:
        conn.close()


def test_no_readonly_connection_unless_at_head(tmp_path: Path) -> None:
    old = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURE_V1, old)
    before = old.read_bytes()
    assert app_db.open_readonly_at_head(old) is None  # needs an upgrade: open_database's job
    assert old.read_bytes() == before

    newer = tmp_path / "newer.sqlite3"
    shutil.copyfile(FIXTURE_V1, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'ffff'")
    conn.close()
    assert app_db.open_readonly_at_head(newer) is None

    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    assert app_db.open_readonly_at_head(foreign) is None

    (tmp_path / "empty.sqlite3").write_bytes(b"")
    (tmp_path / "text.sqlite3").write_text("hello", encoding="utf-8")
    for name in ("empty.sqlite3", "text.sqlite3", "missing.sqlite3"):
        assert app_db.open_readonly_at_head(tmp_path / name) is None
    assert not (tmp_path / "missing.sqlite3").exists()


@pytest.mark.parametrize("folder", ["with space", "退管通 数据", "odd#name?x=1", "per%cent"])
def test_readonly_connection_in_awkward_folders(db: Any, tmp_path: Path, folder: str) -> None:
    target = tmp_path / folder / "单位.sqlite3"
    target.parent.mkdir()
    db.backup(target)
    conn = app_db.connect_readonly(target)
    try:
        assert app_db.schema_revision(conn) == SCHEMA_HEAD
    finally:
        conn.close()


def test_readonly_uri_shapes() -> None:
    assert app_db.readonly_uri("/srv/单位 1.sqlite3") == "file:/srv/%E5%8D%95%E4%BD%8D%201.sqlite3?mode=ro"
    if sys.platform == "win32":  # pragma: no cover - the shapes SQLite wants on Windows
        assert app_db.readonly_uri(r"C:\数据\a.db").startswith("file:/C:/")
        assert app_db.readonly_uri(r"\\server\share\a.db") == "file:////server/share/a.db?mode=ro"
