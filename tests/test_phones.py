import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.services.phones import format_phones, is_valid_phone, mask_phone, normalize_phones


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # mobiles
        ("13800138000", ["13800138000"]),
        ("138 0013 8000", ["13800138000"]),
        ("138-0013-8000", ["13800138000"]),
        ("１３８００１３８０００", ["13800138000"]),
        ("138\u30000013\u30008000", ["13800138000"]),
        ("+86 138 0013 8000", ["13800138000"]),
        ("+8613800138000", ["13800138000"]),
        ("+86-13800138000", ["13800138000"]),
        ("(+86)13800138000", ["13800138000"]),
        ("0086 13800138000", ["13800138000"]),
        ("008613800138000", ["13800138000"]),
        ("86-13800138000", ["13800138000"]),
        ("86 13800138000", ["13800138000"]),
        ("13800138000.0", ["13800138000"]),
        ("19912345678", ["19912345678"]),
        # landlines
        ("010-62345678", ["010-62345678"]),
        ("01062345678", ["010-62345678"]),
        ("010 6234 5678", ["010-62345678"]),
        ("(010)62345678", ["010-62345678"]),
        ("(010) 6234-5678", ["010-62345678"]),
        ("（0531）8888888", ["0531-8888888"]),
        ("０５３１－８８８８８８８", ["0531-8888888"]),
        ("0531—8888888", ["0531-8888888"]),
        ("0531–8888888", ["0531-8888888"]),
        ("0531‐8888888", ["0531-8888888"]),
        ("021-62345678", ["021-62345678"]),
        ("021 6234567", ["021-6234567"]),
        ("020-83456789", ["020-83456789"]),
        ("0755-26543210", ["0755-26543210"]),
        ("+86 21 6234 5678", ["021-62345678"]),
        ("+86-10-62345678", ["010-62345678"]),
        # extensions
        ("010-62345678转123", ["010-62345678-123"]),
        ("010-62345678 转 123", ["010-62345678-123"]),
        ("010-62345678-123", ["010-62345678-123"]),
        ("0531-8888888-12", ["0531-8888888-12"]),
        ("62345678转8001", ["62345678-8001"]),
        ("(010)62345678分机9", ["010-62345678-9"]),
        ("010-62345678 ext. 55", ["010-62345678-55"]),
        # local numbers without area code
        ("62345678", ["62345678"]),
        ("8888888", ["8888888"]),
        ("6234 5678", ["62345678"]),
        ("62345678.0", ["62345678"]),
    ],
)
def test_single_number_forms(cell: str, expected: list[str]) -> None:
    assert normalize_phones(cell) == (expected, [])


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("13800138000 13900139000", ["13800138000", "13900139000"]),
        ("13800138000、13900139000", ["13800138000", "13900139000"]),
        ("13800138000,13900139000", ["13800138000", "13900139000"]),
        ("13800138000，13900139000", ["13800138000", "13900139000"]),
        ("13800138000;13900139000", ["13800138000", "13900139000"]),
        ("13800138000；13900139000", ["13800138000", "13900139000"]),
        ("13800138000/13900139000", ["13800138000", "13900139000"]),
        ("13800138000／13900139000", ["13800138000", "13900139000"]),
        ("13800138000\n13900139000", ["13800138000", "13900139000"]),
        ("13800138000\r\n13900139000", ["13800138000", "13900139000"]),
        ("13800138000或13900139000", ["13800138000", "13900139000"]),
        (
            "138 0013 8000 / (010)62345678转12，62345678",
            ["13800138000", "010-62345678-12", "62345678"],
        ),
        ("010 62345678 62345679", ["010-62345678", "62345679"]),
        ("62345678 62345679", ["62345678", "62345679"]),
        ("13800138000、138 0013 8000、+86 13800138000", ["13800138000"]),  # de-duplicated
        ("13900139000、13800138000、13900139000", ["13900139000", "13800138000"]),
    ],
)
def test_several_numbers_in_one_cell(cell: str, expected: list[str]) -> None:
    assert normalize_phones(cell) == (expected, [])


@pytest.mark.parametrize(
    ("cell", "valid", "invalid"),
    [
        ("1380013", [], ["1380013"]),  # truncated mobile, not a landline
        ("1380013800", [], ["1380013800"]),
        ("138001380001", [], ["138001380001"]),
        ("12800138000", [], ["12800138000"]),
        ("abc", [], ["abc"]),
        ("无", [], ["无"]),
        ("13800138000、1234", ["13800138000"], ["1234"]),
        ("13800138000（儿子）", ["13800138000"], ["儿子"]),
        ("张三13800138000，李四 13900139000", ["13800138000", "13900139000"], ["张三", "李四"]),
        ("010-62345678 123", ["010-62345678"], ["123"]),
        ("011-62345678", [], ["011-62345678"]),  # no area code starts 01 other than 010
        ("010-02345678", [], ["010-02345678"]),
        ("13800138000转12", [], ["13800138000转12"]),  # mobiles have no extensions
        ("62345678转1234567", [], ["62345678转1234567"]),
        ("13800138000.5", [], ["13800138000.5"]),
        ("1.38001E+10", [], ["1.38001E+10"]),  # digits may be lost: never guess
        ("+86 62345678", ["62345678"], ["+86"]),  # no area code: keep the local number
        ("x y, 13800138000", ["13800138000"], ["x y"]),
        ("1234、1234", [], ["1234"]),
    ],
)
def test_invalid_fragments_reported(cell: str, valid: list[str], invalid: list[str]) -> None:
    assert normalize_phones(cell) == (valid, invalid)


@pytest.mark.parametrize("cell", [None, "", "   ", "\u3000", "、，;", "\n"])
def test_empty(cell: str | None) -> None:
    assert normalize_phones(cell) == ([], [])


def test_numeric_cells_from_excel() -> None:
    assert normalize_phones(13800138000.0) == (["13800138000"], [])
    assert normalize_phones(13800138000) == (["13800138000"], [])
    assert normalize_phones(1.5) == ([], ["1.5"])
    assert normalize_phones(float("nan")) == ([], [])


@pytest.mark.parametrize(
    "s",
    [
        "13800138000",
        "19912345678",
        "010-62345678",
        "021-6234567",
        "0531-8888888",
        "0755-26543210",
        "010-62345678-123",
        "62345678",
        "8888888",
    ],
)
def test_is_valid_phone_accepts_normalized(s: str) -> None:
    assert is_valid_phone(s)


@pytest.mark.parametrize(
    "s",
    [
        "",
        "138 0013 8000",
        "12800138000",
        "01062345678",
        "(010)62345678",
        "0531-888888",
        "011-62345678",
        "010-02345678",
        "1380013",
        "13800138000-12",
        "+8613800138000",
    ],
)
def test_is_valid_phone_rejects_unnormalized(s: str) -> None:
    assert not is_valid_phone(s)


@pytest.mark.parametrize(
    ("s", "masked"),
    [
        ("13800138000", "138****8000"),
        ("010-62345678", "010-******78"),
        ("0531-8888888", "0531-*****88"),
        ("010-62345678-123", "010-******78-123"),
        ("62345678", "******78"),
        ("", ""),
        ("ab", "**"),
        ("abcdef", "****ef"),
    ],
)
def test_mask_phone(s: str, masked: str) -> None:
    assert mask_phone(s) == masked


def test_format_phones() -> None:
    assert format_phones(["13800138000", "010-62345678"]) == "13800138000、010-62345678"
    assert format_phones([]) == ""


_mobiles = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
_landlines = st.one_of(
    st.from_regex(r"0(10|2[0-9])-[2-9][0-9]{6,7}", fullmatch=True),
    st.from_regex(r"0[3-9][0-9]{2}-[2-9][0-9]{6,7}", fullmatch=True),
)


_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@given(
    _mobiles,
    st.sampled_from(
        ["{}", "+86 {}", "0086{}", "86-{}", "{}.0", " {} ", "spaced", "dashed", "fullwidth"]
    ),
)
def test_mobile_variants_normalize_back(mobile: str, template: str) -> None:
    if template == "spaced":
        cell = f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"
    elif template == "dashed":
        cell = f"{mobile[:3]}－{mobile[3:7]}－{mobile[7:]}"
    elif template == "fullwidth":
        cell = mobile.translate(_FULLWIDTH_DIGITS)
    else:
        cell = template.format(mobile)
    assert normalize_phones(cell) == ([mobile], [])
    assert is_valid_phone(mobile)
    masked = mask_phone(mobile)
    assert masked[:3] == mobile[:3] and masked[-4:] == mobile[-4:] and masked[3:7] == "****"


@given(_landlines)
def test_landline_variants_normalize_back(landline: str) -> None:
    area, local = landline.split("-")
    for cell in (landline, area + local, f"({area}){local}", f"（{area}）{local}"):
        assert normalize_phones(cell) == ([landline], []), cell
    assert normalize_phones(f"{landline}转88") == ([f"{landline}-88"], [])
    assert is_valid_phone(landline)


@given(st.lists(st.one_of(_mobiles, _landlines), min_size=1, max_size=5))
def test_list_roundtrip_through_format(phones: list[str]) -> None:
    unique = list(dict.fromkeys(phones))
    assert normalize_phones(format_phones(phones)) == (unique, [])


@given(st.text(max_size=40))
def test_never_crashes_and_output_is_normalized(cell: str) -> None:
    valid, invalid = normalize_phones(cell)
    assert all(is_valid_phone(p) for p in valid)
    assert len(valid) == len(set(valid))
    assert all(frag.strip() for frag in invalid)
