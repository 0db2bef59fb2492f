"""No cyclic garbage collection while the desktop client starts.

Starting builds some 40,000 objects that live as long as the program (modules, classes,
Qt's enums, widgets) and makes next to no garbage (about 400 objects, measured). Python's
collector, run every 700 allocations, would walk these new objects again and again while
they are being made: some 25 ms of the way to the first window, for nothing. So ``pause``
(when ``app.ui`` is imported, and by ``launch.prepare`` for a later window) turns it off and
``resume`` (once the main window has been painted) turns it back on; from then on it runs
as usual. Should ``resume`` never come (a window never shown, a failed start, a test or
tool importing ``app.ui``), it comes by itself after ``LIMIT_S``.

Nothing is skipped: objects that become garbage meanwhile are collected by the first
collection after ``resume``.
"""

from __future__ import annotations

import gc
import threading

__all__ = ["LIMIT_S", "pause", "paused", "resume"]

LIMIT_S = 10.0

_lock = threading.Lock()
_timer: threading.Timer | None = None


def pause() -> None:
    """Turn collection off until ``resume`` (or ``LIMIT_S``); nothing when it is off already."""
    global _timer
    with _lock:
        if _timer is not None or not gc.isenabled():
            return
        gc.disable()
        _timer = threading.Timer(LIMIT_S, resume)
        _timer.daemon = True
        _timer.name = "gc-resume"
        _timer.start()


def resume() -> None:
    """Turn collection back on if ``pause`` turned it off (on any thread; at most once)."""
    global _timer
    with _lock:
        if _timer is None:
            return
        _timer.cancel()
        _timer = None
        gc.enable()


def paused() -> bool:
    """True between ``pause`` and ``resume``."""
    return _timer is not None
