"""Excel/CSV roster import: read → map → normalise → validate → plan → apply.

What the UI and the CLI call::

    sheets = detect_sheets(path)                       # header + proposed mapping per sheet
    sheets[0].columns[3].target = "phones"             # the user's changes (or NOTE / SKIP)
    plan = build_plan(session, path, sheets=sheets)    # dry run: nothing written
    plan_report(plan, choices)                         # counts, problems, duplicates, hints
    apply_plan(db, plan, choices=..., accept_hints=..., progress=..., cancel=...)
    export_problem_rows(plan, "问题行.xlsx");  write_template("导入模板.xlsx")
"""

from app.importer.apply import ApplyResult, apply_in_session, apply_plan
from app.importer.plan import (
    CHOICES,
    NEW,
    SKIP_DUP,
    UPDATE,
    ImportPlan,
    SheetPlan,
    build_plan,
    detect_sheets,
)
from app.importer.report import export_problem_rows, format_text, plan_report
from app.importer.template import write_template

__all__ = [
    "CHOICES",
    "NEW",
    "SKIP_DUP",
    "UPDATE",
    "ApplyResult",
    "ImportPlan",
    "SheetPlan",
    "apply_in_session",
    "apply_plan",
    "build_plan",
    "detect_sheets",
    "export_problem_rows",
    "format_text",
    "plan_report",
    "write_template",
]
