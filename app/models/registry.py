"""The field registry: every card field declared once.

Forms, Excel import and export and PDF columns all read their label, header synonyms,
choices, format and privacy class from here, so no label is typed twice (house rule 4).

``FieldSpec.coerce`` turns what a person typed (or an Excel cell held) into the stored value
and raises ``ValueError`` with a Chinese message; ``FieldSpec.format`` turns a stored value
back into display text; ``FieldSpec.display`` additionally masks sensitive values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from app.models import enums as E
from app.models.partial_date import PartialDate


class Kind(StrEnum):
    TEXT = "text"
    NAME = "name"
    CHOICE = "choice"
    DATE = "date"
    PARTIAL_DATE = "partial_date"
    MONEY = "money"
    INT = "int"
    BOOL = "bool"
    PHONES = "phones"
    ID_NUMBER = "id_number"
    REF = "ref"


class Privacy(StrEnum):
    PUBLIC = "public"  # may go on any sheet
    PERSONAL = "personal"  # personal data needed for the work (address, health)
    SENSITIVE = "sensitive"  # masked wherever not strictly needed (ID number, phones)


class Card(StrEnum):
    BASIC = "basic"
    BENEFITS = "benefits"
    CONTACTS = "contacts"
    NOTICES = "notices"
    VISITS = "visits"
    CASES = "cases"
    PAYMENTS = "payments"
    BUDGETS = "budgets"
    GROUPS = "groups"
    UNITS = "units"


CARD_LABELS: dict[Card, str] = {
    Card.BASIC: "基本信息卡",
    Card.BENEFITS: "待遇明细卡",
    Card.CONTACTS: "通信联系卡",
    Card.NOTICES: "工作告知卡",
    Card.VISITS: "走访记录",
    Card.CASES: "慰问事项",
    Card.PAYMENTS: "慰问金发放",
    Card.BUDGETS: "专项经费",
    Card.GROUPS: "联络小组",
    Card.UNITS: "单位",
}

_TRUE = {"是", "有", "√", "✓", "y", "yes", "true", "1", "t"}
_FALSE = {"否", "无", "×", "n", "no", "false", "0", "f", ""}


_HALF_WIDTH = {c: c - 0xFEE0 for c in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}
_HALF_WIDTH[0x3000] = 0x20


def clean_text(value: Any) -> str:
    """Trimmed, inner whitespace collapsed, full-width letters and digits made half-width.
    Chinese punctuation (，：（）) is kept as typed: it is correct in Chinese text."""
    text = str(value).translate(_HALF_WIDTH)
    return re.sub(r"\s+", " ", text).strip()


def yuan_to_fen(value: Any) -> int:
    """'500', '500.5', '¥500.00', '500元', 500, 500.5 (yuan) → fen."""
    if isinstance(value, bool):
        raise ValueError("金额格式不正确")
    if isinstance(value, int):
        return value * 100
    text = clean_text(value).replace(",", "").replace("，", "").replace("．", ".")
    text = text.removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"金额格式不正确：{value}") from None
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"金额最多精确到分：{value}")
    if fen < 0:
        raise ValueError(f"金额不能为负数：{value}")
    return int(fen)


def format_money(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: Kind
    card: Card
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    # Choices that are only suggestions: other text is accepted (an editable drop-down).
    open_choices: bool = False
    required: bool = False
    privacy: Privacy = Privacy.PUBLIC
    width: int = 10  # in characters, for Excel and PDF columns
    help: str = ""
    ref_table: str | None = None
    headers: tuple[str, ...] = field(init=False, default=())

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", (self.label, *self.synonyms))

    # -- input ---------------------------------------------------------------------------
    def coerce(self, value: Any) -> Any:
        """Stored value for ``value``. Strings are what a person typed: money in yuan, dates in
        any common form. Typed values pass through checked: money as ``int`` is already fen."""
        if value is None or (isinstance(value, str) and clean_text(value) == ""):
            if self.required:
                raise ValueError(f"「{self.label}」不能为空")
            return [] if self.kind is Kind.PHONES else (False if self.kind is Kind.BOOL else None)
        match self.kind:
            case Kind.TEXT | Kind.REF:
                return clean_text(value)
            case Kind.NAME:
                # 张　三 and "张 三" are the same name in a roster; "Li Ming" keeps its space.
                text = clean_text(value)
                return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", text)
            case Kind.CHOICE:
                text = clean_text(value)
                if self.choices and text not in self.choices and not self.open_choices:
                    raise ValueError(f"「{self.label}」只能是：{'、'.join(self.choices)}（填写了“{text}”）")
                return text
            case Kind.DATE:
                if isinstance(value, datetime):
                    return value.date()
                if isinstance(value, date):
                    return value
                pd = PartialDate.parse(value)
                full = pd.to_date()
                if full is None:
                    raise ValueError(f"「{self.label}」需要完整的年月日：{value}")
                return full
            case Kind.PARTIAL_DATE:
                return PartialDate.parse(value).iso()
            case Kind.MONEY:
                if isinstance(value, int) and not isinstance(value, bool):
                    if value < 0:
                        raise ValueError(f"「{self.label}」不能为负数")
                    return value
                return yuan_to_fen(value)
            case Kind.INT:
                try:
                    return int(clean_text(value)) if isinstance(value, str) else int(value)
                except (TypeError, ValueError):
                    raise ValueError(f"「{self.label}」应为整数：{value}") from None
            case Kind.BOOL:
                if isinstance(value, bool):
                    return value
                text = clean_text(value).lower()
                if text in _TRUE:
                    return True
                if text in _FALSE:
                    return False
                raise ValueError(f"「{self.label}」应为“是”或“否”：{value}")
            case Kind.PHONES:
                from app.services.phones import normalize_phones

                cells = value if isinstance(value, list | tuple) else [value]
                good: list[str] = []
                bad: list[str] = []
                for cell in cells:
                    ok, wrong = normalize_phones(str(cell))
                    good += [p for p in ok if p not in good]
                    bad += wrong
                if bad:
                    raise ValueError(f"「{self.label}」格式不正确：{'、'.join(bad)}")
                return good
            case Kind.ID_NUMBER:
                from app.services.idcard import normalize_id_number

                return normalize_id_number(str(value))
        raise AssertionError(self.kind)

    def check_stored(self, value: Any) -> str | None:
        """Is ``value`` (not None) well formed as already stored — a bundle's values are
        canonical, so this checks shape, not spelling, and is much cheaper than ``coerce``?
        Returns a Chinese message, or None when it is fine."""
        kind = self.kind
        if kind in (Kind.TEXT, Kind.NAME, Kind.REF):
            ok = isinstance(value, str)
        elif kind is Kind.CHOICE:
            ok = isinstance(value, str) and (self.open_choices or not self.choices or value in self.choices)
        elif kind is Kind.DATE:
            # A date, or ISO text (a bundle's, whose format the reader has already checked).
            ok = isinstance(value, date) or (isinstance(value, str) and len(value) == 10)
        elif kind is Kind.PARTIAL_DATE:
            try:
                ok = isinstance(value, str) and PartialDate.from_iso(value).iso() == value
            except ValueError:
                ok = False
        elif kind in (Kind.MONEY, Kind.INT):
            ok = isinstance(value, int) and not isinstance(value, bool) and (kind is Kind.INT or value >= 0)
        elif kind is Kind.BOOL:
            ok = isinstance(value, bool)
        elif kind is Kind.PHONES:
            from app.services.phones import is_valid_phone

            ok = isinstance(value, list) and all(isinstance(p, str) and is_valid_phone(p) for p in value)
        else:  # ID number: checksum and date must hold
            from app.services.idcard import normalize_id_number

            try:
                ok = isinstance(value, str) and normalize_id_number(value) == value
            except ValueError:
                ok = False
        return None if ok else f"「{self.label}」的值无效：{value!r}"[:120]

    # -- output --------------------------------------------------------------------------
    def format(self, value: Any) -> str:
        if value is None:
            return ""
        match self.kind:
            case Kind.MONEY:
                return format_money(value)
            case Kind.BOOL:
                return "是" if value else "否"
            case Kind.PARTIAL_DATE:
                return PartialDate.from_iso(value).display() if value else ""
            case Kind.DATE:
                return value.isoformat() if isinstance(value, date) else str(value)
            case Kind.PHONES:
                return "、".join(value)
        return str(value)

    def display(self, value: Any, *, reveal: bool = False) -> str:
        """``format`` with sensitive values masked unless ``reveal``."""
        if reveal or self.privacy is not Privacy.SENSITIVE or value in (None, "", []):
            return self.format(value)
        if self.kind is Kind.ID_NUMBER:
            from app.services.idcard import mask_id_number

            return mask_id_number(value)
        if self.kind is Kind.PHONES:
            from app.services.phones import mask_phone

            return "、".join(mask_phone(p) for p in value)
        return "*" * len(self.format(value))


def _choices(enum: type[StrEnum]) -> tuple[str, ...]:
    return tuple(e.value for e in enum)


F = FieldSpec
K = Kind
P = Privacy

RETIREE_FIELDS: tuple[FieldSpec, ...] = (
    F("name", "姓名", K.NAME, Card.BASIC, ("名字", "人员姓名", "职工姓名"), required=True, width=8),
    F("sex", "性别", K.CHOICE, Card.BASIC, (), _choices(E.Sex), width=4),
    F("birth_date", "出生日期", K.PARTIAL_DATE, Card.BASIC,
      ("出生年月", "出生年月日", "生日", "出生时间"), privacy=P.PERSONAL, width=10),
    F("birthday_calendar", "生日历法", K.CHOICE, Card.BASIC, ("公历/农历", "过农历生日"),
      _choices(E.Calendar), width=6),
    F("id_number", "身份证号", K.ID_NUMBER, Card.BASIC,
      ("身份证号码", "公民身份号码", "身份证", "证件号码", "身份证件号码"), privacy=P.SENSITIVE, width=20),
    F("ethnicity", "民族", K.TEXT, Card.BASIC, (), width=6),
    F("category", "人员类别", K.CHOICE, Card.BASIC, ("类别", "离退休类别", "离退类别", "人员类型"),
      _choices(E.Category), width=6),
    F("retire_date", "离退休时间", K.PARTIAL_DATE, Card.BASIC,
      ("退休时间", "退休日期", "离休时间", "离退休日期", "退休年月"), width=10),
    F("former_post", "原职务", K.TEXT, Card.BASIC, ("职务", "原任职务", "退休前职务"), width=12),
    F("rank", "职级", K.CHOICE, Card.BASIC, ("级别", "原职级", "待遇级别", "行政级别"),
      _choices(E.Rank), open_choices=True, width=8),
    F("political_status", "政治面貌", K.CHOICE, Card.BASIC, ("党员", "是否党员"),
      _choices(E.PoliticalStatus), open_choices=True, width=8),
    F("party_branch", "所在党支部", K.TEXT, Card.BASIC, ("党支部", "支部", "党组织"), width=12),
    F("labour_model", "劳模等级", K.CHOICE, Card.BASIC, ("劳模", "劳动模范", "荣誉称号"),
      _choices(E.LabourModel), open_choices=True, width=8),
    F("health", "健康状况", K.CHOICE, Card.BASIC, ("健康", "身体状况"), _choices(E.Health),
      open_choices=True, privacy=P.PERSONAL, width=6),
    F("self_care", "自理能力", K.CHOICE, Card.BASIC, ("自理情况", "生活自理", "是否自理"),
      _choices(E.SelfCare), privacy=P.PERSONAL, width=8),
    F("living", "居住状况", K.CHOICE, Card.BASIC, ("居住情况", "居住类型", "家庭状况"),
      _choices(E.Living), privacy=P.PERSONAL, width=8),
    F("returned_home", "返乡", K.BOOL, Card.BASIC, ("是否返乡", "返乡居住", "异地居住"), width=4),
    F("hometown", "返乡地址", K.TEXT, Card.BASIC, ("原籍", "异地居住地址", "籍贯"),
      privacy=P.PERSONAL, width=16),
    F("group_id", "联络小组", K.REF, Card.BASIC, ("小组", "所在小组", "联络组", "片区"),
      ref_table="liaison_groups", width=10),
    F("status", "状态", K.CHOICE, Card.BASIC, ("人员状态", "在册状态"), _choices(E.Status), width=4),
    F("death_date", "去世日期", K.PARTIAL_DATE, Card.BASIC, ("去世时间", "死亡日期", "逝世时间"), width=10),
    F("moved_out_date", "迁出日期", K.PARTIAL_DATE, Card.BASIC, ("迁出时间",), width=10),
    F("skills", "特长（银色人才）", K.TEXT, Card.BASIC, ("特长", "专长", "银色人才"), width=12),
    F("note", "备注", K.TEXT, Card.BASIC, ("说明", "其他"), width=16),
    F("phones", "联系电话", K.PHONES, Card.CONTACTS,
      ("电话", "手机", "手机号", "手机号码", "电话号码", "联系方式", "固定电话", "家庭电话"),
      privacy=P.SENSITIVE, width=16),
    F("address", "家庭住址", K.TEXT, Card.CONTACTS,
      ("现住址", "住址", "居住地址", "家庭地址", "现居住地址", "通讯地址", "地址"),
      privacy=P.PERSONAL, width=24),
    F("best_call_time", "方便联系时间", K.TEXT, Card.CONTACTS, ("联系时间",), width=10),
)

CONTACT_FIELDS: tuple[FieldSpec, ...] = (
    F("retiree_id", "人员", K.REF, Card.CONTACTS, (), required=True, ref_table="retirees"),
    F("kind", "联系人类别", K.CHOICE, Card.CONTACTS, ("类别",), _choices(E.ContactKind), required=True),
    F("name", "联系人姓名", K.NAME, Card.CONTACTS, ("联系人",), required=True, width=8),
    F("relation", "关系", K.TEXT, Card.CONTACTS, ("与本人关系",), width=6),
    F("phones", "联系人电话", K.PHONES, Card.CONTACTS, ("联系人手机",), privacy=P.SENSITIVE, width=16),
    F("address", "联系人住址", K.TEXT, Card.CONTACTS, (), privacy=P.PERSONAL, width=24),
    F("marriage_date", "结婚日期", K.PARTIAL_DATE, Card.CONTACTS, ("结婚时间", "结婚年月"), width=10),
    F("alive", "健在", K.BOOL, Card.CONTACTS, ("是否健在",), width=4),
    F("best_call_time", "方便联系时间", K.TEXT, Card.CONTACTS, (), width=10),
    F("note", "备注", K.TEXT, Card.CONTACTS, (), width=16),
)

BENEFIT_FIELDS: tuple[FieldSpec, ...] = (
    F("retiree_id", "人员", K.REF, Card.BENEFITS, (), required=True, ref_table="retirees"),
    F("item", "待遇项目", K.CHOICE, Card.BENEFITS, ("项目",), _choices(E.BenefitItem),
      open_choices=True, required=True, width=10),
    F("amount_fen", "金额", K.MONEY, Card.BENEFITS, ("金额（元）", "标准"), required=True,
      privacy=P.PERSONAL, width=10),
    F("period", "发放周期", K.CHOICE, Card.BENEFITS, ("周期",), _choices(E.Period), width=6),
    F("effective_from", "起始日期", K.DATE, Card.BENEFITS, ("生效日期", "起始时间"), width=10),
    F("effective_to", "截止日期", K.DATE, Card.BENEFITS, ("终止日期",), width=10),
    F("note", "备注", K.TEXT, Card.BENEFITS, (), width=16),
)

NOTICE_FIELDS: tuple[FieldSpec, ...] = (
    F("title", "告知事项", K.TEXT, Card.NOTICES, ("通知名称", "标题"), required=True, width=20),
    F("kind", "通知类别", K.CHOICE, Card.NOTICES, (), _choices(E.NoticeKind), width=8),
    F("content", "通知内容", K.TEXT, Card.NOTICES, (), width=30),
    F("issued_date", "发布日期", K.DATE, Card.NOTICES, (), width=10),
    F("issued_by", "发布单位", K.TEXT, Card.NOTICES, (), width=12),
    F("due_date", "告知截止日期", K.DATE, Card.NOTICES, (), width=10),
)

DELIVERY_FIELDS: tuple[FieldSpec, ...] = (
    F("retiree_id", "人员", K.REF, Card.NOTICES, (), required=True, ref_table="retirees"),
    F("notice_id", "告知事项", K.REF, Card.NOTICES, (), required=True, ref_table="notices"),
    F("method", "告知方式", K.CHOICE, Card.NOTICES, (), _choices(E.DeliveryMethod), required=True, width=6),
    F("delivered_on", "告知日期", K.DATE, Card.NOTICES, (), required=True, width=10),
    F("delivered_by", "告知人", K.TEXT, Card.NOTICES, ("经办人",), width=8),
    F("told_whom", "被告知人", K.TEXT, Card.NOTICES, (), width=8),
    F("acknowledged", "已确认知晓", K.BOOL, Card.NOTICES, ("是否知晓",), width=6),
    F("note", "备注", K.TEXT, Card.NOTICES, (), width=16),
)

VISIT_FIELDS: tuple[FieldSpec, ...] = (
    F("retiree_id", "人员", K.REF, Card.VISITS, (), required=True, ref_table="retirees"),
    F("kind", "走访类型", K.CHOICE, Card.VISITS, ("类型", "方式"), _choices(E.VisitKind), required=True, width=8),
    F("visit_date", "走访日期", K.DATE, Card.VISITS, ("日期", "时间"), required=True, width=10),
    F("visitors", "走访人", K.TEXT, Card.VISITS, ("慰问人", "经办人"), width=12),
    F("summary", "情况记录", K.TEXT, Card.VISITS, ("情况", "走访情况", "内容"), width=30),
    F("money_fen", "慰问金", K.MONEY, Card.VISITS, ("金额",), width=8),
    F("gifts", "慰问品", K.TEXT, Card.VISITS, ("物品",), width=12),
    F("follow_up", "后续事项", K.TEXT, Card.VISITS, ("需办事项", "跟进"), width=16),
    F("follow_up_done", "已跟进", K.BOOL, Card.VISITS, (), width=4),
    F("case_id", "关联事项", K.REF, Card.VISITS, (), ref_table="care_cases"),
)

CASE_FIELDS: tuple[FieldSpec, ...] = (
    F("retiree_id", "人员", K.REF, Card.CASES, (), required=True, ref_table="retirees"),
    F("kind", "事项类别", K.CHOICE, Card.CASES, (), _choices(E.CaseKind), required=True, width=6),
    F("opened_on", "开始日期", K.DATE, Card.CASES, (), required=True, width=10),
    F("closed_on", "结束日期", K.DATE, Card.CASES, (), width=10),
    F("summary", "情况", K.TEXT, Card.CASES, (), width=30),
    F("place", "地点（医院）", K.TEXT, Card.CASES, ("医院",), width=16),
    F("note", "备注", K.TEXT, Card.CASES, (), width=16),
)

PAYMENT_FIELDS: tuple[FieldSpec, ...] = (
    F("retiree_id", "人员", K.REF, Card.PAYMENTS, (), required=True, ref_table="retirees"),
    F("kind", "发放类别", K.CHOICE, Card.PAYMENTS, (), _choices(E.PaymentKind), required=True, width=8),
    F("amount_fen", "金额", K.MONEY, Card.PAYMENTS, (), required=True, width=10),
    F("paid_on", "发放日期", K.DATE, Card.PAYMENTS, (), required=True, width=10),
    F("fund_year", "经费年度", K.INT, Card.PAYMENTS, (), width=6),
    F("visit_id", "关联走访", K.REF, Card.PAYMENTS, (), ref_table="visits"),
    F("case_id", "关联事项", K.REF, Card.PAYMENTS, (), ref_table="care_cases"),
    F("payee", "领款人", K.TEXT, Card.PAYMENTS, (), width=8),
    F("approved_by", "审批人", K.TEXT, Card.PAYMENTS, (), width=8),
    F("note", "备注", K.TEXT, Card.PAYMENTS, (), width=16),
)

BUDGET_FIELDS: tuple[FieldSpec, ...] = (
    F("year", "年度", K.INT, Card.BUDGETS, (), required=True, width=6),
    F("amount_fen", "预算金额", K.MONEY, Card.BUDGETS, (), required=True, width=12),
    F("note", "备注", K.TEXT, Card.BUDGETS, (), width=16),
)

GROUP_FIELDS: tuple[FieldSpec, ...] = (
    F("name", "小组名称", K.TEXT, Card.GROUPS, ("联络小组", "小组"), required=True, width=10),
    F("area", "片区（街道）", K.TEXT, Card.GROUPS, ("片区", "街道"), width=12),
    F("leader_id", "组长", K.REF, Card.GROUPS, (), ref_table="retirees", width=8),
    F("leader_phone", "组长电话", K.TEXT, Card.GROUPS, (), privacy=P.PERSONAL, width=14),
    F("note", "备注", K.TEXT, Card.GROUPS, (), width=16),
)

UNIT_FIELDS: tuple[FieldSpec, ...] = (
    F("code", "单位代码", K.TEXT, Card.UNITS, (), required=True, width=10),
    F("name", "单位名称", K.TEXT, Card.UNITS, (), required=True, width=20),
    F("parent_id", "上级单位", K.REF, Card.UNITS, (), ref_table="units", width=12),
    F("level", "层级", K.CHOICE, Card.UNITS, (), _choices(E.UnitLevel), width=6),
    F("contact_person", "联系人", K.TEXT, Card.UNITS, (), width=8),
    F("contact_phone", "联系电话", K.TEXT, Card.UNITS, (), width=14),
    F("note", "备注", K.TEXT, Card.UNITS, (), width=16),
)

# Table name → its user-editable fields, in form order.
REGISTRY: dict[str, tuple[FieldSpec, ...]] = {
    "retirees": RETIREE_FIELDS,
    "contacts": CONTACT_FIELDS,
    "benefits": BENEFIT_FIELDS,
    "notices": NOTICE_FIELDS,
    "notice_deliveries": DELIVERY_FIELDS,
    "visits": VISIT_FIELDS,
    "care_cases": CASE_FIELDS,
    "payments": PAYMENT_FIELDS,
    "fund_budgets": BUDGET_FIELDS,
    "liaison_groups": GROUP_FIELDS,
    "units": UNIT_FIELDS,
}

_BY_NAME: dict[str, dict[str, FieldSpec]] = {t: {f.name: f for f in fs} for t, fs in REGISTRY.items()}


def fields(table: str) -> tuple[FieldSpec, ...]:
    return REGISTRY[table]


def spec(table: str, name: str) -> FieldSpec:
    return _BY_NAME[table][name]


def label(table: str, name: str) -> str:
    return _BY_NAME[table][name].label


def card_fields(card: Card, table: str = "retirees") -> tuple[FieldSpec, ...]:
    return tuple(f for f in REGISTRY[table] if f.card is card)


def normalize_header(text: Any) -> str:
    """Header text as compared with labels and synonyms: no spaces, no brackets' content
    differences such as 全角/半角, no trailing colon or asterisk."""
    t = clean_text(text).replace(" ", "")
    t = t.replace("（", "(").replace("）", ")").rstrip(":：*＊")
    return t


def match_header(text: Any, table: str = "retirees") -> FieldSpec | None:
    """The field a spreadsheet column header names, by label or synonym."""
    wanted = normalize_header(text)
    if not wanted:
        return None
    for f in REGISTRY[table]:
        if any(normalize_header(h) == wanted for h in f.headers):
            return f
    return None
