"""What the dry run tells the user: counts, every problem with sheet/row/field, the
duplicates with their choices, suggestions from 备注; and the problem rows as an xlsx with a
问题说明 column for fixing and importing again."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from app.importer.mapping import (
    PROBLEM_COLUMN,
    SOURCE_ROW_COLUMN,
    SOURCE_SHEET_COLUMN,
    target_label,
)
from app.importer.plan import CHOICES, SKIP_DUP, SPECS, ImportPlan, PlannedRow

COUNT_LABELS = {"new": "新增", "updated": "更新", "unchanged": "不变", "skipped": "跳过", "failed": "失败"}


def _changes(row: PlannedRow) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, (old, new) in row.changes.items():
        spec = SPECS[name]
        if name == "group_id":
            out[spec.label] = [str(old or ""), row.data.group_name or ""]
        else:
            out[spec.label] = [spec.display(old), spec.display(new)]
    return out


def plan_report(plan: ImportPlan, choices: Mapping[str, str] | None = None,
                default: str = SKIP_DUP) -> dict[str, Any]:
    """The plan as one JSON-able document (the CLI's --json output and the wizard's data)."""
    choices = choices or {}
    sheets = [{
        "name": s.name,
        "header_row": s.header_row,
        "rows": s.rows,
        "blank_rows": s.blank_rows,
        "skipped_reason": s.skipped_reason,
        "columns": [{"column": c.letter, "header": c.header, "target": c.target,
                     "label": target_label(c.target)} for c in s.columns],
    } for s in plan.sheets]
    dups = []
    for r in plan.duplicates():
        d = r.duplicate
        assert d is not None
        choice = choices.get(r.key, default)
        dups.append({
            "key": r.key, "sheet": r.data.sheet, "row": r.data.row,
            "who": f"{r.data.values.get('name', '')}",
            "kind": "数据库中已有" if d.kind == "db" else "文件中重复",
            "reason": d.reason, "existing_id": d.existing_id, "existing": d.existing_label,
            "other_row": d.other_row, "choice": choice, "choice_text": CHOICES[choice],
            "changes": _changes(r),
        })
    hints = [{"key": r.key, "sheet": r.data.sheet, "row": r.data.row, "who": r.data.values.get("name", ""),
              **h.as_dict(), "field_name": h.field}
             for r in plan.rows if r.action in ("new", "duplicate", "unchanged") for h in r.data.hints]
    problems = [i.as_dict() for r in plan.rows for i in r.data.issues]
    skipped = [{"sheet": r.data.sheet, "row": r.data.row, "reason": r.skip_reason}
               for r in plan.rows if r.action == "skipped"]
    return {
        "file": str(plan.path),
        "sheets": sheets,
        "counts": plan.counts(choices, default),
        "new_groups": plan.new_groups,
        "problems": problems,
        "duplicates": dups,
        "hints": hints,
        "skipped_rows": skipped,
    }


def format_text(report: Mapping[str, Any], *, applied: Mapping[str, Any] | None = None) -> str:
    """The report as Chinese text for the terminal."""
    lines = [f"文件：{report['file']}"]
    for s in report["sheets"]:
        if s["skipped_reason"]:
            lines.append(f"工作表“{s['name']}”：未导入（{s['skipped_reason']}）")
            continue
        lines.append(f"工作表“{s['name']}”：表头在第 {s['header_row']} 行，数据 {s['rows']} 行"
                     + (f"（另有空行 {s['blank_rows']} 行已忽略）" if s["blank_rows"] else ""))
        lines.append("  列对应：" + "，".join(f"{c['column']}“{c['header']}”→{c['label']}" for c in s["columns"]))
    counts = (applied or report)["counts"]
    title = "导入结果" if applied else "预检结果（未写入数据库）"
    lines.append(f"{title}：" + "，".join(f"{COUNT_LABELS[k]} {counts[k]}" for k in COUNT_LABELS))
    if report["new_groups"]:
        lines.append("将新建联络小组：" + "、".join(report["new_groups"]))
    if report["duplicates"]:
        lines.append(f"可能重复 {len(report['duplicates'])} 处（每处可选：跳过 / 更新已有记录 / 作为新人员导入）：")
        for d in report["duplicates"]:
            where = d["existing"] if d["kind"] == "数据库中已有" else f"本文件 {d['other_row']}"
            change = "；".join(f"{k}：{a or '（空）'}→{b}" for k, (a, b) in d["changes"].items())
            lines.append(f"  {d['sheet']} 第{d['row']}行 {d['who']}：{d['kind']}（{d['reason']}，{where}）"
                         f" → {d['choice_text']}" + (f"；更新内容：{change}" if change else ""))
    # The plan's problems, then any found while applying (a row changed meanwhile …).
    problems = list(report["problems"]) + list((applied or {}).get("problems") or [])
    if problems:
        lines.append(f"问题 {len(problems)} 条：")
        for p in problems:
            field = f"「{p['field']}」" if p["field"] else ""
            lines.append(f"  [{p['severity']}] {p['sheet']} 第{p['row']}行 {field}：{p['message']}")
    if report["hints"]:
        lines.append(f"备注中的建议 {len(report['hints'])} 条（需确认后才写入，命令行用 --accept-hints）：")
        for h in report["hints"]:
            lines.append(f"  {h['sheet']} 第{h['row']}行 {h['who']}：{h['field']} = {h['value']}（来自“{h['source']}”）")
    if applied and applied.get("groups_created"):
        lines.append("已新建联络小组：" + "、".join(applied["groups_created"]))
    if applied and applied.get("backup"):
        lines.append(f"导入前已备份数据库：{applied['backup']}")
    return "\n".join(lines)


def export_problem_rows(plan: ImportPlan, out: Path | str) -> int:
    """Write every row with a problem, as it was in the file, plus 问题说明 (and where it came
    from) to an xlsx that can be fixed and imported again. Returns the number of rows."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    written = 0
    for sheet in plan.sheets:
        rows = [r for r in plan.rows if r.data.sheet == sheet.name and r.data.issues and r.data.raw]
        if not rows:
            continue
        ws = wb.create_sheet(sheet.name[:31])
        width = max([c.index for c in sheet.columns] + [len(r.data.raw or ()) - 1 for r in rows]) + 1
        headers = [""] * width
        for c in sheet.columns:
            headers[c.index] = c.header
        ws.append([*headers, PROBLEM_COLUMN, SOURCE_SHEET_COLUMN, SOURCE_ROW_COLUMN])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for r in rows:
            raw = list(r.data.raw or ())
            raw += [None] * (width - len(raw))
            # Everything as text: a number Excel mangled once should not be mangled again.
            cells = [v if v is None or isinstance(v, str) else _as_text(v) for v in raw[:width]]
            text = "；".join(f"{'【错误】' if i.severity == 'error' else '【提示】'}{i.message}"
                            for i in r.data.issues)
            ws.append([*cells, text, r.data.sheet, r.data.row])
            for cell in ws[ws.max_row][:width]:
                cell.number_format = "@"
            ws.cell(ws.max_row, width + 1).fill = PatternFill("solid", fgColor="FFF2CC")
            ws.cell(ws.max_row, width + 1).alignment = Alignment(wrap_text=True)
            written += 1
        ws.column_dimensions[_letter(width + 1)].width = 60
    if not written:
        wb.create_sheet("问题行").append(["没有问题行"])
    wb.save(out)
    return written


def _letter(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _as_text(v: Any) -> str:
    from datetime import date, datetime

    if isinstance(v, datetime):
        return v.date().isoformat() if not (v.hour or v.minute or v.second) else v.isoformat(" ")
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)
