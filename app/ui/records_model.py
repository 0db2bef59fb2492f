"""A read-only table of a few hundred records (benefit history, contacts, visits), columns
from the field registry. The roster, which may hold 100,000 rows, has its own lazy model."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from app.models.registry import spec

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class RecordColumn:
    label: str
    text: Callable[[Any], str]


def registry_columns(table: str, names: Sequence[str]) -> list[RecordColumn]:
    """Columns showing registry fields of ``table`` (masked where the registry says so)."""
    out = []
    for name in names:
        fs = spec(table, name)
        out.append(RecordColumn(fs.label, lambda r, fs=fs: fs.display(_get(r, fs.name))))
    return out


def _get(record: Any, name: str) -> Any:
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


class RecordsModel(QAbstractTableModel):
    def __init__(self, columns: Sequence[RecordColumn], parent: Any = None) -> None:
        super().__init__(parent)
        self._columns = list(columns)
        self._records: list[Any] = []

    def set_records(self, records: Sequence[Any]) -> None:
        self.beginResetModel()
        self._records = list(records)
        self.endResetModel()

    def record(self, row: int) -> Any:
        return self._records[row]

    def records(self) -> list[Any]:
        return list(self._records)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._records)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._columns[section].label
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._columns[index.column()].text(self._records[index.row()])
        return None
