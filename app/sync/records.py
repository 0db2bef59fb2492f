"""Records as they travel in a bundle: one JSON object per line, every column of the row."""

from __future__ import annotations

import json
from datetime import date, datetime
from itertools import repeat
from typing import Any

from sqlalchemy import Date, DateTime, TypeDecorator, inspect

from app.models import SYNCED_MODELS
from app.models.registry import REGISTRY
from app.services.versions import as_vector

# Parents before children, so that references resolve inside one bundle.
TABLE_ORDER = ("units", "liaison_groups", "retirees", "notices", "notice_deliveries", "benefits",
               "contacts", "care_cases", "visits", "payments", "fund_budgets")
assert set(TABLE_ORDER) == set(SYNCED_MODELS)

IDENTITY = ("id", "unit_id", "rev", "field_revs", "updated_at", "updated_by", "deleted")
# References checked when a record arrives: field → table it points to.
REFS: dict[str, dict[str, str]] = {
    t: {f.name: f.ref_table for f in REGISTRY[t] if f.ref_table and f.name in
        {"retiree_id", "notice_id", "group_id", "case_id", "visit_id", "parent_id"}}
    for t in TABLE_ORDER
}


def columns(table: str) -> list[str]:
    return [c.key for c in inspect(SYNCED_MODELS[table]).columns]


def user_fields(table: str) -> list[str]:
    return [f.name for f in REGISTRY[table]]


def _types(table: str) -> dict[str, str]:
    out = {}
    for c in inspect(SYNCED_MODELS[table]).columns:
        kind = c.type.impl if isinstance(c.type, TypeDecorator) else c.type
        if isinstance(kind, DateTime):
            out[c.key] = "datetime"
        elif isinstance(kind, Date):
            out[c.key] = "date"
    return out


_TYPES = {t: _types(t) for t in TABLE_ORDER}


def to_line(table: str, row: Any) -> str:
    data = {}
    for key in columns(table):
        value = getattr(row, key) if not isinstance(row, dict) else row[key]
        if isinstance(value, datetime | date):
            value = value.isoformat()
        data[key] = value
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


_COLS = {t: frozenset(columns(t)) for t in TABLE_ORDER}
_DATE_KEYS = {t: tuple(k for k, v in _TYPES[t].items() if v == "date") for t in TABLE_ORDER}
_DATETIME_KEYS = {t: tuple(k for k, v in _TYPES[t].items() if v == "datetime") for t in TABLE_ORDER}


def from_json(table: str, data: dict[str, Any], *, convert: bool = True) -> dict[str, Any]:
    """Column values with Python types; raises ValueError (Chinese) on a malformed record.
    With ``convert=False`` dates stay ISO text (checked, not converted): a new record is
    stored as it travels."""
    if not data.keys() <= _COLS[table]:
        raise ValueError(f"含有未知字段：{'、'.join(sorted(set(data) - _COLS[table]))}")
    for key in ("id", "unit_id"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ValueError(f"缺少记录标识（{key}）")
    if not isinstance(data.get("rev"), int) or data["rev"] < 1:
        raise ValueError("版本号无效")
    out = dict(data)
    for key in _DATE_KEYS[table]:
        if out.get(key) is not None:
            d = date.fromisoformat(out[key])
            if convert:
                out[key] = d
    for key in _DATETIME_KEYS[table]:
        if out.get(key) is not None:
            d = datetime.fromisoformat(out[key])
            if convert:
                out[key] = d
    revs = data.get("field_revs") or {}
    if not isinstance(revs, dict):
        raise ValueError("版本信息无效")
    out["field_revs"] = {k: as_vector(v) for k, v in revs.items()}
    out["deleted"] = bool(data.get("deleted"))
    return out


def from_json_many(table: str, rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """``from_json(table, row, convert=False)`` of many new records at once, keyed by
    ``id(row)``. Its checks run a column at a time (C-level passes over the batch, each
    distinct date once); a row that might fail any of them is left out, and the caller runs
    ``from_json`` itself on it, which raises its own message. So for every row this either
    returns exactly what ``from_json`` returns, or nothing. The rows returned are the rows
    given, updated in place."""
    if not rows:
        return {}
    cols = _COLS[table]
    if not set().union(*rows) <= cols:
        return {}  # some record has an unknown field: let from_json say which
    doubtful: set[int] = set()
    for key in ("id", "unit_id"):
        col = list(map(dict.get, rows, repeat(key)))
        if set(map(type, col)) != {str} or "" in col:
            doubtful.update(id(r) for r, v in zip(rows, col, strict=True) if not isinstance(v, str) or not v)
    col = list(map(dict.get, rows, repeat("rev")))
    if not set(map(type, col)) <= {int, bool} or min(col) < 1:
        doubtful.update(id(r) for r, v in zip(rows, col, strict=True) if not isinstance(v, int) or v < 1)
    for keys, parse in ((_DATE_KEYS[table], date.fromisoformat), (_DATETIME_KEYS[table], datetime.fromisoformat)):
        for key in keys:
            col = list(map(dict.get, rows, repeat(key)))
            try:
                seen = set(col)
            except TypeError:  # a list or an object where a date belongs
                return {}
            seen.discard(None)
            for value in seen:
                try:
                    parse(value)
                except (ValueError, TypeError):
                    doubtful.update(id(r) for r, v in zip(rows, col, strict=True) if v is value or v == value)
    out: dict[int, dict[str, Any]] = {}
    for r in rows:
        if id(r) in doubtful:
            continue
        revs = r.get("field_revs") or {}
        if revs:
            try:
                revs = {k: as_vector(v) for k, v in revs.items()} if isinstance(revs, dict) else None
            except (ValueError, TypeError):
                revs = None
            if revs is None:
                continue
        else:
            revs = {}
        # In place rather than a copy (the rows are the caller's, decoded for this plan):
        # the same keys in the same order as from_json's copy.
        r["field_revs"] = revs
        r["deleted"] = bool(r.get("deleted"))
        out[id(r)] = r
    return out
