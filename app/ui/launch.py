"""Starting the desktop program: pick the database, lock it, open it, show the main window.

The fast start (in the manner of Anki and calibre: show the window first, load the heavy
parts behind it). When the file is already a database of ours at the schema head
(``app.db.open_readonly_at_head``, a stdlib read) and its unit is set up, the main window
is built from the registry alone (``app.ui.light_models``) and fills the roster over a
read-only connection; SQLAlchemy, the models and ``open_database`` follow on a background
thread, and the writing actions are enabled when they are ready. Any other file (new, to
be upgraded, too new, not ours) takes the full ``open_database`` path first, exactly as
before, so nothing is shown or written before its schema check.
"""

from __future__ import annotations

import sys
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any, NamedTuple

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

    from app.ui import feature_scan

    feature_scan.install()  # before the modules imported from here on; see its doc

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


def fast_start(path: Path) -> Future[Any] | None:
    """When ``path`` may be shown before ``open_database`` has run, start reading its roster
    and return the future ``RosterIndex`` (or ``roster_snapshot.Stored``); else None.

    That is a database of ours at the schema head (nothing to migrate, back up or refuse)
    whose unit is set up (the welcome page would write at once). The read runs on a thread
    over a read-only connection, where SQLite works beside Qt's start: the roster snapshot
    (``services.roster_snapshot``; the future then holds a ``Stored``, decoded by the
    roster page: Python's part, which a thread would only take turns with Qt's for), or
    without one the whole SQL read."""
    from app.db import open_readonly_at_head

    conn = open_readonly_at_head(path)
    if conn is None:
        return None
    from app.ui.light_models import preload_registry

    preload_registry()  # before app.services.roster, which needs the registry's modules
    from app.services import roster_snapshot
    from app.services.roster import load_index, self_unit_name

    try:
        ok = self_unit_name(conn) is not None
    except Exception:  # noqa: BLE001 - anything odd: let open_database judge the file
        ok = False
    if not ok:
        conn.close()
        return None
    roster: Future[Any] = Future()

    def read() -> None:
        try:
            stored = roster_snapshot.fetch(conn)
            roster.set_result(stored if stored is not None else load_index(conn))
        except BaseException as exc:  # noqa: BLE001 - the roster page reports it
            roster.set_exception(exc)
        finally:
            conn.close()

    threading.Thread(target=read, name="roster-prefetch", daemon=True).start()
    return roster


def can_start_fast(path: Path) -> bool:
    """True when ``path`` would take the fast start (see ``fast_start``)."""
    roster = fast_start(path)
    if roster is None:
        return False
    roster.exception()  # let the read finish: it holds a connection to the file
    return True


class Startup(NamedTuple):
    """A database locked, and for the fast start its roster already being read, before the
    window (or Qt itself) exists; ``open_main_window`` takes it from there."""

    path: Path
    lock: Any  # app.ui.instance_lock.InstanceLock
    roster: Future[Any] | None  # None: open_database runs first (no fast start)


def prepare(path: Path, *, fast: bool = True) -> Startup:
    """Lock ``path`` and, when it qualifies (``fast_start``), start reading its roster.

    Needs no Qt: ``launch`` calls it before importing PySide6, so the read overlaps Qt's
    start-up. Raises ``AlreadyOpenError`` (another copy has it open). Garbage collection
    waits until the main window is painted (``startup_gc``)."""
    from app.ui import startup_gc
    from app.ui.instance_lock import InstanceLock

    startup_gc.pause()
    lock = InstanceLock(path)
    try:
        lock.acquire()  # before anything reads the file: a second copy stops here
        roster = fast_start(path) if fast else None
    except BaseException:
        lock.release()  # nothing to do if it was not taken
        startup_gc.resume()
        raise
    return Startup(Path(path), lock, roster)


def open_main_window(path: Path | Startup, *, interactive: bool = True, fast: bool = True) -> object:
    """The (not yet shown) main window of the database at ``path`` (locked here unless a
    ``Startup`` from ``prepare`` is given): at once, with the database opening behind it,
    when ``fast_start`` allowed it; else after ``open_database`` (``fast=False`` forces that).

    Raises ``AlreadyOpenError`` or ``DatabaseError`` with a Chinese message."""
    from app.ui import startup_gc

    startup = path if isinstance(path, Startup) else prepare(path, fast=fast)
    try:
        if startup.roster is not None:
            from app.ui.main_window import MainWindow

            return MainWindow(startup.path, lock=startup.lock, interactive=interactive,
                              roster=startup.roster)
        from app.db import open_database

        database = open_database(startup.path)
    except BaseException:
        startup.lock.release()
        startup_gc.resume()
        raise
    from app.ui.light_models import relink_registry
    from app.ui.main_window import MainWindow

    relink_registry()  # in case fast_start preloaded the registry and then declined
    return MainWindow(database, lock=startup.lock, interactive=interactive)


def launch(db: str | None = None, demo: bool = False) -> int:
    from app.db import DatabaseError
    from app.ui.instance_lock import AlreadyOpenError

    # The lock, the schema check and the roster read start before Qt is even imported.
    failure: Exception | None = None
    try:
        path = ensure_demo_database() if demo else paths.resolve_db_path(db)
        startup = prepare(path)
    except (DatabaseError, AlreadyOpenError) as exc:
        failure = exc

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QMessageBox

    from app.ui.text_size import apply_text_scale, text_scale

    app = make_application()
    apply_text_scale(text_scale(QSettings(str(paths.config_dir() / "ui.ini"), QSettings.Format.IniFormat)))
    try:
        if failure is not None:
            raise failure
        window = open_main_window(startup)
    except (DatabaseError, AlreadyOpenError) as exc:
        from app.ui import startup_gc

        startup_gc.resume()
        QMessageBox.critical(None, APP_TITLE, str(exc))
        return 1
    window.show()  # type: ignore[attr-defined]
    try:
        return app.exec()  # type: ignore[attr-defined]
    finally:
        lock = window.lock  # type: ignore[attr-defined]
        if lock is not None:
            lock.release()
