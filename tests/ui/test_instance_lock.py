"""Only one program per database."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.ui.instance_lock import AlreadyOpenError, InstanceLock, lock_path


def test_lock_file_says_who_and_is_removed_on_release(tmp_path: Path) -> None:
    db = tmp_path / "unit.sqlite3"
    lock = InstanceLock(db)
    lock.acquire()
    data = json.loads(lock_path(db).read_text(encoding="utf-8"))
    assert data["pid"] == os.getpid() and data["host"] == socket.gethostname()
    assert data["user"] and data["time"]
    lock.release()
    assert not lock_path(db).exists()


def test_second_program_is_refused_with_a_message_naming_the_first(tmp_path: Path) -> None:
    db = tmp_path / "unit.sqlite3"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock_path(db).write_text(json.dumps({"host": socket.gethostname(), "user": "张会计",
                                             "pid": other.pid, "time": "2026-01-05T09:30:00"}),
                                 encoding="utf-8")
        with pytest.raises(AlreadyOpenError) as info:
            InstanceLock(db).acquire()
        msg = str(info.value)
        assert "张会计" in msg and str(other.pid) in msg and "2026-01-05 09:30:00" in msg
        assert "已被另一个退管通程序打开" in msg
    finally:
        other.kill()
        other.wait()


def test_stale_lock_of_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "unit.sqlite3"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock_path(db).write_text(json.dumps({"host": socket.gethostname(), "user": "x", "pid": dead.pid,
                                         "time": "2026-01-05T09:30:00"}), encoding="utf-8")
    lock = InstanceLock(db)
    lock.acquire()
    assert json.loads(lock_path(db).read_text(encoding="utf-8"))["pid"] == os.getpid()
    lock.release()


def test_lock_from_another_computer_is_respected(tmp_path: Path) -> None:
    db = tmp_path / "unit.sqlite3"
    lock_path(db).write_text(json.dumps({"host": "财务室电脑", "user": "李", "pid": 1234,
                                         "time": "2026-01-05T09:30:00"}), encoding="utf-8")
    with pytest.raises(AlreadyOpenError, match="财务室电脑"):
        InstanceLock(db).acquire()


def test_program_refuses_a_database_open_elsewhere(qapp: object, db: object, tmp_path: Path) -> None:
    from app.ui.launch import open_main_window

    path = db.path  # type: ignore[attr-defined]
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        lock_path(path).write_text(json.dumps({"host": socket.gethostname(), "user": "王干事",
                                               "pid": other.pid, "time": "2026-01-05T09:30:00"}),
                                   encoding="utf-8")
        with pytest.raises(AlreadyOpenError, match="王干事"):
            open_main_window(path, interactive=False)
    finally:
        other.kill()
        other.wait()
    lock_path(path).unlink()
    window = open_main_window(path, interactive=False)  # free again: opens, and holds the lock
    assert json.loads(lock_path(path).read_text(encoding="utf-8"))["pid"] == os.getpid()
    window.close()  # type: ignore[attr-defined]
    assert not lock_path(path).exists()
