from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.models.partial_date import PartialDate
from app.services.idcard import (
    IdInfo,
    IdNumberError,
    check_consistency,
    check_digit,
    id_tail,
    make_id_number,
    mask_id_number,
    normalize_id_number,
    parse_id_number,
)

SAMPLE = "11010519491231002X"  # widely published valid sample
TODAY = date(2024, 6, 1)


def _reference_check_digit(first17: str) -> str:
    # Independent formulation of ISO 7064 MOD 11-2: sum(a_i * 2^(17-i)) mod 11.
    s = sum(int(c) * pow(2, 17 - i, 11) for i, c in enumerate(first17))
    return "10X98765432"[s % 11]


def test_check_digit_known_samples() -> None:
    assert check_digit("11010519491231002") == "X"
    assert check_digit("44030819900101001") == _reference_check_digit("44030819900101001")
    # Sum is 0 mod 11 → "1"; sum 2 mod 11 → "X".
    assert check_digit("00000000000000000") == "1"


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_check_digit_matches_reference(first17: str) -> None:
    assert check_digit(first17) == _reference_check_digit(first17)


@pytest.mark.parametrize("bad", ["1101051949123100", "1101051949123100２", "abcdefghijklmnopq"])
def test_check_digit_rejects_bad_input(bad: str) -> None:
    with pytest.raises(IdNumberError):
        check_digit(bad)


def test_valid_sample_parses() -> None:
    info = parse_id_number(SAMPLE, today=TODAY)
    assert info == IdInfo(
        number=SAMPLE, birth_date=date(1949, 12, 31), sex="女", region_code="110105"
    )


def test_male_number() -> None:
    number = make_id_number("110105", date(1943, 5, 12), 1)
    assert number[:17] == "11010519430512001"
    assert parse_id_number(number, today=TODAY).sex == "男"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 11010519491231002X ",
        "110105 19491231 002X",
        "\u3000110105\u300019491231002x\t",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        "110105491231002",  # 15-digit upgrade
        " 110105 491231 002 ",
        "１１０１０５４９１２３１００２",
    ],
)
def test_normalize_messy_input(raw: str) -> None:
    assert normalize_id_number(raw, today=TODAY) == SAMPLE


def test_fifteen_digit_upgrade_inserts_century_and_check_digit() -> None:
    assert normalize_id_number("440308900101001", today=TODAY) == (
        "44030819900101001" + check_digit("44030819900101001")
    )


@pytest.mark.parametrize("raw", ["", "   ", "\u3000", None])
def test_empty(raw: str) -> None:
    with pytest.raises(IdNumberError, match="^身份证号为空$"):
        normalize_id_number(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1101051949123100", "身份证号应为18位（或旧15位）数字，当前为16位"),
        ("11010519491231002X1", "身份证号应为18位（或旧15位）数字，当前为19位"),
        ("11010549123100", "身份证号应为18位（或旧15位）数字，当前为14位"),
        ("11010519491231002Y", "身份证号含有非法字符：Y"),
        ("1101051949-231002X", "身份证号含有非法字符：-"),
        ("X10105194912310021", "X 只能出现在18位号码的末位"),
        ("11010549123100X", "X 只能出现在18位号码的末位"),
        ("110105194313450023", "身份证号中的出生日期无效：19431345"),
        ("110105194302300023", "身份证号中的出生日期无效：19430230"),
        ("110105187901010023", "身份证号中的出生日期无效：18790101"),
        ("110105491331002", "身份证号中的出生日期无效：19491331"),
    ],
)
def test_specific_errors(raw: str, message: str) -> None:
    with pytest.raises(IdNumberError) as exc:
        normalize_id_number(raw, today=TODAY)
    assert message in str(exc.value)
    assert isinstance(exc.value, ValueError)


def test_wrong_check_digit_message() -> None:
    with pytest.raises(IdNumberError) as exc:
        normalize_id_number("110105194912310023", today=TODAY)
    assert str(exc.value) == "身份证号校验位错误：末位应为 X，实际为 3"


def test_future_birth_date_rejected() -> None:
    future = make_id_number("110105", date(2024, 6, 2), 10)
    with pytest.raises(IdNumberError, match="晚于今天"):
        normalize_id_number(future, today=TODAY)
    on_the_day = make_id_number("110105", TODAY, 10)
    assert normalize_id_number(on_the_day, today=TODAY) == on_the_day
    # Without the override, today is the real today.
    with pytest.raises(IdNumberError, match="晚于今天"):
        normalize_id_number(make_id_number("110105", date(2999, 1, 1), 10))


def test_year_1880_boundary() -> None:
    n = make_id_number("110105", date(1880, 1, 1), 5)
    assert parse_id_number(n, today=TODAY).birth_date == date(1880, 1, 1)


@given(
    region=st.from_regex(r"[1-6][0-9]{5}", fullmatch=True),
    birth=st.dates(min_value=date(1880, 1, 1), max_value=TODAY),
    seq=st.integers(min_value=0, max_value=999),
)
def test_make_id_number_roundtrip(region: str, birth: date, seq: int) -> None:
    number = make_id_number(region, birth, seq)
    info = parse_id_number(number, today=TODAY)
    assert info.number == number
    assert info.birth_date == birth
    assert info.region_code == region
    assert info.sex == ("男" if seq % 2 else "女")


@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=date(2010, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
    position=st.integers(min_value=0, max_value=16),
    delta=st.integers(min_value=1, max_value=9),
)
def test_single_digit_change_is_always_detected(
    birth: date, seq: int, position: int, delta: int
) -> None:
    number = make_id_number("320102", birth, seq)
    changed = str((int(number[position]) + delta) % 10)
    tampered = number[:position] + changed + number[position + 1 :]
    # Every weight is non-zero mod 11 (a prime), so any single substitution moves the
    # checksum: parse must fail either on the date or on the check digit.
    with pytest.raises(IdNumberError, match="校验位错误|出生日期"):
        parse_id_number(tampered, today=TODAY)


def test_make_id_number_validates_arguments() -> None:
    with pytest.raises(ValueError, match="地区代码"):
        make_id_number("11010", date(1943, 1, 1), 1)
    with pytest.raises(ValueError, match="顺序码"):
        make_id_number("110105", date(1943, 1, 1), 1000)
    with pytest.raises(ValueError, match="顺序码"):
        make_id_number("110105", date(1943, 1, 1), -1)


def _info(birth: date, sex: str) -> IdInfo:
    return parse_id_number(make_id_number("110105", birth, 1 if sex == "男" else 2), today=TODAY)


def test_consistency_all_match() -> None:
    info = _info(date(1943, 5, 12), "女")
    assert check_consistency(info, PartialDate(1943, 5, 12), "女") == []
    assert check_consistency(info, PartialDate(1943, 5), "女性") == []
    assert check_consistency(info, PartialDate(1943), " 女 ") == []
    assert check_consistency(info, None, None) == []
    assert check_consistency(info, None, "") == []


def test_consistency_mismatches() -> None:
    info = _info(date(1943, 5, 12), "女")
    assert check_consistency(info, PartialDate(1943, 6), "男") == [
        "出生日期（1943年6月）与身份证号（1943年5月12日）不符",
        "性别（男）与身份证号（女）不符",
    ]
    assert check_consistency(info, PartialDate(1943, 5, 13), None) == [
        "出生日期（1943年5月13日）与身份证号（1943年5月12日）不符"
    ]
    assert check_consistency(info, PartialDate(1944), "女") == [
        "出生日期（1944年）与身份证号（1943年5月12日）不符"
    ]
    assert check_consistency(info, None, "未知") == ["性别（未知）与身份证号（女）不符"]


def test_consistency_partial_date_boundaries() -> None:
    first = _info(date(1943, 1, 1), "男")
    last = _info(date(1943, 12, 31), "男")
    assert check_consistency(first, PartialDate(1943), "男") == []
    assert check_consistency(last, PartialDate(1943), "男") == []
    assert check_consistency(last, PartialDate(1943, 12), "男") == []
    assert check_consistency(first, PartialDate(1942, 12), "男") != []


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("110105194912311234", "110105********1234"),
        (SAMPLE, "110105********002X"),
        ("110105491231002", "110105*****1002"),
        (None, ""),
        ("", ""),
        ("1234567890", "12******90"),
        ("1234", "1**4"),
        ("123", "***"),
    ],
)
def test_mask_id_number(number: str | None, masked: str) -> None:
    assert mask_id_number(number) == masked


@given(st.text(min_size=1, max_size=30))
def test_mask_never_reveals_whole_value(number: str) -> None:
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert "*" in masked


def test_id_tail() -> None:
    assert id_tail(SAMPLE) == "31002X"
    assert id_tail(SAMPLE, 4) == "002X"
    assert id_tail("1101 0519 4912 3100 2X", 4) == "002X"
    assert id_tail("123", 6) == "123"
    assert id_tail("", 6) == ""
    assert id_tail(SAMPLE, 0) == ""
