"""The roster's table model: rows are record ids, cells are read on demand.

No item widgets and no per-row objects: the model holds the filtered row numbers of a
``RosterIndex`` (ids, search keys and the short values filters and sorting need) and fetches
the remaining columns (ID number, phones, address…) a block of rows at a time, on first
paint. Sensitive values are masked through the registry (``FieldSpec.display``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from app.models.registry import spec
from app.services.ages import AGE_BAND_LABELS
from app.services.roster import RosterFilters, RosterIndex

__all__ = ["COLUMNS", "DEFAULT_COLUMNS", "RosterModel", "Column"]

BLOCK = 200
CACHE_LIMIT = 2_000  # detail rows kept (a few screens); dropped wholesale beyond, re-read in ~1 ms

Index = QModelIndex | QPersistentModelIndex


class Column(NamedTuple):  # not a dataclass: quicker to define (see services.roster.VisitRow)
    key: str
    label: str
    source: str  # "index" (in memory, sortable) or "detail" (fetched lazily)
    width: int  # in characters


def _col(key: str, source: str, *, field: str | None = None, label: str | None = None) -> Column:
    fs = spec("retirees", field or key)
    return Column(key, label or fs.label, source, max(fs.width, 4))


COLUMNS: tuple[Column, ...] = (
    _col("name", "index"),
    _col("sex", "index"),
    _col("birth_date", "index"),
    Column("age", "年龄", "index", 4),
    _col("category", "index"),
    _col("group", "index", field="group_id"),
    _col("health", "index"),
    _col("self_care", "index"),
    _col("living", "index"),
    _col("status", "index"),
    _col("id_number", "detail"),
    _col("phones", "detail"),
    _col("address", "detail"),
    _col("former_post", "detail"),
    _col("rank", "detail"),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
DEFAULT_COLUMNS = ("name", "sex", "age", "category", "group", "health", "self_care", "living",
                   "status", "id_number", "phones", "address")

IdRole = Qt.ItemDataRole.UserRole + 1
DisplayRole = Qt.ItemDataRole.DisplayRole
ForegroundRole = Qt.ItemDataRole.ForegroundRole
ToolTipRole = Qt.ItemDataRole.ToolTipRole
# The roles ``data`` answers; a view asks for seven or so per cell painted.
ANSWERED_ROLES = frozenset({DisplayRole, IdRole, ForegroundRole, ToolTipRole})


class RosterModel(QAbstractTableModel):
    """``fetch(ids) -> {id: {column: value}}`` reads the detail columns (a short query)."""

    count_changed = Signal(int)

    def __init__(self, fetch: Callable[[list[str]], dict[str, dict[str, Any]]],
                 parent: Any = None) -> None:
        super().__init__(parent)
        self._fetch = fetch
        self._index = RosterIndex()
        self._filters = RosterFilters()
        self._rows: list[int] = []
        self._order: list[int] | None = None
        self._sort: tuple[int, bool] | None = None
        self._details: dict[str, dict[str, Any]] = {}
        self.reveal = False  # show ID numbers and phones in full (never by default)

    # ---------------------------------------------------------------- content
    @property
    def index_data(self) -> RosterIndex:
        return self._index

    def set_index(self, index: RosterIndex) -> None:
        self.beginResetModel()
        self._index = index
        self._details.clear()
        self._order = self._sorted_order()
        self._rows = index.filter(self._filters, self._order)
        self.endResetModel()
        self.count_changed.emit(len(self._rows))

    def set_filters(self, filters: RosterFilters) -> None:
        self._filters = filters
        self.refilter()

    @property
    def filters(self) -> RosterFilters:
        return self._filters

    def refilter(self) -> None:
        rows = self._index.filter(self._filters, self._order)
        if rows == self._rows:
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()
        self.count_changed.emit(len(rows))

    def forget_details(self, ids: list[str] | None = None) -> None:
        if ids is None:
            self._details.clear()
        else:
            for rid in ids:
                self._details.pop(rid, None)

    def resort(self) -> None:
        """After rows changed in the index: rebuild the sort order and the filtered rows."""
        self._order = self._sorted_order()
        self.beginResetModel()
        self._rows = self._index.filter(self._filters, self._order)
        self.endResetModel()
        self.count_changed.emit(len(self._rows))

    # ---------------------------------------------------------------- ids
    def id_at(self, row: int) -> str:
        return self._index.ids[self._rows[row]]

    def row_of(self, rid: str) -> int | None:
        pos = self._index.position(rid)
        if pos is None:
            return None
        try:
            return self._rows.index(pos)
        except ValueError:
            return None

    def ids(self) -> list[str]:
        ids = self._index.ids
        return [ids[i] for i in self._rows]

    # ---------------------------------------------------------------- Qt API
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section].label if 0 <= section < len(COLUMNS) else None
        return str(section + 1)

    # flags(): QAbstractTableModel's own (enabled, selectable, no children), answered in C++.

    def data(self, index: Index, role: int = DisplayRole) -> Any:
        # Called for every role of every cell painted: the roles not answered return first.
        if role not in ANSWERED_ROLES or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        if role == DisplayRole:
            return self._display(row, COLUMNS[index.column()])
        if role == IdRole:
            return self.id_at(row)
        if role == ForegroundRole:
            status = self._index.cols["status"][self._rows[row]]
            if status and status != "在册":
                from PySide6.QtGui import QColor

                return QColor("#777777")
        if role == ToolTipRole and COLUMNS[index.column()].key == "age":
            age = self._index.value(self._rows[row], "age")
            return f"{age}周岁" if age is not None else None
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS) or COLUMNS[column].source != "index":
            return
        self._sort = (column, order == Qt.SortOrder.DescendingOrder)
        self.layoutAboutToBeChanged.emit()
        self._order = self._sorted_order()
        self._rows = self._index.filter(self._filters, self._order)
        self.layoutChanged.emit()

    # ---------------------------------------------------------------- helpers
    def _sorted_order(self) -> list[int] | None:
        if self._sort is None or not self._index.ids:
            return None
        column, descending = self._sort
        return self._index.sorted_order(COLUMNS[column].key, descending)

    def _display(self, row: int, col: Column) -> str:
        pos = self._rows[row]
        if col.source == "index":
            value = self._index.value(pos, col.key)
            if value is None:
                return ""
            if col.key == "birth_date":
                return spec("retirees", "birth_date").format(value)
            return str(value)
        details = self._details_for(row)
        fs = spec("retirees", col.key)
        return fs.display(details.get(col.key), reveal=self.reveal)

    def _details_for(self, row: int) -> dict[str, Any]:
        rid = self.id_at(row)
        got = self._details.get(rid)
        if got is not None:
            return got
        if len(self._details) > CACHE_LIMIT:
            self._details.clear()
        start = row - row % BLOCK
        wanted = [self.id_at(r) for r in range(start, min(start + BLOCK, len(self._rows)))
                  if self.id_at(r) not in self._details]
        fetched = self._fetch(wanted)
        for wid in wanted:
            self._details[wid] = fetched.get(wid, {})
        return self._details.get(rid, {})


AGE_BAND_CHOICES = tuple(AGE_BAND_LABELS.items())
