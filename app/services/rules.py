"""Each table's own rules, beyond what one field can check alone."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from app.models import SYNCED_MODELS
from app.models.enums import ContactKind, Status
from app.models.partial_date import PartialDate
from app.models.registry import label
from app.services.errors import Problem, ValidationError
from app.services.idcard import IdNumberError, check_consistency, parse_id_number

# Child tables inherit the owning unit of the retiree (or notice) they belong to.
_PARENT_REF = {
    "benefits": ("retiree_id", "retirees"),
    "contacts": ("retiree_id", "retirees"),
    "notice_deliveries": ("retiree_id", "retirees"),
    "visits": ("retiree_id", "retirees"),
    "care_cases": ("retiree_id", "retirees"),
    "payments": ("retiree_id", "retirees"),
}


def owning_unit(session: Session, table: str, values: dict[str, Any]) -> str | None:
    parent = _PARENT_REF.get(table)
    if parent and values.get(parent[0]):
        row = session.get(SYNCED_MODELS[parent[1]], values[parent[0]])
        return row.unit_id if row is not None else None
    if table == "retirees" and values.get("group_id"):
        row = session.get(SYNCED_MODELS["liaison_groups"], values["group_id"])
        return row.unit_id if row is not None else None
    return None


def _merged(values: dict[str, Any], existing: Any, name: str) -> Any:
    if name in values:
        return values[name]
    return getattr(existing, name, None) if existing is not None else None


def _require_ref(session: Session, table: str, name: str, ref_table: str, values: dict[str, Any],
                 problems: list[Problem]) -> None:
    rid = values.get(name)
    if not rid:
        return
    row = session.get(SYNCED_MODELS[ref_table], rid)
    if row is None or row.deleted:
        problems.append(Problem(name, label(table, name), f"「{label(table, name)}」指向的记录不存在或已删除"))


def _check_retiree(session: Session, values: dict[str, Any], existing: Any, problems: list[Problem]) -> None:
    id_number = _merged(values, existing, "id_number")
    birth = _merged(values, existing, "birth_date")
    sex = _merged(values, existing, "sex")
    if id_number and ("id_number" in values or "birth_date" in values or "sex" in values):
        try:
            info = parse_id_number(id_number)
        except IdNumberError as exc:
            problems.append(Problem("id_number", "身份证号", str(exc)))
        else:
            # Fill what the ID number says when it was left empty; report a mismatch.
            if not birth:
                values["birth_date"] = info.birth_date.isoformat()
                birth = values["birth_date"]
            if not sex:
                values["sex"] = info.sex
                sex = info.sex
            for msg in check_consistency(info, PartialDate.from_iso(birth) if birth else None, sex):
                problems.append(Problem("birth_date" if "出生" in msg else "sex",
                                        "出生日期" if "出生" in msg else "性别", msg))
    status = _merged(values, existing, "status") or Status.ACTIVE
    death = _merged(values, existing, "death_date")
    if death and status != Status.DECEASED:
        if "status" in values:
            problems.append(Problem("death_date", "去世日期", "填写了去世日期，状态应为“已故”"))
        else:
            values["status"] = Status.DECEASED.value
    for name in ("death_date", "retire_date", "moved_out_date"):
        other = _merged(values, existing, name)
        if birth and other and PartialDate.from_iso(other).latest() < PartialDate.from_iso(birth).earliest():
            problems.append(Problem(name, label("retirees", name),
                                    f"「{label('retirees', name)}」早于出生日期"))
    if death and PartialDate.from_iso(death).earliest() > date.today():
        problems.append(Problem("death_date", "去世日期", "去世日期不能晚于今天"))
    _require_ref(session, "retirees", "group_id", "liaison_groups", values, problems)


def _check_dates_order(table: str, first: str, last: str, values: dict[str, Any], existing: Any,
                       problems: list[Problem]) -> None:
    a, b = _merged(values, existing, first), _merged(values, existing, last)
    if a and b and b < a:
        problems.append(Problem(last, label(table, last), f"「{label(table, last)}」早于「{label(table, first)}」"))


def check(session: Session, table: str, values: dict[str, Any], existing: Any) -> dict[str, Any]:
    """Validate ``values`` (already coerced) for ``table``; may fill derived fields."""
    problems: list[Problem] = []
    parent = _PARENT_REF.get(table)
    if parent:
        if existing is None and not values.get(parent[0]):
            problems.append(Problem(parent[0], None, "缺少所属人员"))
        elif parent[0] in values:
            row = session.get(SYNCED_MODELS[parent[1]], values[parent[0]])
            if row is None or row.deleted:
                problems.append(Problem(parent[0], None, "所属人员不存在或已删除"))
    match table:
        case "retirees":
            _check_retiree(session, values, existing, problems)
        case "benefits":
            _check_dates_order(table, "effective_from", "effective_to", values, existing, problems)
        case "contacts":
            kind = _merged(values, existing, "kind")
            if _merged(values, existing, "marriage_date") and kind != ContactKind.SPOUSE:
                problems.append(Problem("marriage_date", "结婚日期", "只有配偶才填写结婚日期"))
        case "care_cases":
            _check_dates_order(table, "opened_on", "closed_on", values, existing, problems)
        case "notice_deliveries":
            _require_ref(session, table, "notice_id", "notices", values, problems)
        case "visits":
            _require_ref(session, table, "case_id", "care_cases", values, problems)
        case "payments":
            _require_ref(session, table, "visit_id", "visits", values, problems)
            _require_ref(session, table, "case_id", "care_cases", values, problems)
            if "paid_on" in values and not _merged(values, existing, "fund_year"):
                values["fund_year"] = values["paid_on"].year
        case "liaison_groups":
            _require_ref(session, table, "leader_id", "retirees", values, problems)
    if problems:
        raise ValidationError(problems)
    return values


def check_restore(session: Session, table: str, obj: Any) -> None:
    """A child record comes back only if the person it belongs to is not in the bin."""
    parent = _PARENT_REF.get(table)
    if parent:
        row = session.get(SYNCED_MODELS[parent[1]], getattr(obj, parent[0]))
        if row is not None and row.deleted:
            raise ValidationError([Problem(None, None, "请先恢复此记录所属的人员")])
