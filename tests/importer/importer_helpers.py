"""Workbooks built on the fly and a logical snapshot of the database (importer tests)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from app.services.idcard import make_id_number


def ident(year: int, month: int, day: int, seq: int = 1, region: str = "110105") -> str:
    """A valid ID number (odd seq → male)."""
    return make_id_number(region, date(year, month, day), seq)


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]], *, title: str = "花名册",
               extra_sheets: dict[str, Sequence[Sequence[Any]]] | None = None,
               merges: Sequence[str] = ()) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    for name, more in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for row in more:
            other.append(list(row))
    wb.save(path)
    return path


def snapshot(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, sorted: the database's logical content."""
    con = sqlite3.connect(db_path)
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        return {t: sorted(map(tuple, con.execute(f'SELECT * FROM "{t}"')), key=repr) for t in tables}
    finally:
        con.close()

