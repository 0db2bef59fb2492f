"""人员卡册: the full card set of each retiree, one person per page (a long history runs on to
a continuation page). Values come from ``services.cards.card_sets``, so labels and masking are
the registry's: ID numbers and phones are masked unless ``reveal`` (the archive copy)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import Retiree
from app.models.registry import CARD_LABELS, REGISTRY, Card
from app.reports.layout import Column, Layout
from app.services.cards import card_sets

RECENT_VISITS = 5  # the card set on paper shows the latest visits; the program keeps them all


def _columns(table: str, skip: tuple[str, ...] = ()) -> list[Column]:
    return [Column(f.label, f.width) for f in REGISTRY[table]
            if f.name != "retiree_id" and f.kind != "ref" and f.name not in skip]


def _rows(items: list[dict[str, Any]], columns: list[Column]) -> list[list[str]]:
    return [[str(item.get(c.label, "") or "") for c in columns] for item in items]


def _pairs_table(layout: Layout, pairs: list[tuple[str, str]], per_row: int = 3) -> None:
    cols: list[Column] = []
    for _ in range(per_row):
        cols += [Column("", 9, "center"), Column("", 13)]
    rows = []
    for i in range(0, len(pairs), per_row):
        chunk = pairs[i:i + per_row]
        chunk += [("", "")] * (per_row - len(chunk))
        rows.append([x for pair in chunk for x in pair])
    layout.table(cols, rows, header=False, shade_columns=tuple(range(0, 2 * per_row, 2)),
                 size=8.5, pad=2)


def _list(layout: Layout, title: str, items: list[dict[str, Any]], columns: list[Column]) -> None:
    layout.heading(f"【{title}】", size=10.5, keep_with=30)
    if items:
        layout.table(columns, _rows(items, columns), size=8, pad=2)
    else:
        layout.paragraph("（无）")
    layout.space(4)


def draw_card_set(layout: Layout, r: Retiree, data: dict[str, Any]) -> None:
    layout.new_page()
    layout.on_break = lambda: layout.text_line(f"{r.name} 卡册（续）", size=10.5)
    layout.heading(f"{r.name}    {data['unit']}", size=12)
    basic: dict[str, str] = data[CARD_LABELS[Card.BASIC]]
    layout.heading(f"【{CARD_LABELS[Card.BASIC]}】", size=10.5)
    _pairs_table(layout, [(k, str(v or "")) for k, v in basic.items()])
    layout.space(4)
    _list(layout, CARD_LABELS[Card.BENEFITS], data[CARD_LABELS[Card.BENEFITS]], _columns("benefits"))
    contacts: dict[str, Any] = dict(data[CARD_LABELS[Card.CONTACTS]])
    people = contacts.pop("联系人")
    layout.heading(f"【{CARD_LABELS[Card.CONTACTS]}】", size=10.5, keep_with=30)
    _pairs_table(layout, [(k, str(v or "")) for k, v in contacts.items()], per_row=3)
    layout.space(2)
    if people:
        layout.table(_columns("contacts", ("best_call_time",)),
                     _rows(people, _columns("contacts", ("best_call_time",))), size=8, pad=2)
    layout.space(4)
    notice_cols = [Column("告知事项", 14)] + _columns("notice_deliveries")
    _list(layout, CARD_LABELS[Card.NOTICES], data[CARD_LABELS[Card.NOTICES]], notice_cols)
    visit_cols = [c if c.label != "情况记录" else Column(c.label, 44)
                  for c in _columns("visits", ("follow_up_done", "gifts", "follow_up"))]
    visits = data[CARD_LABELS[Card.VISITS]][:RECENT_VISITS]
    _list(layout, f"{CARD_LABELS[Card.VISITS]}（最近 {RECENT_VISITS} 次）", visits, visit_cols)
    layout.on_break = None


def draw_card_sets(layout: Layout, session: Session, people: list[Retiree], *, on: date,
                   reveal: bool = False, tick: Any = None) -> None:
    for r, data in zip(people, card_sets(session, people, reveal=reveal, on=on), strict=True):
        draw_card_set(layout, r, data)
        if tick:
            tick()
