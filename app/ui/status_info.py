"""Facts the status bar shows about the open database."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

__all__ = ["last_backup_time", "last_backup_text"]


def last_backup_time(db_path: Path) -> datetime | None:
    folder = db_path.parent / "backups"
    if not folder.is_dir():
        return None
    times = [p.stat().st_mtime for p in folder.glob(f"{db_path.stem}-*.sqlite3")]
    return datetime.fromtimestamp(max(times)) if times else None


def last_backup_text(db_path: Path) -> str:
    when = last_backup_time(db_path)
    return f"{when:%Y-%m-%d %H:%M}" if when else "尚未备份"
