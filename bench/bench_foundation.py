"""Foundation benchmark: search latency against a plain SQLite LIKE scan in the same run,
database open time, demo generation rate. Targets: search p95 ≤ 10 ms at 10,000 retirees
and ≤ 60 ms at 100,000."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bench.data import ensure_db
from bench.results import median, pct, write_section

# 1–3 character queries as typed into the search box: surnames, given-name parts, pinyin
# initials, phone and ID-number fragments, street names.
QUERIES = ["王", "张", "李", "zs", "wjg", "lxy", "l", "z", "建国", "秀英", "朝阳", "学院路", "138",
           "80", "5", "x", "zh", "wang", "李秀", "qq", "9"]
REPEAT = 7


def baseline_like(con: sqlite3.Connection, q: str) -> list:
    """What one would write without an index: LIKE over the retiree's own columns."""
    like = f"%{q}%"
    return con.execute(
        "SELECT id FROM retirees WHERE deleted = 0 AND status = '在册' AND (name LIKE ? OR "
        "id_number LIKE ? OR phones LIKE ? OR address LIKE ?) ORDER BY name LIMIT 50",
        (like, like, like, like)).fetchall()


def measure(path: Path) -> dict[str, list[float]]:
    from app.db import open_database
    from app.services.search import search

    db = open_database(path)
    times: dict[str, list[float]] = {"index": [], "like": []}
    con = sqlite3.connect(path)
    with db.session_scope() as s:
        for q in QUERIES:  # warm the page cache for both
            search(s, q)
            baseline_like(con, q)
        for _ in range(REPEAT):
            for q in QUERIES:
                t = time.perf_counter()
                search(s, q, limit=50)
                times["index"].append((time.perf_counter() - t) * 1000)
                t = time.perf_counter()
                baseline_like(con, q)
                times["like"].append((time.perf_counter() - t) * 1000)
    con.close()
    db.close()
    opens = []
    for _ in range(5):
        t = time.perf_counter()
        d = open_database(path)
        with d.session_scope() as s:
            s.connection().exec_driver_sql("SELECT count(*) FROM retirees").scalar()
        d.close()
        opens.append((time.perf_counter() - t) * 1000)
    times["open"] = opens
    return times


def main() -> None:
    rows = []
    gen_rows = []
    for count, target in ((10_000, 10.0), (100_000, 60.0)):
        path, gen = ensure_db(count)
        if gen is not None:
            gen_rows.append(f"| {count:,} | {gen:.1f} s | {count / gen:,.0f} retirees/s |")
        t = measure(path)
        idx, like = t["index"], t["like"]
        rows.append(
            f"| {count:,} | {median(idx):.2f} | {pct(idx, 95):.2f} | {median(like):.2f} | {pct(like, 95):.2f} "
            f"| {pct(idx, 95) / pct(like, 95):.2f}× | {target:.0f} ms | {'met' if pct(idx, 95) <= target else 'MISSED'} "
            f"| {median(t['open']):.1f} ms |")
    body = [
        f"Queries ({len(QUERIES)}, each {REPEAT}×): {' '.join(QUERIES)}",
        "",
        "Search = `app.services.search.search` (name, pinyin, initials, ID tail, phones, address; "
        "ranked; limit 50). Baseline = plain `LIKE '%q%'` over the retirees table's name, ID number, "
        "phones and address (no pinyin), same connection settings, same run.",
        "",
        "| retirees | search median ms | search p95 ms | LIKE median ms | LIKE p95 ms | p95 ratio | target p95 | | open db (median) |",
        "|---:|---:|---:|---:|---:|---:|---:|---|---:|",
        *rows,
    ]
    if gen_rows:
        body += ["", "Demo generation (including three years of visits, benefits, contacts; one transaction):", "",
                 "| retirees | time | rate |", "|---:|---:|---:|", *gen_rows]
    write_section("foundation", "Foundation: search, open, demo generation", "\n".join(body))


if __name__ == "__main__":
    main()
