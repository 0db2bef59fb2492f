"""What can be printed and exported, by key: the CLI builds its choices from this without
loading ReportLab or openpyxl."""

from __future__ import annotations

DOCUMENTS: dict[str, str] = {
    "visit-sheet": "入户走访登记表",
    "phone-sheet": "电话联系记录表",
    "condolence": "慰问单",
    "payment-list": "慰问金发放签收表",
    "cards": "人员卡册",
    "milestones": "生日及金婚名单",
    "year-stats": "年度工作统计表",
}

# Lists that also export to Excel (the roster only there: it holds full ID numbers).
EXCEL_LISTS: dict[str, str] = {
    "visit-sheet": DOCUMENTS["visit-sheet"],
    "phone-sheet": DOCUMENTS["phone-sheet"],
    "payment-list": DOCUMENTS["payment-list"],
    "milestones": DOCUMENTS["milestones"],
    "roster": "人员名册",
}
