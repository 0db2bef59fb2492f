"""app.ui.feature_scan: PySide6's per-import "uses PySide6?" check, without linecache."""

from __future__ import annotations

import importlib
import linecache
import sys
from pathlib import Path
from typing import Any

import pytest

from app.ui import feature_scan


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "scan_uses_qt.py").write_text("from PySide6.QtCore import QObject\n", encoding="utf-8")
    (tmp_path / "scan_plain.py").write_text("VALUE = 1  # 退管通\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in ("scan_uses_qt", "scan_plain"):
        sys.modules.pop(name, None)


def test_start_up_installs_it_and_the_answers_are_unchanged(qapp: Any, modules: Path) -> None:
    from app.ui.launch import make_application

    make_application()
    assert feature_scan.installed()
    assert feature_scan.install()  # idempotent
    feature = sys.modules["shibokensupport.feature"]
    original = feature._mod_uses_pyside.replaces
    # An import statement (PySide6 hooks __import__, which importlib.import_module bypasses).
    uses_qt = __import__("scan_uses_qt")
    plain = __import__("scan_plain")
    assert feature.pyside_feature_dict["scan_uses_qt"] == 0  # may use __feature__ switches
    assert feature.pyside_feature_dict["scan_plain"] == -1  # ignored by them
    # The point: the sources were not kept in memory.
    assert str(modules / "scan_uses_qt.py") not in linecache.cache
    assert str(modules / "scan_plain.py") not in linecache.cache
    for module in (uses_qt, plain, sys, importlib):  # .py files, a builtin, a package
        assert feature._mod_uses_pyside(module) == original(module)
