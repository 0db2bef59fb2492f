"""Printing speed: visit sheets for 7,300 retirees in ~500 liaison groups, against a bare
ReportLab canvas drawing the same strings in the same run, and card sheets for 1,000 people.

Target (issue 4): the visit sheets in ≤ 5 s on this machine and ≤ 3× the bare canvas.
``python bench/bench_print.py [--runs N] [--people N]``; figures go to bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from reportlab.lib.pagesizes import A4, landscape  # noqa: E402
from reportlab.pdfgen.canvas import Canvas  # noqa: E402
from sqlmodel import select  # noqa: E402

from app.db import open_database  # noqa: E402
from app.models import LiaisonGroup, Retiree  # noqa: E402
from app.reports import lists  # noqa: E402
from app.reports.documents import build_pdf  # noqa: E402
from app.reports.fonts import register_pdf_font  # noqa: E402
from app.reports.layout import _binary_streams  # noqa: E402
from app.reports.tables import cell_text  # noqa: E402
from bench.results import DATA, median, write_section  # noqa: E402

SEED = 2024
ON = date(2026, 6, 30)


def database(people: int):
    from app.services.demo import generate_demo

    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"print-{people}-seed{SEED}.sqlite3"
    fresh = not path.exists()
    os.environ.setdefault("RETIREE_DESK_HOME", str(DATA / "home"))
    db = open_database(path)
    if fresh:
        with db.session_scope() as s:
            generate_demo(s, people, seed=SEED)
    return db


def bare_canvas(strings_by_section: list[list[list[str]]], out: Path, *, binary: bool = False) -> None:
    """The floor: every string of the sheet drawn at a fixed grid position, 16 rows a page,
    with the same embedded CJK font — no measuring, wrapping or ruling."""
    font = register_pdf_font()
    c = Canvas(str(out), pagesize=landscape(A4), initialFontName=font)
    width, height = landscape(A4)
    for section in strings_by_section:
        y = height - 60
        c.setFont(font, 9)
        for row in section:
            if y < 60:
                c.showPage()
                c.setFont(font, 9)
                y = height - 60
            x = 30.0
            for text in row:
                for line in text.split("\n"):
                    c.drawString(x, y, line)
                x += 70
            y -= 26
        c.showPage()
    if binary:
        with _binary_streams():
            c.save()
    else:
        c.save()


def visit_strings(db) -> list[list[list[str]]]:
    with db.session_scope() as s:
        table = lists.visit_sheet(s, on=ON)
    kinds = [c.kind for c in table.columns]
    out = []
    for section in table.sections:
        rows = [[section.title], [c.label for c in table.columns]]
        rows += [[cell_text(v, k) for v, k in zip(row, kinds, strict=True)] for row in section.rows]
        out.append(rows)
    return out


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--people", type=int, default=7300)
    ap.add_argument("--cards", type=int, default=1000)
    args = ap.parse_args()
    db = database(args.people)
    with db.session_scope() as s:
        active = len(s.exec(select(Retiree.id).where(Retiree.status == "在册")).all())
        groups = len(s.exec(select(LiaisonGroup.id)).all())
        card_ids = list(s.exec(select(Retiree.id).where(Retiree.status == "在册")
                               .order_by(Retiree.id).limit(args.cards)))
    strings = visit_strings(db)
    n_strings = sum(len(r) for sec in strings for r in sec)
    work = Path(tempfile.mkdtemp(prefix="bench-print-"))
    sheet, floor, floor_bin, cards = [], [], [], []
    pages = 0

    def build_sheet() -> None:
        with db.session_scope() as s:
            build_pdf("visit-sheet", s, work / "visit.pdf", on=ON)

    def build_cards() -> None:
        with db.session_scope() as s:
            build_pdf("cards", s, work / "cards.pdf", ids=card_ids, on=ON)

    for _ in range(args.runs):
        # Alternate the two so that a busy neighbour on the shared machine hurts both alike.
        sheet.append(timed(build_sheet))
        floor.append(timed(lambda: bare_canvas(strings, work / "bare.pdf")))
        floor_bin.append(timed(lambda: bare_canvas(strings, work / "bare-bin.pdf", binary=True)))
    data = (work / "visit.pdf").read_bytes()
    pages = data.count(b"/Type /Page\n")
    for _ in range(max(1, args.runs // 2)):
        cards.append(timed(build_cards))
    card_pages = (work / "cards.pdf").read_bytes().count(b"/Type /Page\n")
    ratio = median(sheet) / min(median(floor), median(floor_bin))
    body = f"""
Data: `generate_demo({args.people}, seed={SEED})` — {active} people in the register, {groups} liaison
groups. {args.runs} runs each, sheet and bare canvas alternated; medians.

| what | median | runs | pages | size |
|---|---|---|---|---|
| 入户走访登记表 (visit sheets, all {active} people, `build_pdf("visit-sheet")`) | {median(sheet):.2f} s | {', '.join(f'{t:.2f}' for t in sheet)} | {pages} | {(work / 'visit.pdf').stat().st_size / 1e6:.1f} MB |
| bare ReportLab canvas (`drawString`), same {n_strings} strings, same font, ReportLab defaults | {median(floor):.2f} s | {', '.join(f'{t:.2f}' for t in floor)} | — | {(work / 'bare.pdf').stat().st_size / 1e6:.1f} MB |
| the same bare canvas saved with binary streams (as our sheets are) | {median(floor_bin):.2f} s | {', '.join(f'{t:.2f}' for t in floor_bin)} | — | {(work / 'bare-bin.pdf').stat().st_size / 1e6:.1f} MB |
| 人员卡册 (card sheets) for {len(card_ids)} people | {median(cards):.2f} s | {', '.join(f'{t:.2f}' for t in cards)} | {card_pages} | {(work / 'cards.pdf').stat().st_size / 1e6:.1f} MB |

Visit sheets / the faster bare canvas: **{ratio:.2f}×** (target ≤ 3×); visit sheets {median(sheet):.2f} s
(target ≤ 5 s): {"met" if ratio <= 3 and median(sheet) <= 5 else "NOT met"}.
The sheet's time includes reading the people, their last visits and groups from SQLite,
sorting by address, wrapping cells and ruling the tables; the bare canvas only draws strings
it is handed. The sheet keeps close to a bare `drawString` loop because it writes each page's
text as one PDF text object instead of one per string (`app/reports/layout.py`, `Layout._emit`).
Card sheets have no target; most of their time is `services.cards.card_set` (seven queries a
person).
"""
    write_section("print", "Printing (bench_print.py)", body)


if __name__ == "__main__":
    main()
