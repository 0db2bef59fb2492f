"""Lists exported to .xlsx and read back with openpyxl: types, frozen header, widths."""

from __future__ import annotations

from datetime import datetime

import pytest
from openpyxl import load_workbook
from report_helpers import ON, YEAR_FROM, YEAR_TO

from app.reports.documents import EXCEL_LISTS, export_excel
from app.services.demo import Cancelled
from app.services.errors import ServiceError


def export(db, name: str, tmp_path, **kw):
    with db.session_scope() as s:
        path = export_excel(name, s, tmp_path / f"{name}.xlsx", on=ON, date_from=YEAR_FROM,
                            date_to=YEAR_TO, **kw)
    ws = load_workbook(path).active
    header = [c.value for c in ws[1]]
    rows = [dict(zip(header, (c for c in row), strict=True)) for row in ws.iter_rows(min_row=2)]
    return ws, header, rows


@pytest.mark.parametrize("name", list(EXCEL_LISTS))
def test_every_list_has_frozen_header_and_widths(db, known, tmp_path, name) -> None:
    ws, header, _rows = export(db, name, tmp_path)
    assert ws.freeze_panes == "A2"
    assert header[0] and all(header)
    for letter in "ABC":
        assert ws.column_dimensions[letter].width >= 6


def test_roster_types(db, known, tmp_path) -> None:
    _ws, header, rows = export(db, "roster", tmp_path)
    assert "身份证号" in header and "联系电话" in header and "出生日期" in header
    by_name = {r["姓名"].value: r for r in rows}
    assert set(by_name) == {"张建国", "李秀英", "王德明", "赵桂兰"}
    zhang = by_name["张建国"]
    assert zhang["身份证号"].value == known.id_numbers["张建国"]
    assert zhang["身份证号"].data_type == "s" and zhang["身份证号"].number_format == "@"
    assert zhang["联系电话"].value == "13800000001" and zhang["联系电话"].data_type == "s"
    assert isinstance(zhang["出生日期"].value, datetime)
    assert zhang["出生日期"].value.date().isoformat() == "1945-03-15"
    assert zhang["出生日期"].is_date
    assert zhang["年龄"].value == 80 and zhang["联络小组"].value == "和平里第1组"


def test_visit_sheet_export_has_no_id_numbers_and_dated_last_visit(db, known, tmp_path) -> None:
    _ws, header, rows = export(db, "visit-sheet", tmp_path)
    assert header[0] == "联络小组" and "本次情况" not in header  # blank columns are for paper
    assert "身份证号" not in header
    cells = [str(c.value) for r in rows for c in r.values()]
    for number in known.id_numbers.values():
        assert number not in cells
    zhang = next(r for r in rows if r["姓名"].value == "张建国")
    assert zhang["上次走访"].is_date and zhang["上次走访"].value.date().isoformat() == "2025-03-08"
    assert zhang["联系电话"].data_type == "s"


def test_payment_list_money_is_numeric_yuan(db, known, tmp_path) -> None:
    _ws, _header, rows = export(db, "payment-list", tmp_path)
    amounts = sorted(r["金额"].value for r in rows)
    assert amounts == [300.0, 500.0, 1000.1]
    assert all(r["金额"].number_format == "#,##0.00" for r in rows)
    assert all(r["发放日期"].is_date for r in rows)


def test_milestones_export(db, known, tmp_path) -> None:
    _ws, _header, rows = export(db, "milestones", tmp_path)
    assert [r["事项"].value for r in rows] == ["80岁生日", "70岁生日", "金婚（结婚50周年）", "90岁生日"]


def test_export_cancel_and_unknown(db, known, tmp_path) -> None:
    out = tmp_path / "o" / "x.xlsx"
    out.parent.mkdir()
    with db.session_scope() as s, pytest.raises(Cancelled):
        export_excel("roster", s, out, cancel=lambda: True)
    with db.session_scope() as s, pytest.raises(ServiceError):
        export_excel("cards", s, out)
    assert list(out.parent.iterdir()) == []
