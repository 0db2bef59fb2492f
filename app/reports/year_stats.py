"""年度工作统计表: the printed yearly sheet. Its figures are ``services.yearly_stats.year_stats``
(the very numbers of the 统计 page and of ``retiree-desk stats --year Y --json``), plus the
two tables only the sheet has: visits by kind with people and money, and the round
birthdays and weddings due in the year."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from app.models import Visit
from app.models.enums import VisitKind
from app.models.registry import format_money
from app.reports import lists, scope
from app.reports.layout import Column, Layout
from app.reports.money import amount_in_words
from app.services.yearly_stats import year_stats

MUST_VISITS = (VisitKind.HOSPITAL.value, VisitKind.FAMILY_EVENT.value, VisitKind.SPRING_FESTIVAL.value)


def figures(session: Session, year: int, *, on: date) -> dict[str, Any]:
    unit_ids = scope.unit_ids(session)
    stats = year_stats(session, year, unit_ids=unit_ids)
    start, end = date(year, 1, 1), date(year, 12, 31)
    stmt = (select(Visit.kind, func.count(), func.count(func.distinct(Visit.retiree_id)),
                   func.coalesce(func.sum(Visit.money_fen), 0))
            .where(Visit.deleted == False, Visit.visit_date >= start, Visit.visit_date <= end))  # noqa: E712
    if unit_ids:
        stmt = stmt.where(Visit.unit_id.in_(unit_ids))  # type: ignore[attr-defined]
    visits = {kind: (times, people, money)
              for kind, times, people, money in session.exec(stmt.group_by(Visit.kind)).all()}
    due = lists.milestones(session, period=scope.Period(start, end))
    birthdays = sum("生日" in str(row[3]) for row in due.sections[0].rows)
    return {**stats, "date": min(on, end).isoformat(), "visits_by_kind": visits,
            "milestones_due": {"birthdays": birthdays, "weddings": due.row_count - birthdays}}


def draw_year_stats(layout: Layout, session: Session, year: int, *, on: date) -> dict[str, Any]:
    data = figures(session, year, on=on)
    layout.new_page()
    people, fund = data["people"], data["fund"]
    layout.heading(f"一、人员情况（在册 {people['on_roll']} 人，统计日 {data['date']}）", keep_with=60)
    # Two blocks side by side keep the whole sheet on one page.
    three = [Column("分类", 7, "center"), Column("项目", 11), Column("人数", 5, "right")]

    def block(parts: list[tuple[str, dict[str, int]]]) -> list[list[str]]:
        out: list[list[str]] = []
        for title, values in parts:
            for i, (name, n) in enumerate(values.items()):
                out.append([title if i == 0 else "", name, str(n)])
        return out

    left = block([("人员类别", people["by_category"]), ("年龄段", people["by_age_band"]),
                  ("性别", people["by_sex"])])
    right = block([("自理能力", people["by_self_care"]),
                   ("居住", {"独居、孤老": people["living_alone"], "返乡居住": people["returned_home"]}),
                   ("变动", {f"{year}年去世": people["deaths"], f"{year}年迁出": people["moved_out"]}),
                   ("组织", {"联络小组（个）": people["groups"], "重点人员": people["key_people"]})])
    height = max(len(left), len(right))
    left += [["", "", ""]] * (height - len(left))
    right += [["", "", ""]] * (height - len(right))
    layout.table(three + three, [a + b for a, b in zip(left, right, strict=True)])
    layout.space(8)

    layout.heading(f"二、走访慰问（{year}年）", keep_with=60)
    four = [Column("项目", 14), Column("次数", 6, "right"), Column("人数", 6, "right"),
            Column("慰问金（元）", 9, "right")]
    visits: dict[str, tuple[int, int, int]] = data["visits_by_kind"]
    rows = []
    for kind in VisitKind:
        times, people, money = visits.get(kind.value, (0, 0, 0))
        tag = "（三个必访）" if kind.value in MUST_VISITS else ""
        rows.append([kind.value + tag, str(times), str(people), format_money(money)])
    must = [visits.get(k, (0, 0, 0)) for k in MUST_VISITS]
    rows.append(["其中：三个必访合计", str(sum(m[0] for m in must)), "", format_money(sum(m[2] for m in must))])
    rows.append(["合计", str(data["visits"]["total"]), "", format_money(sum(v[2] for v in visits.values()))])
    rows.append([f"见面走访覆盖 {data['visits']['visited_people']} 人，占在册 {data['visits']['visited_pct']}%",
                 "", "", ""])
    due = data["milestones_due"]
    rows.append([f"本年应祝寿（名单）{due['birthdays']} 人，应贺金婚/钻石婚 {due['weddings']} 对", "", "", ""])
    layout.table(four, rows)
    layout.space(8)

    layout.heading(f"三、慰问金与送温暖专项经费（{year}年度）", keep_with=60)
    rows = [[kind, str(fund["count_by_kind"][kind]), str(fund["people_by_kind"][kind]), format_money(m)]
            for kind, m in sorted(fund["by_kind"].items())]
    spent, budget = fund["spent_fen"], fund["budget_fen"]
    rows.append(["支出合计", str(fund["count"]), "", format_money(spent)])
    rows.append(["年度预算", "", "", format_money(budget)])
    rows.append(["结余", "", "", format_money(budget - spent)])
    layout.table([Column("项目", 14), Column("笔数", 6, "right"), Column("人数", 6, "right"),
                  Column("金额（元）", 9, "right")], rows)
    rate = f"{spent / budget:.1%}" if budget else "—"
    layout.space(4)
    layout.paragraph(f"支出合计大写：人民币{amount_in_words(spent)}；预算执行率 {rate}。", size=10)
    layout.space(16)
    layout.paragraph("填报人：______________    审核人：______________    单位负责人：______________",
                     size=10)
    return data
