"""The main window: navigation bar, pages (imported on first visit), menus and status bar.

Pages come from ``app.ui.pages.PAGES``; a page whose module has not landed yet shows a
placeholder, so each feature can arrive on its own.

Given a path rather than an open ``Database`` (the fast start, ``app.ui.launch``), the
window shows the roster from read-only reads at once while the database stack opens in the
background; the actions that write stay disabled until ``AppContext.db_ready``, and a page
other than the roster waits for it (busy cursor) before it is built.
"""

from __future__ import annotations

import importlib
import logging
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QRect, QSize, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QWidget,
)

from app import APP_TITLE, __version__
from app.db import Database
from app.services.roster import self_unit_name
from app.ui.context import AppContext
from app.ui.instance_lock import InstanceLock
from app.ui.pages import PAGES, PLACEHOLDER_TEXT
from app.ui.status_info import last_backup_text

if TYPE_CHECKING:  # imported where used: not needed for the first window
    from PySide6.QtGui import QAction, QCloseEvent, QKeySequence

__all__ = ["MainWindow", "on_some_screen"]

logger = logging.getLogger(__name__)

DEFAULT_SIZE = (1360, 820)
# Opening the database stack (and filling the menus) waits for the roster's first paint with
# its rows, so that they do not compete with it for the interpreter; this long at the most.
OPEN_FALLBACK_MS = 2000
WAITING_TIP = "正在打开数据库，请稍候……"
# Keys of the menu actions that write (or need a session).
WRITING_ACTIONS = ("import", "backup", "undo", "new", "visit", "bin")


def on_some_screen(rect: QRect) -> bool:
    """True when enough of ``rect`` (its title bar, at least) lies on a connected screen."""
    for screen in QGuiApplication.screens():
        visible = screen.availableGeometry().intersected(rect)
        if visible.width() >= 120 and visible.height() >= 60:
            return True
    return False


def _menu_action(key: str) -> Any:
    """A read-only attribute of the main window: its menu action ``key`` (see "menus")."""
    return property(lambda window: window._filled_menus()[key])


def _placeholder(text: str) -> QWidget:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setObjectName("placeholder")
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * 1.4)
    label.setFont(font)
    label.setStyleSheet("color: #666;")
    return label


class MainWindow(QMainWindow):
    def __init__(self, db: Database | Path, *, lock: InstanceLock | None = None,
                 interactive: bool = True, roster: Future[Any] | None = None) -> None:
        """``db``: an open database, or the path of one at the schema head to open in the
        background (see the module doc). ``roster``: the roster index already being read
        (``app.ui.launch.fast_start``)."""
        super().__init__()
        self._startup_roster = roster
        self.interactive = interactive
        self.setWindowTitle(f"{APP_TITLE} {__version__}")
        self.ctx: AppContext
        self.lock = lock
        self.pages: dict[str, QWidget] = {}
        self._page_index: dict[str, int] = {}
        self._current_key: str | None = None
        self._menus: dict[str, Any] = {}  # "file", "edit", "view", "help" → QMenu
        self._actions: dict[str, QAction] | None = None  # see "menus"
        self.unit_label = QLabel()
        self.db_label = QLabel()
        self.backup_label = QLabel()
        for label in (self.unit_label, self.db_label, self.backup_label):
            self.statusBar().addPermanentWidget(label)
        self._build_menu_bar()
        self._set_database(db)
        self._restore_geometry()
        self._after_first_paint_soon()

    # ------------------------------------------------------------------ database
    def _set_database(self, db: Database | Path) -> None:
        self.ctx = AppContext(db, self, interactive=self.interactive)
        self.ctx.startup_roster, self._startup_roster = self._startup_roster, None
        self.ctx.set_dialog_parent(lambda: self)
        self.ctx.notified.connect(lambda msg: self.statusBar().showMessage(msg, 8000))
        self.ctx.data_changed.connect(self._on_data_changed)
        self.ctx.db_ready.connect(self._on_db_ready)
        self.ctx.db_failed.connect(lambda msg: self.statusBar().showMessage(msg))
        self.pages.clear()
        self._page_index.clear()
        self._current_key = None

        self.nav = QListWidget()
        self.nav.setObjectName("navigation")
        self.nav.setFixedWidth(self.fontMetrics().horizontalAdvance("中") * 7 + 24)
        self.nav.setSpacing(2)
        for key, label, _module, _cls in PAGES:
            item = QListWidgetItem(label)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setSizeHint(QSize(0, self.nav.fontMetrics().height() + 24))
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        self.nav.currentRowChanged.connect(self._on_nav)
        workspace = QWidget()
        layout = QHBoxLayout(workspace)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.workspace = workspace

        with self.ctx.reading() as conn:
            unit = self_unit_name(conn)
        if unit is None and not self.ctx.is_ready():
            self.ctx.wait_ready()  # the welcome page writes at once; launch avoids this case
        self.root = QStackedWidget()
        self.root.addWidget(workspace)
        self.welcome: QWidget | None = None
        if unit is None:
            from app.ui.welcome import WelcomePage

            self.welcome = WelcomePage(self.ctx, self)
            self.welcome.unit_created.connect(self._check_unit)
            self.welcome.demo_requested.connect(self.open_demo)
            self.root.addWidget(self.welcome)
            self.root.setCurrentWidget(self.welcome)
        else:
            self.nav.setCurrentRow(0)
        self.setCentralWidget(self.root)
        self._show_status(unit or "（尚未建立本单位）")
        self._set_db_actions_enabled(self.ctx.is_ready())
        if self.ctx.is_ready():
            self._keep_roster_snapshot()
        else:
            self.statusBar().showMessage(WAITING_TIP)
            QTimer.singleShot(OPEN_FALLBACK_MS, self.ctx, self.ctx.start_opening)

    def _on_db_ready(self) -> None:
        self._set_db_actions_enabled(True)
        if self.statusBar().currentMessage() == WAITING_TIP:
            self.statusBar().clearMessage()
        self._keep_roster_snapshot()

    def _keep_roster_snapshot(self) -> None:
        """Write the roster snapshot back when it is missing (a first start, or changes made
        since), so that the next start loads the roster at once (``services.roster_snapshot``).
        On the writer, after any write queued before; nothing to see, failures only logged."""
        if not self.ctx.is_ready() or self.ctx.closed:
            return
        from app.services.roster_snapshot import save

        self.ctx.run_write(save, label="保存名单快照", quiet=True)

    def _set_db_actions_enabled(self, on: bool) -> None:
        for act in self.db_actions:
            act.setEnabled(on and act.property("available") is not False)
            act.setStatusTip("" if on else WAITING_TIP)

    def _check_unit(self) -> None:
        with self.ctx.reading() as conn:
            unit = self_unit_name(conn)
        if unit is None:
            return
        self.root.setCurrentWidget(self.workspace)
        self.nav.setCurrentRow(0)
        self._show_status(unit)

    def _show_status(self, unit_name: str) -> None:
        path = self.ctx.path
        self.unit_label.setText(f"单位：{unit_name}")
        self.db_label.setText(f"数据库：{path}")
        self.db_label.setToolTip(str(path))
        self.backup_label.setText(f"最近备份：{last_backup_text(path)}")

    def _on_data_changed(self, table: str, _ids: list[str]) -> None:
        if table == "backups":
            self.backup_label.setText(f"最近备份：{last_backup_text(self.ctx.path)}")

    def switch_database(self, path: Path) -> bool:
        """Close the open database and open ``path`` in this window."""
        from app.db import DatabaseError, open_database
        from app.ui.instance_lock import AlreadyOpenError

        if not self._can_leave_page():
            return False
        path = Path(path).resolve()
        if path == self.ctx.path.resolve():
            return True
        new_lock = InstanceLock(path)
        try:
            new_lock.acquire()
            db = open_database(path)
        except (AlreadyOpenError, DatabaseError) as exc:
            new_lock.release()
            self.ctx.show_error(str(exc))
            return False
        self._save_state()
        self._keep_roster_snapshot()
        old_ctx, old_lock = self.ctx, self.lock
        old_ctx.wait_idle(30)
        old_ctx.shutdown()  # also waits for a database still being opened
        if old_ctx.is_ready():
            old_ctx.db.close()
        if old_lock is not None:
            old_lock.release()
        self.lock = new_lock
        old_root = self.centralWidget()
        self._set_database(db)
        if old_root is not None:
            old_root.deleteLater()
        old_ctx.deleteLater()
        return True

    def open_demo(self) -> None:
        from app.ui.launch import ensure_demo_database

        self.statusBar().showMessage("正在准备演示数据……")
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            path = ensure_demo_database()
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.switch_database(path)

    def open_database_dialog(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "打开数据库", str(self.ctx.path.parent),
                                              "退管通数据库 (*.sqlite3 *.db);;所有文件 (*)")
        if path:
            self.switch_database(Path(path))

    # ------------------------------------------------------------------ pages
    def page(self, key: str) -> QWidget:
        """The page for ``key``, built on first use. Pages other than the roster are built
        with the database open (waiting for it with a busy cursor during start-up)."""
        if key in self.pages:
            return self.pages[key]
        if key != "roster" and not self.ctx.is_ready():
            self.statusBar().showMessage(WAITING_TIP)
            self.ctx.wait_ready()
        entry = next(p for p in PAGES if p[0] == key)
        widget = self._build_page(*entry)
        self.pages[key] = widget
        self._page_index[key] = self.stack.addWidget(widget)
        return widget

    def _build_page(self, key: str, label: str, module_name: str, class_name: str) -> QWidget:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                logger.exception("page %s failed to import", key)
                return _placeholder(f"“{label}”页面加载失败：{exc}")
            return _placeholder(PLACEHOLDER_TEXT)
        except Exception as exc:  # noqa: BLE001 - one broken page must not stop the program
            logger.exception("page %s failed to import", key)
            return _placeholder(f"“{label}”页面加载失败：{exc}")
        cls = getattr(module, class_name, None)
        if cls is None:
            return _placeholder(PLACEHOLDER_TEXT)
        try:
            return cls(self.ctx, parent=None)
        except Exception as exc:  # noqa: BLE001
            logger.exception("page %s failed to start", key)
            return _placeholder(f"“{label}”页面启动失败：{exc}")

    def show_page(self, key: str) -> QWidget:
        row = next(i for i, p in enumerate(PAGES) if p[0] == key)
        if self.root.currentWidget() is not self.workspace:
            self.root.setCurrentWidget(self.workspace)
        self.nav.setCurrentRow(row)
        return self.page(key)

    def _can_leave_page(self) -> bool:
        current = self.pages.get(self._current_key or "")
        check = getattr(current, "can_leave", None)
        return bool(check()) if callable(check) else True

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        key = PAGES[row][0]
        if key == self._current_key:
            return
        if self._current_key is not None and not self._can_leave_page():
            back = next(i for i, p in enumerate(PAGES) if p[0] == self._current_key)
            self.nav.blockSignals(True)
            self.nav.setCurrentRow(back)
            self.nav.blockSignals(False)
            return
        widget = self.page(key)
        self.stack.setCurrentWidget(widget)
        self._current_key = key
        hook = getattr(widget, "on_shown", None)
        if callable(hook):
            hook()

    def roster(self) -> Any:
        return self.page("roster")

    # ------------------------------------------------------------------ menus
    # The menu bar and its four menus are made with the window; the actions in them (and so
    # their shortcuts) once the roster has been painted and the events then waiting are
    # handled, when a menu is opened, or when one of them is asked for (``new_action`` …),
    # whichever comes first: a dozen actions with their key sequences and icons cost some
    # 15 ms, which the first window need not wait for.
    import_action = _menu_action("import")
    backup_action = _menu_action("backup")
    undo_action = _menu_action("undo")
    new_action = _menu_action("new")
    visit_action = _menu_action("visit")
    bin_action = _menu_action("bin")

    @property
    def db_actions(self) -> list[QAction]:
        """The actions that write (or need a session): disabled while the database opens."""
        if self._actions is None:
            return []
        return [self._actions[key] for key in WRITING_ACTIONS]

    def _build_menu_bar(self) -> None:
        bar = self.menuBar()
        for key, title in (("file", "文件(&F)"), ("edit", "编辑(&E)"), ("view", "视图(&V)"),
                           ("help", "帮助(&H)")):
            menu = bar.addMenu(title)
            menu.aboutToShow.connect(self._filled_menus)
            self._menus[key] = menu

    def _after_first_paint_soon(self) -> None:
        """Fill the menus and start opening the database stack after the roster's first
        paint, once the events then waiting are handled (a key typed during start-up is
        answered first); at once when there is no roster to paint."""
        roster = self.pages.get("roster")
        if roster is None:
            QTimer.singleShot(0, self, self._after_first_paint)
            return
        roster.rows_painted.connect(  # type: ignore[attr-defined]
            lambda: QTimer.singleShot(0, self, self._after_first_paint))
        QTimer.singleShot(OPEN_FALLBACK_MS, self, self._after_first_paint)  # should it never be painted

    def _after_first_paint(self) -> None:
        from app.ui import startup_gc

        startup_gc.resume()
        self._filled_menus()
        self.ctx.start_opening()  # nothing to do when the database is open (or opening) already

    def _filled_menus(self) -> dict[str, QAction]:
        """The menu actions by key, made now if they are not yet."""
        if self._actions is None:
            self._actions = self._fill_menus()
            self._set_db_actions_enabled(self.ctx.is_ready())
        return self._actions

    def _fill_menus(self) -> dict[str, QAction]:
        from PySide6.QtGui import QAction, QKeySequence

        from app.ui.pages.roster_page import import_wizard_available

        def action(menu: str, text: str, slot: Any,
                   shortcut: str | QKeySequence.StandardKey | None = None) -> QAction:
            act = QAction(text, self)
            if shortcut is not None:
                act.setShortcut(QKeySequence(shortcut))
            act.triggered.connect(slot)
            self._menus[menu].addAction(act)
            return act

        actions: dict[str, QAction] = {}
        action("file", "打开数据库…", self.open_database_dialog, "Ctrl+O")
        action("file", "打开演示数据", self.open_demo)
        actions["import"] = action("file", "从Excel花名册导入…", self._import)
        if not import_wizard_available():
            actions["import"].setEnabled(False)
            actions["import"].setProperty("available", False)
            actions["import"].setToolTip("Excel 导入功能尚在开发中")
        actions["backup"] = action("file", "立即备份", self._backup)
        self._menus["file"].addSeparator()
        action("file", "退出", self.close, "Ctrl+Q")

        actions["undo"] = action("edit", "撤销上次修改", self.undo, QKeySequence.StandardKey.Undo)
        actions["new"] = action("edit", "新增人员", self.new_retiree, "Ctrl+N")
        action("edit", "查找人员", self.focus_search, "Ctrl+F")
        actions["visit"] = action("edit", "记一次走访", self._add_visit)
        actions["bin"] = action("edit", "回收站…", lambda: self.roster().open_recycle_bin())

        action("view", "放大文字", lambda: self._step_text(10), "Ctrl+=")
        action("view", "缩小文字", lambda: self._step_text(-10), "Ctrl+-")
        action("view", "恢复默认文字大小", lambda: self._step_text(0), "Ctrl+0")
        action("help", "关于退管通", self._about)
        return actions

    def undo(self) -> None:
        self.ctx.undo_last()

    def new_retiree(self) -> None:
        if self.root.currentWidget() is not self.workspace:
            return
        self.show_page("roster")
        self.roster().new_retiree()

    def focus_search(self) -> None:
        if self.root.currentWidget() is self.workspace:
            self.show_page("roster").search.setFocus()

    def _add_visit(self) -> None:
        if self.root.currentWidget() is self.workspace:
            self.show_page("roster").add_visit()

    def _import(self) -> None:
        from app.ui.pages.roster_page import open_import_wizard

        open_import_wizard(self.ctx, self)
        self._check_unit()
        if "roster" in self.pages:
            self.roster().reload()

    def _backup(self) -> None:
        def work(_p: Any, _c: Any) -> Any:
            return self.ctx.db.backup(reason="manual")

        def done(path: Any) -> None:
            self.ctx.notify(f"已备份到：{path}")
            self.ctx.data_changed.emit("backups", [])

        self.ctx.run_job(work, label="备份数据库", on_done=done, cancellable=False)

    def _step_text(self, step: int) -> None:
        from app.ui.text_size import MIN_SCALE, apply_text_scale, text_scale

        settings = self.ctx.settings()
        value = MIN_SCALE if step == 0 else text_scale(settings) + step
        apply_text_scale(value, settings)
        self.ctx.notify(f"界面文字大小：{text_scale(settings)}%")

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(self, f"关于{APP_TITLE}",
                          f"{APP_TITLE} {__version__}\n离退休人员服务管理：卡册、走访慰问、提醒、打印、数据同步。")

    # ------------------------------------------------------------------ geometry and closing
    def _restore_geometry(self) -> None:
        st = self.ctx.settings()
        geometry = st.value("window/geometry", QByteArray())
        restored = isinstance(geometry, QByteArray | bytes) and len(geometry) > 0 \
            and self.restoreGeometry(geometry)
        if not restored or not on_some_screen(self.frameGeometry()):
            # First start, or the screen it was on is gone (a laptop off its dock).
            self._center_default()
        state = st.value("window/state", QByteArray())
        if isinstance(state, QByteArray | bytes) and len(state):
            self.restoreState(state)

    def _center_default(self) -> None:
        screen = QGuiApplication.primaryScreen()
        avail = screen.availableGeometry() if screen else QRect(0, 0, *DEFAULT_SIZE)
        w = min(DEFAULT_SIZE[0], avail.width() - 40)
        h = min(DEFAULT_SIZE[1], avail.height() - 60)
        self.setGeometry(QRect(avail.x() + (avail.width() - w) // 2,
                               avail.y() + (avail.height() - h) // 2, w, h))

    def _save_state(self) -> None:
        st = self.ctx.settings()
        st.setValue("window/geometry", self.saveGeometry())
        st.setValue("window/state", self.saveState())
        for page in self.pages.values():
            save = getattr(page, "save_state", None)
            if callable(save):
                save()
        st.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self._can_leave_page():
            event.ignore()
            return
        self._save_state()
        self._keep_roster_snapshot()
        self.ctx.wait_idle(30)
        self.ctx.shutdown()
        if self.lock is not None:
            self.lock.release()
        event.accept()
