"""Load the field registry without the table models, for a fast first window.

Nearly every widget reads labels, choices and formats from ``app.models.registry``
(house rule 4). That module and the two it needs (``enums``, ``partial_date``) are plain
Python, but they live in the ``app.models`` package, whose ``__init__`` imports every
SQLModel table and with it SQLAlchemy, SQLModel and pydantic: about half a second and
40 MiB before the first window could be shown.

``preload_registry`` imports just those leaf modules under a stand-in for the package
(never executing its ``__init__``), then removes the stand-in. The next ``import
app.models`` anywhere (the background database loader) runs the real ``__init__`` as
usual and finds the leaf modules already in ``sys.modules``, so there is still exactly
one registry and one set of enums; ``relink_registry`` then hangs them on the real package
as attributes, as a normal import would have done.

If ``app.models`` (the real one) is already imported, this does nothing. Deleting this
module is the right move once ``app/models/__init__.py`` loads its tables lazily.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType

__all__ = ["LEAF_MODULES", "preload_registry", "relink_registry"]

PACKAGE = "app.models"
# In dependency order; none of them imports anything but the stdlib and each other.
LEAF_MODULES = ("app.models.enums", "app.models.partial_date", "app.models.registry")

_lock = threading.Lock()


def preload_registry() -> bool:
    """Import the registry's modules without the tables. True when it did so, False when
    the real ``app.models`` package had been imported already (nothing to gain)."""
    with _lock:
        if PACKAGE in sys.modules:
            return False
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or spec.submodule_search_locations is None:  # pragma: no cover
            return False
        import app

        stand_in: ModuleType = importlib.util.module_from_spec(spec)  # __path__ set, __init__ not run
        sys.modules[PACKAGE] = stand_in
        try:
            for name in LEAF_MODULES:
                importlib.import_module(name)
        except BaseException:
            for name in LEAF_MODULES:
                sys.modules.pop(name, None)
            raise
        finally:
            # Whatever happened, the next import of app.models must run its real __init__.
            if sys.modules.get(PACKAGE) is stand_in:
                del sys.modules[PACKAGE]
            if getattr(app, "models", None) is stand_in:
                del app.models
        return True


def relink_registry() -> None:
    """After the real ``app.models`` is imported: make ``app.models.registry`` (and the
    others) attributes of it again, as an ordinary import leaves them."""
    package = sys.modules.get(PACKAGE)
    if package is None:
        return
    for name in LEAF_MODULES:
        module = sys.modules.get(name)
        if module is not None and getattr(package, name.rsplit(".", 1)[1], None) is not module:
            setattr(package, name.rsplit(".", 1)[1], module)
