"""The care rules as data the unit can edit, and 登记去世 (registering a death).

The rules live in the settings table under ``care_rules`` as JSON holding only what the unit
changed; ``load_rules`` lays that over ``DEFAULT_RULES`` (common practice), so a new default
added in a later version reaches every unit that did not override it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.models import Contact, LiaisonGroup, Retiree
from app.models.enums import RANK_ORDER, CaseKind, ContactKind, Living, SelfCare, Status
from app.models.partial_date import PartialDate
from app.models.registry import format_money
from app.services import operations
from app.services.context import get_setting, set_setting
from app.services.errors import Problem, ServiceError, ValidationError
from app.services.operations import Change

SETTING_KEY = "care_rules"

# Labels of the key-person toggles, in the order the settings page shows them.
KEY_PERSON_TOGGLES: dict[str, str] = {
    "age": "高龄（达到重点年龄）",
    "alone": "独居",
    "solitary": "孤老",
    "elder_cares_elder": "一老养一老",
    "no_self_care": "不能自理",
    "labour_model": "劳动模范",
}

GROUP_LEADER = "联络小组组长"

DEFAULT_RULES: dict[str, Any] = {
    # Routine contact, in days between visits.
    "home_visit_days": 90,
    "call_days": 30,
    "key_visit_days": 30,
    "key_age": 80,
    "key_person": {k: True for k in KEY_PERSON_TOGGLES},
    # The three must-visits.
    "hospital_first_visit_days": 3,
    "hospital_follow_up_days": 14,
    "family_event_visit_days": 7,
    "bereavement_visit_days": 1,
    "spring_festival_before_days": 21,
    "spring_festival_after_days": 14,
    "spring_festival_scope": "all",  # "all" or "key" (key people only)
    # Celebrations.
    "birthday_rounds": [70, 80, 90, 100],
    "birthday_grace_days": 7,
    "labour_model_every": 5,
    "labour_model_min_age": 60,
    "labour_model_date": "05-01",
    "wedding_years": [50, 60],
    # Yearly duties.
    "letter_days": 365,
    "eligibility_days": 365,
    # Condolence rule table: the first row whose conditions all hold applies.
    "condolence": [
        {"name": "离休干部", "category": "离休", "min_rank": None, "labour_model": False,
         "amount_fen": 50000, "goods": "丧事用车", "visitors": "单位领导"},
        {"name": "副科级以上", "category": None, "min_rank": "副科级", "labour_model": False,
         "amount_fen": 50000, "goods": "丧事用车", "visitors": "单位领导"},
        {"name": "劳动模范", "category": None, "min_rank": None, "labour_model": True,
         "amount_fen": 50000, "goods": "丧事用车", "visitors": "单位领导"},
        {"name": "其他人员", "category": None, "min_rank": None, "labour_model": False,
         "amount_fen": 50000, "goods": "丧事用车", "visitors": GROUP_LEADER},
    ],
    "condolence_follow_ups": ["出殡前上门吊唁，送慰问金和慰问品", "丧事后一个月内回访遗属"],
}

_INT_KEYS = ("home_visit_days", "call_days", "key_visit_days", "key_age",
             "hospital_first_visit_days", "hospital_follow_up_days", "family_event_visit_days",
             "bereavement_visit_days", "spring_festival_before_days", "spring_festival_after_days",
             "birthday_grace_days", "labour_model_every", "labour_model_min_age", "letter_days",
             "eligibility_days")


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _diff(base: dict[str, Any], rules: dict[str, Any]) -> dict[str, Any]:
    """Only what differs from the defaults (what the unit actually chose)."""
    out: dict[str, Any] = {}
    for k, v in rules.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            sub = _diff(base[k], v)
            if sub:
                out[k] = sub
        elif base.get(k) != v:
            out[k] = v
    return out


def load_rules(session: Session) -> dict[str, Any]:
    """The unit's rules: the stored overrides laid over ``DEFAULT_RULES``."""
    stored = get_setting(session, SETTING_KEY, {})
    return _merge(DEFAULT_RULES, stored if isinstance(stored, dict) else {})


def validate_rules(rules: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    for k in _INT_KEYS:
        v = rules.get(k)
        if not isinstance(v, int) or isinstance(v, bool) or v < 0 or v > 3660:
            problems.append(Problem(k, k, f"规则“{k}”应为 0–3660 之间的整数天数/岁数：{v!r}"))
    for k in ("birthday_rounds", "wedding_years"):
        v = rules.get(k)
        if not isinstance(v, list) or not all(isinstance(n, int) and 0 < n <= 120 for n in v):
            problems.append(Problem(k, k, f"规则“{k}”应为 1–120 之间的整数列表：{v!r}"))
    if rules.get("spring_festival_scope") not in ("all", "key"):
        problems.append(Problem("spring_festival_scope", "春节走访范围", "春节走访范围只能是全部或重点人员"))
    try:
        month, day = (int(x) for x in str(rules.get("labour_model_date")).split("-"))
        date(2000, month, day)
    except ValueError:
        problems.append(Problem("labour_model_date", "劳模集体生日日期",
                                f"劳模集体生日日期应写成“月-日”，如 05-01：{rules.get('labour_model_date')!r}"))
    rows = rules.get("condolence")
    if not isinstance(rows, list) or not rows:
        problems.append(Problem("condolence", "丧事慰问标准", "丧事慰问标准至少要有一行"))
    else:
        for i, row in enumerate(rows, 1):
            amount = row.get("amount_fen") if isinstance(row, dict) else None
            if not isinstance(amount, int) or amount < 0:
                problems.append(Problem("condolence", "丧事慰问标准", f"丧事慰问标准第 {i} 行的金额无效"))
            elif row.get("min_rank") and row["min_rank"] not in RANK_ORDER:
                problems.append(Problem("condolence", "丧事慰问标准",
                                        f"丧事慰问标准第 {i} 行的职级“{row['min_rank']}”不在职级列表中"))
    return problems


def save_rules(session: Session, rules: dict[str, Any]) -> dict[str, Any]:
    """Validate and store ``rules`` (a full rule dict); returns the rules now in force."""
    merged = _merge(DEFAULT_RULES, rules)
    problems = validate_rules(merged)
    if problems:
        raise ValidationError(problems)
    set_setting(session, SETTING_KEY, _diff(DEFAULT_RULES, merged))
    return merged


def reset_rules(session: Session) -> dict[str, Any]:
    set_setting(session, SETTING_KEY, {})
    return copy.deepcopy(DEFAULT_RULES)


# -- who is a key person ----------------------------------------------------------------------
def is_labour_model(value: str | None) -> bool:
    return bool(value) and value != "无"


# Plain strings: reading an enum member's value in a loop over 10,000 people is slow.
_ALONE, _SOLITARY = Living.ALONE.value, Living.SOLITARY.value
_ELDER_CARES_ELDER, _NO_SELF_CARE = Living.ELDER_CARES_ELDER.value, SelfCare.NONE.value


def key_reasons(*, age: int | None, living: str | None, self_care: str | None,
                labour_model: str | None, rules: dict[str, Any]) -> list[str]:
    """Why someone is a key person (重点人员) under ``rules``; empty when they are not."""
    on = rules["key_person"]
    out: list[str] = []
    if age is not None and age >= rules["key_age"] and on.get("age"):
        out.append(f"{rules['key_age']}岁以上")
    if living == _ALONE and on.get("alone"):
        out.append(_ALONE)
    elif living == _SOLITARY and on.get("solitary"):
        out.append(_SOLITARY)
    elif living == _ELDER_CARES_ELDER and on.get("elder_cares_elder"):
        out.append(_ELDER_CARES_ELDER)
    if self_care == _NO_SELF_CARE and on.get("no_self_care"):
        out.append(_NO_SELF_CARE)
    if labour_model and labour_model != "无" and on.get("labour_model"):
        out.append("劳动模范")
    return out


# -- condolence --------------------------------------------------------------------------------
def condolence_rule(retiree: Any, rules: dict[str, Any]) -> dict[str, Any]:
    """The first row of the condolence table that fits ``retiree`` (category, rank, model)."""
    rank_pos = RANK_ORDER.get(retiree.rank or "")
    for row in rules["condolence"]:
        if row.get("category") and row["category"] != retiree.category:
            continue
        # RANK_ORDER counts from the highest rank: "at or above" is a smaller position.
        if row.get("min_rank") and (rank_pos is None or rank_pos > RANK_ORDER[row["min_rank"]]):
            continue
        if row.get("labour_model") and not is_labour_model(retiree.labour_model):
            continue
        return row
    return rules["condolence"][-1]


@dataclass
class DeathResult(Change):
    """The retiree's update (as a ``Change``) plus the bereavement case it opened."""

    case_id: str = ""
    rule_name: str = ""
    amount_fen: int = 0
    goods: str = ""
    visitors: str = ""
    follow_ups: list[str] = field(default_factory=list)
    survivors: list[str] = field(default_factory=list)
    fund_warning: Any = None

    def as_dict(self) -> dict[str, Any]:
        return {"retiree_id": self.id, "rev": self.rev, "case_id": self.case_id,
                "rule": self.rule_name, "amount_fen": self.amount_fen, "goods": self.goods,
                "visitors": self.visitors, "follow_ups": self.follow_ups,
                "survivors": self.survivors,
                "fund_warning": self.fund_warning.message if self.fund_warning else None}


def _visitors(session: Session, retiree: Retiree, who: str) -> str:
    if who != GROUP_LEADER:
        return who
    group = session.get(LiaisonGroup, retiree.group_id) if retiree.group_id else None
    leader = session.get(Retiree, group.leader_id) if group and group.leader_id else None
    if group is None:
        return f"{GROUP_LEADER}、离退休工作人员"
    name = leader.name if leader is not None and leader.id != retiree.id else "（待定）"
    return f"{GROUP_LEADER} {name}（{group.name}）、离退休工作人员"


def register_death(session: Session, retiree_id: str, death_date: date | str, *, actor: str,
                   rules: dict[str, Any] | None = None, opened_on: date | None = None,
                   note: str | None = None) -> DeathResult:
    """登记去世: status 已故 and the death date, then a 丧事 case with the condolence amount,
    goods, visitors and follow-ups from the rule table. Contacts are left as they are: the
    spouse stays on the contacts card as the survivor.

    ``opened_on`` is the case's date when the death date is known only to the month."""
    from app.models import CareCase
    from app.services.fund import check_payment

    rules = rules or load_rules(session)
    retiree: Retiree = operations.get(session, "retirees", retiree_id)
    open_case = session.exec(select(CareCase).where(
        CareCase.retiree_id == retiree_id, CareCase.kind == CaseKind.BEREAVEMENT.value,
        CareCase.deleted == False)).first()  # noqa: E712
    if retiree.status == Status.DECEASED and open_case is not None:
        raise ServiceError(f"{retiree.name}已登记去世（{retiree.death_date or '日期未填'}），不能重复登记。")
    change = operations.update(session, "retirees", retiree_id,
                               {"status": Status.DECEASED.value, "death_date": death_date},
                               actor=actor)
    died = PartialDate.from_iso(retiree.death_date)  # coerced by the update above
    start = opened_on or (died.earliest() if died.precision == "day" else date.today())
    row = condolence_rule(retiree, rules)
    visitors = _visitors(session, retiree, row.get("visitors") or GROUP_LEADER)
    follow_ups = list(rules.get("condolence_follow_ups") or [])
    amount = int(row.get("amount_fen") or 0)
    goods = row.get("goods") or ""
    survivors = [c.name for c in session.exec(select(Contact).where(
        Contact.retiree_id == retiree_id, Contact.kind == ContactKind.SPOUSE.value,
        Contact.deleted == False, Contact.alive == True))]  # noqa: E712
    summary = f"{retiree.name}同志于{died.display()}去世。慰问金 {format_money(amount)} 元" + (
        f"，慰问品：{goods}" if goods else "") + "。"
    parts = [f"标准：{row.get('name', '')}", f"前往慰问：{visitors}"]
    if survivors:
        parts.append("遗属：" + "、".join(survivors))
    if follow_ups:
        parts.append("后续：" + "；".join(follow_ups))
    if note:
        parts.append(note)
    case = operations.create(session, "care_cases", {
        "retiree_id": retiree_id, "kind": CaseKind.BEREAVEMENT.value, "opened_on": start,
        "summary": summary, "note": "\n".join(parts)}, actor=actor)
    return DeathResult(change.table, change.id, change.action, change.rev, change.fields,
                       case_id=case.id, rule_name=row.get("name", ""), amount_fen=amount,
                       goods=goods, visitors=visitors, follow_ups=follow_ups, survivors=survivors,
                       fund_warning=check_payment(session, amount, start.year) if amount else None)


def condolence_options(session: Session, retiree_id: str,
                       rules: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the condolence form (``build_pdf("condolence", ..., **options)``) should say for
    a deceased person: amount, goods and visitors from the rule table, the reason from the
    bereavement case."""
    from app.models import CareCase

    rules = rules or load_rules(session)
    retiree: Retiree = operations.get(session, "retirees", retiree_id)
    row = condolence_rule(retiree, rules)
    case = session.exec(select(CareCase).where(
        CareCase.retiree_id == retiree_id, CareCase.kind == CaseKind.BEREAVEMENT.value,
        CareCase.deleted == False).order_by(CareCase.opened_on.desc())).first()  # type: ignore[attr-defined]  # noqa: E712
    return {"occasion": "丧事慰问", "amount_fen": int(row.get("amount_fen") or 0),
            "goods": row.get("goods") or "",
            "visitors": _visitors(session, retiree, row.get("visitors") or GROUP_LEADER),
            "reason": case.summary if case is not None and case.summary else f"{retiree.name}同志去世"}
