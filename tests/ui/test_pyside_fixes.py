"""PySide6 6.12 drops references to None; the program must survive a long session."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtWidgets import QComboBox


def test_none_survives_many_reference_drops(qapp: Any) -> None:
    import app.ui  # noqa: F401  (pins the singletons on import)

    before = sys.getrefcount(None)
    assert before > 1 << 39
    box = QComboBox()
    box.addItem("x", None)
    for _ in range(2000):
        qapp.processEvents()
        box.currentData()  # each call loses one reference in PySide6 6.12
    assert sys.getrefcount(None) > 1 << 39
