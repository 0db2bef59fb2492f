"""Read-only queries behind the roster screen (no Qt: the CLI and benchmarks may use them).

The roster must filter 100,000 people per keystroke. ``services.search.search`` scans the
``search_index`` table in SQL on every call, which is fine for a CLI but not for typing, so
the roster keeps an in-memory ``RosterIndex``: per person only the search keys and the few
short values that filters and sorting need. Everything else a row shows (ID number, phones,
address, post) is fetched lazily, a block of rows at a time, with ``fetch_rows``.

Every read here takes a ``Reader``: either a session (the CLI, the services) or a plain
stdlib ``sqlite3`` connection (the desktop client reads the roster over a read-only
connection of its own, which needs neither SQLAlchemy loaded nor the writer's connections).
Only ``card_records`` needs a session.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple, Union

from app.services.ages import age_band
from app.services.query_text import normalize_query

if TYPE_CHECKING:
    from sqlmodel import Session

# A session, or a stdlib connection (see the module doc).
Reader = Union["Session", sqlite3.Connection]

# Columns loaded into the index (short, shared strings; sys.intern keeps them small).
INDEX_COLUMNS = ("name", "sex", "birth_date", "category", "group_id", "health", "self_care",
                 "living", "status", "unit_id")
# Columns fetched lazily per block of visible rows.
DETAIL_COLUMNS = ("id_number", "phones", "address", "former_post", "rank", "returned_home")

_SEP = "\x1f"
# Rows fetched at a time by load_index: its transient memory stays small at 100,000 people.
_LOAD_BLOCK = 4096


def age_from_iso(birth: str | None, on: date) -> int | None:
    """``ages.age_on`` for an ISO prefix, without building a PartialDate per row (an unknown
    month or day counts as the 1st, as there)."""
    if not birth:
        return None
    try:
        y = int(birth[0:4])
        m = int(birth[5:7]) if len(birth) >= 7 else 1
        d = int(birth[8:10]) if len(birth) >= 10 else 1
    except ValueError:
        return None
    if (y, m, d) > (on.year, on.month, on.day):
        return None
    # A 29 February birthday counts from 1 March in other years: (2, 28) < (2, 29) holds.
    return on.year - y - ((on.month, on.day) < (m, d))


@dataclass
class RosterFilters:
    """Empty values mean "any". ``statuses`` defaults to the active people only."""

    query: str = ""
    unit_id: str | None = None  # headquarters: one unit's people
    group_id: str | None = None  # "" = people in no group
    category: str | None = None
    age_band: str | None = None
    health: str | None = None
    self_care: str | None = None
    living: str | None = None
    statuses: tuple[str, ...] = ("在册",)


@dataclass
class RosterIndex:
    ids: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    # column name → list of values parallel to ids
    cols: dict[str, list[Any]] = field(default_factory=lambda: {c: [] for c in INDEX_COLUMNS})
    # Age per row, from birth_date, computed on first use (see ``ages``).
    _ages: list[int | None] | None = field(default=None, repr=False)
    group_names: dict[str, str] = field(default_factory=dict)
    # Units whose people are in the index (more than one only at headquarters or a middle unit).
    unit_names: dict[str, str] = field(default_factory=dict)
    on: date = field(default_factory=date.today)
    _bands: list[str | None] | None = None
    # True while rows are still in the pinyin order they were loaded in (no later changes).
    in_name_order: bool = True

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def ages(self) -> list[int | None]:
        """Age on ``on`` per row. Computed when first needed (the age column of the rows on
        screen, an age filter or sort), not while the roster loads: at start-up that read
        is on the way to the first window, and ages are 15 % of it."""
        if self._ages is None or len(self._ages) != len(self.ids):
            self._ages = [age_from_iso(b, self.on) for b in self.cols["birth_date"]]
        return self._ages

    def position(self, rid: str) -> int | None:
        """Where ``rid`` is in the index. A scan (about a millisecond per 100,000 people) is
        used only after a change or a selection, so no id→position dict is kept."""
        try:
            return self.ids.index(rid)
        except ValueError:
            return None

    def value(self, row: int, column: str) -> Any:
        if column == "age":
            if self._ages is None:  # one cell on screen: no need to compute every age yet
                return age_from_iso(self.cols["birth_date"][row], self.on)
            return self.ages[row]
        if column == "group":
            gid = self.cols["group_id"][row]
            return self.group_names.get(gid, "") if gid else ""
        return self.cols[column][row]

    def filter(self, f: RosterFilters, order: Sequence[int] | None = None) -> list[int]:
        """Row numbers matching ``f``, in ``order`` (a permutation from ``sorted_order``) or
        in index order. With a query, people whose name, pinyin or initials (or phone, …)
        START with it come first ("zh" → 张… before 李秀珍)."""
        rows: Iterable[int] = order if order is not None else range(len(self.ids))
        q = normalize_query(f.query)
        if q:
            keys = self.keys
            head = _SEP + q
            first: list[int] = []
            rest: list[int] = []
            # One pass, every test a C-level substring search: this loop is the keystroke.
            for i in rows:
                k = keys[i]
                if q in k:
                    (first if k.startswith(q) or head in k else rest).append(i)
            rows = first + rest
        # Each further filter is one list comprehension (no per-row generator or call).
        status = self.cols["status"]
        # A person in the recycle bin has status None and so never matches.
        statuses = frozenset(f.statuses) if f.statuses else frozenset({"在册", "已故", "迁出"})
        out = [i for i in rows if status[i] in statuses]
        if f.age_band:
            bands = self.bands()
            out = [i for i in out if bands[i] == f.age_band]
        for column, wanted in (("unit_id", f.unit_id), ("group_id", f.group_id), ("category", f.category),
                               ("health", f.health), ("self_care", f.self_care),
                               ("living", f.living)):
            if wanted is not None:
                col = self.cols[column]
                want = wanted or None  # "" = not filled in (e.g. in no group)
                out = [i for i in out if col[i] == want]
        return out

    def bands(self) -> list[str | None]:
        """Age band per row, computed on first use (and again after a change)."""
        if self._bands is None or len(self._bands) != len(self.ids):
            self._bands = [age_band(a) for a in self.ages]
        return self._bands

    def sorted_order(self, column: str, descending: bool = False) -> list[int]:
        """Every row number sorted by ``column``; filtering then walks this order, so a
        keystroke never re-sorts."""
        if column == "name" and self.in_name_order:  # loaded alphabetically (by pinyin)
            rows_all = list(range(len(self.ids)))
            return rows_all[::-1] if descending else rows_all
        if column == "name":  # alphabetical = by pinyin, not by code point
            values: list[Any] = [_pinyin_of(k) for k in self.keys]
        elif column in ("age", "group"):
            values = [self.value(i, column) for i in range(len(self.ids))]
        else:
            values = self.cols[column]
        rows = range(len(self.ids))
        # Blanks sort last either way; ties keep index (alphabetical) order.
        have = [i for i in rows if values[i] not in (None, "")]
        missing = [i for i in rows if values[i] in (None, "")]
        have.sort(key=values.__getitem__, reverse=descending)
        return have + missing


def _intern(value: Any) -> Any:
    # Statuses, categories and group ids repeat thousands of times: keep one copy of each.
    return sys.intern(value) if isinstance(value, str) and len(value) < 40 else value


_ROW_SQL = ("SELECT r.id, {cols}, coalesce(s.keys, lower(r.name)), r.deleted FROM retirees r "
            "LEFT JOIN search_index s ON s.retiree_id = r.id WHERE {where}")
# Alphabetical by full pinyin (the second field of the search keys), as the paper roster is;
# the id last, so that two people of the same name always come in the same order.
_BY_PINYIN = (" ORDER BY substr(coalesce(s.keys, ''), instr(coalesce(s.keys, ''), char(31)) + 1),"
              " r.name, r.id")


def _cursor(source: Reader, sql: str, params: dict[str, Any] | None = None) -> Any:
    """A plain DB-API cursor: rows are streamed as small tuples, never held all at once as
    SQLAlchemy rows (for 100,000 people that difference is tens of MiB)."""
    if isinstance(source, sqlite3.Connection):
        raw = source
    else:
        source.flush()  # the raw cursor bypasses autoflush: see this session's own changes too
        raw = source.connection().connection.dbapi_connection
        assert raw is not None
    return raw.execute(sql, params or {})


def _id_params(ids: Sequence[str]) -> tuple[str, dict[str, Any]]:
    marks = ", ".join(f":i{n}" for n in range(len(ids)))
    return marks, {f"i{n}": rid for n, rid in enumerate(ids)}


def _index_rows(session: Reader, where: str, params: dict[str, Any]) -> list[Any]:
    sql = _ROW_SQL.format(cols=", ".join(f"r.{c}" for c in INDEX_COLUMNS), where=where)
    return list(_cursor(session, sql, params))


def self_unit_name(session: Reader) -> str | None:
    """The name of this installation's own unit (``services.units.self_unit``), read with
    plain SQL; None before the unit is set up."""
    row = _cursor(session, "SELECT value FROM settings WHERE key = 'self_unit_id'").fetchone()
    uid = json.loads(row[0]) if row and row[0] else None
    if not uid:
        return None
    got = _cursor(session, "SELECT name FROM units WHERE id = :id", {"id": uid}).fetchone()
    return got[0] if got else None


def load_index(session: Reader, *, on: date | None = None, unit_ids: Sequence[str] | None = None) -> RosterIndex:
    """Every retiree not in the recycle bin, alphabetical by pinyin."""
    on = on or date.today()
    where = "r.deleted = 0"
    params: dict[str, Any] = {}
    if unit_ids:
        names = []
        for i, uid in enumerate(unit_ids):
            params[f"u{i}"] = uid
            names.append(f":u{i}")
        where += f" AND r.unit_id IN ({', '.join(names)})"
    idx = RosterIndex()
    idx.on = on
    ids, keys, cols = idx.ids, idx.keys, [idx.cols[c] for c in INDEX_COLUMNS]
    columns = _whole_columns(session, where, params) or _row_columns(session, where, params)
    ids.extend(columns[0])
    keys.extend(columns[-1])
    # One copy of each repeated value (statuses, categories, group ids…), as _intern does.
    same: dict[Any, Any] = {}
    for n, col in enumerate(cols):
        col.extend(map(same.setdefault, columns[n + 1], columns[n + 1]))
    idx.group_names = group_names(session)
    idx.unit_names = unit_names(session, set(idx.cols["unit_id"]))
    return idx


_GS, _NULL = "\x1d", "\x1e"  # between values; standing for NULL


def _whole_columns(session: Reader, where: str, params: dict[str, Any]) -> list[list[Any]] | None:
    """id, the INDEX_COLUMNS and the search keys of the people ``where`` selects, as whole
    columns in pinyin order; None when a value holds a separator (then read row by row).

    Each column comes back from SQLite as one joined string, split in C: at start-up this
    read runs beside Qt's start on another thread, and SQLite works without holding the
    interpreter, while building a tuple per row would hold it most of the time. Every
    aggregate sees the rows in one pass, so the columns stay aligned; ``pos`` puts them in
    order should SQLite hand the rows over in another."""
    exprs = ["r.id", *(f"r.{c}" for c in INDEX_COLUMNS), "coalesce(s.keys, lower(r.name))"]
    inner = ("SELECT " + ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs))
             + f", row_number() OVER ({_BY_PINYIN.strip()}) AS pos FROM retirees r "
             f"LEFT JOIN search_index s ON s.retiree_id = r.id WHERE {where}")
    sql = ("SELECT count(*), group_concat(pos), "
           + ", ".join(f"group_concat(coalesce(c{i}, char(30)), char(29))" for i in range(len(exprs)))
           + f" FROM ({inner})")
    count, pos, *joined = _cursor(session, sql, params).fetchone()
    if not count:
        return [[] for _ in exprs]
    columns = []
    for text in joined:
        col = text.split(_GS)
        if len(col) != count:
            return None
        if _NULL in text:
            col = [None if v == _NULL else v for v in col]
        columns.append(col)
    ranks = list(map(int, pos.split(",")))
    if ranks != list(range(1, count + 1)):
        order = sorted(range(count), key=ranks.__getitem__)
        columns = [[col[i] for i in order] for col in columns]
    return columns


def _row_columns(session: Reader, where: str, params: dict[str, Any]) -> list[list[Any]]:
    """What ``_whole_columns`` returns, read row by row (blocks of rows turned into columns by
    zip, in C)."""
    sql = _ROW_SQL.format(cols=", ".join(f"r.{c}" for c in INDEX_COLUMNS), where=where) + _BY_PINYIN
    cursor = _cursor(session, sql, params)
    out: list[list[Any]] = [[] for _ in range(len(INDEX_COLUMNS) + 2)]
    while block := cursor.fetchmany(_LOAD_BLOCK):
        for col, values in zip(out, zip(*block, strict=True), strict=False):  # the last, deleted, is left out
            col.extend(values)
    return out


def refresh_rows(session: Reader, idx: RosterIndex, ids: Sequence[str]) -> None:
    """Bring the given people up to date in ``idx`` after a change: new people are added at
    the end, people moved to the recycle bin are blanked out (status None matches no filter)."""
    if not ids:
        return
    marks, params = _id_params(ids)
    for r in _index_rows(session, f"r.id IN ({marks})", params):
        rid, deleted = r[0], bool(r[-1])
        i = idx.position(rid)
        if i is None:
            if deleted:
                continue
            i = len(idx.ids)
            idx.ids.append(rid)
            idx.keys.append("")
            if idx._ages is not None:
                idx._ages.append(None)
            for c in INDEX_COLUMNS:
                idx.cols[c].append(None)
        idx.keys[i] = r[-2]
        for n, c in enumerate(INDEX_COLUMNS):
            idx.cols[c][i] = _intern(r[n + 1])
        if deleted:
            idx.cols["status"][i] = None
        if idx._ages is not None:
            idx._ages[i] = age_from_iso(idx.cols["birth_date"][i], idx.on)
    idx._bands = None
    idx.in_name_order = False  # a new or renamed person: sort by name the slow way
    idx.group_names = group_names(session)


def _pinyin_of(keys: str) -> str:
    parts = keys.split(_SEP, 2)
    return parts[1] if len(parts) > 1 else keys


def unit_names(session: Reader, present: set[str]) -> dict[str, str]:
    """Code and name of the units that have people, in code order."""
    rows = _cursor(session, "SELECT id, code, name FROM units ORDER BY code", {})
    return {uid: f"{name}（{code}）" for uid, code, name in rows if uid in present}


def group_names(session: Reader) -> dict[str, str]:
    rows = _cursor(session, "SELECT id, name FROM liaison_groups WHERE deleted = 0 ORDER BY name")
    return {gid: name for gid, name in rows}


def fetch_rows(session: Reader, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The detail columns of ``ids`` (one query)."""
    if not ids:
        return {}
    marks, params = _id_params(ids)
    cols = ", ".join(DETAIL_COLUMNS)
    rows = _cursor(session, f"SELECT id, {cols} FROM retirees WHERE id IN ({marks})", params)
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        values = dict(zip(DETAIL_COLUMNS, r[1:], strict=True))
        phones = values.get("phones")
        if isinstance(phones, str):
            try:
                values["phones"] = json.loads(phones)
            except ValueError:
                values["phones"] = [phones]
        values["returned_home"] = bool(values.get("returned_home"))
        out[r[0]] = values
    return out


def last_visitors(session: Reader) -> str:
    """Who went on the most recent visit (the quick-entry form defaults to them)."""
    row = _cursor(session,
                  "SELECT visitors FROM visits WHERE deleted = 0 AND coalesce(visitors, '') != '' "
                  "ORDER BY visit_date DESC, updated_at DESC LIMIT 1").fetchone()
    return row[0] if row else ""


def names_of(session: Reader, ids: Sequence[str]) -> dict[str, str]:
    if not ids:
        return {}
    marks, params = _id_params(ids)
    rows = _cursor(session, f"SELECT id, name FROM retirees WHERE id IN ({marks})", params)
    return {rid: name for rid, name in rows}


# NamedTuples rather than dataclasses: this module loads on the way to the first window,
# and defining a dataclass takes about 1 ms (it compiles its methods), a NamedTuple 0.2 ms.
class VisitRow(NamedTuple):
    id: str
    retiree_id: str
    name: str
    kind: str
    visit_date: date
    visitors: str
    summary: str
    money_fen: int
    gifts: str
    follow_up: str
    follow_up_done: bool


def list_visits(session: Reader, *, start: date | None = None, end: date | None = None,
                kind: str | None = None, retiree_id: str | None = None, query: str = "",
                limit: int = 5000) -> list[VisitRow]:
    """Visits in a period (inclusive), newest first, with the person's name."""
    where = ["v.deleted = 0"]
    params: dict[str, Any] = {"limit": limit}
    if start:
        where.append("v.visit_date >= :start")
        params["start"] = start.isoformat()
    if end:
        where.append("v.visit_date <= :end")
        params["end"] = end.isoformat()
    if kind:
        where.append("v.kind = :kind")
        params["kind"] = kind
    if retiree_id:
        where.append("v.retiree_id = :rid")
        params["rid"] = retiree_id
    if query.strip():
        where.append("(instr(lower(r.name), :q) > 0 OR instr(coalesce(s.keys, ''), :q) > 0 "
                     "OR instr(coalesce(v.visitors, ''), :q) > 0)")
        params["q"] = normalize_query(query)
    sql = ("SELECT v.id, v.retiree_id, r.name, v.kind, v.visit_date, v.visitors, v.summary, "
           "v.money_fen, v.gifts, v.follow_up, v.follow_up_done FROM visits v "
           "JOIN retirees r ON r.id = v.retiree_id LEFT JOIN search_index s ON s.retiree_id = r.id "
           f"WHERE {' AND '.join(where)} ORDER BY v.visit_date DESC, r.name LIMIT :limit")
    out = []
    for row in _cursor(session, sql, params).fetchall():
        d = row[4]
        if isinstance(d, str):
            d = date.fromisoformat(d[:10])
        out.append(VisitRow(row[0], row[1], row[2], row[3], d, row[5] or "", row[6] or "",
                            int(row[7] or 0), row[8] or "", row[9] or "", bool(row[10])))
    return out


class CardRecords(NamedTuple):
    """Everything the card editor shows for one person (detached model objects)."""

    retiree: Any
    benefits: list[Any]
    contacts: list[Any]
    deliveries: list[dict[str, Any]]
    visits: list[Any]
    groups: dict[str, str]


def card_records(session: Session, retiree_id: str) -> CardRecords:
    from sqlmodel import select

    from app.models import Benefit, Contact, Notice, NoticeDelivery, Retiree, Visit
    from app.services.errors import NotFoundError

    r = session.get(Retiree, retiree_id)
    if r is None or r.deleted:
        raise NotFoundError("找不到这个人员（可能已移入回收站）")

    def live(model: Any, *order: Any) -> list[Any]:
        stmt = select(model).where(model.retiree_id == retiree_id, model.deleted == False)  # noqa: E712
        return list(session.exec(stmt.order_by(*order)))

    titles = {n.id: n.title for n in session.exec(select(Notice))}
    deliveries = []
    for d in live(NoticeDelivery, NoticeDelivery.delivered_on.desc()):  # type: ignore[attr-defined]
        row = {k: getattr(d, k) for k in ("method", "delivered_on", "delivered_by", "told_whom",
                                          "acknowledged", "note")}
        row["notice_id"] = titles.get(d.notice_id, "")
        deliveries.append(row)
    return CardRecords(
        retiree=r,
        # The whole history, current items first within each benefit item.
        benefits=live(Benefit, Benefit.item, Benefit.effective_from.desc()),  # type: ignore[attr-defined]
        contacts=live(Contact, Contact.kind),
        deliveries=deliveries,
        visits=live(Visit, Visit.visit_date.desc()),  # type: ignore[attr-defined]
        groups=group_names(session),
    )
