"""Reading: header under title rows and merged cells, sheets of notes skipped, CSV in GBK and
UTF-8, unknown columns kept, not dropped."""

from __future__ import annotations

from pathlib import Path

import pytest
from importer_helpers import ident

from app.importer import detect_sheets
from app.importer.mapping import NOTE, SKIP, find_header
from app.importer.reader import ReadError, Source, detect_encoding


def test_header_found_under_title_rows_and_two_row_merged_header(xlsx):
    rows = [
        ["某某供电公司离退休人员花名册"],
        ["填表单位：离退休办", None, None, "填表日期：2024年1月"],
        ["序号", "姓名", "性别", "出生年月", "身份证号码", "联系方式", None, "备注", "爱好"],
        [None, None, None, None, None, "电话", "住址", None, None],
        [1, "张三", "男", "1943.05", ident(1943, 5, 12), "13800138000", "东城区", None, "下棋"],
    ]
    path = xlsx(rows, merges=["A1:I1", "A3:A4", "B3:B4", "F3:G3", "H3:H4", "I3:I4"])
    (sheet,) = detect_sheets(path)
    assert sheet.header_row == 4
    by_letter = {c.letter: c.target for c in sheet.columns}
    assert by_letter == {"A": SKIP, "B": "name", "C": "sex", "D": "birth_date", "E": "id_number",
                         "F": "phones", "G": "address", "H": "note", "I": NOTE}


def test_single_header_row_is_not_combined_with_first_data_row():
    rows = [["姓名", "性别", "电话"], ["张三", "男", "13800138000"], ["李四", "女", ""]]
    guess = find_header(iter(rows))
    assert guess is not None and guess.header_row == 1


def test_sheet_of_notes_is_offered_as_skipped(xlsx):
    path = xlsx([["姓名", "出生日期"], ["张三", "1943.05"]],
                extra_sheets={"说明": [["本表由离退休办填写"], ["姓名请写全名"]]})
    sheets = detect_sheets(path)
    assert [s.name for s in sheets] == ["花名册", "说明"]
    assert sheets[0].imported
    assert not sheets[1].imported and "不是人员名单" in sheets[1].skipped_reason


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_csv_in_gbk_and_utf8(tmp_path: Path, encoding: str, plan_of):
    path = tmp_path / "roster.csv"
    path.write_text("姓名,出生年月,联系电话,家庭住址\n王秀英,1943年5月,13800138000,北京市朝阳区建国路1号\n",
                    encoding=encoding)
    assert detect_encoding(path) == ("gb18030" if encoding == "gbk" else "utf-8-sig")
    plan = plan_of(path)
    (row,) = plan.rows
    assert row.action == "new"
    assert row.data.values["name"] == "王秀英"
    assert row.data.values["birth_date"] == "1943-05"
    assert row.data.values["address"] == "北京市朝阳区建国路1号"


def test_unknown_file_type_and_missing_file(tmp_path: Path):
    (tmp_path / "a.doc").write_text("x")
    with pytest.raises(ReadError, match="不支持"):
        Source(tmp_path / "a.doc")
    with pytest.raises(ReadError, match="找不到"):
        Source(tmp_path / "nothing.xlsx")


def test_broken_xlsx_is_a_chinese_error(tmp_path: Path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ReadError, match="无法打开"):
        Source(bad).sheet_names()


def test_xls_legacy_workbook(tmp_path: Path, plan_of):
    # xlwt is not a declared dependency; where it is missing no .xls can be built in a test.
    xlwt = pytest.importorskip("xlwt", reason="没有可写 .xls 的库（xlwt 未安装），无法在测试中生成 .xls 文件")
    from datetime import date

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("名单")
    ws.write(0, 0, "离退休人员名单")
    for c, v in enumerate(["序号", "姓名", "出生年月", "身份证号码", "联系电话"]):
        ws.write(2, c, v)
    ws.write(3, 0, 1)
    ws.write(3, 1, "张　三")
    ws.write(3, 2, date(1943, 5, 12), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    ws.write(3, 3, ident(1943, 5, 12).lower())
    ws.write(3, 4, 13800138000)
    ws.write(4, 1, "李四")
    ws.write(4, 2, "1950.02")
    ws.write(4, 3, 110105195002030021)  # a numeric ID: digits lost
    wb.add_sheet("说明").write(0, 0, "备注")
    path = tmp_path / "old.xls"
    wb.save(str(path))
    plan = plan_of(path)
    assert [s.imported for s in plan.sheets] == [True, False]
    assert plan.sheets[0].header_row == 3
    first, second = plan.rows
    assert first.action == "new"
    assert first.data.values["name"] == "张三"
    assert first.data.values["birth_date"] == "1943-05-12"
    assert first.data.values["id_number"] == ident(1943, 5, 12)
    assert first.data.values["phones"] == ["13800138000"]
    assert second.action == "failed" and second.data.issues[0].row == 5
    assert "丢失" in second.data.issues[0].message
