"""Forms built from the field registry: one editor per ``FieldSpec``, inline validation.

Labels, choices, widths and required marks all come from ``app.models.registry``; nothing
here names a field's label. A form reports what the person typed (strings, as the services
expect them) and which fields differ from the loaded record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.models.registry import REGISTRY, FieldSpec, Kind
from app.services.errors import ValidationError

__all__ = ["FieldBinding", "RecordForm", "RecordDialog", "stored_text"]

_ERROR_STYLE = "color: #b00020;"
_BAD_BORDER = "border: 2px solid #b00020;"
# Multi-line text for long free-text fields (by registry width).
_LONG_TEXT_WIDTH = 30


def stored_text(fs: FieldSpec, value: Any) -> str:
    """A stored value as the text an editor shows (ISO dates: unambiguous and re-parsable)."""
    if value is None:
        return ""
    if fs.kind is Kind.PARTIAL_DATE:
        return str(value)
    if fs.kind is Kind.DATE:
        return value.isoformat() if isinstance(value, date) else str(value)
    if fs.kind is Kind.MONEY:
        return "" if value == 0 else fs.format(value).replace(",", "")
    if fs.kind is Kind.PHONES:
        return "、".join(value)
    return str(value)


class FieldBinding(QObject):
    """One field's editor, its error line and the value it was loaded with."""

    edited = Signal(str)

    def __init__(self, fs: FieldSpec, refs: Mapping[str, str] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.spec = fs
        self.original: Any = None
        self.error = QLabel()
        self.error.setStyleSheet(_ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.hide()
        self.widget: QWidget = self._make(fs, refs or {})
        self.widget.setObjectName(f"field_{fs.name}")
        self.widget.setAccessibleName(fs.label)
        if fs.help:
            self.widget.setToolTip(fs.help)

    def _make(self, fs: FieldSpec, refs: Mapping[str, str]) -> QWidget:
        if fs.kind is Kind.BOOL:
            box = QCheckBox()
            box.toggled.connect(lambda _v: self.edited.emit(fs.name))
            return box
        if fs.kind is Kind.CHOICE or fs.kind is Kind.REF:
            combo = QComboBox()
            combo.setEditable(fs.open_choices)
            combo.addItem("", "")  # "" not None: see roster_page.ANY_DATA
            if fs.kind is Kind.REF:
                for rid, name in refs.items():
                    combo.addItem(name, rid)
            else:
                for choice in fs.choices:
                    combo.addItem(choice, choice)
            combo.setMinimumContentsLength(max(4, min(fs.width, 16)))
            combo.currentIndexChanged.connect(lambda _i: self.edited.emit(fs.name))
            if fs.open_choices:
                combo.editTextChanged.connect(lambda _t: self.edited.emit(fs.name))
            return combo
        if fs.kind is Kind.TEXT and fs.width >= _LONG_TEXT_WIDTH:
            text = _PlainText()
            text.setTabChangesFocus(True)  # keyboard-only entry: Tab leaves the box
            text.setFixedHeight(text.fontMetrics().lineSpacing() * 3 + 12)
            text.textChanged.connect(lambda: self.edited.emit(fs.name))
            return text
        line = QLineEdit()
        line.setMinimumWidth(line.fontMetrics().horizontalAdvance("0") * max(6, min(fs.width, 24)))
        if fs.kind is Kind.PARTIAL_DATE:
            line.setPlaceholderText("如 1943-05-12、1943.05 或 1943")
        elif fs.kind is Kind.DATE:
            line.setPlaceholderText("年-月-日")
        elif fs.kind is Kind.MONEY:
            line.setPlaceholderText("元")
        elif fs.kind is Kind.PHONES:
            line.setPlaceholderText("多个号码用顿号分隔")
        line.textChanged.connect(lambda _t: self.edited.emit(fs.name))
        return line

    # ------------------------------------------------------------------ values
    def raw(self) -> Any:
        """What the person entered: text, a bool, or a referenced record id."""
        w = self.widget
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QComboBox):
            if self.spec.kind is Kind.REF:
                return w.currentData() or None
            return w.currentText().strip()
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText().strip()
        assert isinstance(w, QLineEdit)
        return w.text().strip()

    def set_raw(self, value: Any) -> None:
        """Show a value (a stored one, or a suggestion such as a date derived from an ID)."""
        w = self.widget
        w.blockSignals(True)
        try:
            if isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                i = w.findData(value) if value else 0
                if i < 0 and self.spec.open_choices:
                    w.setEditText(str(value))
                else:
                    w.setCurrentIndex(max(i, 0))
            elif isinstance(w, QPlainTextEdit):
                w.setPlainText(stored_text(self.spec, value))
            else:
                assert isinstance(w, QLineEdit)
                w.setText(value if isinstance(value, str) and self.spec.kind in (
                    Kind.TEXT, Kind.NAME, Kind.ID_NUMBER) else stored_text(self.spec, value))
        finally:
            w.blockSignals(False)

    def load(self, value: Any) -> None:
        self.original = value
        self.set_raw(value)
        self.set_error(None)

    def coerced(self) -> Any:
        """The value as it would be stored; ``ValueError`` (Chinese) when it cannot be."""
        raw = self.raw()
        if self.spec.kind is Kind.REF:
            return raw
        return self.spec.coerce(raw)

    def changed(self) -> bool:
        try:
            value = self.coerced()
        except ValueError:
            return True
        original = self.original
        if self.spec.kind is Kind.PHONES:
            original = original or []
        if self.spec.kind is Kind.BOOL:
            original = bool(original)
        if original == "":
            original = None
        return value != original

    def validate(self) -> str | None:
        try:
            self.coerced()
        except ValueError as exc:
            msg = str(exc)
            self.set_error(msg)
            return msg
        self.set_error(None)
        return None

    def set_error(self, msg: str | None) -> None:
        self.error.setText(msg or "")
        self.error.setVisible(bool(msg))
        self.widget.setStyleSheet(_BAD_BORDER if msg else "")
        if msg:
            self.widget.setToolTip(msg)
        else:
            self.widget.setToolTip(self.spec.help)


class _PlainText(QPlainTextEdit):
    """A multi-line box where Enter still submits the form (Shift+Enter for a new line)."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier):
            event.ignore()
            return
        super().keyPressEvent(event)


class RecordForm(QWidget):
    """A grid of registry fields: label, editor and error line; ``columns`` pairs per row."""

    edited = Signal(str)

    def __init__(self, table: str, names: Iterable[str] | None = None, *, columns: int = 1,
                 refs: Mapping[str, Mapping[str, str]] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        wanted = list(names) if names is not None else None
        specs = [f for f in REGISTRY[table] if wanted is None or f.name in wanted]
        if wanted is not None:
            specs.sort(key=lambda f: wanted.index(f.name))
        self.bindings: dict[str, FieldBinding] = {}
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(2)
        refs = refs or {}
        for n, fs in enumerate(specs):
            b = FieldBinding(fs, refs.get(fs.name), self)
            b.edited.connect(self._on_edited)
            self.bindings[fs.name] = b
            row, col = divmod(n, columns)
            label = QLabel(fs.label + ("＊" if fs.required else "") + "：")
            label.setBuddy(b.widget)
            label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(label, row * 2, col * 2)
            grid.addWidget(b.widget, row * 2, col * 2 + 1)
            grid.addWidget(b.error, row * 2 + 1, col * 2 + 1)
        for col in range(columns):
            grid.setColumnStretch(col * 2 + 1, 1)
        grid.setRowStretch(len(specs) * 2 + 2, 1)
        # Keyboard-only entry: Tab walks the fields in registry (reading) order.
        widgets = [b.widget for b in self.bindings.values()]
        for a, b2 in zip(widgets, widgets[1:], strict=False):
            QWidget.setTabOrder(a, b2)
        self.extra_check: Callable[[str], None] | None = None

    def _on_edited(self, name: str) -> None:
        self.bindings[name].validate()
        if self.extra_check is not None:
            self.extra_check(name)
        self.edited.emit(name)

    def load(self, values: Mapping[str, Any] | Any) -> None:
        for name, b in self.bindings.items():
            value = values.get(name) if isinstance(values, Mapping) else getattr(values, name, None)
            b.load(value)

    def __getitem__(self, name: str) -> FieldBinding:
        return self.bindings[name]

    def dirty(self) -> bool:
        return any(b.changed() for b in self.bindings.values())

    def changes(self) -> dict[str, Any]:
        """Field → typed value, for every field that differs from what was loaded."""
        return {name: b.raw() for name, b in self.bindings.items() if b.changed()}

    def values(self) -> dict[str, Any]:
        return {name: b.raw() for name, b in self.bindings.items()
                if b.raw() not in ("", None) or b.spec.kind is Kind.BOOL}

    def validate(self) -> list[str]:
        return [m for b in self.bindings.values() if (m := b.validate())]

    def show_problems(self, exc: BaseException) -> None:
        """Put a ValidationError's messages beside the fields they concern."""
        if isinstance(exc, ValidationError):
            for field, msg in exc.fields.items():
                if field in self.bindings:
                    self.bindings[field].set_error(msg)

    def first_widget(self) -> QWidget | None:
        return next(iter(self.bindings.values())).widget if self.bindings else None


class RecordDialog(QDialog):
    """A small dialog over a ``RecordForm``; Enter saves, Esc cancels.

    ``submit(values, dialog)`` does the saving (normally through ``ctx.run_write``) and calls
    ``dialog.accept()`` when done, so the dialog stays open on an error."""

    def __init__(self, title: str, form: RecordForm, submit: Callable[[dict[str, Any], RecordDialog], None],
                 parent: QWidget | None = None, *, intro: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = form
        self._submit = submit
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro)
            label.setWordWrap(True)
            layout.addWidget(label)
        layout.addWidget(form)
        self.message = QLabel()
        self.message.setStyleSheet(_ERROR_STYLE)
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.buttons = buttons
        first = form.first_widget()
        if first is not None:
            first.setFocus()

    def save(self) -> None:
        problems = self.form.validate()
        if problems:
            self.message.setText("；".join(problems))
            return
        self.message.clear()
        self._submit(self.form.values(), self)

    def failed(self, exc: BaseException) -> None:
        self.form.show_problems(exc)
        self.message.setText(str(exc))
