"""One spreadsheet row → clean retiree values, contacts, suggestions and problems.

The registry's ``coerce`` does the typing work (ID numbers, phones, partial dates); this
module deals with what only a spreadsheet produces: numbers where text was meant (Excel
serial dates, ID numbers whose digits Excel rounded away, phones as floats), 是/否 in a
党员 column, "男性" for 男, and free text in 备注 that means something.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from app.importer.mapping import NOTE, SKIP, Column, column_letter
from app.models.enums import ContactKind, Status
from app.models.partial_date import PartialDate
from app.models.registry import Kind, clean_text, fields

SPECS = {f.name: f for f in fields("retirees")}
EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, with Excel's phantom 1900-02-29
# Serial numbers this side of 2201 would be years 1900–1906 (nobody alive) and collide with
# plain years; above 80000 is past 2119.
SERIAL_MIN, SERIAL_MAX = 2201, 80000
MAX_EXACT_DIGITS = 15  # an Excel number keeps 15 significant digits

TOTAL_WORDS = ("合计", "总计", "小计", "共计", "总人数")

# What rosters write instead of the registry's choice words.
ALIASES: dict[str, dict[str, str]] = {
    "sex": {"男性": "男", "女性": "女", "m": "男", "f": "女"},
    "category": {"离休干部": "离休", "退休干部": "退休", "退休职工": "退休", "退休人员": "退休",
                 "内部退养": "内退", "离休人员": "离休"},
    "status": {"去世": "已故", "已去世": "已故", "死亡": "已故", "病故": "已故", "逝世": "已故",
               "正常": "在册", "健在": "在册", "迁走": "迁出", "转出": "迁出"},
    "self_care": {"自理": "完全自理", "能自理": "完全自理", "半自理": "部分自理", "不自理": "不能自理",
                  "失能": "不能自理", "卧床": "不能自理"},
    "living": {"独居老人": "独居", "孤寡": "孤老", "孤寡老人": "孤老", "养老院": "养老机构",
               "敬老院": "养老机构", "与子女住": "与子女同住", "子女同住": "与子女同住"},
    "political_status": {"党员": "中共党员", "中共": "中共党员", "是": "中共党员", "否": "群众",
                         "预备党员": "中共预备党员"},
    "birthday_calendar": {"阳历": "公历", "阴历": "农历", "新历": "公历", "旧历": "农历"},
}


@dataclass
class Issue:
    sheet: str
    row: int
    field: str | None
    label: str | None
    message: str
    severity: str = "error"  # "error": the row is not imported; "warning": imported, look at it

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "field": self.label or "", "message": self.message,
                "severity": "错误" if self.severity == "error" else "提示"}


@dataclass
class Hint:
    """A value read from 备注 text, offered for the user to accept."""

    field: str
    label: str
    value: Any
    source: str

    def as_dict(self) -> dict[str, Any]:
        shown = SPECS[self.field].format(self.value)
        return {"field": self.label, "value": shown, "source": self.source}


@dataclass
class RowData:
    sheet: str
    row: int
    values: dict[str, Any]  # coerced retiree fields, only those with a non-blank cell
    group_name: str | None = None
    contacts: list[dict[str, Any]] = field(default_factory=list)  # kind, name, phones
    hints: list[Hint] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    raw: tuple[Any, ...] | None = None  # kept only for rows with problems (for the export)

    @property
    def key(self) -> str:
        return f"{self.sheet}!{self.row}"

    @property
    def failed(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def is_blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def is_total_row(cells: Sequence[Any], columns: Sequence[Column]) -> bool:
    """A 合计/总计 line: such a word in the name column or the first cells of the row."""
    name_cols = [c.index for c in columns if c.target == "name"]
    probe = [cells[i] for i in name_cols if i < len(cells)] + list(cells[:3])
    for v in probe:
        if isinstance(v, str) and ("计" in v or "共" in v or "总" in v):
            t = clean_text(v).replace(" ", "")
            if any(t.startswith(w) for w in TOTAL_WORDS) or t.startswith(("共", "总")) and "人" in t:
                return True
    return False


_FOOTER_WORDS = ("注", "说明", "制表", "填表", "审核", "负责人", "联系人", "单位盖章", "盖章", "日期")


def is_footer_row(cells: Sequence[Any], columns: Sequence[Column]) -> bool:
    """"制表人：… 审核：…" and "注：…" lines under the list: no name, and a note word."""
    name_cols = [c.index for c in columns if c.target == "name"]
    if any(i < len(cells) and cells[i] not in (None, "") for i in name_cols):
        return False
    texts = [clean_text(v) for v in cells if isinstance(v, str) and v.strip()]
    return bool(texts) and any(t.startswith(_FOOTER_WORDS) for t in texts)


# -- cell pre-cleaning by kind ---------------------------------------------------------------
def _serial_to_date(n: float) -> date:
    return EXCEL_EPOCH + timedelta(days=int(n))


def date_input(value: Any) -> tuple[Any, str | None]:
    """What to hand to ``PartialDate.parse`` for a date cell, plus an optional warning."""
    if isinstance(value, datetime):
        return value.date(), None
    if isinstance(value, date):
        return value, None
    if isinstance(value, bool):
        raise ValueError(f"无法识别的日期：{value}")
    if isinstance(value, int | float):
        if float(value).is_integer():
            n = int(value)
            digits = str(abs(n))
            if len(digits) in (4, 6, 8) and 1800 <= int(digits[:4]) <= 2200:
                return digits, None  # 1943, 194305, 19430512 typed as numbers
            if SERIAL_MIN <= n <= SERIAL_MAX:
                return _serial_to_date(n), None
            raise ValueError(f"无法识别的日期：{n}")
        text = repr(float(value))
        m = re.fullmatch(r"(\d{4})\.(\d{1,2})", text)
        if m:
            warn = None
            if m.group(2) == "1":
                # 1943.10 typed into a number cell reads back as 1943.1.
                warn = f"“{text}”按{m.group(1)}年1月导入；若原意是10月，请改为文本“{m.group(1)}.10”"
            return text, warn
        if SERIAL_MIN <= value <= SERIAL_MAX:  # a serial with a time of day
            return _serial_to_date(value), None
        raise ValueError(f"无法识别的日期：{text}")
    text = clean_text(value)
    if re.fullmatch(r"\d{5}", text) and SERIAL_MIN <= int(text) <= SERIAL_MAX:
        return _serial_to_date(int(text)), None  # a serial that became text in a CSV
    # "1943.05.12 00:00:00" from a CSV written by Excel; "1943年5月生"
    text = re.sub(r"\s+0{1,2}:00(:00)?$", "", text).removesuffix("生").strip()
    return text, None


def id_input(value: Any) -> str:
    """ID-number cell as text. A number longer than 15 digits has been rounded by Excel:
    its last digits are gone and are never guessed."""
    if isinstance(value, bool):
        raise ValueError(f"身份证号格式不正确：{value}")
    if isinstance(value, int | float):
        if isinstance(value, float) and not value.is_integer():
            raise ValueError(f"身份证号被存成了小数（{value}），无法识别")
        digits = str(int(value))
        if len(digits) > MAX_EXACT_DIGITS:
            raise ValueError(
                f"身份证号被 Excel 存成了数字（{digits}），末几位已丢失，无法还原；"
                "请把该列设为“文本”格式后按原件重新填写"
            )
        return digits
    text = clean_text(value)
    if re.fullmatch(r"[\d.]+[eE]\+?\d+", text.replace(" ", "")):
        raise ValueError(f"身份证号显示为科学计数法（{text}），位数已丢失；请按原件重新填写")
    return text.removeprefix("'")


def phones_input(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _choice_input(name: str, value: Any) -> Any:
    text = clean_text(value)
    alias = ALIASES.get(name, {})
    return alias.get(text.lower(), alias.get(text, text))


# -- 备注 hints ---------------------------------------------------------------------------
_DEATH_DATED = re.compile(
    r"(\d{4})\s*[.\-/年]\s*(\d{1,2})\s*(?:[.\-/月]\s*(\d{1,2})\s*[日号]?)?\s*月?\s*(?:已)?"
    r"(?:去世|病故|逝世|死亡|故去|过世|病逝)"
)
_DEATH_WORD = re.compile(r"去世|病故|逝世|死亡|已故|过世|病逝")
_LIVING = (("孤老", "孤老"), ("孤寡", "孤老"), ("一老养一老", "一老养一老"), ("独居", "独居"),
           ("空巢", "空巢"), ("养老院", "养老机构"), ("敬老院", "养老机构"), ("养老机构", "养老机构"))
_MODEL = re.compile(r"(全国|省部级|省级|省|市级|市|企业|公司)?劳模|劳动模范")
_MODEL_LEVEL = {"全国": "全国劳模", "省部级": "省部级劳模", "省级": "省部级劳模", "省": "省部级劳模",
                "市级": "市级劳模", "市": "市级劳模", "企业": "企业劳模", "公司": "企业劳模"}


def note_hints(note: str) -> list[Hint]:
    """Field values the 备注 text suggests. Only suggestions: the user accepts them."""
    out: list[Hint] = []

    def add(name: str, value: Any, source: str) -> None:
        out.append(Hint(name, SPECS[name].label, value, source))

    m = _DEATH_DATED.search(note)
    if m:
        y, mo, d = (int(g) if g else None for g in m.groups())
        try:
            when = PartialDate(y, mo, d)  # type: ignore[arg-type]
        except ValueError:
            when = None
        add("status", Status.DECEASED.value, m.group(0))
        if when is not None and when.earliest() <= date.today():
            add("death_date", when.iso(), m.group(0))
    elif (w := _DEATH_WORD.search(note)) and "配偶" not in note and "老伴" not in note:
        add("status", Status.DECEASED.value, w.group(0))
    for word, value in _LIVING:
        if word in note:
            add("living", value, word)
            break
    if "返乡" in note or "回原籍" in note:
        add("returned_home", True, "返乡" if "返乡" in note else "回原籍")
    m2 = _MODEL.search(note)
    if m2:
        add("labour_model", _MODEL_LEVEL.get(m2.group(1) or "", "企业劳模"), m2.group(0))
    for words, value in ((("不能自理", "卧床", "瘫痪", "失能"), "不能自理"), (("半自理", "部分自理"), "部分自理")):
        hit = next((w for w in words if w in note), None)
        if hit:
            add("self_care", value, hit)
            break
    return out


# -- one cell ------------------------------------------------------------------------------
# Columns such as 性别, 人员类别, 小组 or 出生年月 repeat the same few values thousands of times;
# converting each distinct value once keeps a large roster fast. Unique columns are not cached.
_UNCACHED = {"name", "id_number", "phones", "address", "note", "hometown"}
_CACHE: dict[tuple[str, Any], tuple[Any, str | None] | ValueError] = {}
_CACHE_MAX = 50_000


def _convert(target: str, value: Any) -> tuple[Any, str | None]:
    spec = SPECS[target]
    warn = None
    if spec.kind is Kind.PARTIAL_DATE:
        raw, warn = date_input(value)
    elif spec.kind is Kind.ID_NUMBER:
        raw = id_input(value)
    elif spec.kind is Kind.PHONES:
        raw = phones_input(value)
    elif spec.kind is Kind.CHOICE:
        raw = _choice_input(target, value)
    elif spec.kind is Kind.BOOL and isinstance(value, str) and clean_text(value) in ("返乡", "√"):
        raw = True
    elif isinstance(value, float) and value.is_integer():
        raw = str(int(value))
    else:
        raw = value
    return spec.coerce(raw), warn


# Cells already in their stored form, for which ``coerce`` would return them unchanged: a
# plain Chinese name, an address of Han characters and ASCII digits, one mobile number.
# Skipping ``coerce`` for them halves the cost of a clean 10,000-row roster; a test checks
# that the shortcut and ``coerce`` agree.
_PLAIN = {
    "name": re.compile(r"[\u4e00-\u9fff]{1,8}"),
    "address": re.compile(r"[\u4e00-\u9fff0-9A-Za-z#\-]{1,200}"),
    "hometown": re.compile(r"[\u4e00-\u9fff]{1,50}"),
}
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def convert(target: str, value: Any) -> tuple[Any, str | None]:
    """(stored value, warning) for one cell of a column mapped to ``target``; ValueError
    with a Chinese message when the cell cannot be taken."""
    if target in _UNCACHED or isinstance(value, bool):
        if isinstance(value, str):
            plain = _PLAIN.get(target)
            if plain is not None and plain.fullmatch(value):
                return value, None
            if target == "phones" and _MOBILE.fullmatch(value):
                return [value], None
        return _convert(target, value)
    key = (target, type(value).__name__, value)
    hit = _CACHE.get(key)  # type: ignore[call-overload]
    if hit is None:
        try:
            hit = _convert(target, value)
        except ValueError as exc:
            hit = exc
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = hit  # type: ignore[index]
    if isinstance(hit, ValueError):
        raise hit
    value_out, warn = hit
    # Lists are mutable: never hand out the cached one.
    return (list(value_out) if isinstance(value_out, list) else value_out), warn


# -- the row ------------------------------------------------------------------------------
def _split_names(text: str) -> list[str]:
    return [n for n in re.split(r"[、,，;；/\s]+", clean_text(text)) if n]


def normalise_row(cells: Sequence[Any], columns: Sequence[Column], sheet: str, row: int) -> RowData:
    """Clean one data row. Problems are collected, never raised."""
    data = RowData(sheet, row, {})
    issues = data.issues
    notes: list[str] = []
    note_cell = ""
    contact_cells: dict[str, list[Any]] = {}
    seen: dict[str, str] = {}  # field → header of the column it came from

    def problem(name: str | None, lab: str | None, msg: str, severity: str = "error") -> None:
        if lab and lab not in msg and severity == "error":
            msg = f"「{lab}」{msg}"
        issues.append(Issue(sheet, row, name, lab, msg, severity))

    for col in columns:
        value = cells[col.index] if col.index < len(cells) else None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        target = col.target
        if target == SKIP:
            continue
        if target == NOTE:
            notes.append(f"{col.header}：{clean_text(value)}")
            continue
        if target.startswith("contact:"):
            contact_cells.setdefault(target, []).append(value)
            continue
        if target == "group_id":
            data.group_name = clean_text(value)
            continue
        spec = SPECS[target]
        try:
            coerced, warn = convert(target, value)
        except ValueError as exc:
            problem(target, spec.label, str(exc))
            continue
        if warn:
            problem(target, spec.label, f"「{spec.label}」{warn}", "warning")
        if coerced in (None, "", []):
            continue
        if target == "note":
            note_cell = coerced
            notes.insert(0, coerced)
            continue
        if target in data.values:
            old = data.values[target]
            if spec.kind is Kind.PHONES:
                data.values[target] = old + [p for p in coerced if p not in old]
            elif old != coerced:
                problem(target, spec.label,
                        f"“{seen[target]}”和“{col.header}”两列都对应「{spec.label}」且内容不同，已取前一列",
                        "warning")
            continue
        data.values[target] = coerced
        seen[target] = col.header

    # Cells under no header are kept too, never silently dropped.
    if len(cells) > len(columns) or (columns and columns[-1].index + 1 != len(columns)):
        mapped = {c.index for c in columns}
        for i, v in enumerate(cells):
            if i not in mapped and v is not None and not (isinstance(v, str) and not v.strip()):
                notes.append(f"{column_letter(i)}列：{clean_text(v)}")
    if notes:
        data.values["note"] = "；".join(notes)
    if note_cell:
        data.hints = [h for h in note_hints(note_cell) if h.field not in data.values]

    for kind in ContactKind:
        names = contact_cells.get(f"contact:{kind}:name", [])
        phone_cells = contact_cells.get(f"contact:{kind}:phones", [])
        if not names and not phone_cells:
            continue
        phones: list[str] = []
        for cell in phone_cells:
            try:
                phones += SPECS["phones"].coerce(phones_input(cell))
            except ValueError as exc:
                problem(None, f"{kind}电话", f"「{kind}电话」{str(exc).split('」', 1)[-1]}", "warning")
        who = [n for cell in names for n in _split_names(str(cell))]
        if not who:
            who = [f"（{kind}）"]
        for i, name in enumerate(who):
            mine = [phones[i]] if len(who) == len(phones) else phones if i == 0 else []
            data.contacts.append({"kind": kind.value, "name": name, "phones": mine})

    if "name" not in data.values and not any(i.field == "name" for i in issues):
        problem("name", SPECS["name"].label, "「姓名」不能为空")
    return data
