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


def from_json(table: str, data: dict[str, Any]) -> dict[str, Any]:
    """Column values with Python types; raises ValueError (Chinese) on a malformed record."""
    cols = set(columns(table))
    unknown = set(data) - cols
    if unknown:
        raise ValueError(f"含有未知字段：{'、'.join(sorted(unknown))}")
    for key in ("id", "unit_id"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise ValueError(f"缺少记录标识（{key}）")
    if not isinstance(data.get("rev"), int) or data["rev"] < 1:
        raise ValueError("版本号无效")
    out: dict[str, Any] = {}
    types = _TYPES[table]
    for key, value in data.items():
        kind = types.get(key)
        if value is not None and kind == "datetime":
            value = datetime.fromisoformat(value)
        elif value is not None and kind == "date":
            value = date.fromisoformat(value)
        out[key] = value
    out["field_revs"] = {k: as_vector(v) for k, v in (data.get("field_revs") or {}).items()}
    out["deleted"] = bool(data.get("deleted"))
    return out
