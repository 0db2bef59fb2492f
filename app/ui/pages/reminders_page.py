"""提醒: what is due today, this week or this month, grouped by kind. Enter (or a double
click, or the button) logs the selected reminders as done; F5 recomputes; any list goes to
the printing issue's documents (visit sheet, phone sheet, payment list, condolence form)."""

from __future__ import annotations

import importlib.util
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QDate,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from app.services.reminders import KINDS, Reminder
from app.ui.pages.freshness import RefreshWhenShown
from app.ui.unit_filter import UnitFilter

__all__ = ["RemindersPage", "ReminderModel", "HORIZONS", "PRINTABLE"]

# Horizon label → days ahead of the chosen day.
HORIZONS: dict[str, int] = {"今天": 0, "本周": 7, "本月": 30}
# Print button label → document key of app.reports.documents.
PRINTABLE: dict[str, str] = {"走访登记表": "visit-sheet", "电话联系表": "phone-sheet",
                             "慰问金发放表": "payment-list", "慰问单": "condolence"}
# Tables whose change can change what is due.
_WATCHED = {"retirees", "visits", "care_cases", "contacts", "notice_deliveries", "notices",
            "settings", "care_rules"}
# Reminder kind → the occasion (payment kind) a condolence form is printed for.
OCCASIONS: dict[str, str] = {"bereavement": "丧事慰问", "hospital": "住院慰问", "birthday": "生日祝寿",
                             "wedding": "金婚祝贺", "spring_festival": "节日慰问"}
_OVERDUE = QBrush(QColor("#b00020"))
COLUMNS = ("到期日", "姓名", "事项", "说明", "联络小组")
_Index = QModelIndex | QPersistentModelIndex


class ReminderModel(QAbstractItemModel):
    """Two levels: one row per kind, its reminders below. Rows are made on demand, so a
    month with 20,000 reminders shows at once (a QTreeWidget would build 100,000 items).

    A group row's internal id is 0; a reminder's is its group's row + 1."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.groups: list[tuple[str, list[Reminder]]] = []
        self._bold = QFont()
        self._bold.setBold(True)

    def set_groups(self, groups: list[tuple[str, list[Reminder]]]) -> None:
        self.beginResetModel()
        self.groups = groups
        self.endResetModel()

    def reminder(self, index: _Index) -> Reminder | None:
        gid = index.internalId() if index.isValid() else 0
        return self.groups[gid - 1][1][index.row()] if gid else None

    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:
        if not parent.isValid():
            return self.createIndex(row, column, 0) if 0 <= row < len(self.groups) else QModelIndex()
        if parent.internalId() == 0 and 0 <= row < len(self.groups[parent.row()][1]):
            return self.createIndex(row, column, parent.row() + 1)
        return QModelIndex()

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self.groups)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.groups[parent.row()][1])
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return len(COLUMNS)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == 0:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.reminder(index)
        if r is None:
            kind, items = self.groups[index.row()]
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                return f"{KINDS[kind][0]}（{len(items)}）"
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            match index.column():
                case 0:
                    return r.due.isoformat() + ("（逾期）" if r.overdue else "")
                case 1:
                    return r.name
                case 2:
                    return r.title
                case 3:
                    return r.detail
                case 4:
                    return r.group_name
        if role == Qt.ItemDataRole.ForegroundRole and r.overdue and index.column() == 0:
            return _OVERDUE
        return None


def _reports_available() -> bool:
    try:
        return importlib.util.find_spec("app.reports.documents") is not None
    except (ImportError, ValueError):
        return False


class RemindersPage(RefreshWhenShown, QWidget):
    watched = frozenset(_WATCHED)

    def __init__(self, ctx: Any, parent: QWidget | None = None, *, today: date | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._token = 0
        self._all: list[Reminder] = []
        self.shown: list[Reminder] = []
        self._stale = True

        self.day = QDateEdit()
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        d = today or date.today()
        self.day.setDate(QDate(d.year, d.month, d.day))
        self.horizon = QComboBox()
        self.horizon.addItems(list(HORIZONS))
        self.horizon.setCurrentText("本周")
        self.kind_box = QComboBox()
        self.kind_box.addItem("全部提醒", None)
        for key, (label, _v) in KINDS.items():
            self.kind_box.addItem(label, key)
        # Headquarters (or a middle unit) sees every unit's people; this narrows it to one.
        self.unit = UnitFilter("remindersUnit")
        self.unit.currentIndexChanged.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setObjectName("reminderSummary")
        refresh = QPushButton("刷新（F5）")
        refresh.clicked.connect(self.refresh)
        self.day.dateChanged.connect(self.refresh)
        self.horizon.currentIndexChanged.connect(self._fill)
        self.kind_box.currentIndexChanged.connect(self._fill)

        self.model = ReminderModel(self)
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setUniformRowHeights(True)
        self.tree.doubleClicked.connect(lambda index: self.model.reminder(index) and self.complete_selected())
        # Wide enough for a full date after the tree's indentation, at any text size.
        self.tree.setColumnWidth(0, self.fontMetrics().horizontalAdvance("2026-11-22（逾期）") + 60)
        self.tree.setColumnWidth(1, 90)
        self.tree.setColumnWidth(2, 150)
        self.tree.setColumnWidth(3, 320)

        self.done_button = QPushButton("登记已办（Enter）")
        self.done_button.setToolTip("把所选提醒登记为今天已走访/已联系/已认证")
        self.done_button.clicked.connect(self.complete_selected)
        self.print_buttons: dict[str, QPushButton] = {}
        can_print = _reports_available()
        bottom = QHBoxLayout()
        bottom.addWidget(self.done_button)
        bottom.addStretch()
        for label, doc in PRINTABLE.items():
            button = QPushButton(f"打印{label}")
            button.setEnabled(can_print)
            button.setToolTip("把当前列表（或所选人员）送去打印" if can_print
                              else "打印功能尚未安装（app.reports.documents）")
            button.clicked.connect(lambda _=False, d=doc: self.print_list(d))
            self.print_buttons[doc] = button
            bottom.addWidget(button)

        top = QHBoxLayout()
        for w in (QLabel("日期："), self.day, QLabel("范围："), self.horizon, self.kind_box, self.unit,
                  refresh):
            top.addWidget(w)
        top.addStretch()
        top.addWidget(self.summary)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addLayout(bottom)

        for key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            sc = QShortcut(QKeySequence(key), self.tree)
            sc.setContext(Qt.ShortcutContext.WidgetShortcut)
            sc.activated.connect(self.complete_selected)
        QShortcut(QKeySequence(Qt.Key.Key_F5), self).activated.connect(self.refresh)
        ctx.data_changed.connect(self._on_data_changed)
        self.refresh()

    # -- data ----------------------------------------------------------------------------------
    def on_day(self) -> date:
        q = self.day.date()
        return date(q.year(), q.month(), q.day())

    def refresh(self) -> None:
        """Recompute the month ahead on a worker; the horizon only filters what is shown."""
        from app.services.reminders import compute_reminders

        self._token += 1
        token, on, db, unit_ids = self._token, self.on_day(), self.ctx.db, self.unit.unit_ids()
        self._stale = False
        self.summary.setText("正在计算……")

        def work(_progress: Any, _cancelled: Any) -> tuple[int, list[Reminder], list[tuple[str, str]]]:
            from app.services.units import units_with_people

            with db.session_scope() as s:
                return token, compute_reminders(s, on, HORIZONS["本月"], unit_ids=unit_ids), \
                    units_with_people(s)

        self.ctx.run_job(work, label="计算提醒", on_done=self._loaded, cancellable=False)

    def _loaded(self, result: tuple[int, list[Reminder], list[tuple[str, str]]]) -> None:
        token, items, units = result
        if token != self._token:
            return  # a newer computation is on its way
        self.unit.set_units(units)
        self._all = items
        self._fill()


    def _fill(self) -> None:
        on = self.on_day()
        last = on + timedelta(days=HORIZONS[self.horizon.currentText()])
        kind = self.kind_box.currentData()
        self.shown = [r for r in self._all
                      if (r.opens or r.due) <= last and (kind is None or r.kind == kind)]
        grouped: dict[str, list[Reminder]] = {}
        for r in self.shown:
            grouped.setdefault(r.kind, []).append(r)
        self.model.set_groups(list(grouped.items()))
        root = QModelIndex()
        for row in range(len(grouped)):
            self.tree.setFirstColumnSpanned(row, root, True)
        self.tree.expandAll()
        overdue = sum(r.overdue for r in self.shown)
        self.summary.setText(f"共 {len(self.shown)} 项，其中逾期 {overdue} 项" if self.shown
                             else "没有待办提醒")

    # -- actions -------------------------------------------------------------------------------
    def selected(self) -> list[Reminder]:
        out = []
        for index in self.tree.selectionModel().selectedRows():
            r = self.model.reminder(index)
            if r is not None:
                out.append(r)
        return out

    def select(self, reminders: list[Reminder]) -> None:
        """Select the rows of ``reminders`` (for keyboard use after a search, and tests)."""
        wanted = {(r.kind, r.retiree_id, r.due, r.case_id) for r in reminders}
        selection = QItemSelection()
        current = QModelIndex()
        for g, (_kind, items) in enumerate(self.model.groups):
            parent = self.model.index(g, 0)
            for i, r in enumerate(items):
                if (r.kind, r.retiree_id, r.due, r.case_id) in wanted:
                    first = self.model.index(i, 0, parent)
                    selection.select(first, self.model.index(i, len(COLUMNS) - 1, parent))
                    current = first
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        self.tree.selectionModel().select(selection, flags)
        if current.isValid():
            self.tree.selectionModel().setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)

    def complete_selected(self) -> None:
        """Log every selected reminder as done on the page's day (one write, one transaction)."""
        from app.services.reminders import complete

        items = self.selected()
        if not items:
            self.ctx.notify("请先选中要登记的提醒")
            return
        on, actor = self.on_day(), self.ctx.actor()

        def write(s: Any) -> list[Any]:
            return [complete(s, r, on=on, actor=actor) for r in items]

        def done(_changes: list[Any]) -> None:
            # The context's data_changed (from the returned changes) recomputes the list.
            self.ctx.notify(f"已登记 {len(items)} 项")

        self.ctx.run_write(write, label="登记已办", on_done=done)

    def list_ids(self) -> list[str]:
        """The people to print: the selected reminders' people, else everyone shown."""
        chosen = self.selected() or self.shown
        return list(dict.fromkeys(r.retiree_id for r in chosen))

    def print_list(self, doc: str, out: Path | None = None) -> None:
        if not _reports_available():
            self.ctx.show_error("打印功能尚未安装")
            return
        ids = self.list_ids()
        if not ids:
            self.ctx.notify("列表为空，没有可打印的内容")
            return
        options: dict[str, Any] = {}
        if doc == "condolence":
            kinds = {r.kind for r in (self.selected() or self.shown)}
            occasion = {OCCASIONS.get(k) for k in kinds}
            if len(occasion) != 1 or None in occasion:
                self.ctx.show_error("慰问单请只选一类提醒（住院、丧事、生日、金婚或春节）后再打印")
                return
            options["occasion"] = occasion.pop()
        if out is None:
            name, _ = QFileDialog.getSaveFileName(self, "保存为 PDF", f"{doc}.pdf", "PDF (*.pdf)")
            if not name:
                return
            out = Path(name)
        from app.reports.documents import build_pdf

        db, target, on = self.ctx.db, out, self.on_day()

        def work(progress: Any, cancelled: Any) -> Path:
            with db.session_scope() as s:
                if options.get("occasion") == "丧事慰问" and len(ids) == 1:
                    # One bereavement: the form says what the condolence rule table says.
                    from app.services.care_rules import condolence_options

                    options.update(condolence_options(s, ids[0]))
                return build_pdf(doc, s, target, ids=ids, progress=progress, cancel=cancelled,
                                 on=on, **options)

        self.ctx.run_job(work, label="生成打印文件",
                         on_done=lambda path: self.ctx.notify(f"已生成：{path}"))
