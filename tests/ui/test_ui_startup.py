"""The fast start: the window and roster come from read-only reads while the database stack
opens behind them; writing waits for it; files that are not exactly at the schema head take
the full ``open_database`` path first."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

import app.db as app_db
from app.db import DatabaseError, DatabaseTooNewError, NotADatabaseError
from app.ui.launch import can_start_fast, fast_start, open_main_window

FIXTURE_V1 = Path(__file__).parent.parent / "fixtures" / "schema_0001.sqlite3"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def demo_path(demo_db: Any) -> Path:
    """The demo database's file, closed (as a file on disk is when the program starts)."""
    demo_db.close()
    return Path(demo_db.path)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Holds the background ``open_database`` until the test sets the event."""
    event = threading.Event()
    real = app_db.open_database

    def held(*args: Any, **kwargs: Any) -> Any:
        assert event.wait(30), "gate never opened"
        return real(*args, **kwargs)

    monkeypatch.setattr(app_db, "open_database", held)
    yield event
    event.set()


def _start(qtbot: Any, path: Path) -> Any:
    win = open_main_window(path, interactive=False)
    qtbot.addWidget(win)
    win.show()
    roster = win.roster()
    qtbot.waitUntil(lambda: roster.model.rowCount() > 0, timeout=10_000)
    return win


def _close(win: Any) -> None:
    win.ctx.wait_ready(30)
    win.close()


def test_roster_shows_and_filters_before_the_database_stack(qtbot: Any, demo_path: Path,
                                                            gate: threading.Event) -> None:
    win = _start(qtbot, demo_path)
    roster = win.roster()
    assert not win.ctx.is_ready()
    # Writing is visibly off until the database is open.
    assert not win.new_action.isEnabled() and not win.backup_action.isEnabled()
    assert not roster.new_button.isEnabled()
    assert "正在打开数据库" in roster.new_button.toolTip()
    # Reading works: the count, the lazy detail columns and search-as-you-type.
    everyone = roster.model.rowCount()
    assert roster.count_label.text() == f"共 {everyone} 人"
    assert roster.model.data(roster.model.index(0, 11))  # phones: a detail column
    QTest.keyClicks(roster.search, "zh")
    assert 0 < roster.model.rowCount() < everyone
    roster.search.clear()
    assert roster.model.rowCount() == everyone
    assert not win.ctx.is_ready()

    with qtbot.waitSignal(win.ctx.db_ready, timeout=10_000):
        gate.set()
    assert win.ctx.is_ready()
    assert win.new_action.isEnabled() and roster.new_button.isEnabled()
    assert win.statusBar().currentMessage() == ""
    _close(win)


def test_a_write_before_the_database_is_open_waits_then_runs(qtbot: Any, demo_path: Path,
                                                             gate: threading.Event) -> None:
    from app.services.context import get_setting, set_setting

    win = _start(qtbot, demo_path)
    done: list[Any] = []
    win.ctx.run_write(lambda s: set_setting(s, "startup_test", "写入"), label="保存",
                      on_done=done.append)
    time.sleep(0.2)
    win.ctx.wait_idle(0.2)
    assert not done and not win.ctx.is_ready()  # queued behind the opening, not failed
    assert win.ctx.last_error is None
    gate.set()
    assert win.ctx.wait_idle(10)
    assert done == [None] and win.ctx.last_error is None
    with win.ctx.db.session_scope() as s:
        assert get_setting(s, "startup_test") == "写入"
    _close(win)


def test_ui_thread_waits_for_the_database_with_a_busy_cursor(qtbot: Any, demo_path: Path,
                                                             gate: threading.Event) -> None:
    win = _start(qtbot, demo_path)
    cursors: list[Any] = []
    real_set = QGuiApplication.setOverrideCursor

    def spy(cursor: Any) -> None:
        cursors.append(cursor)
        real_set(cursor)

    threading.Timer(0.3, gate.set).start()
    started = time.monotonic()
    try:
        QGuiApplication.setOverrideCursor = spy  # type: ignore[method-assign]
        db = win.ctx.db  # what any page or dialog does
    finally:
        QGuiApplication.setOverrideCursor = real_set  # type: ignore[method-assign]
    assert time.monotonic() - started >= 0.25
    assert db.path == demo_path
    assert cursors == [Qt.CursorShape.WaitCursor]
    assert QGuiApplication.overrideCursor() is None  # restored
    # db_ready was delivered before ctx.db returned: the actions are on already.
    assert win.new_action.isEnabled()
    _close(win)


def test_another_page_waits_for_the_database(qtbot: Any, demo_path: Path,
                                             gate: threading.Event) -> None:
    win = _start(qtbot, demo_path)
    threading.Timer(0.2, gate.set).start()
    page = win.show_page("settings")
    assert win.ctx.is_ready()
    assert win.stack.currentWidget() is page
    _close(win)


def test_background_open_failure_is_shown_and_writing_stays_off(qtbot: Any, demo_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_a: Any, **_k: Any) -> Any:
        raise DatabaseError("数据库文件被占用。")

    monkeypatch.setattr(app_db, "open_database", broken)
    win = _start(qtbot, demo_path)
    win.ctx.start_opening()
    qtbot.waitUntil(lambda: win.ctx.last_error is not None, timeout=10_000)
    assert "数据库文件被占用" in win.ctx.last_error
    assert "只能查看名单" in win.statusBar().currentMessage()
    assert not win.ctx.wait_ready(1)
    assert not win.new_action.isEnabled()
    with pytest.raises(DatabaseError):
        win.ctx.db  # noqa: B018
    assert win.roster().model.rowCount() > 0  # the roster stays readable
    win.close()


def test_database_needing_an_upgrade_is_upgraded_before_the_window(qtbot: Any, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    shutil.copyfile(FIXTURE_V1, path)
    assert fast_start(path) is None
    win = open_main_window(path, interactive=False)
    qtbot.addWidget(win)
    assert win.ctx.is_ready()  # open_database ran first, as before the fast start
    with sqlite3.connect(path) as conn:
        assert app_db.at_head(app_db.schema_revision(conn))
    assert list((path.parent / "backups").glob("*before-upgrade-0001*"))
    win.show()
    qtbot.waitUntil(lambda: win.roster().model.rowCount() > 0, timeout=10_000)
    _close(win)


def test_too_new_or_foreign_files_are_refused_untouched(qtbot: Any, tmp_path: Path,
                                                       demo_path: Path) -> None:
    newer = tmp_path / "newer.sqlite3"
    shutil.copyfile(demo_path, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    before = newer.read_bytes()
    assert not can_start_fast(newer)
    with pytest.raises(DatabaseTooNewError):
        open_main_window(newer, interactive=False)
    assert newer.read_bytes() == before

    foreign = tmp_path / "foreign.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE retirees (name TEXT)")
    conn.close()
    assert not can_start_fast(foreign)
    with pytest.raises(NotADatabaseError):
        open_main_window(foreign, interactive=False)

    text = tmp_path / "notes.sqlite3"
    text.write_text("not a database", encoding="utf-8")
    assert not can_start_fast(text)


def test_database_without_a_unit_takes_the_full_path(db_path: Path, tmp_path: Path) -> None:
    app_db.open_database(db_path).close()  # at head, but the welcome page would write at once
    assert app_db.open_readonly_at_head(db_path) is not None
    assert not can_start_fast(db_path)


def test_second_copy_is_stopped_before_reading(demo_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import os
    import socket

    import app.ui.launch as launch
    from app.ui.instance_lock import AlreadyOpenError, lock_path

    # Another live program on this computer holds the database.
    lock_path(demo_path).write_text(json.dumps(
        {"host": socket.gethostname(), "user": "张三", "pid": os.getppid(), "time": "2026-01-01T08:00:00"}),
        encoding="utf-8")
    reads: list[Path] = []
    monkeypatch.setattr(launch, "fast_start", lambda p: reads.append(p))
    with pytest.raises(AlreadyOpenError):
        open_main_window(demo_path, interactive=False)
    assert reads == []  # the lock comes before anything reads the file


def test_fresh_process_shows_the_window_without_sqlalchemy(demo_path: Path, tmp_path: Path) -> None:
    """The real thing, in a process of its own: nothing of the database stack is imported
    until the window is built and painted, and afterwards it is all one registry."""
    code = """
import sys, time
from pathlib import Path
from app.ui.launch import make_application, open_main_window, prepare
startup = prepare(Path(sys.argv[1]))
app = make_application()
w = open_main_window(startup, interactive=False)
heavy = sorted(m for m in ("sqlalchemy", "sqlmodel", "pydantic", "alembic", "pypinyin", "app.models.people")
               if m in sys.modules)
assert not heavy, heavy
assert not w.ctx.is_ready()
w.show()
roster = w.roster()
deadline = time.monotonic() + 30
while roster.model.rowCount() == 0 and time.monotonic() < deadline:
    app.processEvents()
assert roster.model.rowCount() > 0
assert w.ctx.wait_ready(60)
app.processEvents()
import app.models, app.models.registry
from app.models import Retiree, enums
assert app.models.registry is sys.modules["app.models.registry"]  # one registry, relinked
assert enums is sys.modules["app.models.enums"]
with w.ctx.db.session_scope() as s:
    assert s.get(Retiree, roster.model.id_at(0)).name
assert w.new_action.isEnabled()
w.close()
print("OK")
"""
    env = {**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code, str(demo_path)], capture_output=True,
                         text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0 and "OK" in out.stdout, out.stderr[-3000:]


def test_roster_reads_follow_a_restored_file(qtbot: Any, demo_path: Path) -> None:
    """Undoing a bundle import swaps the file for a backup (restore_from): the roster's
    read-only connections are per read, so the next read sees the restored file."""
    from app.db import restore_from
    from app.services.operations import soft_delete

    win = _start(qtbot, demo_path)
    roster = win.roster()
    win.ctx.wait_ready(30)
    before = roster.model.rowCount()
    backup = win.ctx.db.backup(reason="test")
    gone = roster.model.id_at(0)
    with win.ctx.db.session_scope() as s:
        soft_delete(s, "retirees", gone, actor="测试员")
    win.ctx.data_changed.emit("retirees", [gone])
    assert roster.model.rowCount() == before - 1
    win.ctx.db.close()
    restore_from(demo_path, backup)
    win.ctx.data_changed.emit("retirees", [])  # what the sync page emits after an undo
    assert win.ctx.wait_idle(10)
    assert roster.model.rowCount() == before and roster.model.row_of(gone) is not None
    win.close()
