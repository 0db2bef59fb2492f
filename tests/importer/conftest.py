"""Fixtures for the importer tests (helpers live in importer_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from importer_helpers import write_xlsx


@pytest.fixture
def xlsx(tmp_path: Path) -> Callable[..., Path]:
    counter = iter(range(1000))

    def make(rows: Sequence[Sequence[Any]], name: str | None = None, **kw: Any) -> Path:
        return write_xlsx(tmp_path / (name or f"roster{next(counter)}.xlsx"), rows, **kw)

    return make


@pytest.fixture
def plan_of(db: Any) -> Callable[..., Any]:
    from app.importer import build_plan

    def make(path: Path, **kw: Any) -> Any:
        with db.session_scope() as s:
            return build_plan(s, path, **kw)

    return make


@pytest.fixture
def retirees(db: Any) -> Callable[[], list[Any]]:
    def read() -> list[Any]:
        from sqlmodel import select

        from app.models import Retiree

        with db.session_scope() as s:
            return list(s.exec(select(Retiree).order_by(Retiree.name)))

    return read
