"""The 数据同步 page driven like a user: export at a unit, preview and apply at headquarters,
resolve a conflict, undo an import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.services import operations as ops
from tests.sync.conftest import Network, add_people


@pytest.fixture
def two(qapp: Any, tmp_path: Path) -> Iterator[tuple[Any, Any, Any, Any]]:
    from app.ui.context import AppContext
    from app.ui.pages.sync_page import SyncPage

    net = Network(tmp_path)
    hq = net.headquarters()
    u1 = net.child(hq, "U1", "一分公司")
    add_people(u1, "张三", "李四")
    hq_ctx, u1_ctx = AppContext(hq.db, interactive=False), AppContext(u1.db, interactive=False)
    hq_page, u1_page = SyncPage(hq_ctx), SyncPage(u1_ctx)
    for c in (hq_ctx, u1_ctx):
        c.wait_idle()
    yield hq, u1, hq_page, u1_page
    for c in (hq_ctx, u1_ctx):
        c.wait_idle()
        c.shutdown()
    net.close()


def _cells(table: Any, row: int) -> list[str]:
    return [table.item(row, c).text() if table.item(row, c) else "" for c in range(table.columnCount())]


def test_export_preview_apply_and_undo(two, tmp_path: Path) -> None:
    hq, u1, hq_page, u1_page = two
    assert "一分公司" in u1_page.identity.text() and "指纹" in u1_page.identity.text()
    assert u1_page.peer.count() == 1 and u1_page.peer.currentData() == "HQ"
    bundle = tmp_path / "up.rdb"
    u1_page.export_to("HQ", bundle)
    u1_page.ctx.wait_idle()
    assert bundle.exists() and u1_page.ctx.last_error is None
    hq_page.preview_files([bundle])
    hq_page.ctx.wait_idle()
    row = _cells(hq_page.preview, 0)
    assert row[0] == "up.rdb" and row[1] == "一分公司" and int(row[3]) >= 2  # 新增
    assert hq_page.apply_btn.isEnabled()
    assert hq.people() == {}  # a preview writes nothing
    hq_page.apply_pending()
    hq_page.ctx.wait_idle()
    assert {p.name for p in hq.people().values()} == {"张三", "李四"}
    assert "已导入 1 个数据包" in hq_page.preview_note.text()
    hq_page.refresh()
    hq_page.ctx.wait_idle()
    units = {_cells(hq_page.units, r)[0]: _cells(hq_page.units, r) for r in range(hq_page.units.rowCount())}
    assert units["U1"][2] == "2" and units["U1"][4] == "正常"
    assert hq_page.log.rowCount() >= 1 and _cells(hq_page.log, 0)[1] == "收到"
    hq_page.undo_now()
    hq_page.ctx.wait_idle()
    assert hq.people() == {}


def test_rejected_bundle_is_shown_and_changes_nothing(two, tmp_path: Path) -> None:
    hq, u1, hq_page, _ = two
    bad = tmp_path / "bad.rdb"
    bad.write_bytes(b"not a bundle")
    hq_page.preview_files([bad])
    hq_page.ctx.wait_idle()
    assert "拒收" in _cells(hq_page.preview, 0)[-1]
    assert not hq_page.apply_btn.isEnabled()


def test_conflict_is_resolved_from_the_page(two) -> None:
    hq, u1, hq_page, _ = two
    u1.send(hq)
    hq.send(u1)
    rid = next(iter(hq.people()))
    with u1.db.session_scope() as s:
        ops.update(s, "retirees", rid, {"note": "单位写的"}, actor="u1")
    with hq.db.session_scope() as s:
        ops.update(s, "retirees", rid, {"note": "总部写的"}, actor="hq")
    u1.send(hq)
    hq_page.refresh()
    hq_page.ctx.wait_idle()
    assert hq_page.conflicts.rowCount() == 1
    assert _cells(hq_page.conflicts, 0)[4:] == ["总部写的", "单位写的"]
    hq_page.conflicts.selectRow(0)
    hq_page.resolve_selected("theirs")
    hq_page.ctx.wait_idle()
    assert hq.people()[rid].note == "单位写的"
    hq_page.refresh()
    hq_page.ctx.wait_idle()
    assert hq_page.conflicts.rowCount() == 0


def test_headquarters_roster_filters_by_unit(qapp: Any, tmp_path: Path) -> None:
    from app.ui.context import AppContext
    from app.ui.pages.roster_page import RosterPage

    net = Network(tmp_path)
    try:
        hq = net.headquarters()
        u1, u2 = net.child(hq, "U1", "一分公司"), net.child(hq, "U2", "二分公司")
        ones = set(add_people(u1, "张一", "李一"))
        twos = set(add_people(u2, "王二"))
        u1.send(hq)
        u2.send(hq)
        ctx = AppContext(hq.db, interactive=False)
        page = RosterPage(ctx)
        ctx.wait_idle()
        assert not page.unit_box.isHidden()
        assert set(page.model.ids()) == ones | twos
        page.unit_box.setCurrentIndex(page.unit_box.findText("二分公司（U2）"))
        ctx.wait_idle()
        assert set(page.model.ids()) == twos
        page.clear_filters()
        assert set(page.model.ids()) == ones | twos
        from app.ui.pages.stats_page import StatsPage

        stats = StatsPage(ctx)
        ctx.wait_idle()
        assert not stats.unit.isHidden() and stats.data["people"]["on_roll"] == 3
        stats.unit.setCurrentIndex(stats.unit.findText("一分公司（U1）"))
        ctx.wait_idle()
        assert stats.data["people"]["on_roll"] == 2
        ctx.wait_idle()
        ctx.shutdown()
        # A unit's own database has one unit: no unit box.
        ctx1 = AppContext(u1.db, interactive=False)
        own = RosterPage(ctx1)
        ctx1.wait_idle()
        assert own.unit_box.isHidden()
        ctx1.shutdown()
    finally:
        net.close()


def test_notice_end_to_end_through_the_pages(two) -> None:
    # Headquarters issues a notice on its page; it travels down; the unit records that 张三
    # was told; the delivery travels up; headquarters sees 李四 not yet told.
    from app.ui.notice_dialogs import delivery_dialog, read_notices
    from app.ui.record_form import RecordDialog

    hq, u1, hq_page, u1_page = two
    u1.send(hq)
    hq_page.new_notice()
    (dialog,) = [d for d in hq_page.findChildren(RecordDialog) if d.isVisible()]
    dialog.form["title"].widget.setText("2027年度养老金资格认证")
    dialog.form["kind"].widget.setCurrentText("资格认证")
    dialog.save()
    hq_page.ctx.wait_idle()
    assert not dialog.isVisible()
    hq.send(u1)
    with u1.db.session_scope() as s:
        notices = read_notices(s)
    assert [t for t in notices.values() if t.startswith("2027年度养老金资格认证")]
    zhang = next(rid for rid, p in u1.people().items() if p.name == "张三")
    dialog = delivery_dialog(u1_page.ctx, [zhang], notices, u1_page, title="登记告知")
    dialog.form["method"].widget.setCurrentText("电话")
    dialog.save()
    u1_page.ctx.wait_idle()
    u1.send(hq)
    hq_page.tabs.setCurrentIndex(hq_page.notices_tab)
    hq_page.ctx.wait_idle()
    hq_page.ctx.wait_idle()
    assert _cells(hq_page.notices, 0)[:6] == ["2027年度养老金资格认证", "资格认证", _cells(hq_page.notices, 0)[2],
                                              "1", "1", "1"]
    unit_rows = {_cells(hq_page.notice_units, r)[0]: _cells(hq_page.notice_units, r)
                 for r in range(hq_page.notice_units.rowCount())}
    assert unit_rows["一分公司"][1:] == ["1", "1", "1", "李四"]


def test_headquarters_reminders_filter_by_unit(qapp: Any, tmp_path: Path) -> None:
    from datetime import date

    from app.ui.context import AppContext
    from app.ui.pages.reminders_page import RemindersPage

    net = Network(tmp_path)
    try:
        hq = net.headquarters()
        u1, u2 = net.child(hq, "U1", "一分公司"), net.child(hq, "U2", "二分公司")
        ones = set(add_people(u1, "张一", "李一"))
        (wang,) = add_people(u2, "王二")
        with u2.db.session_scope() as s:  # a death at U2: the condolence visit is due there
            ops.update(s, "retirees", wang, {"status": "已故", "death_date": date.today()}, actor="u2")
            ops.create(s, "care_cases", {"retiree_id": wang, "kind": "丧事", "opened_on": date.today()},
                       actor="u2")
        u1.send(hq)
        u2.send(hq)
        ctx = AppContext(hq.db, interactive=False)
        page = RemindersPage(ctx)
        ctx.wait_idle()
        assert not page.unit.isHidden()
        assert {r.retiree_id for r in page._all} == ones | {wang}
        page.unit.setCurrentIndex(page.unit.findText("一分公司（U1）"))
        ctx.wait_idle()
        assert {r.retiree_id for r in page._all} == ones and "call" in {r.kind for r in page._all}
        page.unit.setCurrentIndex(page.unit.findText("二分公司（U2）"))
        ctx.wait_idle()
        assert [(r.retiree_id, r.kind) for r in page._all] == [(wang, "bereavement")]
        ctx.wait_idle()
        ctx.shutdown()
    finally:
        net.close()
