"""Benchmark data sets: demo databases of 10,000 and 100,000 retirees with three years of
visit history, generated once into bench/.data (gitignored) and reused."""

from __future__ import annotations

import shutil
import sys
import time
from datetime import date
from pathlib import Path

from bench.results import DATA

TODAY = date(2026, 11, 1)  # fixed, so every run measures the same data


def ensure_db(count: int, seed: int = 1) -> tuple[Path, float | None]:
    """Path of the demo database with ``count`` people, and the generation time in seconds
    if it had to be made now (None when it was already there)."""
    from app.db import open_database
    from app.services.demo import generate_demo

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"demo-{count}-s{seed}.sqlite3"
    if path.exists():
        return path, None
    tmp = path.with_suffix(".part")
    for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    started = time.perf_counter()
    db = open_database(tmp)
    with db.session_scope() as s:
        generate_demo(s, count, seed, today=TODAY,
                      progress=lambda d, t, x: print(f"\r{x} {d}/{t}", end="", file=sys.stderr))
    db.close()
    elapsed = time.perf_counter() - started
    print(file=sys.stderr)
    final = open_database(tmp)
    with final.engine.connect() as conn:  # fold the WAL in before renaming
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    final.close()
    tmp.replace(path)
    for p in (Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
        p.unlink(missing_ok=True)
    return path, elapsed


def working_copy(count: int, dest: Path, seed: int = 1) -> Path:
    """A copy a benchmark may change."""
    src, _ = ensure_db(count, seed)
    shutil.copyfile(src, dest)
    return dest
