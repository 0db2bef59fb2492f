"""走访慰问: the visit list of a period with filters, and quick entry."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.registry import format_money, spec
from app.services.roster import VisitRow
from app.ui.context import AppContext
from app.ui.records_model import RecordColumn, RecordsModel, registry_columns

__all__ = ["VisitsPage", "period_range", "PERIODS"]

PERIODS = ("本月", "本季度", "本年", "上一年", "全部")


def period_range(name: str, today: date | None = None) -> tuple[date | None, date | None]:
    today = today or date.today()
    if name == "本月":
        start = today.replace(day=1)
        end = (start.replace(year=start.year + 1, month=1) if start.month == 12
               else start.replace(month=start.month + 1))
        return start, date.fromordinal(end.toordinal() - 1)
    if name == "本季度":
        first = 3 * ((today.month - 1) // 3) + 1
        start = date(today.year, first, 1)
        end = date(today.year + 1, 1, 1) if first == 10 else date(today.year, first + 3, 1)
        return start, date.fromordinal(end.toordinal() - 1)
    if name == "本年":
        return date(today.year, 1, 1), date(today.year, 12, 31)
    if name == "上一年":
        return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)
    return None, None


class VisitsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._token = 0
        self.period_box = QComboBox()
        self.period_box.addItems(PERIODS)
        self.period_box.setCurrentText("本年")
        self.kind_box = QComboBox()
        self.kind_box.addItem(f"{spec('visits', 'kind').label}：全部", "")  # not None: see roster_page
        for k in spec("visits", "kind").choices:
            self.kind_box.addItem(k, k)
        self.search = QLineEdit()
        self.search.setPlaceholderText("按姓名、拼音首字母或走访人查找")
        self.search.setClearButtonEnabled(True)
        self.summary = QLabel()
        self.summary.setObjectName("visitSummary")
        for box in (self.period_box, self.kind_box):
            box.currentIndexChanged.connect(self.refresh)
        self.search.textChanged.connect(self.refresh)

        self.add_button = QPushButton("记走访（名单中选中的人员）")
        self.add_button.clicked.connect(self.add_visit)
        self.delete_button = QPushButton("删除所选")
        self.delete_button.clicked.connect(self.delete_selected)

        self.model = RecordsModel([
            RecordColumn(spec("visits", "retiree_id").label, lambda v: v.name),
            *registry_columns("visits", ("visit_date", "kind", "visitors", "summary")),
            # Most visits carry no money: a blank reads better than a column of 0.00.
            RecordColumn(spec("visits", "money_fen").label,
                         lambda v: format_money(v.money_fen) if v.money_fen else ""),
            *registry_columns("visits", ("gifts", "follow_up")),
            RecordColumn(spec("visits", "follow_up_done").label,
                         lambda v: ("是" if v.follow_up_done else "否") if v.follow_up else ""),
        ], self)
        self.view = QTableView()
        self.view.setObjectName("visitTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        char = self.fontMetrics().horizontalAdvance("中")
        for n, width in enumerate((5, 7, 6, 8, 22, 6, 8, 10, 4)):
            header.resizeSection(n, char * width + 16)

        bar = QHBoxLayout()
        bar.addWidget(self.period_box)
        bar.addWidget(self.kind_box)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.add_button)
        bar.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        ctx.data_changed.connect(lambda table, _ids: table == "visits" and self.refresh())
        self.refresh()

    def refresh(self, *_args: Any) -> None:
        from app.services.roster import list_visits

        start, end = period_range(self.period_box.currentText())
        kind = self.kind_box.currentData() or None
        query = self.search.text()
        self._token += 1
        token = self._token

        def read(_p: Any, _c: Any) -> list[VisitRow]:
            with self.ctx.db.session_scope() as s:
                return list_visits(s, start=start, end=end, kind=kind, query=query)

        def show(rows: list[VisitRow]) -> None:
            if token == self._token:
                self._show(rows)

        self.ctx.run_job(read, label="读取走访记录", on_done=show, cancellable=False)

    def _show(self, rows: list[VisitRow]) -> None:
        self.model.set_records(rows)
        people = len({r.retiree_id for r in rows})
        money = sum(r.money_fen for r in rows)
        open_follow = sum(1 for r in rows if r.follow_up and not r.follow_up_done)
        self.summary.setText(f"共 {len(rows)} 次，涉及 {people} 人，慰问金合计 {format_money(money)} 元，"
                             f"待跟进 {open_follow} 项")

    def add_visit(self) -> None:
        ids = self.ctx.selected_retiree_ids()
        if not ids:
            self.ctx.show_error("请先在“人员卡册”名单中选择走访对象（可多选），再回到这里记录。")
            return
        from app.ui.visit_dialog import VisitDialog

        VisitDialog(self.ctx, ids, self).open()

    def selected_visits(self) -> list[VisitRow]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.model.record(r) for r in rows]

    def delete_selected(self, *, confirm: bool = True) -> None:
        visits = self.selected_visits()
        if not visits:
            return
        if confirm and QMessageBox.question(self, "删除走访记录", f"把选中的 {len(visits)} 条走访记录移入回收站吗？") \
                != QMessageBox.StandardButton.Yes:
            return
        actor = self.ctx.actor()

        def write(s: Any) -> list[Any]:
            from app.services import operations

            return [operations.soft_delete(s, "visits", v.id, actor=actor) for v in visits]

        self.ctx.run_write(write, label="删除走访记录", undo_text="走访记录")
