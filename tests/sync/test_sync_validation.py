"""Every new record in a bundle is validated: a bad value among many good ones is rejected
with its own message, and only it. Pins the planner's checks (types, choices, stored-value
shapes, required fields) whatever path it takes for new records."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from sqlmodel import select

from app.models import Benefit, Retiree, Visit
from app.models.registry import REGISTRY
from app.sync.records import to_line
from tests.sync.conftest import add_people
from tests.sync.test_rejections import _forge


@pytest.fixture
def pair(net):
    hq = net.headquarters()
    u1 = net.child(hq, "U1")
    add_people(u1, "张三")
    u1.send(hq)
    hq.send(u1)
    return hq, u1


def _template(site, table: str, model: type, **extra: Any) -> dict[str, Any]:
    from app.services import operations as ops

    with site.db.session_scope() as s:
        person = s.exec(select(Retiree)).first()
        assert person is not None
        if model is Retiree:
            row = person
        else:
            rid = ops.create(s, table, {"retiree_id": person.id, **extra}, actor="t").id
            row = s.get(model, rid)
        return json.loads(to_line(table, row))


def _lines(records: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def _variant(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**base, "id": uuid.uuid4().hex, **changes}


# (field, bad value): each is one record among good ones.
RETIREE_BAD: list[tuple[str, Any]] = [
    ("name", None), ("sex", "X"), ("sex", 1), ("birth_date", "1943-13"), ("birth_date", "1943-5"),
    ("id_number", "110101194206191655"), ("returned_home", 1), ("returned_home", "是"), ("note", 5),
    ("note", {"a": 1}), ("phones", ["123"]), ("phones", "13800138000"), ("phones", [["13800138000"]]),
    ("status", "不存在的状态"), ("rank", 3),
]


def _invalid(table: str, field: str, value: Any) -> str:
    """The planner's message for a bad stored value (labels from the registry)."""
    label = {f.name: f.label for f in REGISTRY[table]}[field]
    return f"「{label}」不能为空" if value is None else f"「{label}」的值无效：{value!r}"


def test_each_bad_value_is_rejected_alone_among_good_records(pair) -> None:
    hq, u1 = pair
    base = _template(u1, "retirees", Retiree)
    good = [_variant(base, name=f"好人{i}", id_number=None, rank="自定义职级") for i in range(40)]
    bad = []
    for field, value in RETIREE_BAD:
        bad.append(_variant(base, **{"name": f"坏{field}", "id_number": None, field: value}))
    records = good[:20] + bad + good[20:]
    forged = _forge(u1, hq, {"records/retirees.jsonl": _lines(records)})
    [result] = hq.take(forged)
    assert result["counts"]["new"] == len(good), result["problems"]
    assert result["counts"]["rejected"] == len(bad)
    by_id = {p["id"]: p["message"] for p in result["problems"]}
    for record, (field, value) in zip(bad, RETIREE_BAD, strict=True):
        label = record["name"] or record["id"][:8]
        assert by_id[record["id"]] == f"人员“{label}”：{_invalid('retirees', field, value)}", field
    people = hq.people()
    assert all(r["id"] in people for r in good)
    assert not any(r["id"] in people for r in bad)


def test_money_int_and_bool_keep_their_types_apart(pair) -> None:
    """1 and True (and 1.0) are equal in Python: a check that remembers values it has seen
    must still tell them apart."""
    hq, u1 = pair
    benefit = _template(u1, "benefits", Benefit, item="基本养老金", amount_fen=100)
    visit = _template(u1, "visits", Visit, kind="家访", visit_date="2024-03-01")
    benefits = [_variant(benefit, amount_fen=1), _variant(benefit, amount_fen=True),
                _variant(benefit, amount_fen=1.0), _variant(benefit, amount_fen=0),
                _variant(benefit, amount_fen=False), _variant(benefit, amount_fen=-1),
                _variant(benefit, amount_fen="100"), _variant(benefit, amount_fen=None),
                _variant(benefit, item="自定义待遇"), _variant(benefit, period="每天"),
                _variant(benefit, effective_from="2024-01-01"), _variant(benefit, amount_fen=1)]
    ok_benefits = {benefits[i]["id"] for i in (0, 3, 8, 10, 11)}
    visits = [_variant(visit, follow_up_done=True), _variant(visit, follow_up_done=1),
              _variant(visit, follow_up_done=False), _variant(visit, follow_up_done=0),
              _variant(visit, kind="串门"), _variant(visit, kind=None), _variant(visit, money_fen=5),
              _variant(visit, visit_date="2024-3-1"), _variant(visit, retiree_id=uuid.uuid4().hex)]
    ok_visits = {visits[i]["id"] for i in (0, 2, 6)}
    forged = _forge(u1, hq, {"records/benefits.jsonl": _lines(benefits), "records/visits.jsonl": _lines(visits)})
    [result] = hq.take(forged)
    messages = {p["id"]: p["message"] for p in result["problems"]}
    assert set(messages) == {r["id"] for r in benefits + visits} - ok_benefits - ok_visits
    assert _invalid("benefits", "amount_fen", True) in messages[benefits[1]["id"]]
    assert _invalid("benefits", "amount_fen", 1.0) in messages[benefits[2]["id"]]
    assert _invalid("benefits", "amount_fen", False) in messages[benefits[4]["id"]]
    assert _invalid("benefits", "amount_fen", -1) in messages[benefits[5]["id"]]
    assert _invalid("benefits", "amount_fen", None) in messages[benefits[7]["id"]]
    assert _invalid("benefits", "period", "每天") in messages[benefits[9]["id"]]
    assert _invalid("visits", "follow_up_done", 1) in messages[visits[1]["id"]]
    assert _invalid("visits", "follow_up_done", 0) in messages[visits[3]["id"]]
    assert _invalid("visits", "kind", "串门") in messages[visits[4]["id"]]
    assert _invalid("visits", "kind", None) in messages[visits[5]["id"]]
    assert "记录无效" in messages[visits[7]["id"]]
    assert "引用的记录不存在（retiree_id）" in messages[visits[8]["id"]]
    with hq.db.session_scope() as s:
        stored = {b.id: b.amount_fen for b in s.exec(select(Benefit))}
        done = {v.id: v.follow_up_done for v in s.exec(select(Visit))}
    assert {k for k in stored if k in {b["id"] for b in benefits}} == ok_benefits
    assert stored[benefits[0]["id"]] == 1 and stored[benefits[3]["id"]] == 0
    assert {k for k in done if k in {v["id"] for v in visits}} == ok_visits
    assert done[visits[0]["id"]] is True and done[visits[2]["id"]] is False


def test_column_checks_never_pass_a_record_the_full_check_refuses() -> None:
    """The planner skips the per-record check for records its column checks vouch for: over
    values of every shape, no record the full check refuses may be vouched for."""
    import random

    from app.sync.plan import _GOOD, _suspects, _validate
    from app.sync.records import user_fields

    rng = random.Random(7)
    pool: list[Any] = [None, "", "x", "张三", 0, 1, -1, 2.5, 1.0, True, False, [], ["13800138000"], ["123"],
                       [1], {"a": 1}, "2024-03-01", "2024-3-1", "1943", "1943-05", "1943-13", "13800138000",
                       "110101194206191654", "110101194206191655", 802100, "公历", "家访", "男"]
    for table in REGISTRY:
        specs = REGISTRY[table]
        pool_t = pool + [c for f in specs for c in f.choices]
        for _round in range(2):  # the second round meets what the first remembered
            rows = []
            for _ in range(400):
                row = {f.name: rng.choice(pool_t) for f in specs if rng.random() < 0.9}
                rows.append(row)
            suspect = _suspects(table, rows)
            for row in rows:
                if _validate(table, row, user_fields(table)) is not None:
                    assert id(row) in suspect, (table, row)
    assert _GOOD  # and it did remember values that passed
