"""The card set of one retiree: 基本信息, 待遇明细, 通信联系, 工作告知 and 走访记录.

The retiree's own fields (basic card plus phones, address, call time of the contacts card)
are edited in place and saved together through ``operations.update``/``create`` on the
writer thread, with the revision the form was loaded at (a stale form is refused, not
silently overwritten). Benefit history, contact persons, notices and visits are tables;
rows are added through registry dialogs.
"""

from __future__ import annotations

import importlib.util
from datetime import date
from typing import Any

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.models.registry import CARD_LABELS, Card, card_fields, spec
from app.services.idcard import IdNumberError, check_consistency, parse_id_number
from app.services.roster import CardRecords, age_from_iso
from app.ui.context import AppContext
from app.ui.record_form import RecordDialog, RecordForm
from app.ui.records_model import RecordColumn, RecordsModel, registry_columns

__all__ = ["CardEditor"]

BASIC_FIELDS = [f.name for f in card_fields(Card.BASIC)]
CONTACT_FIELDS = [f.name for f in card_fields(Card.CONTACTS)]
BENEFIT_COLUMNS = ("item", "amount_fen", "period", "effective_from", "effective_to", "note")
CONTACT_COLUMNS = ("kind", "name", "relation", "phones", "address", "marriage_date", "alive")
DELIVERY_COLUMNS = ("notice_id", "method", "delivered_on", "delivered_by", "told_whom", "acknowledged")
VISIT_COLUMNS = ("visit_date", "kind", "visitors", "summary", "money_fen", "gifts", "follow_up")


def _table(model: RecordsModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.setAlternatingRowColors(True)
    return view


class CardEditor(QWidget):
    """Shows and edits one person. ``saved(id)`` after a save; ``closed()`` after a delete."""

    saved = Signal(str)
    deleted = Signal(str)
    loaded = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.retiree_id: str | None = None
        self.rev: int | None = None
        self._records: CardRecords | None = None
        self._load_token = 0

        self.title = QLabel("请在左侧名单中选择人员，或按 Ctrl+N 新增")
        self.title.setObjectName("cardTitle")
        self._style_title()

        self.basic = RecordForm("retirees", BASIC_FIELDS, columns=1)
        self.basic.extra_check = self._cross_check
        self.contact = RecordForm("retirees", CONTACT_FIELDS, columns=1)
        for form in (self.basic, self.contact):
            form.edited.connect(self._update_buttons)

        self.benefits = RecordsModel(registry_columns("benefits", BENEFIT_COLUMNS), self)
        self.contacts = RecordsModel(registry_columns("contacts", CONTACT_COLUMNS), self)
        self.deliveries = RecordsModel(
            [RecordColumn(spec("notice_deliveries", "notice_id").label, lambda r: r["notice_id"]),
             *registry_columns("notice_deliveries", DELIVERY_COLUMNS[1:])], self)
        self.visits = RecordsModel(registry_columns("visits", VISIT_COLUMNS), self)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._scroll(self.basic), CARD_LABELS[Card.BASIC].removesuffix("卡"))
        self.tabs.addTab(self._with_button(_table(self.benefits), "新增待遇项目", self.add_benefit,
                                           "待遇调整请新增一条并填写原项目的截止日期：历史记录保留不改。"),
                         CARD_LABELS[Card.BENEFITS].removesuffix("卡"))
        contact_page = QWidget()
        cl = QVBoxLayout(contact_page)
        self.contact.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        cl.addWidget(self.contact)
        cl.addWidget(self._with_button(_table(self.contacts), "新增联系人", self.add_contact), 1)
        self.tabs.addTab(contact_page, CARD_LABELS[Card.CONTACTS].removesuffix("卡"))
        notices_page = self._with_button(_table(self.deliveries), "登记告知（Ctrl+G）",
                                         self.add_delivery)
        new_notice = QPushButton("新建告知事项…")
        new_notice.clicked.connect(self.new_notice)
        notices_page.layout().itemAt(0).layout().insertWidget(1, new_notice)
        self.tabs.addTab(notices_page, CARD_LABELS[Card.NOTICES].removesuffix("卡"))
        self.tabs.addTab(self._with_button(_table(self.visits), "记一次走访（Ctrl+W）", self.add_visit),
                         CARD_LABELS[Card.VISITS])

        self.save_button = QPushButton("保存（Enter）")
        self.save_button.setObjectName("saveButton")
        self.save_button.clicked.connect(self.save)
        self.revert_button = QPushButton("取消修改")
        self.revert_button.clicked.connect(self.revert)
        self.death_button = QPushButton("登记去世…")
        self.death_button.clicked.connect(self.register_death)
        self.delete_button = QPushButton("移入回收站")
        self.delete_button.clicked.connect(self.delete)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")

        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.revert_button)
        buttons.addStretch()
        buttons.addWidget(self.death_button)
        buttons.addWidget(self.delete_button)

        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addLayout(buttons)

        sc = QShortcut(QKeySequence("Ctrl+S"), self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(self.save)
        sc = QShortcut(QKeySequence("Ctrl+W"), self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(self.add_visit)
        sc = QShortcut(QKeySequence("Ctrl+G"), self)
        sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        sc.activated.connect(self.add_delivery)
        self.ctx.data_changed.connect(self._on_data_changed)
        self._set_enabled(False)

    def _style_title(self) -> None:
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        # The title has its own (larger) font, so it must follow the text-size setting itself.
        if event.type() == QEvent.Type.FontChange:
            self._style_title()
        super().changeEvent(event)

    @staticmethod
    def _scroll(widget: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(widget)
        area.setFrameShape(QScrollArea.Shape.NoFrame)
        return area

    @staticmethod
    def _with_button(view: QWidget, text: str, slot: Any, hint: str = "") -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        button = QPushButton(text)
        button.clicked.connect(slot)
        row.addWidget(button)
        if hint:
            label = QLabel(hint)
            label.setWordWrap(True)
            row.addWidget(label, 1)
        row.addStretch()
        layout.addLayout(row)
        layout.addWidget(view, 1)
        return page

    # ------------------------------------------------------------------ loading
    def load(self, retiree_id: str) -> None:
        """Show a person (read on a pool thread; a later request wins)."""
        from app.services.roster import card_records

        self._load_token += 1
        token = self._load_token

        def read(_progress: Any, _cancelled: Any) -> CardRecords:
            with self.ctx.db.session_scope() as s:
                return card_records(s, retiree_id)

        def show(records: CardRecords) -> None:
            if token == self._load_token:
                self._show(records)

        self.ctx.run_job(read, label="读取卡册", on_done=show, cancellable=False)

    def _show(self, records: CardRecords) -> None:
        r = records.retiree
        self._records = records
        self.retiree_id = r.id
        self.rev = r.rev
        self._set_groups(records.groups)
        self.basic.load(r)
        self.contact.load(r)
        self.benefits.set_records(records.benefits)
        self.contacts.set_records(records.contacts)
        self.deliveries.set_records(records.deliveries)
        self.visits.set_records(records.visits)
        age = age_from_iso(r.birth_date, date.today()) if r.status == "在册" else None
        parts = [r.name, r.status]
        if age is not None:
            parts.insert(1, f"{age}岁")
        if r.category:
            parts.append(r.category)
        self.title.setText("　".join(parts))
        self.message.clear()
        self._set_enabled(True)
        self.loaded.emit(r.id)

    def _set_groups(self, groups: dict[str, str]) -> None:
        combo = self.basic["group_id"].widget
        current = self.basic["group_id"].raw()
        combo.blockSignals(True)
        combo.clear()  # type: ignore[attr-defined]
        combo.addItem("", "")  # type: ignore[attr-defined]
        for gid, name in groups.items():
            combo.addItem(name, gid)  # type: ignore[attr-defined]
        combo.blockSignals(False)
        self.basic["group_id"].set_raw(current)

    def new(self) -> None:
        """An empty card for a new person; the name field takes the focus."""
        self.retiree_id = None
        self.rev = None
        self._records = None
        if self.ctx is not None:
            from app.services.roster import group_names

            with self.ctx.db.session_scope() as s:
                self._set_groups(group_names(s))
        self.basic.load({"status": "在册", "birthday_calendar": "公历"})
        self.contact.load({})
        for model in (self.benefits, self.contacts, self.deliveries, self.visits):
            model.set_records([])
        self.title.setText("新增人员")
        self.message.clear()
        self._set_enabled(True)
        self.tabs.setCurrentIndex(0)
        first = self.basic.first_widget()
        if first is not None:
            first.setFocus()

    def clear(self) -> None:
        self.retiree_id = None
        self.rev = None
        self.basic.load({})
        self.contact.load({})
        for model in (self.benefits, self.contacts, self.deliveries, self.visits):
            model.set_records([])
        self.title.setText("请在左侧名单中选择人员，或按 Ctrl+N 新增")
        self._set_enabled(False)

    def _set_enabled(self, on: bool) -> None:
        self.tabs.setEnabled(on)
        existing = on and self.retiree_id is not None
        for b in (self.death_button, self.delete_button):
            b.setEnabled(existing)
        self._update_buttons()

    def _update_buttons(self, *_args: Any) -> None:
        dirty = self.dirty()
        self.save_button.setEnabled(self.tabs.isEnabled() and (dirty or self.retiree_id is None))
        self.revert_button.setEnabled(dirty)

    # ------------------------------------------------------------------ validation
    def _cross_check(self, name: str) -> None:
        """The ID number decides birth date and sex: fill them when empty, flag a mismatch."""
        if name not in ("id_number", "birth_date", "sex"):
            return
        number = self.basic["id_number"].raw()
        if not number:
            return
        try:
            info = parse_id_number(number)
        except IdNumberError as exc:
            self.basic["id_number"].set_error(str(exc))
            return
        birth_b, sex_b = self.basic["birth_date"], self.basic["sex"]
        if name == "id_number":
            if not birth_b.raw():
                birth_b.set_raw(info.birth_date.isoformat())
            if not sex_b.raw():
                sex_b.set_raw(info.sex)
        try:
            from app.models.partial_date import PartialDate

            birth = PartialDate.parse(birth_b.raw()) if birth_b.raw() else None
        except ValueError:
            return
        birth_b.set_error(None)
        sex_b.set_error(None)
        for msg in check_consistency(info, birth, sex_b.raw() or None):
            (birth_b if "出生" in msg else sex_b).set_error(msg)

    def dirty(self) -> bool:
        return self.tabs.isEnabled() and (self.basic.dirty() or self.contact.dirty())

    def changes(self) -> dict[str, Any]:
        return {**self.basic.changes(), **self.contact.changes()}

    # ------------------------------------------------------------------ actions
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        # Enter saves from any field: line edits, closed drop-downs and check boxes pass
        # Enter up to their parent (multi-line boxes too, see record_form._PlainText).
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if self.save_button.isEnabled():
                self.save()
            event.accept()
            return
        super().keyPressEvent(event)

    def save(self, on_done: Any = None) -> bool:
        """Validate, then write on the writer thread. False when nothing could be sent."""
        problems = self.basic.validate() + self.contact.validate()
        self._cross_check("id_number")
        if problems:
            self.message.setText("请先改正：" + "；".join(problems))
            return False
        changes = self.changes()
        actor = self.ctx.actor()
        rid, rev = self.retiree_id, self.rev
        if rid is None:
            values = {k: v for k, v in {**self.basic.values(), **self.contact.values()}.items()
                      if v not in ("", None)}

            def write(s: Any) -> Any:
                from app.services import operations

                return operations.create(s, "retirees", values, actor=actor)
            text = f"新增人员 {values.get('name', '')}"
        else:
            if not changes:
                return False

            def write(s: Any) -> Any:
                from app.services import operations

                return operations.update(s, "retirees", rid, changes, actor=actor, expected_rev=rev)
            text = f"修改 {self.basic['name'].raw()} 的卡片"

        def done(change: Any) -> None:
            self.message.clear()
            self.ctx.notify(f"已保存：{self.basic['name'].raw()}")
            self.retiree_id = change.id
            self.saved.emit(change.id)
            self.load(change.id)
            if on_done is not None:
                on_done(change)

        def failed(exc: BaseException) -> None:
            self.basic.show_problems(exc)
            self.contact.show_problems(exc)
            self.message.setText(str(exc))

        self.ctx.run_write(write, label="保存卡片", on_done=done, on_error=failed, undo_text=text)
        return True

    def revert(self) -> None:
        if self._records is not None:
            self.basic.load(self._records.retiree)
            self.contact.load(self._records.retiree)
        elif self.retiree_id is None:
            self.clear()
        self.message.clear()
        self._update_buttons()

    def ask_unsaved(self) -> str:
        """'save', 'discard' or 'cancel' (a dialog; tests replace it)."""
        if not self.ctx.interactive:  # tests and scripts: never block on a modal dialog
            return "discard"
        box = QMessageBox(QMessageBox.Icon.Question, "未保存的修改",
                          f"“{self.basic['name'].raw() or '新增人员'}”的卡片有未保存的修改，要保存吗？",
                          parent=self)
        save = box.addButton("保存", QMessageBox.ButtonRole.AcceptRole)
        discard = box.addButton("不保存", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(save)
        box.exec()
        clicked = box.clickedButton()
        return "save" if clicked is save else "discard" if clicked is discard else "cancel"

    def can_leave(self) -> bool:
        """Before showing another person or page: True when it is fine to go."""
        if not self.dirty():
            return True
        answer = self.ask_unsaved()
        if answer == "cancel":
            return False
        if answer == "save":
            return self.save()
        self.revert()
        return True

    def delete(self) -> None:
        rid = self.retiree_id
        if rid is None:
            return
        name = self.basic["name"].raw()
        if QMessageBox.question(self, "移入回收站",
                                f"把“{name}”移入回收站吗？\n以后可在“回收站”中恢复。") \
                != QMessageBox.StandardButton.Yes:
            return
        self.delete_now()

    def delete_now(self) -> None:
        rid, actor = self.retiree_id, self.ctx.actor()
        if rid is None:
            return
        name = self.basic["name"].raw()

        def write(s: Any) -> Any:
            from app.services import operations

            return operations.soft_delete(s, "retirees", rid, actor=actor)

        def done(_change: Any) -> None:
            self.ctx.notify(f"已移入回收站：{name}（Ctrl+Z 撤销）")
            self.clear()
            self.deleted.emit(rid)

        self.ctx.run_write(write, label="移入回收站", on_done=done, undo_text=f"删除 {name}")

    def register_death(self, death_date: str | None = None) -> None:
        rid = self.retiree_id
        if rid is None:
            return
        name = self.basic["name"].raw()
        if not isinstance(death_date, str):
            text, ok = QInputDialog.getText(self, "登记去世", f"{name} 的去世日期（年-月-日）：",
                                            text=date.today().isoformat())
            if not ok or not text.strip():
                return
            death_date = text.strip()
        actor = self.ctx.actor()
        has_rules = importlib.util.find_spec("app.services.care_rules") is not None

        def write(s: Any) -> Any:
            if has_rules:
                from app.services import care_rules

                if hasattr(care_rules, "register_death"):
                    return care_rules.register_death(s, rid, death_date, actor=actor)
            from app.services import operations

            return operations.update(s, "retirees", rid, {"status": "已故", "death_date": death_date},
                                     actor=actor)

        def done(result: Any) -> None:
            extra = ""
            amount = getattr(result, "amount_fen", 0)
            if amount:
                from app.models.registry import format_money

                extra = f"，按规定慰问金 {format_money(amount)} 元"
            self.ctx.notify(f"已登记 {name} 去世{extra}")
            self.load(rid)

        self.ctx.run_write(write, label="登记去世", on_done=done)

    # ------------------------------------------------------------------ child records
    def _child_dialog(self, table: str, names: tuple[str, ...], title: str,
                      defaults: dict[str, Any] | None = None) -> RecordDialog | None:
        rid = self.retiree_id
        if rid is None:
            return None
        form = RecordForm(table, names)
        form.load(defaults or {})
        actor = self.ctx.actor()

        def submit(values: dict[str, Any], dialog: RecordDialog) -> None:
            def write(s: Any) -> Any:
                from app.services import operations

                return operations.create(s, table, {**values, "retiree_id": rid}, actor=actor)

            def done(_change: Any) -> None:
                dialog.accept()
                self.load(rid)

            self.ctx.run_write(write, label=title, on_done=done, on_error=dialog.failed,
                               undo_text=title)

        return RecordDialog(f"{title} — {self.basic['name'].raw()}", form, submit, self)

    def add_benefit(self) -> None:
        dialog = self._child_dialog("benefits", BENEFIT_COLUMNS, "新增待遇项目",
                                    {"period": "每月", "effective_from": date.today()})
        if dialog is not None:
            dialog.open()

    def add_contact(self) -> None:
        dialog = self._child_dialog("contacts", CONTACT_COLUMNS + ("best_call_time", "note"),
                                    "新增联系人", {"alive": True})
        if dialog is not None:
            dialog.open()

    def add_visit(self) -> None:
        if self.retiree_id is None:
            return
        from app.ui.visit_dialog import VisitDialog

        VisitDialog(self.ctx, [self.retiree_id], self).open()

    def add_delivery(self, notice_id: str | None = None) -> None:
        """登记告知: record that this person was told of a notice."""
        rid = self.retiree_id
        if rid is None:
            return
        from app.ui.notice_dialogs import record_delivery

        self.tabs.setCurrentIndex(3)
        # The card reloads on the change itself (``_on_data_changed``).
        record_delivery(self.ctx, [rid], self, who=self.basic["name"].raw(), notice_id=notice_id)

    def new_notice(self) -> None:
        """新建告知事项, then straight on to recording it for this person."""
        from app.ui.notice_dialogs import new_notice_dialog

        new_notice_dialog(self.ctx, self, self.add_delivery if self.retiree_id else None).open()

    def _on_data_changed(self, table: str, ids: list[str]) -> None:
        # A change made elsewhere (an undo, a visit from the roster or the visit list) shows
        # up on the open card, unless the officer is in the middle of editing it.
        if not self.retiree_id or self.dirty():
            return
        if table in ("visits", "benefits", "contacts", "notice_deliveries") or (table == "retirees" and (not ids or self.retiree_id in ids)):
            self.load(self.retiree_id)
