"""Realistic demo data: the ``demo`` command, ``make run`` and the benchmarks.

Chinese names, valid ID numbers, addresses grouped by street, liaison groups of about 15
with leaders, three years of visits and calls, benefit histories, spouses and children,
some deceased, some in hospital, some living alone. Deterministic for a given seed.

Rows are written in bulk (one audit row per run, not per record): a 100,000-person data set
would otherwise take minutes, and demo data has no history worth auditing.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from app.models import (
    AuditEntry,
    Benefit,
    CareCase,
    Contact,
    FundBudget,
    LiaisonGroup,
    Notice,
    NoticeDelivery,
    Payment,
    Retiree,
    SearchEntry,
    Visit,
    utcnow,
)
from app.models.enums import Rank
from app.services import care_state, search
from app.services.context import get_setting
from app.services.errors import ServiceError
from app.services.idcard import make_id_number
from app.services.units import init_self_unit

Progress = Callable[[int, int, str], None]

SURNAMES = (
    "王王王李李李张张张刘刘陈陈杨杨黄赵赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    "于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾"
    "毛郝龚邵万钱严武戴孔汤"
)
GIVEN_MALE = (
    "建国", "建华", "国庆", "国强", "德明", "志强", "振华", "文革", "卫东", "红军", "长江", "金生", "永生",
    "福生", "保国", "立新", "庆华", "宝山", "树林", "玉林", "明", "强", "军", "刚", "勇", "斌", "杰", "涛",
    "伟", "平", "林", "华", "忠", "诚", "海", "兵", "宏伟", "志明", "家祥", "世昌", "春生", "连成",
)
GIVEN_FEMALE = (
    "秀英", "桂英", "秀兰", "玉兰", "桂兰", "淑珍", "凤英", "玉珍", "素珍", "淑英", "桂芳", "秀珍", "丽华",
    "红梅", "美华", "翠花", "慧敏", "玉梅", "秀云", "桂珍", "兰", "芳", "敏", "静", "丽", "霞", "燕", "娟",
    "红", "萍", "英", "琴", "淑芬", "建平", "亚琴", "雪梅", "桂香", "凤兰",
)
# (region code of the residence's district, city + district, streets)
DISTRICTS = (
    ("110101", "北京市东城区", ("东四北大街", "朝阳门内大街", "和平里东街", "安定门外大街", "东直门南大街")),
    ("110105", "北京市朝阳区", ("建国路", "光华路", "团结湖路", "劲松路", "潘家园路", "望京西路", "安立路")),
    ("110108", "北京市海淀区", ("学院路", "中关村大街", "万寿路", "紫竹院路", "花园路")),
    ("110106", "北京市丰台区", ("丰台北路", "方庄路", "蒲黄榆路", "马家堡东路")),
)
HOMETOWNS = ("河北省保定市", "山东省德州市", "河南省商丘市", "山西省大同市", "江苏省徐州市", "辽宁省锦州市")
HOSPITALS = ("北京协和医院", "朝阳医院", "北京医院", "人民医院", "中日友好医院", "社区卫生服务中心")
POSTS = ("工程师", "会计", "车间主任", "科长", "处长", "技术员", "调度员", "教师", "司机", "电工", "办事员", "副处长")
VISITORS = ("王主任、李干事", "刘书记、赵干事", "张主任", "离退休办 李干事", "工会 陈主席、李干事")
SUMMARIES = (
    "身体状况良好，精神不错，对单位的关心表示感谢。",
    "老人腿脚不便，子女每周探望，反映小区电梯维修问题。",
    "近期血压偏高，已提醒按时服药。",
    "老伴住院，本人情绪稳定，需继续关注。",
    "生活自理，参加社区合唱团活动。",
    "询问调待政策，已现场解答。",
    "独自居住，已留下紧急联系电话，约定每周电话问候。",
)
CALL_SUMMARIES = ("电话问候，身体尚好。", "电话联系，告知体检安排。", "电话问候，本人不在，家属代接。",
                  "电话联系，反映医药费报销问题，已转相关部门。")


@dataclass
class DemoResult:
    unit_id: str
    retirees: int
    groups: int
    visits: int
    rows: int


class Cancelled(ServiceError):
    def __init__(self) -> None:
        super().__init__("操作已取消，数据未改动。")


class _Gen:
    def __init__(self, seed: int, today: date, unit_id: str, actor: str) -> None:
        self.rng = random.Random(seed)
        self.today = today
        self.unit_id = unit_id
        self.actor = actor
        self.now = utcnow()

    def uid(self) -> str:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4).hex

    def base(self) -> dict[str, Any]:
        return {"id": self.uid(), "unit_id": self.unit_id, "rev": 1, "field_revs": {},
                "updated_at": self.now, "updated_by": self.actor, "deleted": False}

    def day_between(self, a: date, b: date) -> date:
        return a + timedelta(days=self.rng.randint(0, max((b - a).days, 0)))

    def mobile(self) -> str:
        return self.rng.choice(("13", "15", "18", "13", "17")) + f"{self.rng.randint(0, 999999999):09d}"


def generate_demo(session: Session, count: int, seed: int = 1, *, today: date | None = None,
                  actor: str = "演示数据", unit_name: str = "演示供电公司", unit_code: str = "DEMO",
                  progress: Progress | None = None,
                  cancel: Callable[[], bool] | None = None) -> DemoResult:
    """Add ``count`` demo retirees (and everything around them) to the database.

    Creates the unit when the database has none. Everything happens in the caller's
    transaction, so a cancel (``cancel()`` returning True) leaves nothing behind."""
    if count < 1:
        raise ServiceError("人数至少为 1")
    today = today or date.today()
    unit_id = get_setting(session, "self_unit_id")
    if not unit_id:
        unit_id = init_self_unit(session, unit_name, unit_code, actor=actor).id
    g = _Gen(seed, today, unit_id, actor)
    rng = g.rng
    report = progress or (lambda _d, _t, _s: None)

    # People, sorted by where they live so that groups are neighbours.
    people: list[dict[str, Any]] = []
    for i in range(count):
        region, city, streets = rng.choice(DISTRICTS)
        street = rng.choice(streets)
        male = rng.random() < 0.55
        birth = g.day_between(date(1928, 1, 1), date(today.year - 58, 12, 31))
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_MALE if male else GIVEN_FEMALE)
        compound = rng.randint(1, 60)
        building = rng.randint(1, 12)
        address = f"{city}{street}{compound}号院{building}号楼{rng.randint(1, 6)}单元{rng.randint(1, 18)}0{rng.randint(1, 4)}"
        r = g.base()
        has_id = rng.random() > 0.03
        partial = not has_id and rng.random() < 0.7
        category = "离休" if birth.year < 1932 else ("内退" if rng.random() < 0.07 else "退休")
        rank = rng.choices([rk.value for rk in Rank],
                           weights=(1, 3, 5, 9, 12, 25, 15, 28, 2))[0]
        age = today.year - birth.year
        living = rng.choices(("与子女同住", "空巢", "独居", "孤老", "一老养一老", "养老机构"),
                             weights=(40, 30, 14, 3, 8, 5))[0]
        self_care = rng.choices(("完全自理", "部分自理", "不能自理"),
                                weights=(80, 15, 5) if age < 80 else (55, 30, 15))[0]
        r.update(
            name=name,
            sex="男" if male else "女",
            birth_date=(birth.strftime("%Y-%m") if partial else birth.isoformat()),
            birthday_calendar="农历" if rng.random() < 0.25 else "公历",
            id_number=make_id_number(region, birth, rng.randrange(1 if male else 0, 1000, 2)) if has_id else None,
            ethnicity="汉族" if rng.random() < 0.94 else rng.choice(("回族", "满族", "蒙古族")),
            category=category,
            retire_date=date(birth.year + (60 if male else 55), birth.month, 1).strftime("%Y-%m"),
            former_post=rng.choice(POSTS),
            rank=rank,
            political_status="中共党员" if rng.random() < 0.42 else "群众",
            party_branch=None,
            labour_model=rng.choice(("市级劳模", "企业劳模", "省部级劳模")) if rng.random() < 0.03 else "无",
            health=rng.choices(("良好", "一般", "较差", "重病"), weights=(45, 35, 15, 5))[0],
            self_care=self_care,
            living=living,
            returned_home=False,
            hometown=None,
            group_id=None,
            status="在册",
            death_date=None,
            moved_out_date=None,
            skills=rng.choice(("书法", "摄影", "电气技术", "财务", "合唱", None, None, None, None, None)),
            note=None,
            phones=[g.mobile()] + ([f"010-{rng.randint(60000000, 89999999)}"] if rng.random() < 0.35 else []),
            address=address,
            best_call_time=rng.choice(("上午", "下午", "晚饭后", None)),
        )
        if r["political_status"] == "中共党员":
            r["party_branch"] = f"离退休第{rng.randint(1, 6)}党支部"
        if rng.random() < 0.03:
            r["returned_home"] = True
            r["hometown"] = rng.choice(HOMETOWNS)
        roll = rng.random()
        if roll < 0.05:
            r["status"] = "已故"
            r["death_date"] = g.day_between(today - timedelta(days=3 * 365), today - timedelta(days=1)).isoformat()
        elif roll < 0.06:
            r["status"] = "迁出"
            r["moved_out_date"] = g.day_between(today - timedelta(days=3 * 365), today).strftime("%Y-%m")
        people.append(r)
        r["_sort"] = (city, street, compound, building)
        r["_birth"] = birth
        if i % 5000 == 0:
            report(i, count, "生成人员")
            if cancel and cancel():
                raise Cancelled()
    people.sort(key=lambda p: p["_sort"])

    # Liaison groups of about 15 neighbours, each led by an able member.
    groups: list[dict[str, Any]] = []
    by_street: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for p in people:
        by_street.setdefault(p["_sort"][:2], []).append(p)
    for (_city, street), residents in by_street.items():
        n_groups = max(1, round(len(residents) / 15))
        per = -(-len(residents) // n_groups)
        for k in range(n_groups):
            members = residents[k * per:(k + 1) * per]
            if not members:
                continue
            grp = g.base()
            able = [m for m in members if m["status"] == "在册" and m["self_care"] == "完全自理"] or members
            leader = able[0]
            grp.update(name=f"{street}第{k + 1}组", area=street, leader_id=leader["id"],
                       leader_phone=leader["phones"][0], note=None)
            for m in members:
                m["group_id"] = grp["id"]
            groups.append(grp)

    rows: dict[type, list[dict[str, Any]]] = {m: [] for m in (
        Benefit, Contact, Visit, CareCase, Payment, FundBudget, Notice, NoticeDelivery)}
    years = [today.year - 2, today.year - 1, today.year]
    for y in years:
        b = g.base()
        b.update(year=y, amount_fen=max(count, 10) * 30000, note=f"{y}年送温暖专项经费")
        rows[FundBudget].append(b)
    notices = []
    for title, kind, when in (("2026年度养老金资格认证", "资格认证", date(today.year, 3, 1)),
                              ("离退休人员年度体检安排", "体检通知", date(today.year, 5, 10)),
                              ("基本养老金调整通知", "调待通知", date(today.year, 7, 1))):
        n = g.base()
        n.update(title=title.replace("2026", str(today.year)), kind=kind, content=None,
                 issued_date=min(when, today), issued_by=unit_name, due_date=None)
        notices.append(n)
    rows[Notice] = notices

    for done, r in enumerate(people, 1):
        if done % 2000 == 0:
            report(done, count, "生成走访与待遇记录")
            if cancel and cancel():
                raise Cancelled()
        birth = r.pop("_birth")
        r.pop("_sort")
        rid = r["id"]
        age = today.year - birth.year
        end = today
        if r["status"] == "已故":
            end = date.fromisoformat(r["death_date"])
        elif r["status"] == "迁出":
            end = date(int(r["moved_out_date"][:4]), int(r["moved_out_date"][5:7]), 1)
        # Benefits: a pension raised every July, the older raises closed.
        amount = rng.randint(3200, 9800) * 100
        raises = [date(y, 7, 1) for y in range(years[0] - 1, today.year + 1) if date(y, 7, 1) <= today]
        for k, frm in enumerate(raises):
            b = g.base()
            b.update(retiree_id=rid, item="基本养老金", amount_fen=amount, period="每月", effective_from=frm,
                     effective_to=raises[k + 1] - timedelta(days=1) if k + 1 < len(raises) else None, note=None)
            rows[Benefit].append(b)
            amount = int(amount * 1.03) // 100 * 100
        if age >= 80:
            b = g.base()
            b.update(retiree_id=rid, item="高龄补贴", amount_fen=10000 if age < 90 else 50000, period="每月",
                     effective_from=date(birth.year + 80, birth.month, 1), effective_to=None, note=None)
            rows[Benefit].append(b)
        b = g.base()
        b.update(retiree_id=rid, item="取暖费", amount_fen=rng.choice((180000, 240000, 300000)), period="每年",
                 effective_from=date(years[0], 11, 1), effective_to=None, note=None)
        rows[Benefit].append(b)
        # Contacts: spouse (with marriage date) and children.
        if r["living"] not in ("独居", "孤老") and rng.random() < 0.8:
            c = g.base()
            married = date(birth.year + rng.randint(22, 28), rng.randint(1, 12), rng.randint(1, 28))
            c.update(retiree_id=rid, kind="配偶", name=rng.choice(SURNAMES) + rng.choice(
                GIVEN_FEMALE if r["sex"] == "男" else GIVEN_MALE), relation="妻子" if r["sex"] == "男" else "丈夫",
                phones=[g.mobile()] if rng.random() < 0.6 else [], address=None,
                marriage_date=married.isoformat() if rng.random() < 0.8 else married.strftime("%Y-%m"),
                alive=True, best_call_time=None, note=None)
            rows[Contact].append(c)
        if r["living"] != "孤老":
            for k in range(rng.randint(1, 3)):
                c = g.base()
                son = rng.random() < 0.5
                c.update(retiree_id=rid, kind="子女" if k else rng.choice(("子女", "紧急联系人")),
                         name=r["name"][0] + rng.choice(GIVEN_MALE if son else GIVEN_FEMALE),
                         relation="儿子" if son else "女儿", phones=[g.mobile()], address=None,
                         marriage_date=None, alive=True, best_call_time=rng.choice(("晚上", "周末", None)),
                         note=None)
                rows[Contact].append(c)
        # Visits over three years: a home visit most quarters, calls some months.
        first = date(years[0], 1, 1)
        for q in range(12):
            qstart = date(years[0] + q // 4, (q % 4) * 3 + 1, 1)
            if qstart > end:
                break
            if rng.random() < 0.55:
                v = g.base()
                d = g.day_between(qstart, min(qstart + timedelta(days=88), end))
                v.update(retiree_id=rid, kind="家访", visit_date=d, visitors=rng.choice(VISITORS),
                         summary=rng.choice(SUMMARIES), money_fen=0, gifts=None, follow_up=None,
                         follow_up_done=False, case_id=None)
                rows[Visit].append(v)
            if rng.random() < 0.45:
                v = g.base()
                d = g.day_between(qstart, min(qstart + timedelta(days=88), end))
                v.update(retiree_id=rid, kind="电话联系", visit_date=d, visitors=rng.choice(VISITORS)[:3],
                         summary=rng.choice(CALL_SUMMARIES), money_fen=0, gifts=None, follow_up=None,
                         follow_up_done=False, case_id=None)
                rows[Visit].append(v)
        for y in years:
            sf = date(y, 1, 20)
            if sf <= end and (age >= 80 or r["living"] in ("独居", "孤老")) and rng.random() < 0.8:
                v = g.base()
                v.update(retiree_id=rid, kind="春节走访", visit_date=g.day_between(sf, sf + timedelta(days=14)),
                         visitors=rng.choice(VISITORS), summary="春节前走访慰问，送去节日问候。",
                         money_fen=50000, gifts="米、油", follow_up=None, follow_up_done=False, case_id=None)
                if v["visit_date"] <= end:
                    rows[Visit].append(v)
                    p = g.base()
                    p.update(retiree_id=rid, kind="节日慰问", amount_fen=50000, paid_on=v["visit_date"],
                             fund_year=y, visit_id=v["id"], case_id=None, payee=r["name"],
                             approved_by="王主任", note=None)
                    rows[Payment].append(p)
        # Hospital cases: a few now, some closed in the past.
        if r["status"] == "在册" and rng.random() < 0.03:
            opened = today - timedelta(days=rng.randint(1, 20))
            _case(g, rows, rid, "住院", opened, None, rng.choice(HOSPITALS), r["name"])
        elif rng.random() < 0.05 and end > first + timedelta(days=30):
            opened = g.day_between(first, end - timedelta(days=30))
            _case(g, rows, rid, "住院", opened, opened + timedelta(days=rng.randint(5, 25)),
                  rng.choice(HOSPITALS), r["name"])
        if r["status"] == "已故":
            _case(g, rows, rid, "丧事", end, end + timedelta(days=7), None, r["name"], money=50000)
        # Notices told (工作告知卡).
        if r["status"] == "在册":
            for n in notices:
                if rng.random() < 0.6:
                    d = g.base()
                    d.update(notice_id=n["id"], retiree_id=rid,
                             method=rng.choice(("上门", "电话", "电话", "短信")),
                             delivered_on=min(n["issued_date"] + timedelta(days=rng.randint(0, 20)), today),
                             delivered_by=rng.choice(("李干事", "赵干事")), told_whom="本人",
                             acknowledged=rng.random() < 0.9, note=None)
                    rows[NoticeDelivery].append(d)
    for m in (Benefit, Contact, CareCase, Visit, Payment, FundBudget, Notice, NoticeDelivery):
        for row in rows[m]:
            row["unit_id"] = unit_id

    report(count, count, "写入数据库")
    total = 0
    total += _bulk(session, LiaisonGroup, groups)
    total += _bulk(session, Retiree, people)
    for m in (Notice, NoticeDelivery, Benefit, Contact, CareCase, Visit, Payment, FundBudget):
        total += _bulk(session, m, rows[m])
    total += _bulk(session, SearchEntry, [search.entry_for(_Row(p)) for p in people])
    care_state.refresh(session, {v["retiree_id"] for v in rows[Visit]})
    session.add(AuditEntry(actor=actor, action="demo", table_name="retirees", record_id=unit_id,
                           new=f"生成演示数据 {count} 人（种子 {seed}）"))
    session.flush()
    return DemoResult(unit_id, count, len(groups), len(rows[Visit]), total)


class _Row:
    """Attribute access over a row dict, for the search index builder."""

    def __init__(self, d: dict[str, Any]) -> None:
        self.__dict__.update(d)


def _case(g: _Gen, rows: dict[type, list[dict[str, Any]]], rid: str, kind: str, opened: date,
          closed: date | None, place: str | None, name: str, money: int = 30000) -> None:
    c = g.base()
    c.update(retiree_id=rid, kind=kind, opened_on=opened, closed_on=closed,
             summary="住院治疗" if kind == "住院" else "家属料理后事", place=place, note=None)
    rows[CareCase].append(c)
    v = g.base()
    v.update(retiree_id=rid, kind="住院慰问" if kind == "住院" else "丧事慰问",
             visit_date=opened + timedelta(days=min(2, (g.today - opened).days)),
             visitors=g.rng.choice(VISITORS), summary="到医院看望，送去慰问金。" if kind == "住院"
             else "到家中吊唁，慰问家属。", money_fen=money, gifts="花篮" if kind == "住院" else "花圈",
             follow_up="出院后回访" if kind == "住院" else None, follow_up_done=False, case_id=c["id"])
    rows[Visit].append(v)
    p = g.base()
    p.update(retiree_id=rid, kind="住院慰问" if kind == "住院" else "丧事慰问", amount_fen=money,
             paid_on=v["visit_date"], fund_year=v["visit_date"].year, visit_id=v["id"], case_id=c["id"],
             payee=name if kind == "住院" else "家属", approved_by="王主任", note=None)
    rows[Payment].append(p)


def _bulk(session: Session, model: type, rows: list[dict[str, Any]], chunk: int = 20000) -> int:
    table = model.__table__  # type: ignore[attr-defined]
    for i in range(0, len(rows), chunk):
        session.execute(insert(table), rows[i:i + chunk])
    return len(rows)
