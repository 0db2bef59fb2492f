"""Excel/CSV roster import: read → map → normalise → validate → plan → apply.

What the UI and the CLI call::

    sheets = detect_sheets(path)                       # header + proposed mapping per sheet
    sheets[0].columns[3].target = "phones"             # the user's changes (or NOTE / SKIP)
    plan = build_plan(session, path, sheets=sheets)    # dry run: nothing written
    plan_report(plan, choices)                         # counts, problems, duplicates, hints
    apply_plan(db, plan, choices=..., accept_hints=..., progress=..., cancel=...)
    export_problem_rows(plan, "问题行.xlsx");  write_template("导入模板.xlsx")
"""

from importlib import import_module
from typing import Any

# Loaded on first use (PEP 562): the command line registers ``import-excel`` without paying
# for openpyxl and the rest until an import actually runs.
_WHERE = {
    "ApplyResult": "app.importer.apply",
    "apply_in_session": "app.importer.apply",
    "apply_plan": "app.importer.apply",
    "CHOICES": "app.importer.plan",
    "NEW": "app.importer.plan",
    "SKIP_DUP": "app.importer.plan",
    "UPDATE": "app.importer.plan",
    "ImportPlan": "app.importer.plan",
    "SheetPlan": "app.importer.plan",
    "build_plan": "app.importer.plan",
    "detect_sheets": "app.importer.plan",
    "export_problem_rows": "app.importer.report",
    "format_text": "app.importer.report",
    "plan_report": "app.importer.report",
    "write_template": "app.importer.template",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(name)


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
