"""Work-arounds for bugs of the Qt binding in use (PySide6 6.12 on CPython 3.11).

PySide6 6.12 drops one reference to ``None`` (and to ``True``/``False``) where it should not:
on every ``QCoreApplication.processEvents()`` call from Python, every ``currentData()`` of an
item whose data is ``None``, every ``None`` a model's ``data()`` returns to a view during a
reset, a ``bool`` sent through a queued signal. Each loss is harmless until the count reaches
zero, and then the interpreter aborts ("Fatal Python error: none_dealloc"), typically after a
long session or at exit.

CPython 3.12 makes these singletons immortal by giving them a huge reference count; we do the
same on 3.11. They are never freed in any case, so this changes nothing else.
"""

from __future__ import annotations

import ctypes
import sys

__all__ = ["pin_singletons"]

_PINNED = False
# Far more than any session can lose, far from overflowing a 64-bit count.
_HEADROOM = 1 << 40


def pin_singletons() -> None:
    global _PINNED
    if _PINNED or sys.version_info >= (3, 12) or ctypes.sizeof(ctypes.c_ssize_t) < 8:
        return
    for obj in (None, True, False):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(obj)).value += _HEADROOM
    _PINNED = True
