from __future__ import annotations

from pathlib import Path

import pytest

from app import paths


def test_db_path_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETIREE_DESK_HOME", str(tmp_path / "home"))
    assert paths.resolve_db_path() == tmp_path / "home" / "retiree-desk.sqlite3"
    monkeypatch.setenv("RETIREE_DESK_DB", str(tmp_path / "env.sqlite3"))
    assert paths.resolve_db_path() == tmp_path / "env.sqlite3"
    assert paths.resolve_db_path(str(tmp_path / "cli.sqlite3")) == tmp_path / "cli.sqlite3"
    # The demo database is never the user's.
    assert paths.demo_db_path() != paths.default_db_path()
