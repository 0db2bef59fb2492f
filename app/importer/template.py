"""下载导入模板: a clean roster template generated from the field registry, so its headers are
exactly what the import recognises (house rule 4: no label typed twice)."""

from __future__ import annotations

from pathlib import Path

from app.importer.mapping import CONTACT_TARGETS, target_label
from app.models.registry import Kind, fields

TEMPLATE_SHEET = "离退休人员"
HELP_SHEET = "填写说明"
# Contact columns offered in the template (spouse and one child are what rosters carry).
TEMPLATE_CONTACTS = [t for t in CONTACT_TARGETS if ":配偶:" in t or ":子女:" in t]

_FORMAT_HELP = {
    Kind.PARTIAL_DATE: "年月日均可：1943.05、1943年5月、1943-05-12；只知年月就只填年月",
    Kind.DATE: "年-月-日，如 2024-01-15",
    Kind.ID_NUMBER: "18位（旧15位自动升级）；本列已设为文本格式，请勿改成数字",
    Kind.PHONES: "手机或带区号的座机，多个号码用“、”分开",
    Kind.BOOL: "填“是”或“否”",
    Kind.MONEY: "元，如 500 或 500.50",
    Kind.REF: "填小组名称；没有的小组导入时自动新建",
}


def write_template(out: Path | str) -> Path:
    """Write the template workbook: a header row with drop-downs for choice columns and the ID
    column as text, and a 填写说明 sheet (which the import skips as a sheet of notes)."""
    import openpyxl
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    specs = list(fields("retirees"))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = TEMPLATE_SHEET
    headers = [s.label for s in specs] + [target_label(t) for t in TEMPLATE_CONTACTS]
    ws.append(headers)
    bold = Font(bold=True)
    required = PatternFill("solid", fgColor="FCE4D6")
    for i, spec in enumerate(specs, 1):
        cell = ws.cell(1, i)
        cell.font = bold
        cell.alignment = Alignment(horizontal="center")
        if spec.required:
            cell.fill = required
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(spec.width + 2, len(spec.label) * 2 + 2)
        if spec.kind in (Kind.ID_NUMBER, Kind.PHONES, Kind.PARTIAL_DATE):
            # Text, so that Excel neither rounds ID numbers nor turns 1943.10 into 1943.1.
            for row in range(2, 1002):
                ws.cell(row, i).number_format = "@"
        if spec.choices and not spec.open_choices:
            dv = DataValidation(type="list", formula1='"' + ",".join(spec.choices) + '"', allow_blank=True)
            dv.error = f"「{spec.label}」只能是：{'、'.join(spec.choices)}"
            dv.errorTitle = spec.label
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}1001")
        if spec.kind is Kind.BOOL:
            dv = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}1001")
    for j in range(len(specs) + 1, len(headers) + 1):
        ws.cell(1, j).font = bold
        ws.column_dimensions[get_column_letter(j)].width = 14
    ws.freeze_panes = "B2"

    help_ws = wb.create_sheet(HELP_SHEET)
    help_ws.append(["列名", "必填", "可填的值 / 格式", "也认作此列的表头"])
    for cell in help_ws[1]:
        cell.font = bold
    for spec in specs:
        allowed = "、".join(spec.choices) if spec.choices else _FORMAT_HELP.get(spec.kind, "")
        if spec.choices and spec.open_choices:
            allowed += "（也可填其他）"
        help_ws.append([spec.label, "是" if spec.required else "", allowed, "、".join(spec.synonyms)])
    for t in TEMPLATE_CONTACTS:
        help_ws.append([target_label(t), "", "多个子女用“、”分开，电话按顺序对应", "、".join(CONTACT_TARGETS[t])])
    help_ws.append([])
    help_ws.append(["说明：表格上方可以有标题行；“备注”里写的“2023.3去世”“独居”“返乡”等会作为建议值，"
                    "导入时由您确认。不认识的列保留到备注，不会丢失。"])
    for letter, width in zip("ABCD", (18, 6, 60, 40), strict=True):
        help_ws.column_dimensions[letter].width = width
    out = Path(out)
    wb.save(out)
    return out
