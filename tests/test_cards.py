"""The card set read in batches (card sheets) equals the card set read person by person."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from app.models import Retiree
from app.services import cards


def test_batched_card_sets_equal_single_ones_across_chunks(demo_db, monkeypatch) -> None:
    monkeypatch.setattr(cards, "_CHUNK", 7)  # several chunks over the demo people
    on = date(2026, 6, 1)
    with demo_db.session_scope() as s:
        people = list(s.exec(select(Retiree).where(Retiree.deleted == False)  # noqa: E712
                             .order_by(Retiree.name).limit(40)))
        batched = list(cards.card_sets(s, people, on=on))
        single = [cards.card_set(s, r, on=on) for r in people]
    assert [c["id"] for c in batched] == [r.id for r in people]
    assert batched == single
    visits = [len(c["走访记录"]) for c in batched]
    assert sum(visits) > 40 and len(set(visits)) > 1  # real, differing histories compared
    dates = [v["走访日期"] for v in batched[0]["走访记录"]]
    assert dates == sorted(dates, reverse=True)  # newest first, as the card shows them
