"""``care_state``: per person, the latest visit of each kind the care rules look at.

Derived from ``visits`` and local (never edited by hand, never in a bundle). Every write of a
visit keeps it in step inside the same transaction: ``operations`` refreshes the person of
the visit it wrote, ``sync.apply`` and ``demo`` refresh everyone they wrote visits for in one
statement. So ``reminders`` reads one row per person instead of grouping the whole visit
history on every call (at 10,000 people with 130,000 visits that grouping was most of its
time). A trigger on ``visits`` would keep it in step with less code, but costs 2–3 s on
95,000 bulk-inserted visits of a bundle, against ~0.1 s for one refresh afterwards.

``latest`` (of any kind) tells when a row is no good for a given day: a person with a visit
dated after it is read from ``visits`` instead (``last_visits``), so asking about a past day
stays exact.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Union

from app.models.enums import VisitKind

if TYPE_CHECKING:
    from sqlmodel import Session

Source = Union["Session", sqlite3.Connection]

# Visits that see the person face to face (a home visit is due again after any of them).
IN_PERSON = frozenset(k.value for k in (
    VisitKind.HOME, VisitKind.HOSPITAL, VisitKind.FAMILY_EVENT, VisitKind.SPRING_FESTIVAL,
    VisitKind.BIRTHDAY, VisitKind.GOLDEN_WEDDING, VisitKind.HARDSHIP))
# Column → the visit kind whose latest date it holds.
BY_KIND: tuple[tuple[str, str], ...] = (
    ("phone", VisitKind.PHONE.value),
    ("letter", VisitKind.LETTER.value),
    ("spring_festival", VisitKind.SPRING_FESTIVAL.value),
    ("birthday", VisitKind.BIRTHDAY.value),
    ("wedding", VisitKind.GOLDEN_WEDDING.value),
    ("hospital", VisitKind.HOSPITAL.value),
    ("family_event", VisitKind.FAMILY_EVENT.value),
    ("condolence", VisitKind.CONDOLENCE.value),
)
# The columns after retiree_id, in table order; ``last_visits`` returns tuples in this order.
COLUMNS: tuple[str, ...] = ("latest", "in_person", *(c for c, _k in BY_KIND))
NO_VISITS: tuple[None, ...] = (None,) * len(COLUMNS)
_COLUMN_OF_KIND = {k: i for i, (_c, k) in enumerate(BY_KIND, start=2)}
_CHUNK = 500  # ids per statement (SQLite's bound-parameter limit)

_KIND_PARAMS = (*sorted(IN_PERSON), *(k for _c, k in BY_KIND))
_AGGREGATES = (
    "max(visit_date), "
    f"max(CASE WHEN kind IN ({', '.join('?' * len(IN_PERSON))}) THEN visit_date END), "
    + ", ".join("max(CASE WHEN kind = ? THEN visit_date END)" for _ in BY_KIND))
_FILL = (f"INSERT INTO care_state (retiree_id, {', '.join(COLUMNS)}) "
         f"SELECT retiree_id, {_AGGREGATES} FROM visits WHERE deleted = 0")


def _raw(source: Source) -> sqlite3.Connection:
    """The DB-API connection inside the session's transaction (flushed first, so the
    statements see the session's own pending writes)."""
    if isinstance(source, sqlite3.Connection):
        return source
    source.flush()
    raw = source.connection().connection.driver_connection
    assert raw is not None
    return raw  # type: ignore[return-value]


def refresh(source: Source, retiree_ids: Iterable[str] | None = None) -> None:
    """Recompute the rows of ``retiree_ids`` (everyone when None) from their visits."""
    raw = _raw(source)
    if retiree_ids is None:
        raw.execute("DELETE FROM care_state")
        raw.execute(_FILL + " GROUP BY retiree_id", _KIND_PARAMS)
        return
    ids = sorted(set(retiree_ids))
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        marks = ", ".join("?" * len(chunk))
        raw.execute(f"DELETE FROM care_state WHERE retiree_id IN ({marks})", chunk)
        raw.execute(_FILL + f" AND retiree_id IN ({marks}) GROUP BY retiree_id",
                    (*_KIND_PARAMS, *chunk))


def last_visits(source: Source, on: date,
                retiree_ids: Iterable[str] | None = None) -> dict[str, tuple[str | None, ...]]:
    """What ``care_state`` would hold for these people (everyone when None) if no visit
    after ``on`` existed: straight from ``visits``, one (person, kind) group at a time
    through the covering index (migration 0003). For days in the past, and as the
    reference the tests hold ``care_state`` to."""
    raw = _raw(source)
    sql = ("SELECT retiree_id, kind, max(visit_date) FROM visits "
           "INDEXED BY ix_visits_person_kind_date WHERE deleted = 0 AND visit_date <= ?")
    if retiree_ids is None:
        rows = raw.execute(sql + " GROUP BY retiree_id, kind", (on.isoformat(),)).fetchall()
    else:
        ids = sorted(set(retiree_ids))
        rows = []
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            rows += raw.execute(sql + f" AND retiree_id IN ({', '.join('?' * len(chunk))}) "
                                "GROUP BY retiree_id, kind", (on.isoformat(), *chunk)).fetchall()
    rows_of: dict[str, list[str | None]] = {}
    for rid, kind, d in rows:
        row = rows_of.get(rid)
        if row is None:
            row = rows_of[rid] = [None] * len(COLUMNS)
        if row[0] is None or d > row[0]:
            row[0] = d
        if kind in IN_PERSON and (row[1] is None or d > row[1]):
            row[1] = d
        col = _COLUMN_OF_KIND.get(kind)
        if col is not None:
            row[col] = d  # one row per (person, kind): nothing to compare with
    return {rid: tuple(row) for rid, row in rows_of.items()}


def stored(source: Source, retiree_ids: Iterable[str]) -> dict[str, tuple[str | None, ...]]:
    """The ``care_state`` rows of these people, as stored (people with no visit are absent)."""
    raw = _raw(source)
    ids = sorted(set(retiree_ids))
    out: dict[str, tuple[str | None, ...]] = {}
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i:i + _CHUNK]
        for rid, *values in raw.execute(
                f"SELECT retiree_id, {', '.join(COLUMNS)} FROM care_state "
                f"WHERE retiree_id IN ({', '.join('?' * len(chunk))})", chunk):
            out[rid] = tuple(values)
    return out


def as_of(source: Source, on: date, retiree_ids: Iterable[str]) -> dict[str, tuple[str | None, ...]]:
    """Each person's visits as of ``on``: the stored row, or the history read again for a
    person with a visit after ``on``. Everyone asked about is in the result."""
    ids = list(retiree_ids)
    got = stored(source, ids)
    on_s = on.isoformat()
    later = [rid for rid, row in got.items() if row[0] is not None and row[0] > on_s]
    if later:
        fresh = last_visits(source, on, later)
        for rid in later:
            got[rid] = fresh.get(rid, NO_VISITS)
    return {rid: got.get(rid, NO_VISITS) for rid in ids}
