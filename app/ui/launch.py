"""Starting the desktop program: pick the database, lock it, open it, show the main window."""

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


def make_application() -> object:
    """The QApplication, HiDPI-correct and in the program's Chinese font, at the saved text size."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        # Fractional Windows scaling (125 %, 150 %) rendered as is rather than rounded.
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
            Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        app = QApplication(sys.argv)
    app.setApplicationName(APP_TITLE)
    from app.ui.fonts import install_app_font

    install_app_font(app)  # type: ignore[arg-type]
    return app


def open_main_window(path: Path, *, interactive: bool = True) -> object:
    """Lock and open the database at ``path`` and return its (not yet shown) main window.

    Raises ``AlreadyOpenError`` or ``DatabaseError`` with a Chinese message."""
    from app.db import open_database
    from app.ui.instance_lock import InstanceLock
    from app.ui.main_window import MainWindow

    lock = InstanceLock(path)
    lock.acquire()
    try:
        database = open_database(path)
    except BaseException:
        lock.release()
        raise
    return MainWindow(database, lock=lock, interactive=interactive)


def launch(db: str | None = None, demo: bool = False) -> int:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from app.db import DatabaseError
    from app.ui.instance_lock import AlreadyOpenError
    from app.ui.text_size import apply_text_scale, text_scale

    app = make_application()
    apply_text_scale(text_scale(QSettings(str(paths.config_dir() / "ui.ini"), QSettings.Format.IniFormat)))
    try:
        path = ensure_demo_database() if demo else paths.resolve_db_path(db)
        window = open_main_window(path)
    except (DatabaseError, AlreadyOpenError) as exc:
        QMessageBox.critical(None, APP_TITLE, str(exc))
        return 1
    window.show()  # type: ignore[attr-defined]
    try:
        return app.exec()  # type: ignore[attr-defined]
    finally:
        lock = window.lock  # type: ignore[attr-defined]
        if lock is not None:
            lock.release()
