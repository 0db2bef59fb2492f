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
