"""Records as they travel in a bundle: one JSON object per line, every column of the row."""

from __future__ import annotations

import json
from datetime import date, datetime
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
