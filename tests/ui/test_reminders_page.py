"""提醒, 统计 and 慰问规则 pages over a small exact database, with fixed dates."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import Qt
from sqlmodel import select

A = "测试员"
ON = date(2026, 1, 10)


@pytest.fixture
def small_ctx(qapp: Any, db: Any) -> Iterator[Any]:
    from app.services import operations
    from app.services.fund import set_budget
    from app.ui.context import AppContext

    with db.session_scope() as s:
        g = operations.create(s, "liaison_groups", {"name": "建国路第1组"}, actor=A).id
        old = operations.create(s, "retirees", {"name": "王德明", "birth_date": "1946-01-12",
                                                "category": "退休", "group_id": g}, actor=A).id
        young = operations.create(s, "retirees", {"name": "李秀英", "birth_date": "1960-05-01",
                                                  "category": "内退", "group_id": g}, actor=A).id
        operations.create(s, "visits", {"retiree_id": young, "kind": "家访",
                                        "visit_date": date(2026, 1, 5)}, actor=A)
        operations.create(s, "care_cases", {"retiree_id": old, "kind": "住院",
                                            "opened_on": date(2026, 1, 9)}, actor=A)
        set_budget(s, 2025, "1000", actor=A)
        operations.create(s, "visits", {"retiree_id": old, "kind": "家访",
                                        "visit_date": date(2025, 3, 1)}, actor=A)
    context = AppContext(db, interactive=False)
    context.ids = {"old": old, "young": young}  # type: ignore[attr-defined]
    yield context
    context.wait_idle()
    context.shutdown()


def _rows(page: Any) -> dict[str, list[tuple[str, str]]]:
    """What the tree view shows: group title → (name, what) per row, read through the model."""
    model = page.tree.model()
    out: dict[str, list[tuple[str, str]]] = {}
    for i in range(model.rowCount()):
        parent = model.index(i, 0)
        out[parent.data()] = [(model.index(j, 1, parent).data(), model.index(j, 2, parent).data())
                              for j in range(model.rowCount(parent))]
    return out


def test_reminders_grouped_by_horizon(qtbot: Any, qtmodeltester: Any, small_ctx: Any) -> None:
    from app.ui.pages.reminders_page import RemindersPage

    page = RemindersPage(small_ctx, today=ON)
    qtbot.addWidget(page)
    small_ctx.wait_idle()
    page.horizon.setCurrentText("今天")
    rows = _rows(page)
    assert rows["家访到期（1）"] == [("王德明", "季度家访")]  # 79 today: not yet a key person
    assert "住院慰问（1）" not in rows  # first hospital visit due on the 12th
    assert "生日祝寿（1）" not in rows
    page.horizon.setCurrentText("本周")
    rows = _rows(page)
    assert rows["住院慰问（1）"] == [("王德明", "住院看望")]
    assert rows["生日祝寿（1）"] == [("王德明", "80岁生日")]  # 12 January
    page.horizon.setCurrentText("本月")
    rows = _rows(page)
    assert ("李秀英", "每月电话联系") in rows["电话联系到期（2）"]
    assert rows["春节尚未走访（2）"]
    qtmodeltester.check(page.model)
    page.kind_box.setCurrentIndex(page.kind_box.findData("hospital"))
    assert list(_rows(page)) == ["住院慰问（1）"]
    assert "共 1 项" in page.summary.text()


def test_enter_logs_the_visit(qtbot: Any, small_ctx: Any) -> None:
    from app.models import Visit
    from app.ui.pages.reminders_page import RemindersPage

    page = RemindersPage(small_ctx, today=ON)
    qtbot.addWidget(page)
    page.show()
    small_ctx.wait_idle()
    page.horizon.setCurrentText("本周")
    hospital = [r for r in page.shown if r.kind == "hospital"]
    page.select(hospital)
    assert page.selected() == hospital
    page.tree.setFocus()
    qtbot.keyClick(page.tree, Qt.Key.Key_Return)
    small_ctx.wait_idle()
    small_ctx.wait_idle()
    with small_ctx.db.session_scope() as s:
        v = s.exec(select(Visit).where(Visit.kind == "住院慰问")).one()
        assert (v.retiree_id, v.visit_date, v.case_id) == (hospital[0].retiree_id, ON, hospital[0].case_id)
    # The list was recomputed: the hospital visit is now a follow-up two weeks on.
    assert not [r for r in page.shown if r.kind == "hospital"]
    page.horizon.setCurrentText("本月")
    assert [r.title for r in page.shown if r.kind == "hospital"] == ["住院回访"]


def test_print_buttons_follow_the_printing_module(qtbot: Any, small_ctx: Any, tmp_path: Any) -> None:
    import importlib.util

    from app.ui.pages.reminders_page import RemindersPage

    page = RemindersPage(small_ctx, today=ON)
    qtbot.addWidget(page)
    small_ctx.wait_idle()
    available = importlib.util.find_spec("app.reports.documents") is not None
    assert all(b.isEnabled() == available for b in page.print_buttons.values())
    if not available:
        assert "尚未安装" in page.print_buttons["visit-sheet"].toolTip()
        return
    page.horizon.setCurrentText("本月")
    assert set(page.list_ids()) == set(small_ctx.ids.values())
    out = tmp_path / "visit.pdf"
    page.print_list("visit-sheet", out)
    small_ctx.wait_idle(30)
    assert small_ctx.last_error is None
    assert out.read_bytes()[:5] == b"%PDF-"


def test_stats_page_draws_the_year(qtbot: Any, qtmodeltester: Any, small_ctx: Any) -> None:
    from app.services.yearly_stats import year_stats
    from app.ui.pages.stats_page import StatsPage

    page = StatsPage(small_ctx, year=2025)
    qtbot.addWidget(page)
    small_ctx.wait_idle()
    with small_ctx.db.session_scope() as s:
        assert page.data == year_stats(s, 2025)
    assert "在册 2 人" in page.headline.text()
    assert len(page.people_chart.series()) == 1
    assert page.visits_chart.series()[0].count() == 3  # 家访, 电话联系, 其他走访
    assert len(page.fund_chart.series()) == 2
    table = page.groups.model()
    assert table.rowCount() == 1 and table.index(0, 0).data() == "建国路第1组"
    assert table.index(0, 1).data() == "2"
    qtmodeltester.check(page.group_model)
    page.budget_edit.setText("1500")
    page.save_budget()
    small_ctx.wait_idle()
    page.refresh()
    small_ctx.wait_idle()
    assert page.data["fund"]["budget_fen"] == 150000


def test_rules_settings_round_trip(qtbot: Any, small_ctx: Any) -> None:
    from app.services.care_rules import load_rules
    from app.ui.pages.rules_settings import RulesSettingsWidget

    w = RulesSettingsWidget(small_ctx)
    qtbot.addWidget(w)
    small_ctx.wait_idle()
    assert w.numbers["home_visit_days"].value() == 90
    assert w.condolence.rowCount() == 4 and w.condolence.item(0, 4).text() == "500.00"
    w.numbers["call_days"].setValue(45)
    w.rounds[75].setChecked(True)
    w.key_toggles["alone"].setChecked(False)
    w.condolence.item(3, 4).setText("600")
    w.save()
    small_ctx.wait_idle()
    assert small_ctx.last_error is None
    with small_ctx.db.session_scope() as s:
        rules = load_rules(s)
    assert rules["call_days"] == 45 and rules["birthday_rounds"] == [70, 75, 80, 90, 100]
    assert rules["key_person"]["alone"] is False
    assert rules["condolence"][3]["amount_fen"] == 60000
    w.model_date.setText("13-45")
    w.save()
    small_ctx.wait_idle()
    assert "劳模集体生日日期" in (small_ctx.last_error or "")
    w.reset()
    small_ctx.wait_idle()
    assert w.numbers["call_days"].value() == 30


def test_condolence_form_for_a_death_from_the_rule_table(qtbot: Any, small_ctx: Any, tmp_path: Any) -> None:
    import importlib.util
    import subprocess

    from app.services.care_rules import register_death
    from app.ui.pages.reminders_page import RemindersPage

    if importlib.util.find_spec("app.reports.documents") is None:
        pytest.skip("printing not installed")
    with small_ctx.db.session_scope() as s:
        register_death(s, small_ctx.ids["old"], "2026-01-08", actor=A)
    page = RemindersPage(small_ctx, today=ON)
    qtbot.addWidget(page)
    small_ctx.wait_idle()
    page.horizon.setCurrentText("今天")
    death = [r for r in page.shown if r.kind == "bereavement"]
    assert [r.title for r in death] == ["吊唁慰问家属"]
    page.select(death)
    out = tmp_path / "condolence.pdf"
    page.print_list("condolence", out)
    small_ctx.wait_idle(30)
    assert small_ctx.last_error is None
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "丧事慰问" in text and "500" in text and "丧事用车" in text
    # Mixed kinds cannot share one form.
    page.horizon.setCurrentText("本月")
    assert [r for r in page.shown if r.kind == "call"]
    page.select([*death, *[r for r in page.shown if r.kind == "call"]])
    page.print_list("condolence", tmp_path / "x.pdf")
    assert "只选一类" in (small_ctx.last_error or "")


def test_hidden_page_recomputes_only_when_shown(qtbot: Any, small_ctx: Any) -> None:
    from app.services import operations as ops
    from app.ui.pages.stats_page import StatsPage

    page = StatsPage(small_ctx, year=2025)
    qtbot.addWidget(page)  # never shown: hidden
    small_ctx.wait_idle()
    assert "在册 2 人" in page.headline.text()
    with small_ctx.db.session_scope() as s:
        ops.create(s, "retirees", {"name": "新来的"}, actor="t")
    small_ctx.data_changed.emit("retirees", [])
    small_ctx.wait_idle()
    assert "在册 2 人" in page.headline.text() and page._stale  # no work for a hidden page
    page.on_shown()
    small_ctx.wait_idle()
    assert "在册 3 人" in page.headline.text() and not page._stale
    small_ctx.data_changed.emit("audit_log", [])  # a table the page does not watch
    assert not page._stale
