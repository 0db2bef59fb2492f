"""The search index: one row of text per retiree that the search box looks in.

The text holds, in order of importance, the name, its full pinyin, its pinyin initials, the
last six digits of the ID number, the phones and the address, separated by a unit separator
so that no match spans two fields. Because the fields are ordered by importance, the
position of the match is a good enough rank: name hits come before address hits.

The row is rewritten by ``reindex`` in the same transaction as every change to the retiree
(incremental), and ``rebuild`` recreates all rows (after a bulk import or a restore).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, text
from sqlmodel import Session, select

from app.models import Retiree, SearchEntry
from app.services.idcard import id_tail
from app.services.query_text import normalize_query

SEP = "\x1f"
ID_TAIL_DIGITS = 6


@lru_cache(maxsize=20000)
def _readings(ch: str) -> tuple[str, ...]:
    """Toneless pinyin readings of one character, most common first (none for non-Han)."""
    if not ("\u3400" <= ch <= "\u9fff"):
        return ()
    # Imported here: pypinyin loads its dictionaries on import (~0.3 s), and only writes
    # to the index need it, not searching.
    from pypinyin import Style, pinyin

    got = pinyin(ch, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(r for r in (got[0] if got else []) if r.isascii()))


def name_pinyin(name: str) -> tuple[str, str]:
    """Full pinyin and initials of a name. A surname with several readings (曾 zeng/ceng,
    单 shan/dan) contributes every reading, because people type the one they know."""
    full: list[str] = []
    initials: list[str] = []
    extra_full: list[str] = []
    extra_init: list[str] = []
    for i, ch in enumerate(name):
        readings = _readings(ch)
        if not readings:
            if ch.isalnum():
                full.append(ch.lower())
                initials.append(ch.lower())
            continue
        full.append(readings[0])
        initials.append(readings[0][0])
        if i == 0 and len(readings) > 1:
            for alt in readings[1:]:
                extra_full.append(alt)
                extra_init.append(alt[0])
    full_s = "".join(full)
    init_s = "".join(initials)
    rest_full = "".join(full[1:])
    rest_init = "".join(initials[1:])
    for alt in extra_full:
        full_s += " " + alt + rest_full
    for alt in extra_init:
        init_s += " " + alt + rest_init
    return full_s, init_s


def index_keys(r: Retiree | Any) -> str:
    name = "".join((r.name or "").split())
    full, initials = name_pinyin(name)
    phones = " ".join(p.replace("-", "") for p in (r.phones or []))
    tail = id_tail(r.id_number, ID_TAIL_DIGITS) if r.id_number else ""
    address = "".join((r.address or "").split())
    return SEP.join((name, full, initials, tail.lower(), phones, address)).lower()


def entry_for(r: Retiree | Any) -> dict[str, Any]:
    return {"retiree_id": r.id, "unit_id": r.unit_id, "status": r.status,
            "deleted": bool(r.deleted), "keys": index_keys(r)}


def reindex(session: Session, r: Retiree) -> None:
    row = session.get(SearchEntry, r.id)
    values = entry_for(r)
    if row is None:
        session.add(SearchEntry(**values))
    else:
        for k, v in values.items():
            setattr(row, k, v)
        session.add(row)


def reindex_many(session: Session, retirees: Iterable[Retiree | Any]) -> int:
    """Rewrite the index rows of many retirees at once (bulk import, sync): one statement."""
    rows = [(e["retiree_id"], e["unit_id"], e["status"], e["deleted"], e["keys"])
            for e in map(entry_for, retirees)]
    if rows:
        session.flush()
        session.connection().exec_driver_sql(
            "INSERT OR REPLACE INTO search_index (retiree_id, unit_id, status, deleted, keys) VALUES (?, ?, ?, ?, ?)",
            rows)
    return len(rows)


def rebuild(session: Session, retirees: Iterable[Retiree] | None = None) -> int:
    """Recreate every index row; returns the number of rows."""
    session.exec(delete(SearchEntry))  # type: ignore[call-overload]
    rows = [entry_for(r) for r in (retirees if retirees is not None else session.exec(select(Retiree)))]
    if rows:
        session.execute(SearchEntry.__table__.insert(), rows)  # type: ignore[attr-defined]
    return len(rows)


@dataclass(frozen=True)
class Hit:
    retiree_id: str
    name: str
    field: str  # which part matched: 姓名 / 拼音 / 首字母 / 身份证尾号 / 电话 / 住址


_FIELD_NAMES = ("姓名", "拼音", "首字母", "身份证尾号", "电话", "住址")


def _matched_field(keys: str, q: str) -> str:
    pos = keys.find(q)
    return _FIELD_NAMES[min(keys.count(SEP, 0, max(pos, 0)), len(_FIELD_NAMES) - 1)]


def search(session: Session, query: str, *, limit: int | None = 50, include_inactive: bool = False,
           include_deleted: bool = False, unit_ids: list[str] | None = None) -> list[Hit]:
    """Retirees whose name, pinyin, initials, ID-number tail, phone or address contain
    ``query``; best matches (earliest field) first, then by name."""
    q = normalize_query(query)
    if not q:
        return []
    session.flush()  # raw SQL below does not autoflush pending index rows
    where = ["instr(s.keys, :q) > 0"]
    params: dict[str, Any] = {"q": q}
    if not include_deleted:
        where.append("s.deleted = 0")
    if not include_inactive:
        where.append("s.status = '在册'")
    if unit_ids:
        names = []
        for i, uid in enumerate(unit_ids):
            params[f"u{i}"] = uid
            names.append(f":u{i}")
        where.append(f"s.unit_id IN ({', '.join(names)})")
    sql = (
        "SELECT s.retiree_id, s.keys FROM search_index s WHERE " + " AND ".join(where)
        + " ORDER BY instr(s.keys, :q), s.keys"
        + (" LIMIT :limit" if limit else "")
    )
    if limit:
        params["limit"] = limit
    rows = session.connection().execute(text(sql), params).all()
    return [Hit(rid, keys.split(SEP, 1)[0], _matched_field(keys, q)) for rid, keys in rows]


def count_matches(session: Session, query: str, *, include_inactive: bool = False) -> int:
    q = normalize_query(query)
    session.flush()
    sql = "SELECT count(*) FROM search_index WHERE instr(keys, :q) > 0 AND deleted = 0"
    if not include_inactive:
        sql += " AND status = '在册'"
    return int(session.connection().execute(text(sql), {"q": q}).scalar() or 0)
