"""A cheaper "does this module use PySide6?" check for PySide6's import hook.

Once PySide6 is loaded it looks at every module imported after it, to know whether its
``from __feature__ import …`` switches (snake_case, true_property) may apply there
(PYSIDE-2029). It does so with ``inspect.getsource(module)``, which reads each source file
through ``linecache`` and keeps it there for good: after the database stack (SQLAlchemy,
SQLModel, pydantic: some 300 modules) has loaded behind the window, that is about 10
million characters of source held as line strings, some 25 MiB of the program's resident
memory, plus the time to tokenise each file.

``install()`` replaces the check with the same test on the raw bytes of the ``.py`` file,
read once and not kept. Anything else (no source file, a ``.pyc`` only, an unreadable file)
still goes to PySide6's own check. If a PySide6 release changes this hook, ``install``
does nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType

__all__ = ["install", "installed"]

_FEATURE_MODULE = "shibokensupport.feature"


def _raw_check(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def mod_uses_pyside(module: ModuleType) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as fh:
                    return b"PySide6" in fh.read()
            except OSError:
                pass
        return original(module)

    mod_uses_pyside.replaces = original  # type: ignore[attr-defined]
    return mod_uses_pyside


def install() -> bool:
    """Swap in the cheaper check (after PySide6 is imported); True when it is in place."""
    feature = sys.modules.get(_FEATURE_MODULE)
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if not hasattr(original, "replaces"):
        feature._mod_uses_pyside = _raw_check(original)  # type: ignore[attr-defined]
    return True


def installed() -> bool:
    feature = sys.modules.get(_FEATURE_MODULE)
    return hasattr(getattr(feature, "_mod_uses_pyside", None), "replaces")
