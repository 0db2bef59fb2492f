"""Choice lists. The stored value is the Chinese word itself: it is what the officer reads,
types into Excel and sees on paper, so there is no code-to-label table to keep in step."""

from __future__ import annotations

from enum import StrEnum


class Sex(StrEnum):
    MALE = "男"
    FEMALE = "女"


class Category(StrEnum):
    LIXIU = "离休"
    TUIXIU = "退休"
    NEITUI = "内退"


class Status(StrEnum):
    ACTIVE = "在册"
    DECEASED = "已故"
    MOVED_OUT = "迁出"


class Rank(StrEnum):
    """Ordered from highest: condolence rules compare ranks (副科级以上)."""

    BUREAU = "厅局级"
    DIVISION = "正处级"
    DEPUTY_DIVISION = "副处级"
    SECTION = "正科级"
    DEPUTY_SECTION = "副科级"
    STAFF = "科员"
    CLERK = "办事员"
    WORKER = "工人"
    OTHER = "其他"


RANK_ORDER: dict[str, int] = {r.value: i for i, r in enumerate(Rank)}


class PoliticalStatus(StrEnum):
    CPC = "中共党员"
    PROBATIONARY = "中共预备党员"
    DEMOCRATIC = "民主党派"
    MASSES = "群众"


class LabourModel(StrEnum):
    NONE = "无"
    NATIONAL = "全国劳模"
    PROVINCIAL = "省部级劳模"
    CITY = "市级劳模"
    COMPANY = "企业劳模"


class Health(StrEnum):
    GOOD = "良好"
    FAIR = "一般"
    POOR = "较差"
    SERIOUS = "重病"


class SelfCare(StrEnum):
    FULL = "完全自理"
    PARTIAL = "部分自理"
    NONE = "不能自理"


class Living(StrEnum):
    WITH_FAMILY = "与子女同住"
    EMPTY_NEST = "空巢"
    ALONE = "独居"
    SOLITARY = "孤老"
    ELDER_CARES_ELDER = "一老养一老"
    CARE_HOME = "养老机构"
    OTHER = "其他"


class Calendar(StrEnum):
    SOLAR = "公历"
    LUNAR = "农历"


class ContactKind(StrEnum):
    SPOUSE = "配偶"
    CHILD = "子女"
    EMERGENCY = "紧急联系人"
    RELATIVE = "其他亲属"


class BenefitItem(StrEnum):
    PENSION = "基本养老金"
    ANNUITY = "职业年金"
    ENTERPRISE_ANNUITY = "企业年金"
    AGE_ALLOWANCE = "高龄补贴"
    HEATING = "取暖费"
    NURSING = "护理补贴"
    ONLY_CHILD = "独生子女费"
    MEDICAL = "医疗补助"
    OTHER = "其他"


class Period(StrEnum):
    MONTHLY = "每月"
    QUARTERLY = "每季"
    YEARLY = "每年"
    ONCE = "一次性"


class NoticeKind(StrEnum):
    PENSION_ADJUST = "调待通知"
    HEALTH_CHECK = "体检通知"
    ELIGIBILITY = "资格认证"
    ACTIVITY = "活动通知"
    POLICY = "政策宣传"
    OTHER = "其他"


class DeliveryMethod(StrEnum):
    HOME = "上门"
    PHONE = "电话"
    SMS = "短信"
    LETTER = "信件"
    WECHAT = "微信"


class VisitKind(StrEnum):
    HOME = "家访"
    PHONE = "电话联系"
    HOSPITAL = "住院慰问"
    FAMILY_EVENT = "家庭大事"
    SPRING_FESTIVAL = "春节走访"
    BIRTHDAY = "生日祝寿"
    GOLDEN_WEDDING = "金婚祝贺"
    HARDSHIP = "困难帮扶"
    CONDOLENCE = "丧事慰问"
    LETTER = "信件"
    OTHER = "其他"


class CaseKind(StrEnum):
    HOSPITAL = "住院"
    FAMILY_EVENT = "家庭大事"
    HARDSHIP = "困难"
    BEREAVEMENT = "丧事"


class PaymentKind(StrEnum):
    CONDOLENCE = "丧事慰问"
    HOSPITAL = "住院慰问"
    HARDSHIP = "困难帮扶"
    FESTIVAL = "节日慰问"
    BIRTHDAY = "生日祝寿"
    WEDDING = "金婚祝贺"
    OTHER = "其他"


class UnitLevel(StrEnum):
    HEADQUARTERS = "总部"
    UNIT = "单位"
