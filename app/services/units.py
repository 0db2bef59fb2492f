"""This installation's own unit and the unit tree."""

from __future__ import annotations

import re

from sqlmodel import Session, select

from app.models import AuditEntry, Unit, utcnow
from app.models.enums import UnitLevel
from app.services.context import SELF_UNIT, get_setting, set_setting
from app.services.errors import Problem, ServiceError, ValidationError

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def init_self_unit(session: Session, name: str, code: str, *, actor: str,
                   level: str = UnitLevel.UNIT.value) -> Unit:
    """Create this database's own unit. Refused if the database already has one."""
    if get_setting(session, SELF_UNIT):
        raise ServiceError("本数据库已经初始化过本单位，不能再次初始化。")
    unit = _new_unit(session, name, code, level=level, parent_id=None, actor=actor)
    unit.unit_id = unit.id
    set_setting(session, SELF_UNIT, unit.id)
    return unit


def add_unit(session: Session, name: str, code: str, *, parent_id: str, actor: str) -> Unit:
    parent = session.get(Unit, parent_id)
    if parent is None:
        raise ServiceError("上级单位不存在")
    unit = _new_unit(session, name, code, level=UnitLevel.UNIT.value, parent_id=parent_id, actor=actor)
    unit.unit_id = parent.id
    return unit


def _new_unit(session: Session, name: str, code: str, *, level: str, parent_id: str | None,
              actor: str) -> Unit:
    name, code = (name or "").strip(), (code or "").strip()
    problems = []
    if not name:
        problems.append(Problem("name", "单位名称", "「单位名称」不能为空"))
    if not _CODE.match(code):
        problems.append(Problem("code", "单位代码", "「单位代码」只能用字母、数字、短横线，最长32位"))
    elif session.exec(select(Unit).where(Unit.code == code)).first() is not None:
        problems.append(Problem("code", "单位代码", f"单位代码“{code}”已被使用"))
    if level not in {lv.value for lv in UnitLevel}:
        problems.append(Problem("level", "层级", "层级只能是“总部”或“单位”"))
    if problems:
        raise ValidationError(problems)
    unit = Unit(name=name, code=code, level=level, parent_id=parent_id, updated_by=actor,
                updated_at=utcnow())
    session.add(unit)
    session.flush()
    session.add(AuditEntry(actor=actor, action="create", table_name="units", record_id=unit.id,
                           field="name", new=name))
    return unit


def self_unit(session: Session) -> Unit | None:
    uid = get_setting(session, SELF_UNIT)
    return session.get(Unit, uid) if uid else None


def subtree_ids(session: Session, root_id: str) -> list[str]:
    """The unit and every unit below it."""
    units = list(session.exec(select(Unit.id, Unit.parent_id)))
    children: dict[str | None, list[str]] = {}
    for uid, parent in units:
        children.setdefault(parent, []).append(uid)
    out, todo = [], [root_id]
    while todo:
        uid = todo.pop()
        out.append(uid)
        todo.extend(children.get(uid, []))
    return out


def units_with_people(session: Session) -> list[tuple[str, str]]:
    """(unit id, "name（code）") of every unit that has people here, by code: the choices of
    a unit filter at headquarters (a unit's own database lists just itself)."""
    from app.models import Retiree

    people = select(Retiree.unit_id).where(Retiree.deleted == False).distinct()  # noqa: E712
    return [(u.id, f"{u.name}（{u.code}）") for u in session.exec(
        select(Unit).where(Unit.id.in_(people)).order_by(Unit.code))]  # type: ignore[attr-defined]
