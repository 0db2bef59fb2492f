"""services.roster_snapshot: the stored roster index is the SQL read, and never outlives a
change to the rows it was made from."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.db import connect_readonly, restore_from
from app.services import operations as ops
from app.services import roster
from app.services import roster_snapshot as snapshot

ON = date(2026, 11, 1)


def _same(a: roster.RosterIndex, b: roster.RosterIndex) -> None:
    assert a.ids == b.ids and a.keys == b.keys and a.cols == b.cols
    assert a.group_names == b.group_names and a.unit_names == b.unit_names
    assert a.in_name_order and b.in_name_order


def _saved(database: Any) -> bool:
    with database.session_scope() as s:
        return snapshot.save(s)


def _stored(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM roster_snapshot").fetchone()[0]


def _sql_read(path: Path) -> roster.RosterIndex:
    conn = connect_readonly(path)
    try:
        return roster.load_index(conn, on=ON)
    finally:
        conn.close()


def _snapshot_read(path: Path) -> roster.RosterIndex | None:
    conn = connect_readonly(path)
    try:
        return snapshot.load(conn)
    finally:
        conn.close()


def test_the_snapshot_is_the_sql_read(demo_db: Any) -> None:
    with demo_db.session_scope() as s:
        # Blanks in several columns (group, health…), a tombstone, a name sorting first.
        ops.create(s, "retirees", {"name": "阿一"}, actor="t")
        ops.soft_delete(s, "retirees", roster.load_index(s).ids[5], actor="t")
    assert _snapshot_read(demo_db.path) is None  # none until written
    assert _saved(demo_db) and _stored(demo_db.path) == 1
    loaded = _snapshot_read(demo_db.path)
    assert loaded is not None
    _same(loaded, _sql_read(demo_db.path))
    assert None in loaded.cols["group_id"] and len(loaded) == len(_sql_read(demo_db.path))
    with demo_db.session_scope() as s:  # over a session as well as a stdlib connection
        _same(snapshot.load(s), roster.load_index(s))  # type: ignore[arg-type]
        assert snapshot.save(s)  # present: nothing to do
    assert _stored(demo_db.path) == 1


def test_current_index_reads_sql_without_a_snapshot(demo_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = connect_readonly(demo_db.path)
    try:
        _same(snapshot.current_index(conn), roster.load_index(conn))
        assert _saved(demo_db)
        monkeypatch.setattr(snapshot, "load_index", lambda *_a, **_k: pytest.fail("SQL read"))
        _same(snapshot.current_index(conn), _sql_read(demo_db.path))
    finally:
        conn.close()


def test_an_empty_roster(db: Any) -> None:
    assert _saved(db)
    loaded = _snapshot_read(db.path)
    assert loaded is not None and len(loaded) == 0 and all(c == [] for c in loaded.cols.values())
    _same(loaded, _sql_read(db.path))


def test_a_change_through_the_operations_removes_it(demo_db: Any) -> None:
    assert _saved(demo_db)
    first = _sql_read(demo_db.path).ids[0]
    with demo_db.session_scope() as s:
        ops.update(s, "retirees", first, {"name": "改了名"}, actor="t")
    assert _stored(demo_db.path) == 0 and _snapshot_read(demo_db.path) is None
    assert _saved(demo_db)
    loaded = _snapshot_read(demo_db.path)
    assert loaded is not None and loaded.cols["name"][loaded.ids.index(first)] == "改了名"
    _same(loaded, _sql_read(demo_db.path))


def _copy_row(conn: sqlite3.Connection, table: str, **new: str) -> int:
    """Insert a copy of one row of ``table`` with the ``new`` values (its keys)."""
    columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    values = ", ".join(f":{c}" if c in new else c for c in columns)
    return conn.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {values} FROM {table} LIMIT 1",
                        new).rowcount


@pytest.mark.parametrize("change", [
    lambda c: _copy_row(c, "units", id="u-new", code="U9"),
    lambda c: c.execute("UPDATE units SET name = name || '（改）'").rowcount,
    lambda c: _copy_row(c, "liaison_groups", id="g-new"),
    lambda c: c.execute("UPDATE liaison_groups SET name = name || '组' WHERE rowid = 1").rowcount,
    lambda c: c.execute("DELETE FROM liaison_groups WHERE rowid = 1").rowcount,
    lambda c: _copy_row(c, "retirees", id="r-new"),
    lambda c: c.execute("UPDATE retirees SET status = '已故' WHERE rowid = 3").rowcount,
    # Any change, not only to the index's columns: the triggers do not look at columns.
    lambda c: c.execute("UPDATE retirees SET address = address WHERE rowid = 3").rowcount,
    lambda c: c.execute("DELETE FROM retirees WHERE rowid = 3").rowcount,
    lambda c: _copy_row(c, "search_index", retiree_id="r-new"),
    lambda c: c.execute("UPDATE search_index SET keys = keys || 'x' WHERE rowid = 2").rowcount,
    lambda c: c.execute("DELETE FROM search_index WHERE rowid = 2").rowcount,
])
def test_any_change_to_its_tables_removes_it(demo_db: Any, change: Any) -> None:
    """Whoever writes: here raw SQL, as an import, a sync or another program might."""
    assert _saved(demo_db) and _stored(demo_db.path) == 1
    with sqlite3.connect(demo_db.path) as conn:
        conn.execute("PRAGMA foreign_keys = OFF")
        assert change(conn) == 1
    assert _stored(demo_db.path) == 0
    assert _saved(demo_db)
    _same(_snapshot_read(demo_db.path), _sql_read(demo_db.path))  # type: ignore[arg-type]


def test_a_restored_backup_brings_the_snapshot_of_its_own_rows(demo_db: Any, tmp_path: Path) -> None:
    assert _saved(demo_db)
    before = _sql_read(demo_db.path)
    backup = demo_db.backup(tmp_path / "before.sqlite3")
    first = before.ids[0]
    with demo_db.session_scope() as s:
        ops.soft_delete(s, "retirees", first, actor="t")
    assert _saved(demo_db)  # a snapshot of the changed rows
    demo_db.close()
    restore_from(demo_db.path, backup)
    loaded = _snapshot_read(demo_db.path)
    assert loaded is not None and first in loaded.ids
    _same(loaded, before)
    _same(loaded, _sql_read(demo_db.path))


def test_a_backup_made_without_one_restores_without_one(demo_db: Any, tmp_path: Path) -> None:
    backup = demo_db.backup(tmp_path / "plain.sqlite3")
    assert _saved(demo_db)
    demo_db.close()
    restore_from(demo_db.path, backup)
    assert _snapshot_read(demo_db.path) is None


def test_without_its_triggers_it_is_neither_used_nor_written(demo_db: Any) -> None:
    assert _saved(demo_db)
    with sqlite3.connect(demo_db.path) as conn:
        conn.execute(f"DROP TRIGGER {snapshot.TRIGGERS[4]}")  # as a table rebuild would
    assert _snapshot_read(demo_db.path) is None
    with sqlite3.connect(demo_db.path) as conn:
        conn.execute("DELETE FROM roster_snapshot")
    assert not _saved(demo_db) and _stored(demo_db.path) == 0


def test_another_format_is_ignored_and_replaced(demo_db: Any) -> None:
    assert _saved(demo_db)
    with sqlite3.connect(demo_db.path) as conn:
        conn.execute("UPDATE roster_snapshot SET format = 'roster-index/0 little name'")
    assert _snapshot_read(demo_db.path) is None
    assert _saved(demo_db) and _stored(demo_db.path) == 1
    _same(_snapshot_read(demo_db.path), _sql_read(demo_db.path))  # type: ignore[arg-type]


@pytest.mark.parametrize("damage", [
    "UPDATE roster_snapshot SET meta = '{'",
    "UPDATE roster_snapshot SET meta = json_set(meta, '$.count', 7)",
    "UPDATE roster_snapshot SET texts = substr(texts, 1, 100)",
    "UPDATE roster_snapshot SET codes = substr(codes, 1, length(codes) - 1)",
    "UPDATE roster_snapshot SET codes = zeroblob(length(codes)) || x'ff'",
    "UPDATE roster_snapshot SET texts = 'text, not bytes'",
    "UPDATE roster_snapshot SET meta = json_set(meta, '$.coded[0][1]', 'q')",
])
def test_a_damaged_snapshot_is_ignored(demo_db: Any, damage: str) -> None:
    assert _saved(demo_db)
    with sqlite3.connect(demo_db.path) as conn:
        conn.execute(damage)
    assert _snapshot_read(demo_db.path) is None
    conn = connect_readonly(demo_db.path)
    try:
        _same(snapshot.current_index(conn), _sql_read(demo_db.path))
    finally:
        conn.close()


def test_a_value_holding_a_separator_is_left_to_sql(db: Any) -> None:
    with db.session_scope() as s:
        rid = ops.create(s, "retirees", {"name": "张三"}, actor="t").id
        s.connection().exec_driver_sql("UPDATE retirees SET name = '张\x1d三' WHERE id = ?", (rid,))
    assert not _saved(db) and _stored(db.path) == 0
    conn = connect_readonly(db.path)
    try:
        assert snapshot.current_index(conn).cols["name"] == ["张\x1d三"]
    finally:
        conn.close()


def test_the_migration_makes_and_removes_table_and_triggers(db: Any) -> None:
    from alembic import command

    from app.db import alembic_config

    def names(kind: str) -> set[str]:
        with sqlite3.connect(db.path) as conn:
            return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = ?", (kind,))}

    assert set(snapshot.TRIGGERS) <= names("trigger") and "roster_snapshot" in names("table")
    cfg = alembic_config()
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0005")
    assert not set(snapshot.TRIGGERS) & names("trigger") and "roster_snapshot" not in names("table")
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    assert set(snapshot.TRIGGERS) <= names("trigger")
    assert _saved(db)
