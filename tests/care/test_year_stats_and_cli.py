"""The yearly statistics over a small exact data set, and the care commands."""

from __future__ import annotations

import json
from datetime import date

from app.services import operations
from app.services.fund import set_budget
from app.services.yearly_stats import year_stats

A = "测试员"


def _data(s, person):
    g1 = operations.create(s, "liaison_groups", {"name": "一组"}, actor=A).id
    g2 = operations.create(s, "liaison_groups", {"name": "二组"}, actor=A).id
    young = person("甲", birth_date="1960-05-01", category="退休", group_id=g1)
    old = person("乙", birth_date="1945-12-31", category="退休", group_id=g1, living="独居")
    lixiu = person("丙", birth_date="1930-01-01", category="离休", group_id=g2)
    # Died in 2026: still on the 2025 roll. Died in 2025: not on it.
    later = person("丁", birth_date="1950-01-01", category="内退", group_id=g2)
    operations.update(s, "retirees", later, {"status": "已故", "death_date": "2026-01-05"}, actor=A)
    gone = person("戊", birth_date="1950-01-01")
    operations.update(s, "retirees", gone, {"status": "已故", "death_date": "2025-07-01"}, actor=A)
    for rid, kind, when in ((young, "家访", date(2025, 3, 3)), (young, "电话联系", date(2025, 3, 20)),
                            (old, "春节走访", date(2025, 1, 25)), (old, "家访", date(2025, 12, 31)),
                            (lixiu, "电话联系", date(2025, 7, 1)), (lixiu, "家访", date(2024, 12, 31)),
                            (gone, "丧事慰问", date(2025, 7, 2))):
        operations.create(s, "visits", {"retiree_id": rid, "kind": kind, "visit_date": when}, actor=A)
    v = operations.create(s, "visits", {"retiree_id": old, "kind": "困难帮扶",
                                        "visit_date": date(2025, 6, 10)}, actor=A).id
    set_budget(s, 2025, "2000", actor=A)
    operations.create(s, "payments", {"retiree_id": old, "kind": "困难帮扶", "amount_fen": "300",
                                      "paid_on": "2025-06-10", "visit_id": v}, actor=A)
    operations.create(s, "payments", {"retiree_id": old, "kind": "节日慰问", "amount_fen": "500",
                                      "paid_on": "2025-01-25", "visit_id": v}, actor=A)
    return g1, g2


def test_year_stats_figures(s, person):
    _data(s, person)
    d = year_stats(s, 2025)
    p = d["people"]
    assert p["on_roll"] == 4 and p["deaths"] == 1 and p["moved_out"] == 0
    assert p["by_category"] == {"离休": 1, "退休": 2, "内退": 1}
    # Ages on 31 Dec 2025: 65, 80 (born 31 Dec 1945), 95, 75.
    assert p["by_age_band"] == {"70岁以下": 1, "70–79岁": 1, "80–89岁": 1, "90岁及以上": 1}
    assert p["by_age_band_and_category"]["90岁及以上"] == {"离休": 1}
    assert p["key_people"] == 2  # 80 and living alone (one person), 95
    v = d["visits"]
    assert v["total"] == 7  # the 2024 visit is not counted
    assert v["by_month"][2] == {"month": 3, "家访": 1, "电话联系": 1, "其他走访": 0}
    assert v["by_month"][0]["其他走访"] == 1 and v["by_month"][11]["家访"] == 1
    assert v["visited_people"] == 2 and v["called_people"] == 2  # 甲 乙 visited; 甲 丙 called
    assert v["visited_pct"] == 50.0
    c = d["care"]
    assert (c["spring_festival_visits"], c["condolences"], c["aided_people"]) == (1, 1, 1)
    f = d["fund"]
    assert (f["budget_fen"], f["spent_fen"], f["left_fen"], f["used_pct"]) == (200000, 80000, 120000, 40.0)
    assert f["by_month"][0] == 50000 and f["by_month"][5] == 30000
    assert f["cumulative_by_month"][-1] == 80000
    rows = {r["group"]: r for r in d["by_group"]}
    assert rows["一组"] == {"group": "一组", "members": 2, "visited": 2, "coverage_pct": 100.0,
                          "visits": 4, "calls": 1, "paid_fen": 80000}
    assert rows["二组"]["members"] == 2 and rows["二组"]["visited"] == 0 and rows["二组"]["calls"] == 1


def test_cli_reminders_year_stats_fund_and_death(db, db_path, capsys):
    from app.cli import run

    with db.session_scope() as s:
        rid = operations.create(s, "retirees", {"name": "王德明", "birth_date": "1946-01-12",
                                                "category": "退休"}, actor=A).id
        year = year_stats(s, 2025)

    def call(*argv: str) -> tuple[int, str]:
        code = run([*argv, "--db", str(db_path)])
        return code, capsys.readouterr().out

    code, out = call("reminders", "--date", "2026-01-10", "--days", "7", "--json")
    data = json.loads(out)
    assert code == 0 and data["date"] == "2026-01-10"
    assert {r["kind"] for r in data["reminders"]} >= {"home_visit", "call", "eligibility"}
    assert data["counts"]["call"] == 1
    code, out = call("reminders", "--date", "2026-01-10")
    assert code == 0 and "王德明" in out and "【电话联系到期】" in out

    code, out = call("year-stats", "--year", "2025", "--json")
    assert code == 0 and json.loads(out) == json.loads(json.dumps(year))

    code, out = call("fund-budget", "--year", "2025", "--amount", "400", "--json")
    assert code == 0 and json.loads(out)["budget_fen"] == 40000
    code, out = call("register-death", rid, "--date", "2025-03-05", "--json")
    death = json.loads(out)
    assert code == 0 and death["amount_fen"] == 50000 and death["goods"] == "丧事用车"
    code, out = call("pay", rid, "--kind", "丧事慰问", "--amount", "500", "--date", "2025-03-06",
                     "--case", death["case_id"])
    assert code == 1  # 500 > 400: refused without --yes
    code, out = call("pay", rid, "--kind", "丧事慰问", "--amount", "500", "--date", "2025-03-06",
                     "--case", death["case_id"], "--yes", "--json")
    assert code == 0 and "超支 100.00 元" in json.loads(out)["warning"]
    code, out = call("fund", "--year", "2025", "--json")
    assert json.loads(out)["left_fen"] == -10000

    code, out = call("care-rules", "--set", "call_days=45", "--json")
    assert code == 0 and json.loads(out)["call_days"] == 45
    code, out = call("care-rules", "--set", "call_days=-3")
    assert code == 1
    code, out = call("reminders", "--date", "2026-02-30")
    assert code == 1
