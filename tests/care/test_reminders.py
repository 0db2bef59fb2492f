"""The care rules over fixed dates (never today)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from lunar_python import Solar

from app.services import operations
from app.services.care_rules import load_rules, save_rules
from app.services.lunar_dates import lunar_birthday, spring_festival, to_lunar
from app.services.reminders import compute_reminders

A = "测试员"


def due_of(items: list, title_part: str = "") -> list[date]:
    return [r.due for r in items if title_part in r.title]


# -- lunar and solar birthdays -------------------------------------------------------------------
def test_lunar_birthday_falls_in_the_next_solar_year(s, person, kinds_for):
    # Born 1945-12-30 = 农历 1945 冬月廿六: the 80th lunar birthday is 2026-01-14, in the solar
    # year after the solar anniversary (2025-12-30).
    lunar = person("农历生日", birth_date="1945-12-30", birthday_calendar="农历")
    solar = person("公历生日", birth_date="1945-12-30", birthday_calendar="公历")
    on = date(2026, 1, 10)
    items = compute_reminders(s, on, 7)
    got = kinds_for(items, lunar)["birthday"]
    assert [(r.title, r.due) for r in got] == [("80岁生日", date(2026, 1, 14))]
    assert got[0].detail == "农历冬月廿六"
    assert "birthday" not in kinds_for(items, solar)
    # The same day checked against the library directly.
    back = Solar.fromYmd(2026, 1, 14).getLunar()
    assert (back.getMonth(), back.getDay()) == to_lunar(date(1945, 12, 30))[1:]
    # The solar keeper is reminded around the solar anniversary instead.
    items = compute_reminders(s, date(2025, 12, 20), 14)
    assert due_of(kinds_for(items, solar)["birthday"]) == [date(2025, 12, 30)]
    assert "birthday" not in kinds_for(items, lunar)


def test_lunar_twelfth_month_thirtieth_kept_on_the_29th(s, person, kinds_for):
    # Born 1946-02-01 = 农历 1945 腊月三十; 农历 2025 腊月 has only 29 days.
    assert to_lunar(date(1946, 2, 1)) == (1945, 12, 30)
    rid = person(birth_date="1946-02-01", birthday_calendar="农历")
    assert lunar_birthday(date(1946, 2, 1), 80) == date(2026, 2, 16)
    items = compute_reminders(s, date(2026, 2, 1), 30)
    assert due_of(kinds_for(items, rid)["birthday"]) == [date(2026, 2, 16)]


def test_29_february_birthday_in_common_and_leap_years(s, person, kinds_for):
    rid = person(birth_date="1956-02-29")
    items = compute_reminders(s, date(2026, 2, 20), 30)
    assert due_of(kinds_for(items, rid)["birthday"], "70岁") == [date(2026, 3, 1)]
    # Not listed before its day comes into the window.
    assert "birthday" not in kinds_for(compute_reminders(s, date(2026, 2, 1), 20), rid)
    leap = person("闰年", birth_date="1944-02-29")
    items = compute_reminders(s, date(2024, 2, 20), 30)
    assert due_of(kinds_for(items, leap)["birthday"], "80岁") == [date(2024, 2, 29)]


def test_optional_rounds_and_a_celebration_done(s, person, visit, kinds_for):
    rid = person(birth_date="1951-03-10")
    on = date(2026, 3, 1)
    assert "birthday" not in kinds_for(compute_reminders(s, on, 30), rid)  # 75 is optional
    rules = load_rules(s)
    rules["birthday_rounds"] = [70, 75, 80, 85, 90, 95, 100]
    rules = save_rules(s, rules)
    assert [r.title for r in kinds_for(compute_reminders(s, on, 30), rid)["birthday"]] == ["75岁生日"]
    visit(rid, "生日祝寿", date(2026, 3, 1))
    assert "birthday" not in kinds_for(compute_reminders(s, on, 30), rid)


def test_labour_model_collective_birthday_every_five_years(s, person, kinds_for):
    rid = person(birth_date="1951-08-08", labour_model="市级劳模")
    items = kinds_for(compute_reminders(s, date(2026, 4, 20), 30), rid)["birthday"]
    assert [(r.title, r.due) for r in items] == [("劳模集体生日（75岁）", date(2026, 5, 1))]
    assert "birthday" not in kinds_for(compute_reminders(s, date(2027, 4, 20), 30), rid)


def test_golden_and_diamond_weddings(s, person, kinds_for):
    rid = person()
    operations.create(s, "contacts", {"retiree_id": rid, "kind": "配偶", "name": "李秀英",
                                      "marriage_date": "1976-05-10"}, actor=A)
    other = person("钻石婚")
    operations.create(s, "contacts", {"retiree_id": other, "kind": "配偶", "name": "王桂兰",
                                      "marriage_date": "1966-05"}, actor=A)
    items = compute_reminders(s, date(2026, 4, 25), 30)
    assert [(r.title, r.due) for r in kinds_for(items, rid)["wedding"]] == [("金婚（50周年）", date(2026, 5, 10))]
    assert [(r.title, r.due) for r in kinds_for(items, other)["wedding"]] == [("钻石婚（60周年）", date(2026, 5, 1))]
    assert "wedding" not in kinds_for(compute_reminders(s, date(2025, 4, 25), 30), rid)


# -- Spring Festival -----------------------------------------------------------------------------
def test_spring_festival_dates_from_the_lunar_calendar():
    assert spring_festival(2025) == date(2025, 1, 29)  # in January
    assert spring_festival(2026) == date(2026, 2, 17)  # in February


def test_spring_festival_in_january(s, person, visit, kinds_for):
    rid = person()
    done = person("已走访")
    visit(done, "春节走访", date(2025, 1, 20))
    items = compute_reminders(s, date(2025, 1, 21), 7)
    got = kinds_for(items, rid)["spring_festival"]
    assert [(r.title, r.due) for r in got] == [("2025年春节走访", date(2025, 1, 29))]
    assert "spring_festival" not in kinds_for(items, done)
    # After the window (元宵 + a little) nothing is due for the festival just gone.
    assert "spring_festival" not in kinds_for(compute_reminders(s, date(2025, 2, 20), 7), rid)


def test_spring_festival_in_february(s, person, visit, kinds_for):
    rid = person()
    visit(rid, "春节走访", date(2025, 1, 20))  # last year's visit does not count
    # On 10 January 2026 the window (21 days before 17 February) is still 17 days away.
    assert "spring_festival" not in kinds_for(compute_reminders(s, date(2026, 1, 10), 7), rid)
    got = kinds_for(compute_reminders(s, date(2026, 1, 10), 30), rid)["spring_festival"]
    assert [r.due for r in got] == [date(2026, 2, 17)]
    visit(rid, "春节走访", date(2026, 2, 1))
    assert "spring_festival" not in kinds_for(compute_reminders(s, date(2026, 2, 5), 7), rid)


def test_spring_festival_for_key_people_only_when_the_rule_says_so(s, person, kinds_for):
    plain = person(birth_date="1960-01-01")
    old = person("高龄", birth_date="1940-01-01")
    rules = {**load_rules(s), "spring_festival_scope": "key"}
    items = compute_reminders(s, date(2026, 2, 1), 7, rules)
    assert "spring_festival" not in kinds_for(items, plain)
    assert "spring_festival" in kinds_for(items, old)


# -- who gets nothing ----------------------------------------------------------------------------
def _everything_due(s, person, visit) -> str:
    rid = person(birth_date="1946-01-12", living="独居")
    operations.create(s, "contacts", {"retiree_id": rid, "kind": "配偶", "name": "李秀英",
                                      "marriage_date": "1976-01-15"}, actor=A)
    operations.create(s, "care_cases", {"retiree_id": rid, "kind": "住院",
                                        "opened_on": date(2026, 1, 5)}, actor=A)
    return rid


def test_deceased_get_nothing(s, person, visit, kinds_for):
    rid = _everything_due(s, person, visit)
    on = date(2026, 1, 10)
    before = kinds_for(compute_reminders(s, on, 30), rid)
    assert {"home_visit", "call", "birthday", "wedding", "hospital", "spring_festival",
            "eligibility"} <= before.keys()
    operations.update(s, "retirees", rid, {"status": "已故", "death_date": "2026-01-09"}, actor=A)
    assert kinds_for(compute_reminders(s, on, 30), rid) == {}


def test_moved_out_get_nothing(s, person, visit, kinds_for):
    rid = _everything_due(s, person, visit)
    on = date(2026, 1, 10)
    assert kinds_for(compute_reminders(s, on, 30), rid)
    operations.update(s, "retirees", rid, {"status": "迁出", "moved_out_date": "2026-01"}, actor=A)
    assert kinds_for(compute_reminders(s, on, 30), rid) == {}


def test_deleted_person_gets_nothing(s, person, kinds_for):
    rid = person()
    operations.soft_delete(s, "retirees", rid, actor=A)
    assert kinds_for(compute_reminders(s, date(2026, 1, 10), 30), rid) == {}


# -- cases ---------------------------------------------------------------------------------------
def test_hospital_first_visit_then_follow_ups_until_the_case_is_closed(s, person, visit, kinds_for):
    rid = person()
    case = operations.create(s, "care_cases", {"retiree_id": rid, "kind": "住院",
                                               "opened_on": date(2026, 3, 2), "place": "朝阳医院"},
                             actor=A).id
    got = kinds_for(compute_reminders(s, date(2026, 3, 2), 0), rid)
    assert "hospital" not in got  # first visit due on the 5th: not yet today
    got = kinds_for(compute_reminders(s, date(2026, 3, 2), 3), rid)["hospital"]
    assert [(r.title, r.due, r.case_id) for r in got] == [("住院看望", date(2026, 3, 5), case)]
    visit(rid, "住院慰问", date(2026, 3, 4), case_id=case)
    got = kinds_for(compute_reminders(s, date(2026, 3, 10), 14), rid)["hospital"]
    assert [(r.title, r.due) for r in got] == [("住院回访", date(2026, 3, 18))]
    operations.update(s, "care_cases", case, {"closed_on": date(2026, 3, 12)}, actor=A)
    assert "hospital" not in kinds_for(compute_reminders(s, date(2026, 3, 12), 30), rid)
    # Looking back at a day when it was still open, it is still there.
    assert "hospital" in kinds_for(compute_reminders(s, date(2026, 3, 11), 30), rid)


def test_family_event_needs_one_visit(s, person, visit, kinds_for):
    rid = person()
    case = operations.create(s, "care_cases", {"retiree_id": rid, "kind": "家庭大事",
                                               "opened_on": date(2026, 3, 1)}, actor=A).id
    assert due_of(kinds_for(compute_reminders(s, date(2026, 3, 1), 7), rid)["family_event"]) == \
        [date(2026, 3, 8)]
    visit(rid, "家庭大事", date(2026, 3, 3), case_id=case)
    assert "family_event" not in kinds_for(compute_reminders(s, date(2026, 3, 3), 30), rid)


# -- routine contact and key people --------------------------------------------------------------
def test_one_field_makes_a_key_person_visited_monthly(s, person, visit, kinds_for):
    rid = person(birth_date="1956-06-15", living="与子女同住")
    visit(rid, "家访", date(2026, 2, 1))
    visit(rid, "电话联系", date(2026, 3, 1))
    on = date(2026, 3, 15)
    assert "home_visit" not in kinds_for(compute_reminders(s, on, 7), rid)  # next 2026-05-02
    operations.update(s, "retirees", rid, {"living": "独居"}, actor=A)
    got = kinds_for(compute_reminders(s, on, 7), rid)["home_visit"]
    assert [(r.title, r.due, r.overdue) for r in got] == [("重点人员每月走访", date(2026, 3, 3), True)]
    assert "独居" in got[0].detail
    # The toggle is a rule the unit can switch off.
    rules = load_rules(s)
    rules["key_person"]["alone"] = False
    save_rules(s, rules)
    assert "home_visit" not in kinds_for(compute_reminders(s, on, 7), rid)


def test_turning_eighty_makes_a_key_person(s, person, visit, kinds_for):
    rid = person(birth_date="1946-03-20")
    visit(rid, "家访", date(2026, 2, 1))
    assert "home_visit" not in kinds_for(compute_reminders(s, date(2026, 3, 19), 0), rid)
    got = kinds_for(compute_reminders(s, date(2026, 3, 20), 0), rid)["home_visit"]
    assert got[0].due == date(2026, 3, 3)


@pytest.mark.parametrize(("born", "before", "on_the_day"), [
    ("1946-03", date(2026, 2, 28), date(2026, 3, 1)),  # a month only: from its 1st
    ("1946", date(2025, 12, 31), date(2026, 1, 1)),  # a year only: from 1 January
    ("1944-02-29", date(2024, 2, 28), date(2024, 2, 29)),  # 80 on the leap day itself
    ("1944-02-29", date(2025, 2, 28), date(2025, 3, 1)),  # …and in a common year, 1 March
])
def test_eighty_by_a_partial_or_leap_day_birth_date(s, person, visit, kinds_for, born, before,
                                                    on_the_day):
    rules = load_rules(s)
    rules["key_age"] = 80 if born != "1944-02-29" or on_the_day.year == 2024 else 81
    save_rules(s, rules)
    rid = person(birth_date=born)
    visit(rid, "家访", before - timedelta(days=40))  # due again in 90 days, or 30 for key people
    assert "home_visit" not in kinds_for(compute_reminders(s, before, 0), rid)
    got = kinds_for(compute_reminders(s, on_the_day, 0), rid)["home_visit"]
    assert got[0].title == "重点人员每月走访"


def test_quarterly_visit_and_monthly_call(s, person, visit, kinds_for):
    rid = person()
    visit(rid, "家访", date(2026, 1, 10))
    got = kinds_for(compute_reminders(s, date(2026, 2, 1), 10), rid)
    assert due_of(got["call"]) == [date(2026, 2, 9)]  # any visit counts as contact
    assert "home_visit" not in got
    got = kinds_for(compute_reminders(s, date(2026, 4, 1), 10), rid)
    assert due_of(got["home_visit"]) == [date(2026, 4, 10)]


def test_the_later_of_a_call_and_a_visit_in_person_sets_the_next_call(s, person, visit, kinds_for):
    called_last = person("后来电话")
    visit(called_last, "家访", date(2026, 1, 5))
    visit(called_last, "电话联系", date(2026, 1, 20))
    seen_last = person("后来走访")
    visit(seen_last, "电话联系", date(2026, 1, 5))
    visit(seen_last, "住院慰问", date(2026, 1, 25))
    items = compute_reminders(s, date(2026, 2, 15), 30)
    assert [(r.due, r.detail) for r in kinds_for(items, called_last)["call"]] == \
        [(date(2026, 2, 19), "上次联系 2026-01-20")]
    assert [(r.due, r.detail) for r in kinds_for(items, seen_last)["call"]] == \
        [(date(2026, 2, 24), "上次联系 2026-01-25")]


def test_people_with_the_same_last_visit_keep_their_own_rule(s, person, visit, kinds_for):
    # The due date and text of a routine reminder are worked out once per last-visit day and
    # rule: a key person and a plain one seen on the same day must still differ.
    plain = person("普通")
    alone = person("独居老人", living="独居")
    both = person("两项", living="孤老", self_care="不能自理")
    for rid in (plain, alone, both):
        visit(rid, "家访", date(2026, 1, 10))
    never = person("从未走访", living="独居")
    items = compute_reminders(s, date(2026, 4, 1), 30)
    got = {rid: [(r.title, r.due, r.detail) for r in kinds_for(items, rid)["home_visit"]]
           for rid in (plain, alone, both, never)}
    assert got == {
        plain: [("季度家访", date(2026, 4, 10), "上次走访 2026-01-10")],
        alone: [("重点人员每月走访", date(2026, 2, 9), "上次走访 2026-01-10；重点人员：独居")],
        both: [("重点人员每月走访", date(2026, 2, 9), "上次走访 2026-01-10；重点人员：孤老、不能自理")],
        never: [("重点人员每月走访", date(2026, 4, 1), "尚无走访记录；重点人员：独居")],
    }
    assert [r.overdue for r in kinds_for(items, alone)["home_visit"]] == [True]
    assert [r.overdue for r in kinds_for(items, plain)["home_visit"]] == [False]


def test_a_unit_scope_limits_every_kind(s, person, visit, kinds_for):
    from app.services.units import add_unit, self_unit

    other_unit = add_unit(s, "分厂", "T002", parent_id=self_unit(s).id, actor=A).id
    here, there = person("本单位"), person("分厂职工")
    # As a bundle from the other unit would have it (the operations write this unit's own).
    s.connection().exec_driver_sql("UPDATE retirees SET unit_id = ? WHERE id = ?", (other_unit, there))
    for rid in (here, there):
        operations.create(s, "contacts", {"retiree_id": rid, "kind": "配偶", "name": "配偶",
                                          "marriage_date": "1976-05-10"}, actor=A)
        operations.create(s, "care_cases", {"retiree_id": rid, "kind": "住院",
                                            "opened_on": date(2026, 4, 20)}, actor=A)
    on = date(2026, 4, 25)
    everyone = compute_reminders(s, on, 30)
    assert {"wedding", "hospital", "call"} <= kinds_for(everyone, there).keys()
    scoped = compute_reminders(s, on, 30, unit_ids=[self_unit(s).id])
    assert {r.retiree_id for r in scoped} == {here}
    assert {"wedding", "hospital", "call"} <= kinds_for(scoped, here).keys()


def test_returned_home_gets_a_yearly_letter_instead_of_visits(s, person, visit, kinds_for):
    rid = person(returned_home="是", hometown="河北省保定市")
    got = kinds_for(compute_reminders(s, date(2026, 1, 10), 30), rid)
    assert "letter" in got and "home_visit" not in got and "spring_festival" not in got
    visit(rid, "信件", date(2026, 1, 10))
    got = kinds_for(compute_reminders(s, date(2026, 6, 1), 30), rid)
    assert "letter" not in got
    assert due_of(kinds_for(compute_reminders(s, date(2026, 12, 20), 30), rid)["letter"]) == \
        [date(2027, 1, 10)]


def test_eligibility_check_on_a_rolling_year(s, person, kinds_for):
    rid = person()
    never = person("未认证")
    notice = operations.create(s, "notices", {"title": "2025年度养老金资格认证", "kind": "资格认证",
                                              "issued_date": date(2025, 3, 1)}, actor=A).id
    operations.create(s, "notice_deliveries", {"retiree_id": rid, "notice_id": notice, "method": "电话",
                                               "delivered_on": date(2025, 3, 5), "acknowledged": "是"},
                      actor=A)
    operations.create(s, "notice_deliveries", {"retiree_id": never, "notice_id": notice,
                                               "method": "电话", "delivered_on": date(2025, 3, 5)},
                      actor=A)  # told, never confirmed
    on = date(2026, 2, 20)
    assert "eligibility" not in kinds_for(compute_reminders(s, on, 7), rid)
    assert due_of(kinds_for(compute_reminders(s, on, 30), rid)["eligibility"]) == [date(2026, 3, 5)]
    assert [r.detail for r in kinds_for(compute_reminders(s, on, 0), never)["eligibility"]] == ["无认证记录"]


def test_visits_after_the_day_are_ignored(s, person, visit, kinds_for):
    rid = person()
    visit(rid, "电话联系", date(2026, 5, 1))
    assert "call" in kinds_for(compute_reminders(s, date(2026, 4, 1), 0), rid)
    assert "call" not in kinds_for(compute_reminders(s, date(2026, 5, 1), 0), rid)


def test_groups_come_in_page_order(s, person):
    person(birth_date="1946-01-12")
    items = compute_reminders(s, date(2026, 1, 10), 30)
    order = ["hospital", "bereavement", "family_event", "home_visit", "call", "birthday", "wedding",
             "spring_festival", "eligibility", "letter"]
    seen = [r.kind for r in items]
    assert seen == sorted(seen, key=order.index)


@pytest.mark.parametrize("bad", [{"call_days": -1}, {"birthday_rounds": "70"},
                                 {"labour_model_date": "13-40"}, {"spring_festival_scope": "x"}])
def test_bad_rules_are_refused(s, bad):
    from app.services.errors import ValidationError

    with pytest.raises(ValidationError):
        save_rules(s, {**load_rules(s), **bad})


def test_within_a_kind_by_due_then_name(s, person, visit):
    for name, last in (("乙", date(2026, 1, 2)), ("甲", date(2026, 1, 2)), ("丙", date(2025, 12, 1))):
        visit(person(name), "电话联系", last)
    calls = [r for r in compute_reminders(s, date(2026, 2, 1), 7) if r.kind == "call"]
    assert [(r.name, r.due) for r in calls] == [("丙", date(2025, 12, 31)), ("乙", date(2026, 2, 1)),
                                               ("甲", date(2026, 2, 1))]
    assert calls == sorted(calls, key=lambda r: (r.due, r.name, r.retiree_id))


def test_history_older_than_any_rule_still_gives_exact_dates(s, person, visit, kinds_for):
    # Visits older than the window every rule looks back over are read separately, only for
    # the people who have nothing newer: the dates must be the same either way.
    rid = person()
    visit(rid, "家访", date(2023, 5, 6))
    visit(rid, "电话联系", date(2023, 6, 1))
    back = person("返乡", returned_home="是")
    visit(back, "信件", date(2023, 2, 1))
    case_person = person("长期住院")
    case = operations.create(s, "care_cases", {"retiree_id": case_person, "kind": "住院",
                                               "opened_on": date(2023, 1, 2)}, actor=A).id
    visit(case_person, "住院慰问", date(2023, 1, 3))  # not linked to the case
    visit(case_person, "家访", date(2025, 12, 1))
    got = kinds_for(compute_reminders(s, date(2026, 1, 10), 30), rid)
    assert [(r.due, r.detail) for r in got["home_visit"]] == [(date(2023, 8, 4), "上次走访 2023-05-06")]
    assert [r.due for r in got["call"]] == [date(2023, 7, 1)]
    got = kinds_for(compute_reminders(s, date(2026, 1, 10), 30), back)
    assert [(r.due, r.detail) for r in got["letter"]] == [(date(2024, 2, 1), "上次信件 2023-02-01")]
    got = kinds_for(compute_reminders(s, date(2026, 1, 10), 30), case_person)
    assert [(r.title, r.due, r.case_id) for r in got["hospital"]] == [("住院回访", date(2023, 1, 17), case)]


@pytest.mark.parametrize(("days", "recount_all"), [(0, 2000), (30, 2000), (90, 2000), (30, 0)])
def test_care_state_gives_the_same_reminders_as_the_visits_themselves(demo_db, monkeypatch, days,
                                                                      recount_all):
    # Reminders read each person's latest visits from care_state; a person with a visit
    # after the day is read from the visits instead (person by person, or for more than
    # ``_RECOUNT_ALL`` such people in one pass). Marking every row as "has a later visit"
    # sends everyone down that second path: the lists must be the very same.
    from app.services import reminders

    monkeypatch.setattr(reminders, "_RECOUNT_ALL", recount_all)

    with demo_db.session_scope() as s:
        raw = s.connection().connection.driver_connection
        for on in (date.today(), date.today() - timedelta(days=200), date.today() + timedelta(days=75)):
            fast = compute_reminders(s, on, days)
            saved = raw.execute("SELECT retiree_id, latest FROM care_state").fetchall()
            raw.execute("UPDATE care_state SET latest = '9999-12-31'")
            try:
                full = compute_reminders(s, on, days)
            finally:
                raw.executemany("UPDATE care_state SET latest = ? WHERE retiree_id = ?",
                                [(d, rid) for rid, d in saved])
            assert fast == full
            assert {r.kind for r in fast} >= {"call", "home_visit", "eligibility"}


def test_a_letter_eight_months_old_still_counts(s, person, visit, kinds_for):
    on = date(2026, 11, 1)
    back = person("返乡", returned_home="是")
    sent = date(2026, 3, 1)
    visit(back, "信件", sent)
    assert "letter" not in kinds_for(compute_reminders(s, on, 30), back)
    got = kinds_for(compute_reminders(s, date(2027, 2, 10), 30), back)["letter"]
    assert [(r.due, r.detail) for r in got] == [(date(2027, 3, 1), "上次信件 2026-03-01")]
