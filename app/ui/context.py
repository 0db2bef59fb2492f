"""The application context every page receives: the database, the worker threads, the
selection, settings and error display.

House rule 3: the UI thread never blocks on the database. Writes go to ONE serialized
writer thread (so two saves never race for SQLite's write lock); long reads and rendering go
to a small pool. Results come back to the main thread through a queued signal.

A context can start before its database stack: given a path instead of a ``Database``
(the fast start, see ``app.ui.launch``), it reads through read-only stdlib connections
(``reading()``) at once and opens the database (SQLAlchemy, models, ``open_database``) on a
thread of its own (``start_opening``). ``db_ready`` says when that is done; until then
anything that touches ``ctx.db`` waits for it (a busy cursor on the UI thread).
"""

from __future__ import annotations

import logging
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:  # dialogs are imported where they are opened: not on the way to the first window
    from PySide6.QtWidgets import QProgressDialog, QWidget

from app import APP_TITLE, paths
from app.db import Database, DatabaseError
from app.services.errors import ServiceError

__all__ = ["AppContext", "Progress", "Cancelled"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
Progress = Callable[[int, int, str], None]
Cancelled = Callable[[], bool]

# A job that ends sooner than this never flashes a dialog (Anki waits the same way).
PROGRESS_DELAY_MS = 500


@dataclass
class _Job:
    id: int
    label: str
    on_done: Callable[[Any], None] | None
    on_error: Callable[[BaseException], None] | None
    cancellable: bool
    cancel_event: threading.Event = field(default_factory=threading.Event)
    dialog: QProgressDialog | None = None
    timer: QTimer | None = None
    finished: bool = False
    undo_text: str | None = None
    quiet: bool = False  # a chore of the program's own: no progress dialog, failures only logged


def error_message(exc: BaseException) -> str:
    """What the officer reads: service errors are Chinese already; anything else is a bug
    that still gets a Chinese frame around it."""
    if isinstance(exc, ServiceError):
        return str(exc)
    from app.db import DatabaseError

    if isinstance(exc, DatabaseError):
        return str(exc)
    return f"操作失败（程序内部错误）：{type(exc).__name__}: {exc}"


def _changes_in(result: object) -> list[Any]:
    # Importing operations pulls in pypinyin (a second of start-up); a result can only be a
    # Change if operations was imported already.
    ops = sys.modules.get("app.services.operations")
    if ops is None:
        return []
    Change = ops.Change  # noqa: N806
    if isinstance(result, Change):
        return [result]
    if isinstance(result, list | tuple):
        return [c for c in result if isinstance(c, Change)]
    return []


class AppContext(QObject):
    """Shared by the main window and every page; constructed once per open database."""

    # (table name, record ids); [] means "many / unknown ids": reload everything of that table.
    data_changed = Signal(str, list)
    # Emitted on the main thread whenever an error is shown (tests and the status bar read it).
    error_shown = Signal(str)
    # Short confirmations ("已保存") for the status bar.
    notified = Signal(str)
    # Internal: a worker finished job <id>; its outcome waits in ``_outcomes``. Only the int
    # crosses threads: PySide6 6.12 mis-counts references of Python objects (None, True…)
    # sent through queued signals, which crashes the interpreter at exit.
    _finished = Signal(int)
    _progressed = Signal(int, int, int, str)
    # The database stack is open (emitted once, on the main thread); or it failed (message).
    db_ready = Signal()
    db_failed = Signal(str)
    _opened = Signal()

    def __init__(self, db: Database | Path, parent: QObject | None = None, *, interactive: bool = True) -> None:
        """``db``: an open ``Database``, or the path of one to open with ``start_opening``
        (the caller has checked it is at the schema head: ``app.db.open_readonly_at_head``)."""
        super().__init__(parent)
        self._db: Database | None = db if isinstance(db, Database) else None
        self.path: Path = db.path if isinstance(db, Database) else Path(db)
        self._ready = threading.Event()
        if self._db is not None:
            self._ready.set()
        self._open_error: str | None = None
        self._closed = False
        self._announced = self._db is not None  # db_ready / db_failed emitted (or not needed)
        self._opener: threading.Thread | None = None
        # The roster index read during start-up, before the window existed (taken by the
        # roster page instead of reading it again).
        self.startup_roster: Future[Any] | None = None
        # interactive=False (tests, benchmarks): errors are recorded and signalled, no dialog.
        self.interactive = interactive
        self.last_error: str | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="job")
        self._ids = count(1)
        self._jobs: dict[int, _Job] = {}
        self._outcomes: dict[int, tuple[bool, object]] = {}
        self._lock = threading.Lock()
        self._settings: QSettings | None = None
        self._actor: str | None = None
        self._selected: Callable[[], list[str]] = list
        self._filtered: Callable[[], list[str]] = list
        self._dialog_parent: Callable[[], QWidget | None] = lambda: None
        from app.ui.undo import UndoLog

        self.undo_log = UndoLog(self)
        self._finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._opened.connect(self._on_opened, Qt.ConnectionType.QueuedConnection)

    # ----------------------------------------------------------------- the database
    @property
    def db(self) -> Database:
        """The open database; waits for it while it is still being opened (see module doc).
        Raises ``DatabaseError`` when opening failed."""
        if self._db is None:
            self.wait_ready()
            if self._db is None:
                raise DatabaseError(self._open_error or "数据库尚未打开。")
        return self._db

    def is_ready(self) -> bool:
        """True once ``db`` answers without waiting."""
        return self._db is not None

    @property
    def closed(self) -> bool:
        """True after ``shutdown``: no more work is taken."""
        return self._closed

    def start_opening(self) -> None:
        """Open the database stack on a thread of its own (once; no-op when already open)."""
        if self._ready.is_set() or self._opener is not None or self._closed:
            return
        self._opener = threading.Thread(target=self._open, name="db-open", daemon=True)
        self._opener.start()

    def _open(self) -> None:
        try:
            from app.db import open_database
            from app.ui.light_models import relink_registry

            db = open_database(self.path, create=False)
            relink_registry()
        except BaseException as exc:  # noqa: BLE001 - shown on the main thread
            logger.error("opening %s failed", self.path, exc_info=exc)
            self._open_error = error_message(exc)
        else:
            self._db = db
        # Post the main thread's notice before waking the waiters: wait_ready delivers it.
        self._opened.emit()
        self._ready.set()

    def _on_opened(self) -> None:
        if self._announced:
            return
        self._announced = True
        if self._db is not None:
            self.db_ready.emit()
            return
        msg = f"打开数据库失败，现在只能查看名单：{self._open_error}"
        self.show_error(msg)
        self.db_failed.emit(msg)

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Wait until the database is open (or failed); True when it is open. On the UI
        thread the mouse shows a busy cursor meanwhile (at start-up this is well under a
        second: the opening began when the window was shown)."""
        app = QCoreApplication.instance()
        on_ui = threading.current_thread() is threading.main_thread()
        if not self._ready.is_set():
            self.start_opening()
            if self._opener is None:  # shut down before it was ever opened
                return False
            busy = on_ui and isinstance(app, QGuiApplication)
            if busy:
                QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
            try:
                self._ready.wait(timeout)
            finally:
                if busy:
                    QGuiApplication.restoreOverrideCursor()
        if on_ui and self._ready.is_set() and not self._announced and app is not None:
            # Deliver db_ready (or db_failed) now: when this returns, the actions are enabled.
            app.sendPostedEvents(self)
        return self._db is not None

    @contextmanager
    def reading(self) -> Iterator[sqlite3.Connection]:
        """A read-only stdlib connection to the database for one read that needs no session
        (the roster), on any thread.

        Opened per read (well under a millisecond) and closed after it, never kept: a kept
        connection would hold the old file open after the file is swapped for a backup
        (``restore_from``, e.g. undoing a bundle import), go on reading the old data, and on
        Windows stop that swap; it would also keep a page cache per thread."""
        from app.db import connect_readonly

        conn = connect_readonly(self.path)
        try:
            yield conn
        finally:
            conn.close()

    # ----------------------------------------------------------------- background work
    def run_write(self, fn: Callable[[Any], T], *, label: str,
                  on_done: Callable[[T], None] | None = None,
                  on_error: Callable[[BaseException], None] | None = None,
                  undo_text: str | None = None, quiet: bool = False) -> None:
        """Run ``fn(session)`` inside ``db.session_scope()`` on the single writer thread.

        On failure the transaction rolls back (data unchanged) and the Chinese message is
        shown; ``on_error`` (optional) lets a form also mark the offending fields. When ``fn``
        returns an ``operations.Change`` (or a list of them) ``data_changed`` is emitted for
        it; otherwise the caller emits what it changed. With ``undo_text`` the returned
        changes can be undone with Ctrl+Z (``undo_last``). ``quiet``: work the program does
        for itself (e.g. the roster snapshot), shown nowhere; a failure is only logged.
        """
        job = self._new_job(label, on_done, on_error, cancellable=False)
        job.undo_text = undo_text
        job.quiet = quiet

        def work() -> None:
            try:
                with self.db.session_scope() as s:
                    result = fn(s)
            except BaseException as exc:  # noqa: BLE001 - reported on the main thread
                self._finish(job.id, False, exc)
            else:
                self._finish(job.id, True, result)

        self._writer.submit(work)
        self._arm_progress(job)

    def run_job(self, fn: Callable[[Progress, Cancelled], T], *, label: str,
                on_done: Callable[[T], None] | None = None, cancellable: bool = True,
                on_error: Callable[[BaseException], None] | None = None) -> None:
        """Run a long read or rendering job ``fn(progress, cancelled)`` on the pool.

        A job that writes must open its own ``db.session_scope()``; prefer ``run_write``.
        """
        job = self._new_job(label, on_done, on_error, cancellable=cancellable)

        def progress(done: int, total: int, text: str = "") -> None:
            self._progressed.emit(job.id, int(done), int(total), str(text))

        def work() -> None:
            try:
                result = fn(progress, job.cancel_event.is_set)
            except BaseException as exc:  # noqa: BLE001
                self._finish(job.id, False, exc)
            else:
                self._finish(job.id, True, result)

        self._pool.submit(work)
        self._arm_progress(job)

    def busy(self) -> bool:
        return bool(self._jobs)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Process events until every job (and its on_done) has run. For tests and scripts."""
        deadline = time.monotonic() + timeout
        app = QCoreApplication.instance()
        while self._jobs and time.monotonic() < deadline:
            if app is not None:
                app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            time.sleep(0.002)
        if app is not None:
            app.processEvents()
        return not self._jobs

    def shutdown(self) -> None:
        self._closed = True
        for job in self._jobs.values():
            job.cancel_event.set()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._writer.shutdown(wait=True)
        if self._opener is not None:
            self._opener.join()

    def _new_job(self, label: str, on_done: Callable[[Any], None] | None,
                 on_error: Callable[[BaseException], None] | None, *, cancellable: bool) -> _Job:
        job = _Job(next(self._ids), label, on_done, on_error, cancellable)
        self._jobs[job.id] = job
        return job

    def _arm_progress(self, job: _Job) -> None:
        if not self.interactive or job.quiet:
            return
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.timeout.connect(lambda: self._show_progress(job))
        timer.start(PROGRESS_DELAY_MS)
        job.timer = timer

    def _show_progress(self, job: _Job) -> None:
        if job.finished:
            return
        from PySide6.QtWidgets import QProgressDialog

        dlg = QProgressDialog(job.label + "……", "取消" if job.cancellable else "", 0, 0,
                              self._dialog_parent())
        dlg.setWindowTitle(APP_TITLE)
        dlg.setMinimumDuration(0)
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        if job.cancellable:
            dlg.canceled.connect(job.cancel_event.set)
        else:
            dlg.setCancelButton(None)  # type: ignore[arg-type]
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.show()
        job.dialog = dlg

    def _on_progress(self, job_id: int, done: int, total: int, text: str) -> None:
        job = self._jobs.get(job_id)
        if job is None or job.dialog is None:
            return
        job.dialog.setMaximum(max(total, 0))
        job.dialog.setValue(min(done, total) if total else 0)
        if text:
            job.dialog.setLabelText(f"{job.label}：{text}")

    def _finish(self, job_id: int, ok: bool, payload: object) -> None:
        """Worker side: park the outcome, then wake the main thread."""
        with self._lock:
            self._outcomes[job_id] = (ok, payload)
        self._finished.emit(job_id)

    def _on_finished(self, job_id: int) -> None:
        with self._lock:
            ok, payload = self._outcomes.pop(job_id, (False, RuntimeError("任务结果丢失")))
        job = self._jobs.pop(job_id, None)
        if job is None:
            return
        job.finished = True
        if job.timer is not None:
            job.timer.stop()
        if job.dialog is not None:
            job.dialog.close()
            job.dialog.deleteLater()
        if not ok:
            exc = payload if isinstance(payload, BaseException) else RuntimeError(str(payload))
            from app.services.demo import Cancelled as JobCancelled

            if isinstance(exc, JobCancelled) or job.cancel_event.is_set():
                self.notify(f"已取消：{job.label}")
                return
            if job.quiet:
                logger.warning("%s failed", job.label, exc_info=exc)
                return
            if not isinstance(exc, ServiceError):
                logger.error("%s failed", job.label, exc_info=exc)
            self.show_error(f"{job.label}失败：{error_message(exc)}")
            if job.on_error is not None:
                job.on_error(exc)
            return
        self._emit_changes(payload)
        if job.undo_text is not None:
            for change in _changes_in(payload):
                self.undo_log.push(change, job.undo_text)
        if job.on_done is not None:
            try:
                job.on_done(payload)
            except Exception as exc:  # noqa: BLE001 - a UI bug must not kill the event loop
                logger.exception("on_done of %s failed", job.label)
                self.show_error(error_message(exc))

    def _emit_changes(self, result: object) -> None:
        by_table: dict[str, list[str]] = {}
        for change in _changes_in(result):
            by_table.setdefault(change.table, []).append(change.id)
        for table, ids in by_table.items():
            self.data_changed.emit(table, ids)

    # ----------------------------------------------------------------- undo
    def undo_last(self, on_done: Callable[[Any], None] | None = None) -> bool:
        """Reverse the most recent undoable change; False when there is none."""
        from app.ui.undo import inverse

        item = self.undo_log.pop()
        if item is None:
            self.notify("没有可以撤销的修改")
            return False
        change, text = item

        def done(result: Any) -> None:
            self.notify(f"已撤销：{text}")
            if on_done is not None:
                on_done(result)

        self.run_write(inverse(change, self.actor()), label="撤销", on_done=done)
        return True

    # ----------------------------------------------------------------- selection
    def selected_retiree_ids(self) -> list[str]:
        """The rows selected in the roster (in roster order)."""
        return list(self._selected())

    def filtered_retiree_ids(self) -> list[str]:
        """Every retiree the roster currently shows (search and filters applied)."""
        return list(self._filtered())

    def set_roster_providers(self, selected: Callable[[], list[str]],
                             filtered: Callable[[], list[str]]) -> None:
        self._selected = selected
        self._filtered = filtered

    def set_dialog_parent(self, getter: Callable[[], QWidget | None]) -> None:
        self._dialog_parent = getter

    # ----------------------------------------------------------------- misc
    def settings(self) -> QSettings:
        """UI preferences (window geometry, columns, text size): an ini file in the config
        folder, so tests with their own RETIREE_DESK_HOME never share state."""
        if self._settings is None:
            path = paths.config_dir() / "ui.ini"
            self._settings = QSettings(str(path), QSettings.Format.IniFormat, self)
        return self._settings

    def actor(self) -> str:
        if self._actor is None:
            from app.services.context import default_actor

            with self.db.session_scope() as s:
                self._actor = default_actor(s)
        return self._actor

    def reset_actor(self) -> None:
        """Forget the cached operator name (after it was changed in the settings)."""
        self._actor = None

    def show_error(self, msg: str) -> None:
        self.last_error = msg
        self.error_shown.emit(msg)
        if self.interactive and QApplication.instance() is not None:
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Warning, APP_TITLE, msg, QMessageBox.StandardButton.Ok,
                              self._dialog_parent())
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.open()  # not exec(): a worker's error must not spin a nested event loop

    def notify(self, msg: str) -> None:
        self.notified.emit(msg)
