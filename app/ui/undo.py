"""Undo of the last change (Ctrl+Z): the inverse is applied through the operations, so an
undo is itself validated, revisioned and audited like any other change."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:  # operations pulls in pypinyin; keep it off the start-up path
    from app.services.operations import Change

_LABELS = {"create": "新增", "update": "修改", "delete": "删除", "restore": "恢复"}


def inverse(change: Change, actor: str) -> Callable[[Any], Change]:
    """A write function (for ``ctx.run_write``) that reverses ``change``."""

    from app.services import operations

    def undo(session: Any) -> Change:
        if change.action == "update":
            old = {name: before for name, (before, _after) in change.fields.items()}
            return operations.update(session, change.table, change.id, old, actor=actor,
                                     expected_rev=change.rev)
        if change.action in ("create", "restore"):
            return operations.soft_delete(session, change.table, change.id, actor=actor)
        return operations.restore(session, change.table, change.id, actor=actor)

    return undo


class UndoLog(QObject):
    """Remembers the changes made from this window, newest last (a short history)."""

    changed = Signal()
    LIMIT = 20

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._changes: list[tuple[Change, str]] = []

    def push(self, change: Change, description: str = "") -> None:
        if not change.changed:
            return
        self._changes.append((change, description))
        del self._changes[:-self.LIMIT]
        self.changed.emit()

    def pop(self) -> tuple[Change, str] | None:
        if not self._changes:
            return None
        item = self._changes.pop()
        self.changed.emit()
        return item

    def peek_text(self) -> str:
        if not self._changes:
            return ""
        change, description = self._changes[-1]
        return f"{_LABELS.get(change.action, change.action)}{description}"

    def __len__(self) -> int:
        return len(self._changes)
