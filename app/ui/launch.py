"""Starting the desktop program: pick the database, open it, show the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from app import APP_TITLE, paths

DEMO_COUNT = 800


def ensure_demo_database() -> Path:
    """The demo database of its own (never the user's), made on first use."""
    from app.db import open_database
    from app.services.context import get_setting
    from app.services.demo import generate_demo

    path = paths.demo_db_path()
    db = open_database(path)
    try:
        with db.session_scope() as s:
            if not get_setting(s, "self_unit_id"):
                generate_demo(s, DEMO_COUNT, seed=2026, unit_name="演示供电公司", unit_code="DEMO")
    finally:
        db.close()
    return path


def launch(db: str | None = None, demo: bool = False) -> int:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from app.db import DatabaseError, open_database
    from app.ui.fonts import install_app_font
    from app.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_TITLE)
    install_app_font(app)  # type: ignore[arg-type]
    try:
        path = ensure_demo_database() if demo else paths.resolve_db_path(db)
        database = open_database(path)
    except DatabaseError as exc:
        QMessageBox.critical(None, APP_TITLE, str(exc))
        return 1
    window = MainWindow(database)
    window.show()
    return app.exec()
