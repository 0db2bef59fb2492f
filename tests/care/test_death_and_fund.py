"""登记去世 end to end, the care fund and its budget warning, logging a reminder as done."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from app.models import CareCase, Contact, NoticeDelivery, Payment, Retiree, Visit
from app.services import operations
from app.services.care_rules import condolence_rule, load_rules, register_death
from app.services.errors import ServiceError, ValidationError
from app.services.fund import (
    BudgetExceededError,
    check_payment,
    fund_status,
    record_payment,
    set_budget,
)
from app.services.reminders import complete, compute_reminders

A = "测试员"


@pytest.fixture
def group(s, person):
    leader = person("周组长")
    gid = operations.create(s, "liaison_groups", {"name": "建国路第1组", "leader_id": leader},
                            actor=A).id
    operations.update(s, "retirees", leader, {"group_id": gid}, actor=A)
    return gid


def test_register_death_end_to_end(s, person, group, kinds_for):
    rid = person("王德明", category="退休", rank="科员", group_id=group)
    spouse = operations.create(s, "contacts", {"retiree_id": rid, "kind": "配偶", "name": "李秀英",
                                               "marriage_date": "1975-10-01"}, actor=A).id
    set_budget(s, 2025, "10000", actor=A)
    result = register_death(s, rid, "2025-03-05", actor=A)

    r = s.get(Retiree, rid)
    assert (r.status, r.death_date) == ("已故", "2025-03-05")
    assert result.table == "retirees" and result.id == rid and result.rev == r.rev
    assert result.fields["status"] == ("在册", "已故")
    case = s.get(CareCase, result.case_id)
    assert (case.kind, case.opened_on, case.closed_on) == ("丧事", date(2025, 3, 5), None)
    assert (result.amount_fen, result.goods, result.rule_name) == (50000, "丧事用车", "其他人员")
    assert "500.00" in case.summary and "丧事用车" in case.summary
    assert result.visitors.startswith("联络小组组长 周组长（建国路第1组）")
    assert "周组长" in case.note and "李秀英" in case.note
    # The spouse stays in contacts, as the survivor.
    c = s.get(Contact, spouse)
    assert (c.deleted, c.alive) == (False, True)
    assert result.survivors == ["李秀英"]
    assert result.fund_warning is None
    # Audit trail through operations.
    from app.models import AuditEntry

    audited = {e.field for e in s.exec(select(AuditEntry).where(AuditEntry.record_id == rid))}
    assert {"status", "death_date"} <= audited

    # Reminders: nothing about the person, only the condolence visit to the family.
    got = kinds_for(compute_reminders(s, date(2025, 3, 5), 30), rid)
    assert list(got) == ["bereavement"]
    first = got["bereavement"][0]
    assert (first.title, first.due, first.case_id) == ("吊唁慰问家属", date(2025, 3, 6), case.id)
    complete(s, first, on=date(2025, 3, 6), actor=A)
    v = s.exec(select(Visit).where(Visit.retiree_id == rid)).one()
    assert (v.kind, v.case_id, v.visit_date) == ("丧事慰问", case.id, date(2025, 3, 6))
    got = kinds_for(compute_reminders(s, date(2025, 3, 20), 30), rid)
    assert [(x.title, x.due) for x in got["bereavement"]] == [("回访遗属", date(2025, 4, 4))]
    operations.update(s, "care_cases", case.id, {"closed_on": date(2025, 4, 2)}, actor=A)
    assert kinds_for(compute_reminders(s, date(2025, 4, 2), 30), rid) == {}

    with pytest.raises(ServiceError, match="已登记去世"):
        register_death(s, rid, "2025-03-05", actor=A)


@pytest.mark.parametrize(("fields", "rule", "visitors"), [
    ({"category": "离休", "rank": "科员"}, "离休干部", "单位领导"),
    ({"category": "退休", "rank": "副科级"}, "副科级以上", "单位领导"),
    ({"category": "退休", "rank": "正处级"}, "副科级以上", "单位领导"),
    ({"category": "退休", "rank": "科员", "labour_model": "市级劳模"}, "劳动模范", "单位领导"),
    ({"category": "退休", "rank": "工人"}, "其他人员", "联络小组组长"),
    ({"category": "内退"}, "其他人员", "联络小组组长"),
])
def test_condolence_rule_by_category_rank_and_model(s, person, fields, rule, visitors):
    r = s.get(Retiree, person(**fields))
    row = condolence_rule(r, load_rules(s))
    assert (row["name"], row["visitors"], row["amount_fen"], row["goods"]) == \
        (rule, visitors, 50000, "丧事用车")


def test_condolence_amount_is_a_rule_the_unit_edits(s, person):
    from app.services.care_rules import save_rules

    rules = load_rules(s)
    rules["condolence"][0]["amount_fen"] = 100000
    rules["condolence"][0]["goods"] = "丧事用车、花圈"
    save_rules(s, rules)
    rid = person(category="离休")
    result = register_death(s, rid, "2025-06-01", actor=A)
    assert (result.amount_fen, result.goods, result.visitors) == (100000, "丧事用车、花圈", "单位领导")
    # No budget for 2025 yet: the form should warn before paying.
    assert result.fund_warning is not None and "尚未设定" in result.fund_warning.message


def test_death_known_to_the_month_opens_the_case_on_the_given_day(s, person):
    rid = person()
    result = register_death(s, rid, "2025-02", actor=A, opened_on=date(2025, 2, 20))
    assert s.get(Retiree, rid).death_date == "2025-02"
    assert s.get(CareCase, result.case_id).opened_on == date(2025, 2, 20)


# -- the fund ------------------------------------------------------------------------------------
def _visit(s, rid, when=date(2026, 1, 20)):
    return operations.create(s, "visits", {"retiree_id": rid, "kind": "春节走访", "visit_date": when},
                             actor=A).id


def test_budget_spent_left_and_the_warning(s, person):
    rid = person()
    set_budget(s, 2026, "1000", actor=A)
    set_budget(s, 2026, "1,200", actor=A, note="追加")  # updates the same year's row
    v = _visit(s, rid)
    change, warning = record_payment(s, {"retiree_id": rid, "kind": "节日慰问", "amount_fen": "800",
                                         "paid_on": "2026-01-20", "visit_id": v}, actor=A)
    assert warning is None
    st = fund_status(s, 2026)
    assert (st.budget_fen, st.spent_fen, st.left_fen, st.count) == (120000, 80000, 40000, 1)
    assert check_payment(s, 40000, 2026) is None  # exactly to the budget is fine
    w = check_payment(s, 50000, 2026)
    assert w is not None and w.over_fen == 10000
    assert w.message == ("本笔 500.00 元发放后，2026年度送温暖专项经费将超支 100.00 元"
                         "（预算 1,200.00 元，已支出 800.00 元）。")
    data = {"retiree_id": rid, "kind": "节日慰问", "amount_fen": 50000, "paid_on": date(2026, 2, 1),
            "visit_id": v}
    with pytest.raises(BudgetExceededError) as exc:
        record_payment(s, data, actor=A)
    assert exc.value.warning.over_fen == 10000
    assert fund_status(s, 2026).count == 1  # nothing written
    change, warning = record_payment(s, data, actor=A, confirm_over_budget=True)
    assert warning is not None and s.get(Payment, change.id).fund_year == 2026
    assert fund_status(s, 2026).left_fen == -10000
    # Editing a payment does not count its own old amount twice.
    assert check_payment(s, 50000, 2026, exclude_payment_id=change.id).over_fen == 10000
    assert check_payment(s, 40000, 2026, exclude_payment_id=change.id) is None


def test_no_budget_warns_and_other_years_are_separate(s, person):
    person()
    set_budget(s, 2025, "100000", actor=A)
    assert check_payment(s, 100, 2025) is None
    w = check_payment(s, 100, 2026)
    assert w is not None and "尚未设定" in w.message


def test_payment_must_be_linked_to_its_persons_visit_or_case(s, person):
    rid, other = person(), person("李四")
    set_budget(s, 2026, "100000", actor=A)
    base = {"retiree_id": rid, "kind": "困难帮扶", "amount_fen": "300", "paid_on": "2026-03-01"}
    with pytest.raises(ValidationError, match="须关联"):
        record_payment(s, base, actor=A)
    with pytest.raises(ValidationError, match="不属于这位人员"):
        record_payment(s, {**base, "visit_id": _visit(s, other)}, actor=A)
    case = operations.create(s, "care_cases", {"retiree_id": rid, "kind": "困难",
                                               "opened_on": date(2026, 2, 1)}, actor=A).id
    change, _ = record_payment(s, {**base, "case_id": case}, actor=A)
    assert s.get(Payment, change.id).case_id == case


# -- one click logs the visit --------------------------------------------------------------------
def test_complete_logs_the_matching_visit_or_check(s, person, kinds_for):
    rid = person()
    on = date(2026, 3, 2)
    got = kinds_for(compute_reminders(s, on, 0), rid)
    complete(s, got["call"][0], on=on, actor=A, visitors="李干事")
    v = s.exec(select(Visit).where(Visit.retiree_id == rid)).one()
    assert (v.kind, v.visitors, v.visit_date) == ("电话联系", "李干事", on)
    complete(s, got["eligibility"][0], on=on, actor=A)
    d = s.exec(select(NoticeDelivery).where(NoticeDelivery.retiree_id == rid)).one()
    assert d.acknowledged and d.delivered_on == on
    after = kinds_for(compute_reminders(s, on, 0), rid)
    assert "call" not in after and "eligibility" not in after and "home_visit" in after


def test_condolence_form_options_follow_the_rule_and_the_case(s, person, group):
    from app.services.care_rules import condolence_options

    rid = person("赵志强", category="退休", rank="正科级", group_id=group)
    register_death(s, rid, "2025-04-02", actor=A)
    opts = condolence_options(s, rid)
    assert opts["occasion"] == "丧事慰问" and opts["amount_fen"] == 50000
    assert (opts["goods"], opts["visitors"]) == ("丧事用车", "单位领导")
    assert opts["reason"].startswith("赵志强同志于2025年4月2日去世")


def test_rules_store_only_what_the_unit_changed(s):
    from app.services.care_rules import DEFAULT_RULES, reset_rules, save_rules
    from app.services.context import get_setting

    rules = load_rules(s)
    assert rules == DEFAULT_RULES and rules is not DEFAULT_RULES
    rules["call_days"] = 45
    rules["key_person"]["labour_model"] = False
    save_rules(s, rules)
    assert get_setting(s, "care_rules") == {"call_days": 45, "key_person": {"labour_model": False}}
    assert load_rules(s)["key_person"]["alone"] is True
    reset_rules(s)
    assert load_rules(s) == DEFAULT_RULES
