"""A small, fully known data set for the printing tests, built through the operations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pytest

from app.services import operations as ops
from app.services.idcard import make_id_number

ACTOR = "测试员"


@dataclass
class Known:
    groups: dict[str, str] = field(default_factory=dict)  # name → id
    people: dict[str, str] = field(default_factory=dict)  # name → id
    id_numbers: dict[str, str] = field(default_factory=dict)  # name → ID number
    phones: dict[str, str] = field(default_factory=dict)


PEOPLE = (
    # name, sex, birth, group, address, phone, living, status
    ("张建国", "男", date(1945, 3, 15), "和平里第1组", "北京市东城区和平里东街12号院3号楼101", "13800000001", "独居", "在册"),
    ("李秀英", "女", date(1955, 8, 1), "和平里第1组", "北京市东城区和平里东街3号院1号楼202", "13800000002", "空巢", "在册"),
    ("王德明", "男", date(1935, 11, 2), "和平里第1组", "北京市东城区和平里东街7号院2号楼303", "13800000003", "与子女同住", "在册"),
    ("赵桂兰", "女", date(1950, 1, 20), "学院路第1组", "北京市海淀区学院路20号院5号楼501", "13800000004", "空巢", "在册"),
    ("陈志强", "男", date(1940, 5, 5), "学院路第1组", "北京市海淀区学院路9号院1号楼102", "13800000005", "独居", "已故"),
)


@pytest.fixture
def known(db) -> Known:
    """Two groups, five people (one deceased), visits, payments, a golden wedding in 2025."""
    k = Known()
    with db.session_scope() as s:
        for name, area in (("和平里第1组", "和平里东街"), ("学院路第1组", "学院路")):
            k.groups[name] = ops.create(s, "liaison_groups", {"name": name, "area": area}, actor=ACTOR).id
        for i, (name, sex, birth, group, address, phone, living, _status) in enumerate(PEOPLE):
            number = make_id_number("110101", birth, 2 * i + (1 if sex == "男" else 2))
            rid = ops.create(s, "retirees", {
                "name": name, "sex": sex, "birth_date": birth.isoformat(), "id_number": number,
                "category": "退休", "group_id": k.groups[group], "address": address,
                "phones": phone, "living": living, "health": "良好", "self_care": "完全自理",
            }, actor=ACTOR).id
            k.people[name], k.id_numbers[name], k.phones[name] = rid, number, phone
        for name, rid in k.people.items():
            if name == "陈志强":
                ops.update(s, "retirees", rid, {"status": "已故", "death_date": "2025-04-02"}, actor=ACTOR)
        ops.update(s, "liaison_groups", k.groups["和平里第1组"],
                   {"leader_id": k.people["李秀英"], "leader_phone": "13800000002"}, actor=ACTOR)
        ops.create(s, "contacts", {"retiree_id": k.people["张建国"], "kind": "配偶", "name": "刘淑珍",
                                   "marriage_date": "1975-10-01"}, actor=ACTOR)
        ops.create(s, "benefits", {"retiree_id": k.people["张建国"], "item": "基本养老金",
                                   "amount_fen": 650000, "effective_from": "2024-07-01"}, actor=ACTOR)
        v = ops.create(s, "visits", {"retiree_id": k.people["张建国"], "kind": "家访",
                                     "visit_date": "2025-03-08", "visitors": "王主任"}, actor=ACTOR)
        ops.create(s, "visits", {"retiree_id": k.people["赵桂兰"], "kind": "电话联系",
                                 "visit_date": "2025-05-06"}, actor=ACTOR)
        ops.create(s, "visits", {"retiree_id": k.people["王德明"], "kind": "住院慰问",
                                 "visit_date": "2025-02-10", "money_fen": 30000, "gifts": "花篮"}, actor=ACTOR)
        ops.create(s, "payments", {"retiree_id": k.people["张建国"], "kind": "节日慰问",
                                   "amount_fen": 50000, "paid_on": "2025-03-08", "fund_year": 2025,
                                   "visit_id": v.id, "payee": "张建国"}, actor=ACTOR)
        ops.create(s, "payments", {"retiree_id": k.people["王德明"], "kind": "住院慰问",
                                   "amount_fen": 30000, "paid_on": "2025-02-10", "fund_year": 2025,
                                   "payee": "王德明"}, actor=ACTOR)
        ops.create(s, "payments", {"retiree_id": k.people["陈志强"], "kind": "丧事慰问",
                                   "amount_fen": 100010, "paid_on": "2025-04-05", "fund_year": 2025,
                                   "payee": "家属"}, actor=ACTOR)
        ops.create(s, "fund_budgets", {"year": 2025, "amount_fen": 1000000}, actor=ACTOR)
    return k
