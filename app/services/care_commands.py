"""Headless commands of the care feature: reminders, yearly statistics, 登记去世, the fund
and the care rules. Registered into ``retiree-desk`` by ``app.cli`` (``register(add)``)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from app.models.partial_date import PartialDate
from app.services.errors import ServiceError

_TEXT_LIMIT = 30  # reminders shown per group in text output (JSON has them all)


def _day(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        day = PartialDate.parse(text)
    except ValueError:
        day = None
    if day is None or day.precision != "day":
        raise ServiceError(f"日期无效：{text}（请写成 2026-01-31）")
    return day.earliest()


def _open(args: argparse.Namespace) -> Any:
    from app.cli import open_db

    return open_db(args, create=False)


def _actor(s: Any) -> str:
    from app.services.context import default_actor

    return default_actor(s)


def cmd_reminders(args: argparse.Namespace) -> None:
    from app.cli import emit
    from app.services.reminders import KINDS, by_kind, compute_reminders

    on = _day(args.date)
    with _open(args).session_scope() as s:
        items = compute_reminders(s, on, args.days)
    if args.kind:
        items = [r for r in items if r.kind == args.kind]
    groups = by_kind(items)
    data = {"date": on.isoformat(), "days": args.days, "count": len(items),
            "counts": {k: len(v) for k, v in groups.items()},
            "reminders": [r.as_dict() for r in items]}

    def text() -> str:
        if not items:
            return f"{on.isoformat()} 起 {args.days} 天内没有待办提醒。"
        lines = [f"{on.isoformat()} 起 {args.days} 天内的提醒，共 {len(items)} 项："]
        for kind, rows in groups.items():
            lines.append(f"【{KINDS[kind][0]}】{len(rows)} 项")
            for r in rows[:_TEXT_LIMIT]:
                flag = "（已逾期）" if r.overdue else ""
                lines.append(f"  {r.due.isoformat()}{flag}  {r.name}  {r.title}  {r.detail}  {r.group_name}")
            if len(rows) > _TEXT_LIMIT:
                lines.append(f"  ……另有 {len(rows) - _TEXT_LIMIT} 项（用 --json 查看全部）")
        return "\n".join(lines)
    emit(args, data, text)


def cmd_year_stats(args: argparse.Namespace) -> None:
    from app.cli import emit
    from app.models.registry import format_money
    from app.services.yearly_stats import year_stats

    year = args.year or date.today().year
    with _open(args).session_scope() as s:
        data = year_stats(s, year)

    def text() -> str:
        p, v, c, f = data["people"], data["visits"], data["care"], data["fund"]
        lines = [
            f"{year}年度统计（截至 {data['as_of']}）",
            f"在册人数 {p['on_roll']}（重点人员 {p['key_people']}），本年去世 {p['deaths']}，迁出 {p['moved_out']}",
            "类别：" + "，".join(f"{k} {n}" for k, n in p["by_category"].items()),
            "年龄段：" + "，".join(f"{k} {n}" for k, n in p["by_age_band"].items()),
            f"走访 {v['total']} 次：" + "，".join(f"{k} {n}" for k, n in v["by_kind"].items()),
            f"走访到人 {v['visited_people']}（{v['visited_pct']}%），电话联系到人 {v['called_people']}",
            f"住院慰问 {c['hospital_visits']}，春节走访 {c['spring_festival_visits']}，生日祝寿 "
            f"{c['birthdays_celebrated']}，金婚祝贺 {c['weddings_celebrated']}，丧事慰问 {c['condolences']}，"
            f"困难帮扶 {c['aided_people']} 人",
            f"专项经费：预算 {format_money(f['budget_fen'])} 元，已支出 {format_money(f['spent_fen'])} 元，"
            f"结余 {format_money(f['left_fen'])} 元（使用 {f['used_pct']}%）",
            "按联络小组：",
        ]
        for g in data["by_group"]:
            lines.append(f"  {g['group']}\t{g['members']} 人\t走访到人 {g['visited']}（{g['coverage_pct']}%）\t"
                         f"走访 {g['visits']} 次\t电话 {g['calls']} 次\t慰问金 {format_money(g['paid_fen'])} 元")
        return "\n".join(lines)
    emit(args, data, text)


def cmd_register_death(args: argparse.Namespace) -> None:
    from app.cli import emit
    from app.models.registry import format_money
    from app.services.cards import find_retiree
    from app.services.care_rules import register_death

    with _open(args).session_scope() as s:
        r = find_retiree(s, args.key)
        result = register_death(s, r.id, args.date, actor=_actor(s))
        name = r.name
    data = {"name": name, **result.as_dict()}

    def text() -> str:
        lines = [f"已登记 {name} 去世，并建立丧事慰问事项（{result.case_id}）。",
                 f"慰问标准：{result.rule_name}；慰问金 {format_money(result.amount_fen)} 元；"
                 f"慰问品：{result.goods or '无'}",
                 f"前往慰问：{result.visitors}"]
        if result.survivors:
            lines.append("遗属：" + "、".join(result.survivors))
        lines += [f"后续：{x}" for x in result.follow_ups]
        if result.fund_warning:
            lines.append(f"注意：{result.fund_warning.message}")
        return "\n".join(lines)
    emit(args, data, text)


def cmd_fund(args: argparse.Namespace) -> None:
    from app.cli import emit
    from app.models.registry import format_money
    from app.services.fund import fund_status

    year = args.year or date.today().year
    with _open(args).session_scope() as s:
        st = fund_status(s, year)
    data = st.as_dict()
    emit(args, data, lambda: (
        f"{year}年度送温暖专项经费：预算 {format_money(st.budget_fen)} 元，已支出 "
        f"{format_money(st.spent_fen)} 元（{st.count} 笔），结余 {format_money(st.left_fen)} 元\n"
        + "\n".join(f"  {k} {format_money(v)} 元" for k, v in st.by_kind.items())))


def cmd_fund_budget(args: argparse.Namespace) -> None:
    from app.cli import emit
    from app.services.fund import fund_status, set_budget

    with _open(args).session_scope() as s:
        set_budget(s, args.year, args.amount, actor=_actor(s), note=args.note)
        data = fund_status(s, args.year).as_dict()
    emit(args, data, f"已设定 {args.year} 年度送温暖专项经费预算：{args.amount} 元")


def cmd_pay(args: argparse.Namespace) -> None:
    from app.cli import emit
    from app.services.cards import find_retiree
    from app.services.fund import BudgetExceededError, record_payment

    payload: dict[str, Any] = {"kind": args.kind, "amount_fen": args.amount,
                               "paid_on": args.date or date.today().isoformat()}
    for key, value in (("visit_id", args.visit), ("case_id", args.case), ("payee", args.payee),
                       ("approved_by", args.approved_by), ("note", args.note)):
        if value:
            payload[key] = value
    with _open(args).session_scope() as s:
        payload["retiree_id"] = find_retiree(s, args.key).id
        try:
            change, warning = record_payment(s, payload, actor=_actor(s),
                                             confirm_over_budget=args.yes)
        except BudgetExceededError as exc:
            raise ServiceError(f"{exc}（确认发放请加 --yes）") from None
    data = {"payment_id": change.id, "warning": warning.message if warning else None}
    emit(args, data, f"已登记慰问金 {args.amount} 元（{change.id}）"
                     + (f"\n注意：{warning.message}" if warning else ""))


def cmd_care_rules(args: argparse.Namespace) -> None:
    from app.cli import emit
    from app.services.care_rules import load_rules, reset_rules, save_rules

    with _open(args).session_scope() as s:
        if args.reset:
            rules = reset_rules(s)
        elif args.set:
            rules = load_rules(s)
            for item in args.set:
                key, sep, value = item.partition("=")
                if not sep or key not in rules:
                    raise ServiceError(f"无法识别的规则设置：{item}（写成 规则名=值，如 call_days=30）")
                try:
                    rules[key] = json.loads(value)
                except json.JSONDecodeError:
                    rules[key] = value
            rules = save_rules(s, rules)
        else:
            rules = load_rules(s)
    emit(args, rules, lambda: json.dumps(rules, ensure_ascii=False, indent=2))


def register(add: Any) -> None:
    p = add("reminders", cmd_reminders, "待办提醒：走访、电话、住院、生日、金婚、春节、资格认证、信件")
    p.add_argument("--date", help="以哪天为准（默认今天）")
    p.add_argument("--days", type=int, default=30, help="往后看多少天（默认 30）")
    p.add_argument("--kind", help="只看一类（hospital、home_visit、call、birthday、wedding、"
                                  "spring_festival、eligibility、letter、bereavement、family_event）")
    p = add("year-stats", cmd_year_stats, "年度统计表：人数、走访、祝寿、帮扶、经费，按联络小组")
    p.add_argument("--year", type=int, default=None)
    p = add("register-death", cmd_register_death, "登记去世并建立丧事慰问事项")
    p.add_argument("key", help="记录编号或身份证号")
    p.add_argument("--date", required=True, help="去世日期")
    p = add("fund", cmd_fund, "送温暖专项经费：预算、已支出、结余")
    p.add_argument("--year", type=int, default=None)
    p = add("fund-budget", cmd_fund_budget, "设定年度送温暖专项经费预算")
    p.add_argument("--year", type=int, required=True)
    p.add_argument("--amount", required=True, help="金额（元）")
    p.add_argument("--note")
    p = add("pay", cmd_pay, "登记一笔慰问金（超出预算时需 --yes 确认）")
    p.add_argument("key", help="记录编号或身份证号")
    p.add_argument("--kind", required=True, help="发放类别，如 丧事慰问、住院慰问、困难帮扶、节日慰问")
    p.add_argument("--amount", required=True, help="金额（元）")
    p.add_argument("--date", help="发放日期（默认今天）")
    p.add_argument("--visit", help="关联的走访记录编号")
    p.add_argument("--case", help="关联的慰问事项编号")
    p.add_argument("--payee")
    p.add_argument("--approved-by", dest="approved_by")
    p.add_argument("--note")
    p.add_argument("--yes", action="store_true", help="超出预算也发放")
    p = add("care-rules", cmd_care_rules, "查看或修改关怀规则（提醒周期、生日、慰问标准）")
    p.add_argument("--set", action="append", metavar="规则名=值", help="如 call_days=30 或 "
                   "birthday_rounds=[70,75,80,85,90,95,100]")
    p.add_argument("--reset", action="store_true", help="恢复默认规则")
