"""回收站: records moved to the bin (tombstones) and restoring them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.registry import CARD_LABELS, Card
from app.ui.context import AppContext
from app.ui.records_model import RecordColumn, RecordsModel

__all__ = ["RecycleBinDialog", "BinEntry", "BIN_TABLES", "read_bin"]

# Tables whose deleted rows the officer may bring back from here, with how to name a row.
BIN_TABLES: dict[str, str] = {
    "retirees": "人员",
    "visits": CARD_LABELS[Card.VISITS],
    "benefits": "待遇项目",
    "contacts": "联系人",
}


@dataclass(frozen=True)
class BinEntry:
    table: str
    id: str
    kind: str
    text: str
    deleted_at: datetime | None
    deleted_by: str


def _describe(table: str, obj: Any, names: dict[str, str]) -> str:
    if table == "retirees":
        return obj.name
    who = names.get(obj.retiree_id, "")
    if table == "visits":
        return f"{who}：{obj.visit_date} {obj.kind}"
    if table == "benefits":
        return f"{who}：{obj.item}"
    return f"{who}：{obj.kind} {obj.name}"


def read_bin(session: Any) -> list[BinEntry]:
    """Everything in the bin, newest first."""
    from app.services import operations
    from app.services.roster import names_of

    found = {t: operations.deleted_records(session, t) for t in BIN_TABLES}
    owner_ids = sorted({o.retiree_id for t, rows in found.items() if t != "retirees" for o in rows})
    names = names_of(session, owner_ids)
    out = [BinEntry(t, o.id, BIN_TABLES[t], _describe(t, o, names), o.updated_at, o.updated_by)
           for t, rows in found.items() for o in rows]
    out.sort(key=lambda e: e.deleted_at or datetime.min, reverse=True)
    return out


class RecycleBinDialog(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("回收站")
        self.resize(720, 420)
        self.model = RecordsModel([
            RecordColumn("类别", lambda e: e.kind),
            RecordColumn("内容", lambda e: e.text),
            RecordColumn("删除时间", lambda e: f"{e.deleted_at.astimezone():%Y-%m-%d %H:%M}"
                         if e.deleted_at else ""),
            RecordColumn("删除人", lambda e: e.deleted_by),
        ], self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.doubleClicked.connect(lambda _i: self.restore_selected())
        self.info = QLabel("移入回收站的记录不会丢失，选中后点“恢复”即可找回。")
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton("恢复所选", QDialogButtonBox.ButtonRole.ActionRole)
        self.restore_button.clicked.connect(self.restore_selected)
        close = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        close.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.info)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        def read(_p: Any, _c: Any) -> list[BinEntry]:
            with self.ctx.db.session_scope() as s:
                return read_bin(s)

        self.ctx.run_job(read, label="读取回收站", on_done=self._show, cancellable=False)

    def _show(self, entries: list[BinEntry]) -> None:
        self.model.set_records(entries)
        self.restore_button.setEnabled(bool(entries))
        if not entries:
            self.info.setText("回收站是空的。")

    def restore_selected(self) -> None:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        entries = [self.model.record(r) for r in rows]
        if not entries:
            return
        actor = self.ctx.actor()

        def write(s: Any) -> list[Any]:
            from app.services import operations

            # People first: a visit comes back only when its person is not in the bin.
            ordered = sorted(entries, key=lambda e: e.table != "retirees")
            return [operations.restore(s, e.table, e.id, actor=actor) for e in ordered]

        def done(changes: list[Any]) -> None:
            self.ctx.notify(f"已恢复 {len(changes)} 条记录")
            self.refresh()

        self.ctx.run_write(write, label="恢复记录", on_done=done, undo_text="恢复")
