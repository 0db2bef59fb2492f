"""The roster's table model on its own: no view, no window."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester

from app.services.roster import RosterFilters, load_index, refresh_rows
from app.ui.roster_model import COLUMNS, IdRole, RosterModel


def _col(key: str) -> int:
    return next(i for i, c in enumerate(COLUMNS) if c.key == key)


@pytest.fixture
def model(qapp: Any, demo_db: Any) -> RosterModel:
    from app.services.roster import fetch_rows

    def fetch(ids: list[str]) -> dict[str, dict[str, Any]]:
        fetch.calls.append(len(ids))  # type: ignore[attr-defined]
        with demo_db.session_scope() as s:
            return fetch_rows(s, ids)

    fetch.calls = []  # type: ignore[attr-defined]
    m = RosterModel(fetch)
    QAbstractItemModelTester(m, QAbstractItemModelTester.FailureReportingMode.Fatal)
    with demo_db.session_scope() as s:
        m.set_index(load_index(s))
    m.fetch = fetch  # type: ignore[attr-defined]
    return m


def _names(m: RosterModel) -> list[str]:
    return [m.data(m.index(r, _col("name"))) for r in range(m.rowCount())]


def test_active_people_only_by_default(model: RosterModel, demo_db: Any) -> None:
    from sqlalchemy import text

    with demo_db.session_scope() as s:
        active = s.connection().execute(text(
            "SELECT count(*) FROM retirees WHERE status='在册' AND deleted=0")).scalar()
        everyone = s.connection().execute(text("SELECT count(*) FROM retirees WHERE deleted=0")).scalar()
    assert model.rowCount() == active < everyone
    model.set_filters(RosterFilters(statuses=("在册", "已故", "迁出")))
    assert model.rowCount() == everyone


def test_filter_by_pinyin_initials(model: RosterModel, demo_db: Any) -> None:
    from app.services.search import name_pinyin

    name = _names(model)[5]
    initials = name_pinyin(name)[1].split()[0]
    model.set_filters(RosterFilters(query=initials.upper()))
    names = _names(model)
    assert name in names
    assert 0 < len(names) < 300
    # Every row really contains the initials in its search keys.
    idx = model.index_data
    assert all(initials in idx.keys[idx.position(model.id_at(r))] for r in range(model.rowCount()))


def test_filters_combine_and_count_signal(model: RosterModel, qtbot: Any) -> None:
    with qtbot.waitSignal(model.count_changed) as blocker:
        model.set_filters(RosterFilters(category="离休", age_band="90"))
    n = blocker.args[0]
    assert n == model.rowCount()
    for r in range(n):
        assert model.data(model.index(r, _col("category"))) == "离休"
        assert int(model.data(model.index(r, _col("age")))) >= 90


def test_id_numbers_and_phones_masked(model: RosterModel) -> None:
    for r in range(20):
        number = model.data(model.index(r, _col("id_number")))
        if number:
            assert "*" in number and len(number) == 18
        phones = model.data(model.index(r, _col("phones")))
        if phones:
            assert "*" in phones


def test_details_fetched_lazily_in_blocks(model: RosterModel) -> None:
    calls = model.fetch.calls  # type: ignore[attr-defined]
    assert calls == []  # nothing read before a cell is asked for
    model.data(model.index(0, _col("address")))
    model.data(model.index(1, _col("address")))
    assert len(calls) == 1 and calls[0] == min(200, model.rowCount())


def test_sort_by_age_descending(model: RosterModel) -> None:
    model.sort(_col("age"), Qt.SortOrder.DescendingOrder)
    ages = [model.data(model.index(r, _col("age"))) for r in range(model.rowCount())]
    numbers = [int(a) for a in ages if a]
    assert numbers == sorted(numbers, reverse=True)
    if "" in ages:  # unknown ages last
        assert ages.index("") == len(numbers)


def test_id_role_and_row_of(model: RosterModel) -> None:
    rid = model.data(model.index(3, 0), IdRole)
    assert model.id_at(3) == rid
    assert model.row_of(rid) == 3


def test_refresh_after_change_keeps_filter(model: RosterModel, demo_db: Any) -> None:
    from app.services import operations

    rid = model.id_at(0)
    with demo_db.session_scope() as s:
        operations.update(s, "retirees", rid, {"name": "龚子健"}, actor="测试")
    model.set_filters(RosterFilters(query="gzj"))
    assert rid not in model.ids()
    with demo_db.session_scope() as s:
        refresh_rows(s, model.index_data, [rid])
    model.resort()
    assert rid in model.ids()
    # Moved to the recycle bin: gone from every filter.
    with demo_db.session_scope() as s:
        operations.soft_delete(s, "retirees", rid, actor="测试")
        refresh_rows(s, model.index_data, [rid])
    model.resort()
    assert rid not in model.ids()
    model.set_filters(RosterFilters(statuses=("在册", "已故", "迁出")))
    assert rid not in model.ids()


def test_names_starting_with_the_query_come_first(model: RosterModel) -> None:
    from app.services.search import name_pinyin

    model.set_filters(RosterFilters(query="zh"))
    names = _names(model)
    starts = [n.startswith("zh") or any(p.startswith("zh") for p in name_pinyin(n)) for n in names]
    assert any(starts) and not all(starts)  # both kinds present in the demo data
    assert starts == sorted(starts, reverse=True)  # every prefix match before any other match


def test_new_person_sorts_alphabetically_by_name(model: RosterModel, demo_db: Any) -> None:
    from app.services import operations

    with demo_db.session_scope() as s:
        rid = operations.create(s, "retirees", {"name": "阿宝"}, actor="测试").id
        refresh_rows(s, model.index_data, [rid])
    model.sort(_col("name"), Qt.SortOrder.AscendingOrder)
    first = model.index_data.keys[model.index_data.position(model.id_at(0))]
    assert model.id_at(0) == rid, first  # "a bao" before every other name
