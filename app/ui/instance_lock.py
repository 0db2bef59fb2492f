"""One program per database: a lock file beside it says who has it open.

SQLite would let two programs write the same file, but two officers editing the same card
in two windows would each overwrite the other's work. The lock holds the host name, the
user, the process id and the time; a lock left by a crashed program (its process is gone,
on this same computer) is taken over. A lock from another computer (a shared folder) is
never broken automatically: we cannot see its processes.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

__all__ = ["InstanceLock", "AlreadyOpenError", "lock_path"]


class AlreadyOpenError(Exception):
    """The database is open in another program; ``str(exc)`` is the Chinese message."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def host_name() -> str:
    """This computer's name, as ``socket.gethostname()`` gives it. Where there is
    ``os.uname`` (Linux, macOS) that is the same value (gethostname reads uname's node name)
    without importing ``socket``, some 8 ms of every start."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket  # pragma: no cover - Windows

    return socket.gethostname()  # pragma: no cover


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover
        return "未知用户"


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - exercised on the office PCs
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class InstanceLock:
    db_path: Path
    held: bool = False

    @property
    def path(self) -> Path:
        return lock_path(self.db_path)

    def _record(self) -> dict[str, object]:
        return {"host": host_name(), "user": _user(), "pid": os.getpid(),
                "time": datetime.now().isoformat(timespec="seconds")}

    def acquire(self) -> None:
        """Take the lock or raise ``AlreadyOpenError`` naming who holds it."""
        for _attempt in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                other = self.holder()
                if other is None or self._stale(other):
                    # Dead owner (or unreadable leftovers): remove and try once more.
                    with contextlib.suppress(FileNotFoundError):
                        self.path.unlink()
                    continue
                if other.get("host") == host_name() and other.get("pid") == os.getpid():
                    self.held = True  # this very process (a reopened window)
                    return
                raise AlreadyOpenError(self.message(other)) from None
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self._record(), fh, ensure_ascii=False)
            self.held = True
            return
        raise AlreadyOpenError(f"无法锁定数据库（{self.path}），请稍后再试。")

    def holder(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def _stale(other: dict[str, object]) -> bool:
        if other.get("host") != host_name():
            return False
        pid = other.get("pid")
        return not isinstance(pid, int) or not pid_alive(pid)

    def message(self, other: dict[str, object]) -> str:
        host = other.get("host", "?")
        where = "本机" if host == host_name() else f"计算机“{host}”"
        return (f"数据库“{self.db_path.name}”已被另一个退管通程序打开：\n"
                f"{where}上的用户“{other.get('user', '?')}”（进程号 {other.get('pid', '?')}），"
                f"打开时间 {str(other.get('time', '?')).replace('T', ' ')}。\n\n"
                "同一数据库同时只能由一个程序打开，以免互相覆盖修改。请先关闭那个程序"
                "（或切换到它的窗口）再试。")

    def release(self) -> None:
        if not self.held:
            return
        other = self.holder()
        if other is None or (other.get("pid") == os.getpid() and other.get("host") == host_name()):
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
        self.held = False
