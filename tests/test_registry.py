"""The field registry: one declaration per field, used for forms, import, export, printing."""

from __future__ import annotations

from datetime import date

import pytest

from app.models import SYNCED_MODELS
from app.models.base import SyncedRecord
from app.models.registry import (
    REGISTRY,
    Kind,
    Privacy,
    format_money,
    match_header,
    spec,
    yuan_to_fen,
)


@pytest.mark.parametrize("table", sorted(SYNCED_MODELS))
def test_registry_covers_every_user_column_and_nothing_else(table: str) -> None:
    model = SYNCED_MODELS[table]
    columns = set(model.model_fields) - set(SyncedRecord.SYSTEM_FIELDS)
    declared = [f.name for f in REGISTRY[table]]
    assert len(declared) == len(set(declared))
    assert set(declared) == columns


@pytest.mark.parametrize("table", sorted(REGISTRY))
def test_headers_are_unambiguous_within_a_table(table: str) -> None:
    seen: dict[str, str] = {}
    for f in REGISTRY[table]:
        for h in f.headers:
            assert seen.setdefault(h, f.name) == f.name, f"{h} names both {seen[h]} and {f.name}"


@pytest.mark.parametrize("header,field", [
    ("姓名", "name"), ("身份证号码", "id_number"), ("公民身份号码", "id_number"),
    ("出生年月", "birth_date"), (" 出生日期 ", "birth_date"), ("联系电话", "phones"), ("手机", "phones"),
    ("家庭住址", "address"), ("现住址", "address"), ("住址：", "address"), ("备注", "note"),
    ("特长(银色人才)", "skills"),
])
def test_excel_headers_match_by_label_or_synonym(header: str, field: str) -> None:
    found = match_header(header)
    assert found is not None and found.name == field


def test_unknown_header_is_not_matched() -> None:
    assert match_header("鞋码") is None
    assert match_header("") is None


def test_coerce_each_kind() -> None:
    assert spec("retirees", "birth_date").coerce("1943年5月") == "1943-05"
    assert spec("visits", "visit_date").coerce("2024.3.5") == date(2024, 3, 5)
    assert spec("retirees", "returned_home").coerce("是") is True
    assert spec("retirees", "returned_home").coerce("") is False
    assert spec("payments", "amount_fen").coerce("1,234.5元") == 123450
    assert spec("payments", "amount_fen").coerce(500) == 500  # an int is already fen
    assert spec("retirees", "phones").coerce("13800138000、(010)62345678") == ["13800138000", "010-62345678"]
    with pytest.raises(ValueError, match="完整的年月日"):
        spec("visits", "visit_date").coerce("2024.3")
    with pytest.raises(ValueError, match="只能是"):
        spec("retirees", "sex").coerce("未知")
    # Open choices accept other text (ranks vary from unit to unit).
    assert spec("retirees", "rank").coerce("副调研员") == "副调研员"


def test_sensitive_fields_are_masked_unless_revealed() -> None:
    ident = spec("retirees", "id_number")
    phones = spec("retirees", "phones")
    assert ident.privacy is Privacy.SENSITIVE and phones.privacy is Privacy.SENSITIVE
    assert ident.display("11010519491231002X") == "110105********002X"
    assert ident.display("11010519491231002X", reveal=True) == "11010519491231002X"
    assert phones.display(["13800138000"]) == "138****8000"
    assert spec("retirees", "name").display("张三") == "张三"


def test_money_helpers() -> None:
    assert yuan_to_fen("500") == 50000
    assert yuan_to_fen("0.05") == 5
    assert format_money(100001050) == "1,000,010.50"
    with pytest.raises(ValueError):
        yuan_to_fen("五百")
    assert spec("benefits", "amount_fen").kind is Kind.MONEY


def test_check_stored_accepts_canonical_values_and_names_the_field_otherwise() -> None:
    assert spec("retirees", "birth_date").check_stored("1943-05") is None
    assert "出生日期" in spec("retirees", "birth_date").check_stored("1943.5")
    assert spec("retirees", "category").check_stored("退休") is None
    assert spec("retirees", "category").check_stored("退职") is not None
    assert spec("retirees", "phones").check_stored(["13800138000"]) is None
    assert spec("retirees", "phones").check_stored(["12345"]) is not None
    assert spec("payments", "amount_fen").check_stored(-5) is not None
    assert spec("payments", "amount_fen").check_stored(True) is not None
    assert spec("retirees", "id_number").check_stored("11010519491231002X") is None
    assert spec("retirees", "id_number").check_stored("110105194912310021") is not None
