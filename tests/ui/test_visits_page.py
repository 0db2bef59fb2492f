"""走访慰问: the visit list per period, and quick entry for the people selected in the roster."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.ui.pages.visits_page import period_range


def test_period_ranges() -> None:
    today = date(2026, 11, 22)
    assert period_range("本月", today) == (date(2026, 11, 1), date(2026, 11, 30))
    assert period_range("本季度", today) == (date(2026, 10, 1), date(2026, 12, 31))
    assert period_range("本年", today) == (date(2026, 1, 1), date(2026, 12, 31))
    assert period_range("上一年", today) == (date(2025, 1, 1), date(2025, 12, 31))
    assert period_range("本月", date(2026, 12, 5)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert period_range("全部", today) == (None, None)


def test_visit_list_filters_by_period_and_kind(window: Any) -> None:
    page = window.show_page("visits")
    window.ctx.wait_idle()
    start, end = period_range("本年")
    rows = page.model.records()
    assert rows and all(start <= r.visit_date <= end for r in rows)
    page.kind_box.setCurrentIndex(page.kind_box.findData("电话联系"))
    window.ctx.wait_idle()
    phone = page.model.records()
    assert phone and len(phone) < len(rows) and {r.kind for r in phone} == {"电话联系"}
    page.period_box.setCurrentText("全部")
    window.ctx.wait_idle()
    assert len(page.model.records()) >= len(phone)
    assert page.summary.text().startswith(f"共 {len(page.model.records())} 次")


def test_quick_entry_for_several_selected_people(window: Any, qtbot: Any) -> None:
    from PySide6.QtCore import QItemSelectionModel

    from app.ui.visit_dialog import VisitDialog

    roster = window.roster()
    window.ctx.wait_idle()
    sm = roster.table.selectionModel()
    for row in (0, 2, 4):
        sm.select(roster.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                  | QItemSelectionModel.SelectionFlag.Rows)
    ids = window.ctx.selected_retiree_ids()
    assert len(ids) == 3
    page = window.show_page("visits")
    window.ctx.wait_idle()
    page.period_box.setCurrentText("本月")
    window.ctx.wait_idle()
    before = len(page.model.records())
    dialog = VisitDialog(window.ctx, ids, page, kind="春节走访")
    qtbot.addWidget(dialog)
    dialog.form["gifts"].widget.insert("米、油")
    dialog.save()
    window.ctx.wait_idle()
    window.ctx.wait_idle()  # the list re-reads after data_changed
    after = page.model.records()
    assert len(after) == before + 3
    assert {r.retiree_id for r in after if r.gifts == "米、油"} == set(ids)


def test_delete_visit_and_undo(window: Any) -> None:
    page = window.show_page("visits")
    window.ctx.wait_idle()
    victim = page.model.record(0)
    page.view.selectRow(0)
    page.delete_selected(confirm=False)
    window.ctx.wait_idle()
    assert victim.id not in {r.id for r in page.model.records()}
    window.undo()
    window.ctx.wait_idle()
    window.ctx.wait_idle()
    assert victim.id in {r.id for r in page.model.records()}
