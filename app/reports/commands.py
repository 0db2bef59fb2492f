"""``retiree-desk print DOC --out FILE`` and ``retiree-desk export-excel LIST --out FILE``."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any

from app.models.partial_date import PartialDate
from app.services.errors import ServiceError


def _date(text: str) -> date:
    """Any common full-date spelling (2026-03-01, 2026.3.1, 2026年3月1日)."""
    try:
        full = PartialDate.parse(text).to_date()
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if full is None:
        raise argparse.ArgumentTypeError(f"需要完整的年月日：{text}")
    return full


def _scope_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE", help="输出文件")
    p.add_argument("--group", metavar="G", help="联络小组（名称或记录编号）")
    p.add_argument("--from", dest="date_from", type=_date, metavar="DATE", help="期间开始日期")
    p.add_argument("--to", dest="date_to", type=_date, metavar="DATE", help="期间结束日期")
    p.add_argument("--ids", nargs="+", metavar="ID", help="人员（记录编号或身份证号）")
    p.add_argument("--by", choices=("group", "street"), help="走访/电话表按联络小组或片区分节")
    p.add_argument("--on", type=_date, metavar="DATE", help="打印日期（默认今天）")


def _progress(args: argparse.Namespace) -> Any:
    def report(done: int, total: int, text: str) -> None:
        if not args.json and sys.stderr.isatty():
            print(f"\r{text} {done}/{total}", end="", file=sys.stderr, flush=True)
    return report


def _scope(args: argparse.Namespace) -> dict[str, Any]:
    return {"ids": args.ids, "group_id": args.group, "date_from": args.date_from,
            "date_to": args.date_to, "on": args.on, "by": args.by}


def cmd_print(args: argparse.Namespace) -> Any:
    from app.cli import emit, open_db
    from app.reports.documents import DOCUMENTS, build_pdf

    out = Path(args.out)
    if not out.parent.is_dir():
        raise ServiceError(f"文件夹不存在：{out.parent}")
    db = open_db(args, create=False)
    options = {"kind": args.kind, "occasion": args.occasion, "amount": args.amount,
               "goods": args.goods, "visitors": args.visitors, "reason": args.reason,
               "form_date": args.date, "reveal": args.reveal or None}
    with db.session_scope() as s:
        path = build_pdf(args.doc, s, out, progress=_progress(args), **_scope(args), **options)
    pages = _page_count(path)
    data = {"document": args.doc, "title": DOCUMENTS[args.doc], "out": str(path), "pages": pages}
    emit(args, data, f"已生成{DOCUMENTS[args.doc]}：{path}（{pages} 页）")


def cmd_export(args: argparse.Namespace) -> Any:
    from app.cli import emit, open_db
    from app.reports.documents import EXCEL_LISTS, export_excel

    db = open_db(args, create=False)
    with db.session_scope() as s:
        path = export_excel(args.list, s, Path(args.out), progress=_progress(args), **_scope(args))
    data = {"list": args.list, "title": EXCEL_LISTS[args.list], "out": str(path)}
    emit(args, data, f"已导出{EXCEL_LISTS[args.list]}：{path}")


def _page_count(path: Path) -> int:
    # ReportLab writes one uncompressed "/Type /Page" dictionary per page; no PDF parser needed.
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


def register(add: Any) -> None:
    from app.reports.catalogue import DOCUMENTS, EXCEL_LISTS

    p = add("print", cmd_print, "打印文档为 PDF：" + "、".join(f"{k}（{v}）" for k, v in DOCUMENTS.items()))
    p.add_argument("doc", choices=list(DOCUMENTS), metavar="DOC", help="、".join(DOCUMENTS))
    _scope_args(p)
    p.add_argument("--kind", help="慰问金发放签收表：只列这一类别")
    p.add_argument("--occasion", help="慰问单：慰问事由（住院慰问、丧事慰问、困难帮扶…）")
    p.add_argument("--amount", help="慰问单：金额（元）")
    p.add_argument("--goods", help="慰问单：慰问品")
    p.add_argument("--visitors", help="慰问单：慰问人")
    p.add_argument("--reason", help="慰问单：情况说明")
    p.add_argument("--date", type=_date, help="慰问单：慰问日期")
    p.add_argument("--reveal", action="store_true", help="人员卡册：显示完整身份证号和电话（存档用）")
    p = add("export-excel", cmd_export, "导出名单为 Excel：" + "、".join(f"{k}（{v}）" for k, v in EXCEL_LISTS.items()))
    p.add_argument("list", choices=list(EXCEL_LISTS), metavar="LIST", help="、".join(EXCEL_LISTS))
    _scope_args(p)
