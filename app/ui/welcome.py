"""The first screen of a database with no unit yet: create this unit, import a roster from
Excel, or look around in the demo data."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from app import APP_TITLE
from app.ui.context import AppContext
from app.ui.pages.roster_page import import_wizard_available, open_import_wizard
from app.ui.record_form import RecordDialog, RecordForm

__all__ = ["WelcomePage", "NewUnitDialog"]


class NewUnitDialog(RecordDialog):
    """新建本单位: the unit's name and code (registry labels)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        self.ctx = ctx
        form = RecordForm("units", ("name", "code"))
        super().__init__("新建本单位", form, self._create, parent,
                         intro="请填写本单位的名称和代码。单位代码由上级单位分配，用于与上级交换数据"
                               "（只能是字母、数字、横线或下划线）。")
        self.created: Any = None

    def _create(self, values: dict[str, Any], dialog: RecordDialog) -> None:
        from app.services.units import init_self_unit

        actor = self.ctx.actor()
        name, code = values.get("name", ""), values.get("code", "")

        def write(s: Any) -> str:
            return init_self_unit(s, name, code, actor=actor).name

        def done(unit_name: str) -> None:
            self.created = unit_name
            self.ctx.notify(f"已新建本单位：{unit_name}")
            self.ctx.data_changed.emit("units", [])
            dialog.accept()

        self.ctx.run_write(write, label="新建本单位", on_done=done, on_error=dialog.failed)


class WelcomePage(QWidget):
    unit_created = Signal()
    demo_requested = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        title = QLabel(f"欢迎使用{APP_TITLE}")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        title.setFont(font)
        text = QLabel("这是一个新的数据库，还没有本单位的信息。请选择如何开始：")
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setWordWrap(True)

        self.new_button = QPushButton("新建本单位")
        self.new_button.setObjectName("welcomeNewUnit")
        self.new_button.clicked.connect(self.new_unit)
        self.import_button = QPushButton("从Excel花名册导入")
        self.import_button.clicked.connect(lambda: self._import())
        if not import_wizard_available():
            self.import_button.setEnabled(False)
            self.import_button.setToolTip("Excel 导入功能尚在开发中，可先新建本单位后逐个录入")
        self.demo_button = QPushButton("打开演示数据")
        self.demo_button.setToolTip("打开一个单独的演示数据库（800 位虚构人员），不会影响您的数据")
        self.demo_button.clicked.connect(self.demo_requested.emit)
        hints = (
            "填写单位名称和代码，然后逐个录入人员",
            "已有 Excel 花名册时：自动识别表头，导入前可预览",
            "先看看程序能做什么：演示数据与您的数据完全分开",
        )
        box = QVBoxLayout()
        box.setSpacing(6)
        for button, hint in zip((self.new_button, self.import_button, self.demo_button), hints, strict=True):
            button.setMinimumHeight(button.sizeHint().height() * 2)
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance("中") * 22)
            box.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)
            label = QLabel(hint)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            label.setStyleSheet("color: #555;")
            box.addWidget(label)
            box.addSpacing(14)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(title)
        layout.addSpacing(10)
        layout.addWidget(text)
        layout.addSpacing(24)
        layout.addLayout(box)
        layout.addStretch(3)

    def new_unit(self) -> None:
        dialog = NewUnitDialog(self.ctx, self)
        dialog.accepted.connect(self.unit_created.emit)
        dialog.open()

    def _import(self) -> None:
        open_import_wizard(self.ctx, self)
        self.unit_created.emit()  # the wizard may have created the unit; the window re-checks
