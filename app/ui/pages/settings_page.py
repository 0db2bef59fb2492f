"""设置: text size, operator name, backups, and the care rules (when that page exists)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.ui.context import AppContext
from app.ui.text_size import MAX_SCALE, MIN_SCALE, apply_text_scale, text_scale

__all__ = ["SettingsPage"]


class SettingsPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx

        self.scale = QSpinBox()
        self.scale.setObjectName("textScale")
        self.scale.setRange(MIN_SCALE, MAX_SCALE)
        self.scale.setSingleStep(10)
        self.scale.setSuffix(" %")
        self.scale.setValue(text_scale(ctx.settings()))
        self.scale.valueChanged.connect(self._set_scale)

        self.operator = QLineEdit()
        self.operator.setPlaceholderText("审计记录中的“操作人”，默认为电脑登录名")
        self.operator.setText(ctx.actor())
        save_operator = QPushButton("保存")
        save_operator.clicked.connect(self.save_operator)
        op_row = QHBoxLayout()
        op_row.addWidget(self.operator, 1)
        op_row.addWidget(save_operator)

        self.db_label = QLabel(str(ctx.db.path))
        self.db_label.setWordWrap(True)
        self.backup_label = QLabel()
        backup = QPushButton("立即备份")
        backup.clicked.connect(self.backup_now)
        backup_row = QHBoxLayout()
        backup_row.addWidget(self.backup_label, 1)
        backup_row.addWidget(backup)

        general = QGroupBox("常规")
        form = QFormLayout(general)
        form.addRow("界面文字大小：", self.scale)
        form.addRow("操作员姓名：", op_row)
        form.addRow("数据库文件：", self.db_label)
        form.addRow("最近备份：", backup_row)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addWidget(general)
        rules = self._rules_widget()
        if rules is not None:
            box = QGroupBox("慰问规则")
            QVBoxLayout(box).addWidget(rules)
            layout.addWidget(box)
        layout.addStretch()
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(body)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(area)
        self._show_backup()

    def _rules_widget(self) -> QWidget | None:
        if importlib.util.find_spec("app.ui.pages.rules_settings") is None:
            return None
        module = importlib.import_module("app.ui.pages.rules_settings")
        cls = getattr(module, "RulesSettingsWidget", None)
        return cls(self.ctx) if cls is not None else None

    def _set_scale(self, value: int) -> None:
        apply_text_scale(value, self.ctx.settings())

    def save_operator(self) -> None:
        from app.services.context import OPERATOR, set_setting

        name = self.operator.text().strip()

        def write(s: Any) -> None:
            set_setting(s, OPERATOR, name or None)

        def done(_r: Any) -> None:
            self.ctx.reset_actor()
            self.ctx.notify(f"操作员已设为：{self.ctx.actor()}")

        self.ctx.run_write(write, label="保存操作员", on_done=done)

    def backup_now(self) -> None:
        def work(_p: Any, _c: Any) -> Any:
            return self.ctx.db.backup(reason="manual")

        def done(path: Any) -> None:
            self.ctx.notify(f"已备份到：{path}")
            self._show_backup()
            self.ctx.data_changed.emit("backups", [])

        self.ctx.run_job(work, label="备份数据库", on_done=done, cancellable=False)

    def _show_backup(self) -> None:
        from app.ui.status_info import last_backup_text

        self.backup_label.setText(last_backup_text(self.ctx.db.path))
