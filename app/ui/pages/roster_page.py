"""人员卡册: the roster (search box, filters, lazy table) beside the card editor."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.registry import spec
from app.services.ages import AGE_BAND_LABELS
from app.services.roster import RosterFilters, RosterIndex
from app.ui.context import AppContext
from app.ui.roster_model import COLUMNS, DEFAULT_COLUMNS, RosterModel

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

    from app.ui.card_editor import CardEditor

__all__ = ["RosterPage", "STATUS_CHOICES", "import_wizard_available", "open_import_wizard"]

ANY = "全部"
# Item data of the "any" entries. Never None: PySide6 6.12's currentData() drops a reference
# to None on every call, which crashes the interpreter at exit after enough keystrokes.
ANY_DATA = "\x00any"


def chosen(box: QComboBox) -> Any:
    """A filter box's value; None for "any"."""
    data = box.currentData()
    return None if data == ANY_DATA else data
# Status filter entries: label → statuses shown. Deceased and moved-out are hidden by default.
STATUS_CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("在册", ("在册",)),
    ("全部状态", ("在册", "已故", "迁出")),
    ("已故", ("已故",)),
    ("迁出", ("迁出",)),
)


class RosterTable(QTableView):
    """The roster's table view; ``painted`` is called after each paint of its rows.

    A paintEvent override rather than an event filter on the viewport: the first
    ``viewport()`` call from Python costs some 25 ms (PySide6 looks through every widget
    class it knows for the viewport's type), on the way to the first window."""

    def __init__(self, painted: Callable[[], None]) -> None:
        super().__init__()
        self._painted = painted

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        super().paintEvent(event)
        self._painted()


def import_wizard_available() -> bool:
    return importlib.util.find_spec("app.ui.import_wizard") is not None


def open_import_wizard(ctx: AppContext, parent: QWidget | None) -> None:
    if not import_wizard_available():
        ctx.show_error("Excel 导入功能尚在开发中")
        return
    from app.ui.import_wizard import ImportWizard  # type: ignore[import-not-found]

    ImportWizard(ctx, parent).exec()


class RosterPage(QWidget):
    current_changed = Signal(str)
    # The roster index is in the model (after each reload).
    loaded = Signal()
    # The table has been painted with rows for the first time (emitted once, after the paint).
    rows_painted = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._current_id: str | None = None
        self.model = RosterModel(self._fetch_details, self)
        self.model.count_changed.connect(self._show_count)

        self.search = QLineEdit()
        self.search.setObjectName("rosterSearch")
        self.search.setPlaceholderText("搜索：姓名、拼音或首字母、身份证尾号、电话、住址")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._apply_filters)
        self.count_label = QLabel("正在读取名单……")
        self.count_label.setObjectName("rosterCount")

        # Shown only when people of several units are here (headquarters, a middle unit).
        self.unit_box = QComboBox()
        self.unit_box.setObjectName("rosterUnit")
        self.unit_box.addItem("单位：" + ANY, ANY_DATA)
        self.unit_box.currentIndexChanged.connect(self._apply_filters)
        self.unit_box.setVisible(False)
        self.group_box = self._combo("group_id", [])
        self.category_box = self._combo("category", spec("retirees", "category").choices)
        self.age_box = QComboBox()
        self.age_box.addItem("年龄段：" + ANY, ANY_DATA)
        for code, label in AGE_BAND_LABELS.items():
            self.age_box.addItem(label, code)
        self.age_box.currentIndexChanged.connect(self._apply_filters)
        self.health_box = self._combo("health", spec("retirees", "health").choices)
        self.self_care_box = self._combo("self_care", spec("retirees", "self_care").choices)
        self.living_box = self._combo("living", spec("retirees", "living").choices)
        self.status_box = QComboBox()
        for label, statuses in STATUS_CHOICES:
            self.status_box.addItem(label, statuses)
        self.status_box.setToolTip(spec("retirees", "status").label)
        self.status_box.currentIndexChanged.connect(self._apply_filters)

        self.new_button = QPushButton("新增人员（Ctrl+N）")
        self.new_button.clicked.connect(self.new_retiree)
        self.visit_button = QPushButton("记走访")
        self.visit_button.setToolTip("为选中的人员（可多选）各记一条走访或电话联系")
        self.visit_button.clicked.connect(self.add_visit)
        self.import_button = QPushButton("从Excel导入…")
        self.import_button.clicked.connect(lambda: open_import_wizard(self.ctx, self))
        if not import_wizard_available():
            self.import_button.setEnabled(False)
            self.import_button.setToolTip("Excel 导入功能尚在开发中")
        self.bin_button = QPushButton("回收站")
        self.bin_button.clicked.connect(self.open_recycle_bin)
        self.clear_button = QPushButton("清除筛选")
        self.clear_button.clicked.connect(self.clear_filters)
        # Buttons that write: usable once the database stack is open (see AppContext).
        self._write_buttons = [self.new_button, self.visit_button, self.bin_button]
        if import_wizard_available():
            self._write_buttons.append(self.import_button)

        self._rows_painted = False
        self._groups_waiting = False  # the group filter's choices are not filled in yet
        self.rows_painted.connect(lambda: QTimer.singleShot(0, self, self._after_first_paint))
        self.table = RosterTable(self._on_table_painted)
        self.table.setObjectName("rosterTable")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        header.setSectionsMovable(True)
        self._char = self.fontMetrics().horizontalAdvance("中")
        for n, col in enumerate(COLUMNS):
            header.resizeSection(n, self._char * min(col.width, 16) + 16)
            header.setSectionHidden(n, col.key not in DEFAULT_COLUMNS)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_count(self.model.rowCount()))

        # The card editor (four forms and tables) is built when first needed: a person is
        # selected or added. Until then its side of the splitter holds this hint.
        self._editor: CardEditor | None = None
        self._editor_slot = QLabel("请在左侧名单中选择人员")
        self._editor_slot.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._editor_slot.setStyleSheet("color: #666;")

        # Three short rows rather than one long one: at 150 % text nothing may be cut off.
        top = QHBoxLayout()
        top.addWidget(self.unit_box)
        top.addWidget(self.search, 1)
        top.addWidget(self.count_label)
        filters1 = QHBoxLayout()
        filters2 = QHBoxLayout()
        for box in (self.group_box, self.category_box, self.age_box, self.health_box):
            filters1.addWidget(box, 1)
        for box in (self.self_care_box, self.living_box, self.status_box):
            filters2.addWidget(box, 1)
        filters2.addWidget(self.clear_button)
        for box in (self.group_box, self.category_box, self.age_box, self.health_box,
                    self.self_care_box, self.living_box, self.status_box):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        actions = QHBoxLayout()
        for button in (self.new_button, self.visit_button, self.import_button, self.bin_button):
            actions.addWidget(button)
        actions.addStretch()

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addLayout(top)
        ll.addLayout(filters1)
        ll.addLayout(filters2)
        ll.addWidget(self.table, 1)
        ll.addLayout(actions)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("rosterSplitter")
        self.splitter.addWidget(left)
        self.splitter.addWidget(self._editor_slot)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.splitter)

        self._restore_state()
        ctx.set_roster_providers(self.selected_ids, self.model.ids)
        ctx.data_changed.connect(self._on_data_changed)
        if not ctx.is_ready():
            self._enable_writes(False)
            ctx.db_ready.connect(lambda: self._enable_writes(True))
        self.reload()

    @property
    def editor(self) -> CardEditor:
        """The card editor, built on first use in place of the hint."""
        if self._editor is None:
            from app.ui.card_editor import CardEditor

            editor = CardEditor(self.ctx, self)
            editor.saved.connect(self._select_id)
            editor.deleted.connect(lambda _rid: self.table.clearSelection())
            sizes = self.splitter.sizes()
            self.splitter.replaceWidget(self.splitter.indexOf(self._editor_slot), editor)
            self._editor_slot.deleteLater()
            if sum(sizes):
                self.splitter.setSizes(sizes)
            self._editor = editor
        return self._editor

    def _enable_writes(self, on: bool) -> None:
        for button in self._write_buttons:
            button.setEnabled(on)
            button.setToolTip("" if on else "正在打开数据库，请稍候……")

    def _combo(self, field: str, choices: tuple[str, ...] | list[str]) -> QComboBox:
        box = QComboBox()
        box.addItem(f"{spec('retirees', field).label}：{ANY}", ANY_DATA)
        for c in choices:
            box.addItem(c, c)
        box.currentIndexChanged.connect(self._apply_filters)
        return box

    # ------------------------------------------------------------------ data
    def reload(self) -> None:
        """Read the whole index on a pool thread (10,000 people: a fraction of a second),
        over the context's read-only connection: no session, so this works while the
        database stack is still opening."""
        from app.services.roster_snapshot import Stored, current_index

        def startup_index() -> RosterIndex | None:
            """What was read while the window was being built (a Stored snapshot is decoded
            here); None when a snapshot turned out unreadable."""
            assert startup is not None
            index = startup.result()
            return index.index() if isinstance(index, Stored) else index

        startup, self.ctx.startup_roster = self.ctx.startup_roster, None
        if startup is not None and startup.done() and startup.exception() is None:
            # Read already: in the table at once, so that its first paint shows the people.
            index = startup_index()
            if index is not None:
                self._set_index(index)
                return
            startup = None

        def read(_p: Any, _c: Any) -> RosterIndex:
            index = startup_index() if startup is not None else None
            if index is not None:
                return index
            with self.ctx.reading() as conn:
                return current_index(conn)

        self.ctx.run_job(read, label="读取名单", on_done=self._set_index, cancellable=False)

    def _set_index(self, index: RosterIndex) -> None:
        current = self._current_id
        if self._rows_painted:
            self._fill_groups(index.group_names)
        else:
            # Some 650 groups at 10,000 people, each name measured for the box's width (7 ms):
            # filled in once the first paint is done (``_after_first_paint``).
            self._groups_waiting = True
        self._fill_units(index.unit_names)
        self.model.set_index(index)
        if current:
            self._select_id(current, load=False)
        self.loaded.emit()

    def _fill_groups(self, groups: dict[str, str]) -> None:
        box = self.group_box
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(f"{spec('retirees', 'group_id').label}：{ANY}", ANY_DATA)
        box.addItem("未分组", "")
        for gid, name in groups.items():
            box.addItem(name, gid)
        i = box.findData(current)
        box.setCurrentIndex(max(i, 0))
        box.blockSignals(False)

    def _fill_units(self, units: dict[str, str]) -> None:
        box = self.unit_box
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem("单位：" + ANY, ANY_DATA)
        for uid, name in units.items():
            box.addItem(name, uid)
        box.setCurrentIndex(max(box.findData(current), 0))
        box.blockSignals(False)
        box.setVisible(len(units) > 1)

    def _fetch_details(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        from app.services.roster import fetch_rows

        # A block of 200 rows by primary key: about a millisecond, so read on demand.
        with self.ctx.reading() as conn:
            return fetch_rows(conn, ids)

    def _on_data_changed(self, table: str, ids: list[str]) -> None:
        if table == "liaison_groups" or (table == "retirees" and not ids):
            self.reload()
            return
        if table != "retirees":
            return
        from app.services.roster import refresh_rows

        with self.ctx.reading() as conn:
            refresh_rows(conn, self.model.index_data, ids)
        current = self._current_id
        self.model.forget_details(ids)
        self.model.resort()
        if current:
            self._select_id(current, load=False)

    # ------------------------------------------------------------------ filters
    def filters(self) -> RosterFilters:
        return RosterFilters(
            query=self.search.text(),
            unit_id=chosen(self.unit_box),
            group_id=chosen(self.group_box),
            category=chosen(self.category_box),
            age_band=chosen(self.age_box),
            health=chosen(self.health_box),
            self_care=chosen(self.self_care_box),
            living=chosen(self.living_box),
            statuses=self.status_box.currentData(),
        )

    def _apply_filters(self, *_args: Any) -> None:
        current = self._current_id
        self.model.set_filters(self.filters())
        if current:
            self._select_id(current, load=False)

    def clear_filters(self) -> None:
        for box in (self.unit_box, self.group_box, self.category_box, self.age_box, self.health_box,
                    self.self_care_box, self.living_box, self.status_box):
            box.blockSignals(True)
            box.setCurrentIndex(0)
            box.blockSignals(False)
        self.search.clear()
        self._apply_filters()

    def _show_count(self, n: int) -> None:
        selected = len(self.table.selectionModel().selectedRows()) if self.table.selectionModel() else 0
        total = self.model.index_data.cols.get("status", []).count("在册")
        text = f"共 {n} 人"
        if selected > 1:
            text += f"，已选 {selected} 人"
        self.count_label.setText(text)
        self.count_label.setToolTip(f"在册人员共 {total} 人")

    # ------------------------------------------------------------------ selection
    def selected_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.id_at(r) for r in rows]

    def _select_id(self, rid: str, load: bool = True) -> None:
        row = self.model.row_of(rid)
        if row is None:
            return
        sm = self.table.selectionModel()
        sm.blockSignals(True)
        index = self.model.index(row, 0)
        sm.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                           | QItemSelectionModel.SelectionFlag.Rows)
        sm.blockSignals(False)
        self.table.viewport().update()
        self.table.scrollTo(index)
        self._current_id = rid
        if load:
            self.editor.load(rid)

    def _on_current(self, current: QModelIndex, previous: QModelIndex) -> None:
        if not current.isValid():
            return
        rid = self.model.id_at(current.row())
        if rid == self._current_id and self.editor.retiree_id == rid:
            return
        if not self.editor.can_leave():
            # Stay on the person being edited; re-select them after this signal returns.
            back = self.editor.retiree_id or self._current_id
            if back:
                QTimer.singleShot(0, lambda: self._select_id(back, load=False))
            return
        self._current_id = rid
        self.editor.load(rid)
        self.current_changed.emit(rid)

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    # ------------------------------------------------------------------ actions
    def new_retiree(self) -> None:
        if not self.editor.can_leave():
            return
        self._current_id = None
        self.table.clearSelection()
        self.editor.new()

    def add_visit(self) -> None:
        ids = self.selected_ids() or ([self._current_id] if self._current_id else [])
        if not ids:
            self.ctx.show_error("请先在名单中选择要走访的人员（可按住 Ctrl 或 Shift 多选）")
            return
        from app.ui.visit_dialog import VisitDialog

        VisitDialog(self.ctx, ids, self).open()

    def open_recycle_bin(self) -> None:
        from app.ui.recycle_bin import RecycleBinDialog

        RecycleBinDialog(self.ctx, self).open()

    def can_leave(self) -> bool:
        return self._editor is None or self._editor.can_leave()

    def _after_first_paint(self) -> None:
        if self._groups_waiting:
            self._groups_waiting = False
            self._fill_groups(self.model.index_data.group_names)

    def _on_table_painted(self) -> None:
        if not self._rows_painted and self.model.rowCount() > 0:
            self._rows_painted = True
            # Queued: the paint in progress completes first. The start-up waits for this
            # before opening the database stack, so that does not slow down the first paint.
            QTimer.singleShot(0, self.rows_painted.emit)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        # Larger text (the 100–150 % setting): widen the columns and rows in proportion.
        if event.type() == QEvent.Type.FontChange and hasattr(self, "table"):
            char = self.fontMetrics().horizontalAdvance("中")
            if char != self._char:
                header = self.table.horizontalHeader()
                for n in range(header.count()):
                    header.resizeSection(n, round(header.sectionSize(n) * char / self._char))
                self._char = char
                self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        super().changeEvent(event)

    # ------------------------------------------------------------------ columns, state
    def _column_menu(self, pos: Any) -> None:
        from PySide6.QtWidgets import QMenu

        header = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.addSection("显示的列")
        for n, col in enumerate(COLUMNS):
            act = menu.addAction(col.label)
            act.setCheckable(True)
            act.setChecked(not header.isSectionHidden(n))
            act.toggled.connect(lambda on, n=n: header.setSectionHidden(n, not on))
        menu.addSeparator()
        reveal = menu.addAction("显示完整身份证号和电话")
        reveal.setCheckable(True)
        reveal.setChecked(self.model.reveal)
        reveal.toggled.connect(self._set_reveal)
        menu.exec(header.mapToGlobal(pos))

    def _set_reveal(self, on: bool) -> None:
        self.model.reveal = on
        self.table.viewport().update()

    def save_state(self) -> None:
        st = self.ctx.settings()
        st.setValue("roster/header", self.table.horizontalHeader().saveState())
        st.setValue("roster/splitter", self.splitter.saveState())

    def _restore_state(self) -> None:
        st = self.ctx.settings()
        header = st.value("roster/header", QByteArray())  # a default: never None, see ANY_DATA
        if isinstance(header, QByteArray | bytes) and len(header):
            self.table.horizontalHeader().restoreState(header)
        splitter = st.value("roster/splitter", QByteArray())
        if isinstance(splitter, QByteArray | bytes) and len(splitter):
            self.splitter.restoreState(splitter)
        else:
            self.splitter.setSizes([700, 560])
