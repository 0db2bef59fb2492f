"""care_state (each person's latest visit of each kind) stays equal to the visits themselves
through every way a visit is written: operations, demo data and the migration that made it
(bundles and conflict resolution: tests/sync/test_care_state_sync.py)."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from app.db import open_database
from app.services import care_state
from app.services import operations as ops

A = "测试员"
FAR = date(9999, 12, 31)


def _stored(s: Any) -> dict[str, tuple[str | None, ...]]:
    raw = s.connection().connection.driver_connection
    cols = ", ".join(care_state.COLUMNS)
    return {rid: tuple(v) for rid, *v in raw.execute(f"SELECT retiree_id, {cols} FROM care_state")}


def assert_in_step(s: Any) -> None:
    assert _stored(s) == care_state.last_visits(s, FAR)


def test_operations_keep_it_in_step(s, person, visit) -> None:
    a, b = person("甲"), person("乙")
    assert _stored(s) == {}
    v1 = visit(a, "家访", date(2026, 3, 1))
    visit(a, "电话联系", date(2026, 4, 2))
    v3 = visit(a, "住院慰问", date(2026, 5, 3))
    row = _stored(s)[a]
    named = dict(zip(care_state.COLUMNS, row, strict=True))
    assert named["latest"] == "2026-05-03" and named["in_person"] == "2026-05-03"
    assert (named["phone"], named["hospital"], named["letter"]) == ("2026-04-02", "2026-05-03", None)
    assert_in_step(s)
    ops.soft_delete(s, "visits", v3, actor=A)  # the hospital visit goes: back to the home visit
    named = dict(zip(care_state.COLUMNS, _stored(s)[a], strict=True))
    assert (named["in_person"], named["hospital"], named["latest"]) == ("2026-03-01", None, "2026-04-02")
    assert_in_step(s)
    ops.restore(s, "visits", v3, actor=A)
    assert_in_step(s)
    ops.update(s, "visits", v1, {"visit_date": date(2026, 6, 9)}, actor=A)
    assert dict(zip(care_state.COLUMNS, _stored(s)[a], strict=True))["in_person"] == "2026-06-09"
    ops.update(s, "visits", v1, {"retiree_id": b}, actor=A)  # moved to another person: both change
    assert _stored(s)[b][1] == "2026-06-09" and _stored(s)[a][1] == "2026-05-03"
    assert_in_step(s)
    ops.update(s, "visits", v1, {"kind": "信件"}, actor=A)
    assert _stored(s)[b][1] is None
    assert_in_step(s)


def test_demo_data_comes_in_step(demo_db) -> None:
    with demo_db.session_scope() as s:
        assert len(_stored(s)) > 200
        assert_in_step(s)


def test_as_of_reads_history_for_a_person_with_a_later_visit(s, person, visit) -> None:
    a, b, nobody = person("甲"), person("乙"), person("丙")
    visit(a, "电话联系", date(2026, 1, 5))
    visit(a, "电话联系", date(2026, 3, 5))
    visit(b, "家访", date(2025, 12, 1))
    got = care_state.as_of(s, date(2026, 2, 1), [a, b, nobody])
    assert got[a][care_state.COLUMNS.index("phone")] == "2026-01-05"  # not the March call
    assert got[b] == _stored(s)[b]
    assert got[nobody] == care_state.NO_VISITS


def test_the_migration_fills_it_from_the_visits_already_there(tmp_path: Path) -> None:
    # A database at revision 0004 with visits (made by taking a current one back down),
    # upgraded: care_state is filled, and equal to the visits.
    from alembic import command

    from app.db import alembic_config, make_engine
    from app.services.demo import generate_demo

    path = tmp_path / "old.sqlite3"
    db = open_database(path)
    with db.session_scope() as s:
        generate_demo(s, 60, seed=3, today=date(2026, 11, 1))
        expected = _stored(s)
    db.close()
    engine = make_engine(path)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    engine.dispose()
    con = sqlite3.connect(path)
    assert "care_state" not in {r[0] for r in con.execute("SELECT name FROM sqlite_master")}
    con.close()
    db = open_database(path)  # backs up, then upgrades to head
    with db.session_scope() as s:
        assert _stored(s) == expected and len(expected) > 40
        assert_in_step(s)
    db.close()
