"""The main window. A placeholder until the desktop-client issue: it shows which database is
open and its headline figures, so ``make run`` proves the whole stack starts."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from app import APP_TITLE, __version__
from app.db import Database
from app.services.stats import summary
from app.services.units import self_unit


class MainWindow(QMainWindow):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.setWindowTitle(f"{APP_TITLE} {__version__}")
        self.resize(900, 600)
        with db.session_scope() as s:
            unit = self_unit(s)
            figures = summary(s)
        unit_name = unit.name if unit else "（尚未初始化本单位）"
        body = QWidget()
        layout = QVBoxLayout(body)
        title = QLabel(f"{APP_TITLE} — {unit_name}")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        title.setStyleSheet("font-size: 24pt; font-weight: bold;")
        info = QLabel(
            f"在册人员 {figures['active']} 人，联络小组 {figures['groups']} 个，"
            f"本年走访 {figures['visits_total']} 次"
        )
        info.setAlignment(Qt.AlignmentFlag.AlignCenter)
        info.setStyleSheet("font-size: 14pt;")
        layout.addStretch()
        layout.addWidget(title)
        layout.addWidget(info)
        layout.addStretch()
        self.setCentralWidget(body)
        self.statusBar().showMessage(f"数据库：{db.path}")
