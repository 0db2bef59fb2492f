"""Sync benchmark: 18 units, ~7,300 retirees, ~100,000 visits. Each unit exports its up-bundle,
headquarters imports the folder, then re-imports it. Timed and measured (peak RSS of the
importing process) in child processes, so the figures are the real command's.
Targets: full import ≤ 10 s, re-import ≤ 2 s, peak memory ≤ 300 MiB."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from bench.results import DATA, write_section

UNITS = 18
PEOPLE = 7300
ROOT = DATA / "sync"


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds and peak RSS (MiB) of one CLI command in its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "app", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024, done.stdout


def build() -> tuple[Path, Path, dict[str, str]]:
    from app.db import open_database
    from app.services.demo import generate_demo
    from app.services.units import init_self_unit
    from app.sync.exporter import export_bundle
    from app.sync.peers import add_child, enrol

    if ROOT.exists():
        shutil.rmtree(ROOT)
    (ROOT / "bundles").mkdir(parents=True)
    env = {**os.environ, "RETIREE_DESK_HOME": str(ROOT / "home")}
    os.environ["RETIREE_DESK_HOME"] = env["RETIREE_DESK_HOME"]
    hq = open_database(ROOT / "hq.sqlite3")
    with hq.session_scope() as s:
        init_self_unit(s, "总部", "HQ", actor="bench", level="总部")
    per = PEOPLE // UNITS
    for i in range(UNITS):
        code = f"U{i + 1:02d}"
        with hq.session_scope() as s:
            add_child(s, f"第{i + 1}分公司", code, ROOT / f"{code}.enrol", actor="bench")
        unit = open_database(ROOT / f"{code}.sqlite3")
        with unit.session_scope() as s:
            enrol(s, ROOT / f"{code}.enrol", actor="bench")
            generate_demo(s, per + (1 if i < PEOPLE % UNITS else 0), seed=i + 1, today=date(2026, 11, 1))
        with unit.session_scope() as s:
            export_bundle(s, "HQ", ROOT / "bundles" / f"{code}.rdb", actor="bench")
        unit.close()
    hq.close()
    return ROOT / "hq.sqlite3", ROOT / "bundles", env


def _cached() -> tuple[Path, Path, dict[str, str], float] | None:
    """The set-up of an earlier run, if it was made with the same units and people."""
    stamp = ROOT / "setup.json"
    try:
        meta = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    bundles = ROOT / "bundles"
    if (meta.get("units"), meta.get("people")) != (UNITS, PEOPLE) or not (ROOT / "hq-pristine.sqlite3").exists() \
            or len(list(bundles.glob("*.rdb"))) != UNITS:
        return None
    env = {**os.environ, "RETIREE_DESK_HOME": str(ROOT / "home")}
    return ROOT / "hq.sqlite3", bundles, env, float(meta["setup_s"])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reuse", action="store_true",
                    help="reuse the units, bundles and headquarters database of an earlier run (bench/.data/sync)")
    ap.add_argument("--runs", type=int, default=3, help="full imports (each followed by a re-import), default 3")
    ap.add_argument("--note", default="", help="a sentence to add to the section (e.g. a comparison run)")
    args, _rest = ap.parse_known_args()  # `python -m bench sync` leaves its own words in argv
    cached = _cached() if args.reuse else None
    if cached is not None:
        hq, bundles, env, setup = cached
        pristine = hq.with_name("hq-pristine.sqlite3")
    else:
        t = time.perf_counter()
        hq, bundles, env = build()
        setup = time.perf_counter() - t
        pristine = hq.with_name("hq-pristine.sqlite3")
        shutil.copyfile(hq, pristine)
        (ROOT / "setup.json").write_text(json.dumps({"units": UNITS, "people": PEOPLE, "setup_s": setup}),
                                         encoding="utf-8")
    runs = []
    loads = []
    for _ in range(args.runs):  # full import from the same starting point, each time
        shutil.copyfile(pristine, hq)
        for suffix in ("-wal", "-shm"):
            Path(f"{hq}{suffix}").unlink(missing_ok=True)
        loads.append(os.getloadavg()[0])
        full, full_mem, out = _run(["bundle", "import", str(bundles), "--db", str(hq), "--json"], env)
        again, again_mem, out2 = _run(["bundle", "import", str(bundles), "--db", str(hq), "--json"], env)
        runs.append((full, full_mem, again, again_mem))
        print(f"full {full:.2f} s, re-import {again:.2f} s, 1-min load before {loads[-1]:.2f}", flush=True)
    results = json.loads(out)
    counts: dict[str, int] = {}
    for r in results:
        for k, v in r["counts"].items():
            counts[k] = counts.get(k, 0) + v
    repeat = json.loads(out2)
    unchanged = sum(r["counts"]["unchanged"] for r in repeat)
    size = sum(p.stat().st_size for p in bundles.glob("*.rdb"))
    from statistics import median

    full = median(r[0] for r in runs)
    again = median(r[2] for r in runs)
    mem = max(max(r[1], r[3]) for r in runs)
    by_table: dict[str, int] = {}
    for r in results:
        for table, c in r["by_table"].items():
            by_table[table] = by_table.get(table, 0) + sum(c.values())
    body = f"""
{UNITS} units, {PEOPLE:,} retirees; records per table: {', '.join(f'{k} {v:,}' for k, v in by_table.items())}.
Bundles: {UNITS} files, {size / 1024 / 1024:.1f} MiB in all. Set-up (enrolment, demo data, exports): {setup:.1f} s{' (made by an earlier run, reused)' if cached else ''}.
Each figure is the whole `retiree-desk bundle import FOLDER` command (process start, backups, planning,
one transaction per bundle), median of {len(runs)}; memory is the largest peak RSS of any run.
Runs (full / re-import, s): {'; '.join(f'{r[0]:.2f} / {r[2]:.2f}' for r in runs)}.
Machine load (1-minute load average of this 2-core machine, shared with other work, before each
full import): {', '.join(f'{x:.2f}' for x in loads)}.

| step | median | target | | peak RSS | target |
|---|---:|---:|---|---:|---:|
| full import at headquarters | {full:.2f} s | 10 s | {'met' if full <= 10 else 'MISSED'} | {mem:.0f} MiB | 300 MiB |
| re-import of the same bundles | {again:.2f} s | 2 s | {'met' if again <= 2 else 'MISSED'} | | |

First import: {counts}. Re-import: {unchanged:,} records unchanged, nothing written.
{args.note}
"""
    write_section("sync", "Sync: 18 units to headquarters", body)


if __name__ == "__main__":
    main()
