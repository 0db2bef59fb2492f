"""Normalising what real rosters contain, cell by cell and row by row."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from importer_helpers import ident

from app.importer.mapping import NOTE, Column
from app.importer.normalise import date_input, is_total_row, normalise_row, note_hints
from app.models.registry import spec


def _row(headers_targets: list[tuple[str, str]], cells: list, row: int = 2):
    cols = [Column(i, h, t) for i, (h, t) in enumerate(headers_targets)]
    return normalise_row(cells, cols, "表1", row)


def _date(value):
    raw, _warn = date_input(value)
    return spec("retirees", "birth_date").coerce(raw)


@pytest.mark.parametrize(("cell", "expected"), [
    ("1943.05", "1943-05"),
    ("1943.5", "1943-05"),
    (1943.05, "1943-05"),
    (1943.5, "1943-05"),
    ("1943年5月", "1943-05"),
    ("1943年5月12日", "1943-05-12"),
    ("19430512", "1943-05-12"),
    (19430512, "1943-05-12"),
    (194305, "1943-05"),
    (1943, "1943"),
    ("１９４３．０５", "1943-05"),
    (datetime(1943, 5, 12), "1943-05-12"),
    (date(1943, 5, 12), "1943-05-12"),
    (15838, "1943-05-12"),  # Excel serial number
    (15838.75, "1943-05-12"),  # serial with a time of day
    ("15838", "1943-05-12"),  # serial that became text in a CSV
    ("1943/5/12", "1943-05-12"),
    ("1943.05.12 00:00:00", "1943-05-12"),
])
def test_dates_as_rosters_write_them(cell, expected):
    assert _date(cell) == expected


def test_one_decimal_month_one_warns_that_it_may_be_october():
    raw, warn = date_input(1943.1)
    assert raw == "1943.1" and warn and "10月" in warn


@pytest.mark.parametrize("cell", ["不详", 123, "1943-13"])
def test_bad_dates_raise_chinese_errors(cell):
    with pytest.raises(ValueError, match="日期"):
        _date(cell)


ID = ident(1943, 5, 12, 1)
ID_X = next(ident(1950, 1, 1, s) for s in range(1, 999, 2) if ident(1950, 1, 1, s).endswith("X"))


@pytest.mark.parametrize(("cell", "expected"), [
    (ID, ID),
    (ID_X.lower(), ID_X),  # lower-case x
    (f"{ID[:6]} {ID[6:14]} {ID[14:]}", ID),  # spaces inside
    ("".join(chr(ord(c) + 0xFEE0) for c in ID), ID),  # full-width digits
    (ID[:6] + ID[8:17], ID),  # old 15-digit number, upgraded
    (int(ID[:6] + ID[8:17]), ID),  # 15 digits as a number: exact in Excel
])
def test_id_numbers_normalised(cell, expected):
    data = _row([("姓名", "name"), ("身份证号", "id_number")], ["张三", cell])
    assert not data.failed, data.issues
    assert data.values["id_number"] == expected


@pytest.mark.parametrize("cell", [int(ID[:17] + "0") if ID[-1] != "X" else 110105194305121230,
                                  1.10105194305121e17, "1.10105E+17"])
def test_id_number_stored_as_a_number_is_an_error_never_guessed(cell):
    data = _row([("姓名", "name"), ("身份证号", "id_number")], ["张三", cell], row=7)
    assert data.failed
    (issue,) = data.issues
    assert issue.row == 7 and issue.label == "身份证号"
    assert "丢失" in issue.message
    assert "id_number" not in data.values


def test_names_with_inner_and_trailing_spaces_and_full_width():
    data = _row([("姓名", "name"), ("住址", "address")], ["张　三 ", "北京市　东城区１号 "])
    assert data.values["name"] == "张三"
    assert data.values["address"] == "北京市 东城区1号"


def test_several_phones_in_one_cell_and_landlines():
    data = _row([("姓名", "name"), ("联系电话", "phones"), ("手机", "phones")],
                ["张三", "13800138000、010-62345678／0531-8888888", 13900139000.0])
    assert data.values["phones"] == ["13800138000", "010-62345678", "0531-8888888", "13900139000"]


def test_bad_phone_is_reported_with_row_and_field():
    data = _row([("姓名", "name"), ("电话", "phones")], ["张三", "1380013"], row=9)
    assert data.failed
    assert data.issues[0].row == 9 and data.issues[0].label == "联系电话"


def test_unknown_columns_are_kept_in_note():
    data = _row([("姓名", "name"), ("备注", "note"), ("爱好", NOTE), ("鞋码", NOTE)],
                ["张三", "老干部", "书法", 42])
    assert data.values["note"] == "老干部；爱好：书法；鞋码：42"


def test_choice_aliases():
    data = _row([("姓名", "name"), ("性别", "sex"), ("党员", "political_status"), ("类别", "category")],
                ["张三", "男性", "是", "退休干部"])
    assert data.values == {"name": "张三", "sex": "男", "political_status": "中共党员", "category": "退休"}


def test_choice_outside_the_list_is_an_error():
    data = _row([("姓名", "name"), ("性别", "sex")], ["张三", "未知"])
    assert data.failed and "性别" in data.issues[0].message


def test_missing_name_is_an_error():
    data = _row([("姓名", "name"), ("电话", "phones")], [None, "13800138000"], row=5)
    assert data.failed and data.issues[0].row == 5 and "姓名" in data.issues[0].message


@pytest.mark.parametrize(("note", "expected"), [
    ("2023.3去世", {"status": "已故", "death_date": "2023-03"}),
    ("2023年3月5日病故", {"status": "已故", "death_date": "2023-03-05"}),
    ("已去世", {"status": "已故"}),
    ("独居", {"living": "独居"}),
    ("孤老，低保户", {"living": "孤老"}),
    ("已返乡", {"returned_home": True}),
    ("市级劳模", {"labour_model": "市级劳模"}),
    ("劳模", {"labour_model": "企业劳模"}),
    ("卧床，不能自理", {"self_care": "不能自理"}),
    ("独居，不能自理，全国劳模", {"living": "独居", "self_care": "不能自理", "labour_model": "全国劳模"}),
    ("老伴2020年去世", {}),
    ("爱下棋", {}),
])
def test_note_hints(note, expected):
    assert {h.field: h.value for h in note_hints(note)} == expected


def test_hints_only_for_fields_the_row_leaves_empty():
    data = _row([("姓名", "name"), ("居住状况", "living"), ("备注", "note")], ["张三", "空巢", "独居 返乡"])
    assert {h.field for h in data.hints} == {"returned_home"}
    assert data.values["living"] == "空巢"


@pytest.mark.parametrize(("cells", "total"), [
    ([None, "合计", "35人"], True),
    (["总计", None, None], True),
    (["共35人", None, None], True),
    ([1, "张三", "男"], False),
    ([2, "合力", "男"], False),
])
def test_totals_rows(cells, total):
    cols = [Column(0, "序号", "__skip__"), Column(1, "姓名", "name"), Column(2, "性别", "sex")]
    assert is_total_row(cells, cols) is total


def test_contacts_columns():
    data = _row([("姓名", "name"), ("配偶", "contact:配偶:name"), ("子女", "contact:子女:name"),
                 ("子女电话", "contact:子女:phones")],
                ["张三", "刘芳", "张明、张丽", "13700137000/13600136000"])
    assert data.contacts == [
        {"kind": "配偶", "name": "刘芳", "phones": []},
        {"kind": "子女", "name": "张明", "phones": ["13700137000"]},
        {"kind": "子女", "name": "张丽", "phones": ["13600136000"]},
    ]


def test_cells_under_no_header_are_kept_in_note():
    data = _row([("姓名", "name"), ("备注", "note")], ["张三", "老党员", None, "后加的一列"])
    assert data.values["note"] == "老党员；D列：后加的一列"


@pytest.mark.parametrize(("cells", "footer"), [
    ([None, None, "制表人：李干事"], True),
    (["注：本表截至2023年底", None, None], True),
    ([None, None, "13800138000"], False),
    ([1, "张三", "注意身体"], False),
])
def test_footer_rows(cells, footer):
    from app.importer.normalise import is_footer_row

    cols = [Column(0, "序号", "__skip__"), Column(1, "姓名", "name"), Column(2, "备注", "note")]
    assert is_footer_row(cells, cols) is footer


def test_cell_in_a_gap_between_headers_is_kept():
    cols = [Column(0, "姓名", "name"), Column(2, "电话", "phones")]
    data = normalise_row(["张三", "无表头的内容", "13800138000"], cols, "表1", 2)
    assert data.values["note"] == "B列：无表头的内容"


_FAST_ALPHABET = "张王李三丰路号院东城区0123456789AbXx#-　 ．１"


@pytest.mark.parametrize("target", ["name", "address", "hometown", "phones"])
def test_fast_paths_agree_with_the_registry(target):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from app.importer.normalise import convert

    field = spec("retirees", target)
    cells = st.text(alphabet=_FAST_ALPHABET, min_size=1, max_size=20) | st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)

    @settings(max_examples=150, deadline=None)
    @given(cells)
    def check(value):
        try:
            expected = field.coerce(value)
        except ValueError:
            with pytest.raises(ValueError):
                convert(target, value)
            return
        assert convert(target, value) == (expected, None)

    check()
