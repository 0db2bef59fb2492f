"""Shared fixtures: every test gets a fresh database file in its own temp folder, and the
program's data folder points there too, so no test touches a real profile."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETIREE_DESK_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("RETIREE_DESK_DB", raising=False)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "unit.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:  # noqa: F821
    """A fresh database with this unit initialised (测试单位 / T001)."""
    from app.db import open_database
    from app.services.units import init_self_unit

    database = open_database(db_path)
    with database.session_scope() as s:
        init_self_unit(s, "测试单位", "T001", actor="测试员")
    yield database
    database.close()


@pytest.fixture
def demo_db(db_path: Path) -> Iterator[Database]:  # noqa: F821
    """A database with 300 demo retirees (seed 7) and everything around them."""
    from app.db import open_database
    from app.services.demo import generate_demo

    database = open_database(db_path)
    with database.session_scope() as s:
        generate_demo(s, 300, seed=7)
    yield database
    database.close()


_exit_status = 0


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    global _exit_status
    _exit_status = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """Leave without Python's interpreter teardown once Qt has been used.

    Every result and the summary are out by now. At teardown Python frees the Qt wrappers
    still held by test modules in no particular order; once (in a CI run, after all 670 tests
    had passed) that freed a QObject Qt still owned ("shared QObject was deleted directly")
    and the process died with SIGSEGV, failing the run. The program itself exits cleanly
    (checked by opening every page and quitting); this is about the test process only."""
    import sys

    if "PySide6" in sys.modules:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(_exit_status)
