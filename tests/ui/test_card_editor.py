"""Editing the card set through the roster page, as the officer does."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit

from tests.ui.conftest import retiree


def _open_first(roster: Any) -> str:
    roster.select_row(0)
    roster.ctx.wait_idle()
    rid = roster.editor.retiree_id
    assert rid == roster.model.id_at(0)
    return rid


def test_open_demo_database_shows_roster_and_card(roster: Any, demo_db: Any) -> None:
    assert roster.model.rowCount() > 250
    assert roster.count_label.text() == f"共 {roster.model.rowCount()} 人"
    rid = _open_first(roster)
    r = retiree(demo_db, rid)
    assert roster.editor.basic["name"].raw() == r.name
    assert r.name in roster.editor.title.text()


def test_search_box_filters_by_pinyin_initials(roster: Any, qtbot: Any) -> None:
    from app.services.search import name_pinyin

    name = roster.model.index_data.cols["name"][roster.model.index_data.position(roster.model.id_at(7))]
    initials = name_pinyin(name)[1].split()[0]
    qtbot.keyClicks(roster.search, initials)
    shown = [roster.model.index_data.cols["name"][roster.model.index_data.position(i)] for i in roster.model.ids()]
    assert name in shown
    assert len(shown) < 60
    assert roster.count_label.text() == f"共 {len(shown)} 人"


def test_edit_and_save_a_card_goes_through_the_audit_log(roster: Any, demo_db: Any, qtbot: Any) -> None:
    from sqlmodel import select

    from app.models import AuditEntry

    rid = _open_first(roster)
    editor = roster.editor
    rev = retiree(demo_db, rid).rev
    address = editor.contact["address"].widget
    assert isinstance(address, QLineEdit)
    address.selectAll()
    address.insert("北京市海淀区学院路1号")  # QTest types ASCII only
    assert editor.dirty()
    qtbot.keyClick(address, Qt.Key.Key_Return)  # Enter saves
    roster.ctx.wait_idle()
    r = retiree(demo_db, rid)
    assert r.address == "北京市海淀区学院路1号"
    assert r.rev == rev + 1
    with demo_db.session_scope() as s:
        audit = s.exec(select(AuditEntry).where(AuditEntry.record_id == rid, AuditEntry.field == "address")).all()
    assert audit and audit[-1].new == "北京市海淀区学院路1号"
    assert not editor.dirty()


def test_invalid_id_number_is_rejected_inline(roster: Any, demo_db: Any, qtbot: Any) -> None:
    rid = _open_first(roster)
    editor = roster.editor
    before = retiree(demo_db, rid).id_number
    field = editor.basic["id_number"]
    field.widget.clear()
    qtbot.keyClicks(field.widget, "110101199001011230")  # wrong check digit
    assert field.error.isVisibleTo(editor) and "校验位" in field.error.text()
    assert editor.save() is False
    roster.ctx.wait_idle()
    assert "校验位" in editor.message.text()
    assert retiree(demo_db, rid).id_number == before


def test_id_number_fills_birth_date_and_sex_on_a_new_card(window: Any, roster: Any, demo_db: Any, qtbot: Any) -> None:
    from app.services.idcard import make_id_number

    window.new_retiree()  # Ctrl+N
    editor = roster.editor
    assert editor.retiree_id is None
    name = editor.basic["name"].widget
    name.insert("欧阳明")
    number = make_id_number("110105", date(1950, 3, 8), 123)  # odd: male
    qtbot.keyClicks(editor.basic["id_number"].widget, number)
    assert editor.basic["birth_date"].raw() == "1950-03-08"
    assert editor.basic["sex"].raw() == "男"
    with qtbot.waitSignal(editor.saved, timeout=5000) as blocker:
        qtbot.keyClick(editor.basic["id_number"].widget, Qt.Key.Key_Return)
    roster.ctx.wait_idle()
    r = retiree(demo_db, blocker.args[0])
    assert (r.name, r.sex, r.birth_date, r.id_number) == ("欧阳明", "男", "1950-03-08", number)
    assert roster.model.row_of(r.id) is not None  # appears in the roster at once


def _next_tab_stop(widget: Any) -> Any:
    nxt = widget.nextInFocusChain()
    while not (nxt.focusPolicy() & Qt.FocusPolicy.TabFocus) or nxt.focusProxy() is not None:
        nxt = nxt.nextInFocusChain()
    return nxt


def test_tab_order_follows_the_registry(roster: Any) -> None:
    from app.models.registry import Card, card_fields

    form = roster.editor.basic
    widgets = [form[f.name].widget for f in card_fields(Card.BASIC)]
    for here, there in zip(widgets, widgets[1:], strict=False):
        stop = _next_tab_stop(here.focusProxy() or here)
        assert stop is there or stop.parentWidget() is there, (here.objectName(), there.objectName())


def test_undo_reverts_the_last_change(window: Any, roster: Any, demo_db: Any, qtbot: Any) -> None:
    rid = _open_first(roster)
    editor = roster.editor
    before = retiree(demo_db, rid).note
    editor.basic["note"].widget.setText("临时备注")
    editor.basic["note"].edited.emit("note")
    editor.save()
    roster.ctx.wait_idle()
    assert retiree(demo_db, rid).note == "临时备注"
    window.undo_action.trigger()  # Ctrl+Z
    roster.ctx.wait_idle()
    assert retiree(demo_db, rid).note == before
    roster.ctx.wait_idle()
    assert editor.basic["note"].raw() == (before or "")


def test_delete_and_restore_from_recycle_bin(roster: Any, demo_db: Any, qtbot: Any) -> None:
    from app.ui.recycle_bin import RecycleBinDialog

    rid = _open_first(roster)
    count = roster.model.rowCount()
    roster.editor.delete_now()
    roster.ctx.wait_idle()
    assert retiree(demo_db, rid).deleted
    assert roster.model.rowCount() == count - 1
    assert rid not in roster.model.ids()

    dialog = RecycleBinDialog(roster.ctx, roster)
    qtbot.addWidget(dialog)
    roster.ctx.wait_idle()
    rows = [r for r in range(dialog.model.rowCount()) if dialog.model.record(r).id == rid]
    assert rows
    dialog.view.selectRow(rows[0])
    dialog.restore_selected()
    roster.ctx.wait_idle()
    assert not retiree(demo_db, rid).deleted
    assert rid in roster.model.ids()


def test_add_a_visit_from_the_card(roster: Any, demo_db: Any, qtbot: Any) -> None:
    from sqlmodel import select

    from app.models import Visit
    from app.ui.visit_dialog import VisitDialog

    rid = _open_first(roster)
    visits_before = roster.editor.visits.rowCount()
    dialog = VisitDialog(roster.ctx, [rid], roster)
    qtbot.addWidget(dialog)
    form = dialog.form
    assert form["visit_date"].raw() == date.today().isoformat()
    assert form["visitors"].raw()  # the last visitors are suggested
    kind = form["kind"].widget
    assert isinstance(kind, QComboBox)
    kind.setCurrentText("电话联系")
    form["summary"].widget.insertPlainText("身体尚可，需要代买药品")
    qtbot.keyClicks(form["money_fen"].widget, "200")
    dialog.save()
    roster.ctx.wait_idle()
    with demo_db.session_scope() as s:
        got = s.exec(select(Visit).where(Visit.retiree_id == rid, Visit.summary == "身体尚可，需要代买药品")).all()
    assert len(got) == 1 and got[0].kind == "电话联系" and got[0].money_fen == 20000
    roster.ctx.wait_idle()
    assert roster.editor.visits.rowCount() == visits_before + 1


def test_bad_money_in_visit_is_refused(roster: Any, qtbot: Any) -> None:
    from app.ui.visit_dialog import VisitDialog

    rid = _open_first(roster)
    dialog = VisitDialog(roster.ctx, [rid], roster)
    qtbot.addWidget(dialog)
    dialog.form["money_fen"].widget.insert("五百")
    dialog.save()
    assert "金额" in dialog.message.text()


def test_leaving_with_unsaved_changes_asks(roster: Any, demo_db: Any, monkeypatch: Any) -> None:
    rid = _open_first(roster)
    editor = roster.editor
    editor.basic["note"].widget.setText("没保存的备注")
    asked: list[str] = []
    monkeypatch.setattr(editor, "ask_unsaved", lambda: asked.append("x") or "cancel")
    roster.select_row(1)
    roster.ctx.wait_idle()
    assert asked and editor.retiree_id == rid  # stayed
    monkeypatch.setattr(editor, "ask_unsaved", lambda: "discard")
    roster.select_row(1)
    roster.ctx.wait_idle()
    assert editor.retiree_id == roster.model.id_at(1)
    assert retiree(demo_db, rid).note != "没保存的备注"


def test_register_death(roster: Any, demo_db: Any) -> None:
    rid = _open_first(roster)
    roster.editor.register_death(date.today().isoformat())
    roster.ctx.wait_idle()
    r = retiree(demo_db, rid)
    assert r.status == "已故" and r.death_date == date.today().isoformat()
    assert rid not in roster.model.ids()  # deceased are hidden by default


def _dialogs(parent: Any) -> list[Any]:
    from app.ui.record_form import RecordDialog

    return [d for d in parent.findChildren(RecordDialog) if d.isVisible()]


def _deliveries(db: Any, rid: str) -> list[Any]:
    from sqlmodel import select

    from app.models import NoticeDelivery

    with db.session_scope() as s:
        return list(s.exec(select(NoticeDelivery).where(NoticeDelivery.retiree_id == rid,
                                                        NoticeDelivery.deleted == False)))  # noqa: E712


def test_record_a_notice_delivery_on_the_card(roster: Any, demo_db: Any, qtbot: Any) -> None:
    rid = _open_first(roster)
    editor = roster.editor
    before = editor.deliveries.rowCount()
    assert len(_deliveries(demo_db, rid)) == before
    editor.window().activateWindow()
    editor.tabs.setFocus()
    qtbot.waitUntil(editor.tabs.hasFocus)
    qtbot.keyClick(editor.tabs, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    roster.ctx.wait_idle()
    (dialog,) = _dialogs(editor)
    form = dialog.form
    combo = form["notice_id"].widget
    assert combo.count() >= 2 and form["notice_id"].raw()  # the newest notice preselected
    combo.setCurrentIndex(combo.count() - 1)
    notice_id = combo.currentData()
    form["told_whom"].widget.setText("老伴")
    dialog.save()
    roster.ctx.wait_idle()
    roster.ctx.wait_idle()
    got = [d for d in _deliveries(demo_db, rid) if d.told_whom == "老伴"]
    assert len(got) == 1
    assert (got[0].notice_id, got[0].method, got[0].delivered_on, got[0].acknowledged) == \
        (notice_id, "上门", date.today(), True)
    assert editor.deliveries.rowCount() == before + 1
    roster.ctx.undo_last()
    roster.ctx.wait_idle()
    assert not [d for d in _deliveries(demo_db, rid) if d.told_whom == "老伴"]


def test_a_delivery_without_a_date_is_refused(roster: Any, demo_db: Any) -> None:
    rid = _open_first(roster)
    before = len(_deliveries(demo_db, rid))
    roster.editor.add_delivery()
    roster.ctx.wait_idle()
    (dialog,) = _dialogs(roster.editor)
    dialog.form["delivered_on"].widget.setText("")
    dialog.save()
    roster.ctx.wait_idle()
    assert "告知日期" in dialog.message.text() and dialog.isVisible()
    assert len(_deliveries(demo_db, rid)) == before


def test_issue_a_notice_then_record_it(roster: Any, demo_db: Any) -> None:
    from sqlmodel import select

    from app.models import Notice

    rid = _open_first(roster)
    roster.editor.new_notice()
    (dialog,) = _dialogs(roster.editor)
    dialog.form["title"].widget.setText("2027年体检安排")
    dialog.form["kind"].widget.setCurrentText("体检通知")
    dialog.save()
    roster.ctx.wait_idle()
    roster.ctx.wait_idle()
    with demo_db.session_scope() as s:
        notice = s.exec(select(Notice).where(Notice.title == "2027年体检安排")).one()
        assert notice.issued_date == date.today()
    (dialog,) = _dialogs(roster.editor)  # straight on to the delivery, this notice chosen
    assert dialog.form["notice_id"].raw() == notice.id
    dialog.save()
    roster.ctx.wait_idle()
    assert [d.notice_id for d in _deliveries(demo_db, rid) if d.notice_id == notice.id] == [notice.id]
