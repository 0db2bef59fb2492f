"""Where the program keeps its files.

platformdirs gives the per-user locations; ``--db PATH`` beats ``RETIREE_DESK_DB`` beats the
default. The demo database lives beside the real one under its own name so that
``make run`` can never touch a user's data.
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import PlatformDirs

from app import APP_NAME

ENV_DB = "RETIREE_DESK_DB"
# Tests and CI point this at a temp folder so nothing lands in the real profile.
ENV_HOME = "RETIREE_DESK_HOME"

_dirs = PlatformDirs(appname=APP_NAME, appauthor=False)


def data_dir() -> Path:
    """The folder for databases and backups (created on demand)."""
    home = os.environ.get(ENV_HOME)
    path = Path(home) if home else Path(_dirs.user_data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    home = os.environ.get(ENV_HOME)
    path = Path(home) / "config" if home else Path(_dirs.user_config_dir)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "retiree-desk.sqlite3"


def demo_db_path() -> Path:
    return data_dir() / "demo.sqlite3"


def resolve_db_path(cli_value: str | os.PathLike[str] | None = None) -> Path:
    """The database to open: ``--db`` first, then ``RETIREE_DESK_DB``, then the default."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env).expanduser().resolve()
    return default_db_path()


def backups_dir(db_path: Path) -> Path:
    """Backups sit beside their database, so a copied folder carries its own history."""
    path = db_path.parent / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path
