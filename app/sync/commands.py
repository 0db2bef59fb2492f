"""Command line for units and bundles: ``unit add-child``, ``enrol``, ``bundle …``, ``conflicts …``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

BUNDLE_SUFFIX = ".rdb"


def _files(items: list[str]) -> list[Path]:
    out: list[Path] = []
    for item in items:
        p = Path(item)
        out.extend(sorted(p.glob(f"*{BUNDLE_SUFFIX}")) if p.is_dir() else [p])
    return out


def cmd_unit(args: argparse.Namespace) -> Any:
    from app.cli import emit, open_db
    from app.services.context import default_actor
    from app.sync.peers import add_child
    from app.sync.summary import unit_summary

    db = open_db(args, create=False)
    if args.unit_cmd == "add-child":
        with db.session_scope() as s:
            data = add_child(s, args.unit_name, args.unit_code, Path(args.out), actor=default_actor(s))
        emit(args, data, f"已添加下级单位：{data['name']}（{data['code']}）\n登记文件：{data['file']}\n"
                         f"本单位密钥指纹：{data['parent_fingerprint']}（请与对方核对）")
    else:
        with db.session_scope() as s:
            rows = unit_summary(s)
        emit(args, rows, lambda: "\n".join(
            f"{r['code']}\t{r['name']}\t在册 {r['people']} 人\t最近数据包 {r['last_bundle'] or '从未收到'}"
            + ("\t【逾期未报】" if r["overdue"] else "") for r in rows))


def cmd_enrol(args: argparse.Namespace) -> Any:
    from app.cli import emit, open_db
    from app.services.context import default_actor
    from app.sync.peers import enrol

    db = open_db(args)
    with db.session_scope() as s:
        data = enrol(s, Path(args.file), actor=default_actor(s))
    emit(args, data, f"已登记为“{data['name']}”（{data['code']}），上级单位：{data['parent']}\n"
                     f"上级密钥指纹：{data['parent_fingerprint']}，本单位密钥指纹：{data['own_fingerprint']}")


def cmd_bundle(args: argparse.Namespace) -> Any:
    from app.cli import emit, open_db
    from app.services.context import default_actor

    db = open_db(args, create=False)
    if args.bundle_cmd == "export":
        from app.sync.exporter import export_bundle

        with db.session_scope() as s:
            data = export_bundle(s, args.to, Path(args.out), actor=default_actor(s), everything=args.all)
        emit(args, data, f"已生成数据包：{data['file']}（第 {data['seq']} 号，{data['records']} 条记录）")
    elif args.bundle_cmd == "import":
        from app.sync.apply import import_bundles

        with db.session_scope() as s:
            actor = default_actor(s)
        results = import_bundles(db, _files(args.files), actor=actor, dry_run=args.dry_run)
        emit(args, results, lambda: "\n".join(
            (f"拒收 {Path(r['file']).name}：{r['error']}" if r.get("rejected") else
             ("（预览）" if args.dry_run else "") + r["summary"]) for r in results))
        if any(r.get("rejected") for r in results):
            print("有数据包被拒收，数据库未因其改动。", file=sys.stderr)
            return 1
    elif args.bundle_cmd == "undo":
        from app.sync.apply import undo_last

        data = undo_last(db, actor="命令行")
        emit(args, data, f"已撤销数据包“{data['undone']}”的导入")
    else:
        from sqlmodel import select

        from app.models import BundleLog

        with db.session_scope() as s:
            rows = [{"at": r.at.isoformat(), "direction": r.direction, "seq": r.seq, "file": r.file_name,
                     "result": r.result, "counts": r.counts, "sha256": r.sha256, "message": r.message,
                     "actor": r.actor} for r in s.exec(select(BundleLog).order_by(BundleLog.id))]
        emit(args, rows, lambda: "\n".join(
            f"{r['at'][:19]}  {'发出' if r['direction'] == 'out' else '收到'}  {r['file']}  {r['result']}  {r['message']}"
            for r in rows) or "尚无数据包记录")


def cmd_conflicts(args: argparse.Namespace) -> Any:
    from app.cli import emit, open_db
    from app.services.context import default_actor
    from app.sync.conflicts import list_conflicts, resolve

    db = open_db(args, create=False)
    with db.session_scope() as s:
        if args.conflicts_cmd == "resolve":
            data = resolve(s, args.id, args.choice, actor=default_actor(s), value=args.value)
            emit(args, data, f"冲突 {data['id']} 已处理：{data['field']} = {data['value']}")
            return
        rows = list_conflicts(s)
    emit(args, rows, lambda: "\n".join(
        f"[{r['id']}] {r['table_label']}“{r['record']}” {r['field_label']}：本地 {r['mine']!r} ／ 对方 {r['theirs']!r}"
        for r in rows) or "没有待处理的冲突")


def cmd_notices(args: argparse.Namespace) -> Any:
    from app.cli import emit, open_db
    from app.services.notices import notice_status

    db = open_db(args, create=False)
    with db.session_scope() as s:
        rows = notice_status(s)

    def text() -> str:
        lines = []
        for n in rows:
            lines.append(f"【{n['title']}】已告知 {n['told']} 人（确认知晓 {n['acknowledged']}），未告知 {n['not_told']} 人")
            for u in n["units"]:
                if u["not_told"]:
                    names = "、".join(u["not_told"][:20]) + ("等" if len(u["not_told"]) > 20 else "")
                    lines.append(f"  {u['unit']}：未告知 {len(u['not_told'])} 人：{names}")
        return "\n".join(lines) or "没有告知事项"
    emit(args, rows, text)


def register(add) -> None:  # type: ignore[no-untyped-def]
    p = add("unit", cmd_unit, "单位：添加下级单位、各单位汇总")
    sub = p.add_subparsers(dest="unit_cmd", required=True)
    c = sub.add_parser("add-child", help="添加下级单位并生成登记文件")
    c.add_argument("--unit-name", required=True)
    c.add_argument("--unit-code", required=True)
    c.add_argument("--out", required=True, metavar="ENROLMENT_FILE")
    sub.add_parser("summary", help="各单位人数、最近数据包、逾期未报")
    for sp in sub.choices.values():
        sp.add_argument("--db", default=argparse.SUPPRESS)
        sp.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    p = add("enrol", cmd_enrol, "打开上级单位发来的登记文件，完成本单位登记")
    p.add_argument("file")
    p = add("bundle", cmd_bundle, "数据包：生成、导入、撤销、日志")
    sub = p.add_subparsers(dest="bundle_cmd", required=True)
    e = sub.add_parser("export", help="生成发给上级或下级单位的数据包")
    e.add_argument("--to", required=True, metavar="CODE", help="对方单位代码")
    e.add_argument("--out", required=True, metavar="FILE")
    e.add_argument("--all", action="store_true", help="全部记录（默认只含对方尚未确认收到的）")
    i = sub.add_parser("import", help="导入数据包（可多个文件或文件夹）")
    i.add_argument("files", nargs="+")
    i.add_argument("--dry-run", action="store_true", help="只预览，不写入")
    sub.add_parser("undo", help="撤销最近一次数据包导入")
    sub.add_parser("log", help="数据包收发记录")
    for sp in sub.choices.values():
        sp.add_argument("--db", default=argparse.SUPPRESS)
        sp.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
    add("notices", cmd_notices, "告知事项：各单位已告知和未告知的人")
    p = add("conflicts", cmd_conflicts, "冲突：列出、处理")
    sub = p.add_subparsers(dest="conflicts_cmd", required=True)
    sub.add_parser("list", help="待处理的冲突")
    r = sub.add_parser("resolve", help="处理一个冲突")
    r.add_argument("id", type=int)
    r.add_argument("--choice", required=True, choices=["mine", "theirs", "edit"])
    r.add_argument("--value", default=None)
    for sp in sub.choices.values():
        sp.add_argument("--db", default=argparse.SUPPRESS)
        sp.add_argument("--json", action="store_true", default=argparse.SUPPRESS)
