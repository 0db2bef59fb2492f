"""Installation-wide facts kept in the settings table: which unit this database belongs to,
and who is working."""

from __future__ import annotations

import getpass
import json
from typing import Any

from sqlmodel import Session

from app.models import Setting
from app.services.errors import ServiceError

SELF_UNIT = "self_unit_id"
OPERATOR = "operator"


def get_setting(session: Session, key: str, default: Any = None) -> Any:
    row = session.get(Setting, key)
    return default if row is None else json.loads(row.value)


def set_setting(session: Session, key: str, value: Any) -> None:
    row = session.get(Setting, key)
    text = json.dumps(value, ensure_ascii=False)
    if row is None:
        session.add(Setting(key=key, value=text))
    else:
        row.value = text
        session.add(row)


def self_unit_id(session: Session) -> str:
    uid = get_setting(session, SELF_UNIT)
    if not uid:
        raise ServiceError("数据库尚未初始化本单位，请先运行“retiree-desk init”或在程序中新建本单位。")
    return uid


def default_actor(session: Session | None = None) -> str:
    """The operator's name if one is set, else the computer's login name."""
    if session is not None:
        name = get_setting(session, OPERATOR)
        if name:
            return str(name)
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name on some service accounts
        return "操作员"
