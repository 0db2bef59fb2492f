"""Fixtures for the desktop client: a context and a main window over the demo database,
non-interactive (errors are recorded, not shown in dialogs)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def ctx(qapp: Any, demo_db: Any) -> Iterator[Any]:
    from app.ui.context import AppContext

    context = AppContext(demo_db, interactive=False)
    yield context
    context.wait_idle()
    context.shutdown()


@pytest.fixture
def window(qtbot: Any, demo_db: Any) -> Iterator[Any]:
    from app.ui.main_window import MainWindow

    win = MainWindow(demo_db, interactive=False)
    qtbot.addWidget(win)
    win.show()
    win.ctx.wait_idle()
    yield win
    win.ctx.wait_idle()
    win.ctx.shutdown()


@pytest.fixture
def roster(window: Any) -> Any:
    page = window.roster()
    window.ctx.wait_idle()
    return page


def retiree(db: Any, rid: str) -> Any:
    from app.models import Retiree

    with db.session_scope() as s:
        return s.get(Retiree, rid)
