"""``retiree-desk import-excel`` and ``retiree-desk import-template``.

Exit status: 0 when every row went in (or would, with --dry-run), 1 when any row failed or
the file could not be read. Failed rows are not an exception (the report is the output), so
the handler returns 1 after printing it and ``app.cli.run`` makes that the exit status.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.importer.choices import NEW, SKIP_DUP, UPDATE


def cmd_import(args: argparse.Namespace) -> Any:
    from app.cli import emit, open_db
    from app.importer import apply_plan, build_plan, export_problem_rows, format_text, plan_report

    db = open_db(args)
    sheets = None
    if args.map:
        sheets = _mapped_sheets(Path(args.file), args.map)
    with db.session_scope() as s:
        plan = build_plan(s, Path(args.file), sheets=sheets, only=args.sheet or None)
    report = plan_report(plan, default=args.on_duplicate)
    applied: dict[str, Any] | None = None
    if not args.dry_run:
        def progress(done: int, total: int, text: str) -> None:
            if not args.json and sys.stderr.isatty():
                print(f"\r{text}", end="", file=sys.stderr, flush=True)

        result = apply_plan(db, plan, default=args.on_duplicate, accept_hints=args.accept_hints,
                            progress=progress)
        if not args.json and sys.stderr.isatty():
            print(file=sys.stderr)
        applied = result.as_dict()
    exported = None
    if args.problems_out:
        exported = export_problem_rows(plan, Path(args.problems_out))
    data = {**report, "dry_run": bool(args.dry_run), "applied": applied,
            "problems_file": args.problems_out if exported else None}
    emit(args, data, lambda: format_text(report, applied=applied)
         + (f"\n问题行已导出 {exported} 行：{args.problems_out}" if exported else ""))
    failed = (applied or report)["counts"]["failed"]
    return 1 if failed else 0


def _mapped_sheets(path: Path, pairs: list[str]) -> Any:
    """The detected sheets with the user's ``--map 表头=字段`` changes."""
    from app.importer import detect_sheets
    from app.importer.mapping import resolve_target
    from app.models.registry import normalize_header
    from app.services.errors import ServiceError

    overrides: dict[str, str] = {}
    for pair in pairs:
        header, sep, field = pair.partition("=")
        if not sep or not header.strip():
            raise ServiceError(f"--map 的写法是“表头=字段”，例如 “手机号=联系电话”：{pair}")
        try:
            overrides[header.strip()] = resolve_target(field)
        except ValueError as exc:
            raise ServiceError(f"--map {pair}：{exc}") from None
    sheets = detect_sheets(path, overrides)
    mapped = {c.header for sh in sheets for c in sh.columns} | {c.letter for sh in sheets for c in sh.columns}
    headers = {normalize_header(h) for h in mapped}
    unused = [k for k in overrides if normalize_header(k) not in headers and k not in mapped]
    if unused:
        raise ServiceError(f"--map 指定的列在文件中没有找到：{'、'.join(unused)}")
    return sheets


def cmd_template(args: argparse.Namespace) -> Any:
    from app.cli import emit
    from app.importer import write_template

    out = write_template(Path(args.out))
    emit(args, {"template": str(out)}, f"已生成导入模板：{out}")


def register(add: Any) -> None:
    p = add("import-excel", cmd_import, "导入 Excel/CSV 人员名单（先预检，再在一个事务中写入）")
    p.add_argument("file", help=".xlsx / .xls / .csv 文件")
    p.add_argument("--dry-run", action="store_true", help="只预检，不写入数据库")
    p.add_argument("--sheet", action="append", metavar="NAME", help="只导入这个工作表（可重复）")
    p.add_argument("--on-duplicate", choices=(SKIP_DUP, UPDATE, NEW), default=SKIP_DUP,
                   help="可能重复的人员：skip 跳过（默认）/ update 更新已有记录（空白不覆盖）/ new 作为新人员")
    p.add_argument("--accept-hints", action="store_true", help="采用备注中识别出的建议值（去世、独居、返乡等）")
    p.add_argument("--map", action="append", metavar="表头=字段",
                   help="改变列的对应，如 “手机号=联系电话”“鞋码=不导入”“爱好=备注”（可重复）")
    p.add_argument("--problems-out", metavar="XLSX", help="把有问题的行导出到此 xlsx（含“问题说明”列）")
    p = add("import-template", cmd_template, "下载导入模板（由字段登记表生成）")
    p.add_argument("out", nargs="?", default="离退休人员导入模板.xlsx", help="模板文件名")
