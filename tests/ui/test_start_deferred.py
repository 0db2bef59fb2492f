"""What the fast start leaves until the window is up: the roster snapshot is written back
behind it, the menus are filled after the first paint, and garbage collection resumes."""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.services import roster, roster_snapshot
from app.ui import startup_gc
from app.ui.launch import fast_start, open_main_window, prepare


@pytest.fixture
def demo_path(demo_db: Any) -> Path:
    demo_db.close()
    return Path(demo_db.path)


@pytest.fixture(autouse=True)
def _collector_back_on() -> Any:
    yield
    startup_gc.resume()
    assert gc.isenabled()


def _snapshots(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM roster_snapshot").fetchone()[0]


def _painted(qtbot: Any, win: Any) -> Any:
    qtbot.addWidget(win)
    page = win.roster()
    with qtbot.waitSignal(page.rows_painted, timeout=10_000):
        win.show()
    return page


def _started(qtbot: Any, path: Path) -> Any:
    win = open_main_window(prepare(path), interactive=False)
    _painted(qtbot, win)
    assert win.ctx.wait_ready(30)
    assert win.ctx.wait_idle(30)
    return win


def test_first_start_writes_the_snapshot_and_the_next_one_loads_it(
        qtbot: Any, demo_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _snapshots(demo_path) == 0
    win = _started(qtbot, demo_path)
    shown = win.roster().model.ids()
    assert _snapshots(demo_path) == 1  # written behind the window once the database was open
    win.close()

    # The next start loads it, with no SQL read of the roster.
    import app.services.roster as roster_module

    for module in (roster_snapshot, roster_module):
        monkeypatch.setattr(module, "load_index", lambda *_a, **_k: pytest.fail("read with SQL"))
    future = fast_start(demo_path)
    assert future is not None and isinstance(future.result(10), roster_snapshot.Stored)
    win = open_main_window(prepare(demo_path), interactive=False)
    page = _painted(qtbot, win)
    assert page.model.ids() == shown
    win.ctx.wait_ready(30)
    win.close()


def test_closing_writes_it_back_after_changes(qtbot: Any, demo_path: Path) -> None:
    from app.services import operations as ops

    win = _started(qtbot, demo_path)
    page = win.roster()
    first = page.model.id_at(0)
    win.ctx.run_write(lambda s: ops.update(s, "retirees", first, {"name": "新名字"}, actor="t"),
                      label="保存")
    assert win.ctx.wait_idle(10)
    assert _snapshots(demo_path) == 0  # the triggers removed it
    win.close()
    assert _snapshots(demo_path) == 1
    conn = sqlite3.connect(f"file:{demo_path}?mode=ro", uri=True)
    try:
        loaded = roster_snapshot.load(conn)
        assert loaded is not None and loaded.cols["name"][loaded.ids.index(first)] == "新名字"
        assert loaded.ids == roster.load_index(conn).ids
    finally:
        conn.close()


def test_a_failing_snapshot_write_is_only_logged(qtbot: Any, demo_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_reader: Any) -> bool:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(roster_snapshot, "save", broken)
    win = _started(qtbot, demo_path)
    assert win.ctx.last_error is None
    win.close()
    assert _snapshots(demo_path) == 0


def test_menus_are_filled_after_the_first_paint(qtbot: Any, demo_path: Path) -> None:
    win = open_main_window(prepare(demo_path), interactive=False)
    assert win._actions is None  # the menu bar is there, its actions are not yet
    assert [a.text() for a in win.menuBar().actions()] == ["文件(&F)", "编辑(&E)", "视图(&V)", "帮助(&H)"]
    page = _painted(qtbot, win)
    qtbot.waitUntil(lambda: win._actions is not None, timeout=5000)
    texts = [a.text() for m in win._menus.values() for a in m.actions()]
    assert "打开数据库…" in texts and "新增人员" in texts and "关于退管通" in texts
    assert win.ctx.wait_ready(30)
    QApplication.processEvents()
    assert win.new_action.isEnabled() and win.undo_action.isEnabled()
    # Their shortcuts work: Ctrl+F goes to the search box.
    win.activateWindow()
    page.table.setFocus()
    QTest.keyClick(win, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(page.search.hasFocus, timeout=2000)
    win.close()


def test_an_action_asked_for_early_fills_the_menus(qtbot: Any, demo_db: Any) -> None:
    from app.ui.main_window import MainWindow

    win = MainWindow(demo_db, interactive=False)  # never shown, never painted
    qtbot.addWidget(win)
    assert win._actions is None
    assert win.backup_action.text() == "立即备份" and win.backup_action.isEnabled()
    assert win._actions is not None and win.backup_action in win.db_actions
    win.ctx.wait_idle()
    win.ctx.shutdown()


def test_opening_a_menu_fills_it(qtbot: Any, demo_db: Any) -> None:
    from app.ui.main_window import MainWindow

    win = MainWindow(demo_db, interactive=False)
    qtbot.addWidget(win)
    win._menus["help"].aboutToShow.emit()
    assert [a.text() for a in win._menus["help"].actions()] == ["关于退管通"]
    win.ctx.wait_idle()
    win.ctx.shutdown()


def test_rows_painted_is_emitted_once(qtbot: Any, demo_path: Path) -> None:
    win = open_main_window(prepare(demo_path), interactive=False)
    page = win.roster()
    seen: list[int] = []
    page.rows_painted.connect(lambda: seen.append(1))
    _painted(qtbot, win)
    page.table.viewport().repaint()
    QApplication.processEvents()
    assert seen == [1]
    win.ctx.wait_ready(30)
    win.close()


def test_collection_waits_for_the_first_paint(qtbot: Any, demo_path: Path) -> None:
    assert gc.isenabled()
    startup = prepare(demo_path)
    assert not gc.isenabled() and startup_gc.paused()
    win = open_main_window(startup, interactive=False)
    assert not gc.isenabled()
    _painted(qtbot, win)
    qtbot.waitUntil(gc.isenabled, timeout=5000)
    assert not startup_gc.paused()
    win.ctx.wait_ready(30)
    win.close()


def test_a_failed_start_turns_collection_back_on(demo_path: Path) -> None:
    from app.ui.instance_lock import AlreadyOpenError, host_name, lock_path

    lock_path(demo_path).write_text(json.dumps(
        {"host": host_name(), "user": "张三", "pid": os.getppid(), "time": "2026-01-01T08:00:00"}),
        encoding="utf-8")
    with pytest.raises(AlreadyOpenError):
        prepare(demo_path)
    assert gc.isenabled()


def test_collection_comes_back_by_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startup_gc, "LIMIT_S", 0.05)
    startup_gc.pause()
    assert not gc.isenabled()
    startup_gc.pause()  # no second timer
    deadline = time.monotonic() + 5
    while not gc.isenabled() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert gc.isenabled() and not startup_gc.paused()


def test_a_collector_turned_off_by_someone_else_stays_off() -> None:
    gc.disable()
    try:
        startup_gc.pause()
        assert not startup_gc.paused()
        startup_gc.resume()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_host_name_is_what_socket_says() -> None:
    import socket

    from app.ui.instance_lock import host_name

    assert host_name() == socket.gethostname()
