"""services.roster over a plain sqlite3 connection reads what it reads over a session."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.db import connect_readonly
from app.services import roster, search
from app.services.query_text import normalize_query


@pytest.mark.parametrize(("typed", "looked_up"), [
    ("Zhang San", "zhangsan"), ("ＺＨＡＮＧ", "zhang"), (" 李 秀珍 ", "李秀珍"), ("１３８\u30000000", "1380000"),
    ("wxl", "wxl"), ("", "")])
def test_typed_queries_are_normalised_like_the_index_keys(typed: str, looked_up: str) -> None:
    assert normalize_query(typed) == looked_up
    assert search.normalize_query is normalize_query  # the roster and search() agree by construction


def test_stdlib_reader_matches_the_session(demo_db: Any) -> None:
    conn = connect_readonly(demo_db.path)
    try:
        on = date(2026, 11, 1)
        with demo_db.session_scope() as s:
            by_session = roster.load_index(s, on=on)
            some = by_session.ids[:25]
            details = roster.fetch_rows(s, some)
            names = roster.names_of(s, some)
            visits = roster.list_visits(s, query="zh")
            groups = roster.group_names(s)
            who = roster.last_visitors(s)
            unit = roster.self_unit_name(s)
        by_conn = roster.load_index(conn, on=on)
        assert by_conn.ids == by_session.ids and by_conn.keys == by_session.keys
        assert by_conn.cols == by_session.cols and by_conn.ages == by_session.ages
        assert by_conn.group_names == by_session.group_names == groups
        assert roster.fetch_rows(conn, some) == details
        assert roster.names_of(conn, some) == names
        assert roster.list_visits(conn, query="zh") == visits and visits
        assert roster.last_visitors(conn) == who
        assert roster.self_unit_name(conn) == unit and unit
    finally:
        conn.close()


def test_self_unit_name_follows_services_units(db: Any) -> None:
    from app.services.units import self_unit

    with db.session_scope() as s:
        assert roster.self_unit_name(s) == self_unit(s).name == "测试单位"


def test_ages_are_computed_when_first_needed(demo_db: Any) -> None:
    on = date(2026, 11, 1)
    with demo_db.session_scope() as s:
        idx = roster.load_index(s, on=on)
    assert idx._ages is None  # not part of the load
    cells = [idx.value(i, "age") for i in range(len(idx))]  # the rows on screen, one by one
    assert idx._ages is None
    assert cells == idx.ages == [roster.age_from_iso(b, on) for b in idx.cols["birth_date"]]
    assert any(a is not None for a in cells)
    band = next(b for b in idx.bands() if b)
    assert idx.filter(roster.RosterFilters(age_band=band, statuses=()))  # filters use them too


def _row_by_row(monkeypatch: pytest.MonkeyPatch, session: Any, **kw: Any) -> roster.RosterIndex:
    with monkeypatch.context() as m:
        m.setattr(roster, "_whole_columns", lambda *a: None)
        return roster.load_index(session, **kw)


def test_whole_column_read_equals_the_row_by_row_read(demo_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services import operations as ops

    with demo_db.session_scope() as s:
        # NULLs in several columns, a tombstone, and a name sorting before everyone.
        rid = ops.create(s, "retirees", {"name": "阿一"}, actor="t").id
        ops.soft_delete(s, "retirees", roster.load_index(s).ids[5], actor="t")
        whole = roster.load_index(s)
        rows = _row_by_row(monkeypatch, s)
        assert roster._whole_columns(s, "r.deleted = 0", {}) is not None  # the fast path was taken
    assert whole.ids == rows.ids and whole.keys == rows.keys and whole.cols == rows.cols
    assert whole.ids[0] == rid and whole.cols["group_id"][0] is None and whole.cols["health"][0] is None


def test_a_value_holding_the_separator_is_read_row_by_row(db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import text

    from app.services import operations as ops

    with db.session_scope() as s:
        ids = [ops.create(s, "retirees", {"name": n}, actor="t").id for n in ("张三", "李四")]
        s.execute(text("UPDATE retirees SET name = :n WHERE id = :i"), {"n": "李\x1d四", "i": ids[1]})
        assert roster._whole_columns(s, "r.deleted = 0", {}) is None
        idx = roster.load_index(s)
        assert idx.cols["name"] == _row_by_row(monkeypatch, s).cols["name"]
        assert "李\x1d四" in idx.cols["name"]


def test_an_empty_roster_loads(db: Any) -> None:
    with db.session_scope() as s:
        idx = roster.load_index(s)
    assert len(idx) == 0 and all(col == [] for col in idx.cols.values())


def test_a_unit_filter_reads_only_that_units_people(demo_db: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with demo_db.session_scope() as s:
        unit = roster.load_index(s).cols["unit_id"][0]
        idx = roster.load_index(s, unit_ids=[unit, "no-such-unit"])
        assert idx.ids == _row_by_row(monkeypatch, s, unit_ids=[unit, "no-such-unit"]).ids and idx.ids
