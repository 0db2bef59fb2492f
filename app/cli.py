"""Headless commands. Every command takes ``--db`` and ``--json`` and calls the same
services as the GUI. Messages are Chinese; ``--json`` prints one JSON document on stdout.

Exit status: 0 success, 1 the command failed (the message says why), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from app import APP_TITLE, __version__, paths
from app.db import Database, DatabaseError, open_database, restore_from
from app.services.errors import ServiceError

Handler = Callable[[argparse.Namespace], Any]
AddCommand = Callable[[str, Handler, str], argparse.ArgumentParser]

# Modules that add their own subcommands with ``register(add: AddCommand)``. Each feature keeps
# its commands beside its code; a module not written yet is simply skipped.
COMMAND_MODULES = (
    "app.reports.commands",
    "app.importer.commands",
    "app.services.care_commands",
    "app.sync.commands",
)


class CliError(Exception):
    pass


def open_db(args: argparse.Namespace, *, create: bool = True) -> Database:
    """The database named by ``--db`` / ``RETIREE_DESK_DB`` / the default (every command)."""
    return open_database(paths.resolve_db_path(args.db), create=create)


def _json_default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(type(value))


def emit(args: argparse.Namespace, data: Any, text: str | Callable[[], str]) -> None:
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=_json_default))
    else:
        print(text() if callable(text) else text)


# -- commands ------------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> Any:
    from app.services.context import default_actor
    from app.services.units import init_self_unit

    db = open_db(args)
    with db.session_scope() as s:
        unit = init_self_unit(s, args.unit_name, args.unit_code, actor=default_actor(s),
                              level="总部" if args.headquarters else "单位")
        data = {"unit_id": unit.id, "name": unit.name, "code": unit.code, "level": unit.level,
                "db": str(db.path)}
    emit(args, data, f"已初始化本单位：{data['name']}（代码 {data['code']}）\n数据库：{db.path}")


def cmd_demo(args: argparse.Namespace) -> Any:
    from app.services.demo import generate_demo

    db = open_db(args)
    started = time.perf_counter()

    def progress(done: int, total: int, text: str) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{text} {done}/{total}", end="", file=sys.stderr, flush=True)

    with db.session_scope() as s:
        result = generate_demo(s, args.count, args.seed, progress=progress)
    seconds = time.perf_counter() - started
    data = {"retirees": result.retirees, "groups": result.groups, "visits": result.visits,
            "rows": result.rows, "seconds": round(seconds, 2), "db": str(db.path)}
    emit(args, data, f"已生成演示数据：{result.retirees} 人，{result.groups} 个联络小组，"
                     f"{result.visits} 条走访记录，用时 {seconds:.1f} 秒\n数据库：{db.path}")


def cmd_search(args: argparse.Namespace) -> Any:
    from sqlmodel import select

    from app.models import LiaisonGroup, Retiree
    from app.models.registry import spec
    from app.services.search import search

    db = open_db(args, create=False)
    with db.session_scope() as s:
        hits = search(s, args.query, limit=args.limit, include_inactive=args.all)
        ids = [h.retiree_id for h in hits]
        people = {r.id: r for r in s.exec(select(Retiree).where(Retiree.id.in_(ids)))}  # type: ignore[attr-defined]
        groups = {g.id: g.name for g in s.exec(select(LiaisonGroup))}
        phones = spec("retirees", "phones")
        rows = []
        for h in hits:
            r = people[h.retiree_id]
            rows.append({"id": r.id, "name": r.name, "sex": r.sex, "birth_date": r.birth_date,
                         "status": r.status, "group": groups.get(r.group_id or "", ""),
                         "phones": phones.display(r.phones), "address": r.address, "matched": h.field})
    def text() -> str:
        if not rows:
            return f"没有找到与“{args.query}”相符的人员。"
        lines = [f"找到 {len(rows)} 人（匹配“{args.query}”）："]
        for row in rows:
            lines.append(f"  {row['name']}\t{row['sex'] or ''}\t{row['birth_date'] or ''}\t{row['group']}\t"
                         f"{row['phones']}\t{row['address'] or ''}\t[{row['matched']}] {row['id']}")
        return "\n".join(lines)
    emit(args, {"query": args.query, "count": len(rows), "results": rows}, text)


def cmd_show(args: argparse.Namespace) -> Any:
    from app.services.cards import card_set, find_retiree

    db = open_db(args, create=False)
    with db.session_scope() as s:
        r = find_retiree(s, args.key)
        data = card_set(s, r, reveal=args.reveal)

    def text() -> str:
        out: list[str] = []
        for title, body in data.items():
            if title in ("id", "rev", "unit", "age", "age_band"):
                continue
            out.append(f"【{title}】")
            items = body if isinstance(body, list) else [body]
            if not items:
                out.append("  （无）")
            for item in items:
                for k, v in item.items():
                    if isinstance(v, list):
                        for sub in v:
                            out.append("  " + k + "：" + "，".join(f"{a} {b}" for a, b in sub.items() if b))
                    elif v not in ("", None):
                        out.append(f"  {k}：{v}")
                if isinstance(body, list):
                    out.append("  —")
        return f"{data['unit']}  记录编号 {data['id']}（第 {data['rev']} 版）\n" + "\n".join(out)
    emit(args, data, text)


def cmd_stats(args: argparse.Namespace) -> Any:
    from app.models.registry import format_money
    from app.services.stats import summary

    db = open_db(args, create=False)
    with db.session_scope() as s:
        data = summary(s, year=args.year)
        if args.year:
            # The yearly sheet's figures (the same the 统计 page and the printed 年度工作统计表 show).
            from app.services.yearly_stats import year_stats

            data["year_stats"] = year_stats(s, args.year)

    def text() -> str:
        def line(title: str, d: dict[str, int]) -> str:
            return f"{title}：" + "，".join(f"{k} {v}" for k, v in d.items())
        return "\n".join([
            f"统计日期 {data['date']}（{data['year']}年）",
            f"人员总数 {data['total']}，在册 {data['active']}",
            line("状态", data["by_status"]),
            line("类别（在册）", data["by_category"]),
            line("年龄段（在册）", data["by_age_band"]),
            line("自理能力（在册）", data["by_self_care"]),
            f"独居/孤老 {data['living_alone']}，返乡 {data['returned_home']}，联络小组 {data['groups']}",
            line("本年走访", data["visits_by_kind"]) + f"（合计 {data['visits_total']}）",
            f"本年慰问金 {data['payments_count']} 笔，{format_money(data['payments_fen'])} 元；"
            f"预算 {format_money(data['budget_fen'])} 元",
            *([f"走访覆盖 {data['year_stats']['visits']['visited_pct']}% 的在册人员，"
               f"重点人员 {data['year_stats']['people']['key_people']} 人"] if "year_stats" in data else []),
        ])
    emit(args, data, text)


def cmd_backup(args: argparse.Namespace) -> Any:
    db = open_db(args, create=False)
    out = db.backup(Path(args.out) if args.out else None)
    data = {"backup": str(out), "bytes": out.stat().st_size}
    emit(args, data, f"已备份到：{out}")


def cmd_restore(args: argparse.Namespace) -> Any:
    target = paths.resolve_db_path(args.db)
    safety = restore_from(target, Path(args.file))
    db = open_database(target)  # upgrades an older backup, after its own backup
    db.close()
    data = {"restored": str(target), "from": args.file, "previous_saved_as": str(safety)}
    emit(args, data, f"已从“{args.file}”恢复数据库：{target}\n恢复前的数据已另存为：{safety}")


# -- parser --------------------------------------------------------------------------------
def _common(p: argparse.ArgumentParser, *, command: bool = False) -> None:
    # On a command the options default to "not given", so that `retiree-desk --db X reminders`
    # keeps the X given before the command (argparse would set the command's own None).
    keep = {"default": argparse.SUPPRESS} if command else {}
    p.add_argument("--db", metavar="PATH", help="数据库文件（默认按 RETIREE_DESK_DB 或用户数据目录）",
                   **keep)
    p.add_argument("--json", action="store_true", help="以 JSON 输出", **keep)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="retiree-desk", description=f"{APP_TITLE} {__version__} — 离退休人员管理")
    _common(parser)
    parser.add_argument("--demo", action="store_true", help="打开演示数据库（首次自动生成）")
    parser.add_argument("--version", action="version", version=f"{APP_TITLE} {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def add(name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        _common(p, command=True)
        p.set_defaults(handler=handler)
        return p

    p = add("init", cmd_init, "新建数据库并初始化本单位")
    p.add_argument("--unit-name", required=True, help="本单位名称")
    p.add_argument("--unit-code", required=True, help="本单位代码（字母数字）")
    p.add_argument("--headquarters", action="store_true", help="本单位是总部")
    p = add("demo", cmd_demo, "生成演示数据")
    p.add_argument("--count", type=int, default=500, help="人数（默认 500）")
    p.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据）")
    p = add("search", cmd_search, "查找人员：姓名、拼音、首字母、身份证尾号、电话、住址")
    p.add_argument("query")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--all", action="store_true", help="包括已故和迁出人员")
    p = add("show", cmd_show, "显示一个人的卡册（记录编号或身份证号）")
    p.add_argument("key")
    p.add_argument("--reveal", action="store_true", help="显示完整身份证号和电话")
    p = add("stats", cmd_stats, "统计数字")
    p.add_argument("--year", type=int, default=None)
    p = add("backup", cmd_backup, "备份数据库")
    p.add_argument("--out", metavar="FILE", help="备份文件（默认在数据库旁的 backups 文件夹）")
    p = add("restore", cmd_restore, "从备份恢复数据库（先自动备份当前数据）")
    p.add_argument("file")
    for name in COMMAND_MODULES:
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name).register(add)
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        return -1  # no subcommand: the caller starts the GUI
    try:
        code = handler(args)
    except (ServiceError, DatabaseError, CliError) as exc:
        if args.json:
            print(json.dumps({"error": str(exc), "type": type(exc).__name__}, ensure_ascii=False))
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    return code if isinstance(code, int) else 0
