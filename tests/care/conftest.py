"""Small exact data sets for the care rules, built through the operations."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pytest

from app.services import operations

ACTOR = "测试员"


@pytest.fixture
def s(db: Any) -> Iterator[Any]:
    """One session over the fresh ``db`` (committed at the end of the test)."""
    with db.session_scope() as session:
        yield session


@pytest.fixture
def person(s: Any) -> Callable[..., str]:
    """Make a retiree (active, solar birthday) and return the id; fields override."""

    def make(name: str = "张建国", **fields: Any) -> str:
        data = {"name": name, "birth_date": "1950-06-15", "category": "退休", **fields}
        return operations.create(s, "retirees", data, actor=ACTOR).id

    return make


@pytest.fixture
def visit(s: Any) -> Callable[..., str]:
    def make(rid: str, kind: str, when: date, **fields: Any) -> str:
        data = {"retiree_id": rid, "kind": kind, "visit_date": when, **fields}
        return operations.create(s, "visits", data, actor=ACTOR).id

    return make


def _kinds_for(reminders: list[Any], rid: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for r in reminders:
        if r.retiree_id == rid:
            out.setdefault(r.kind, []).append(r)
    return out


@pytest.fixture
def kinds_for() -> Callable[[list[Any], str], dict[str, list[Any]]]:
    """``kinds_for(reminders, rid)``: one person's reminders by kind."""
    return _kinds_for
