"""慰问单: the condolence / aid form for one person and one occasion, one form per page.

With ``ids`` a form is made for each person: the occasion, amount, goods and visitors come from
the options, or else from the person's latest payment in the period. Without ``ids`` there is a
form for every payment in the period (the scope's people).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session, select

from app.models import CareCase, LiaisonGroup, Payment, Retiree, Visit
from app.models.enums import PaymentKind
from app.models.registry import label, spec
from app.reports import scope
from app.reports.layout import Column, Layout
from app.reports.lists import payments_in
from app.reports.money import amount_in_figures, amount_in_words
from app.services.errors import ServiceError

OCCASIONS: tuple[str, ...] = tuple(k.value for k in PaymentKind if k is not PaymentKind.OTHER)
# Customary amounts when neither an option nor a payment says (fen); others are left blank.
DEFAULT_AMOUNTS = {PaymentKind.CONDOLENCE.value: 50000}
SIGNATURES = ("经办人", "负责人", "领导审批")


@dataclass
class Form:
    retiree: Retiree
    occasion: str
    amount_fen: int | None
    goods: str = ""
    visitors: str = ""
    reason: str = ""
    on: date | None = None


def _from_payment(session: Session, p: Payment, r: Retiree) -> Form:
    visit = session.get(Visit, p.visit_id) if p.visit_id else None
    case = session.get(CareCase, p.case_id) if p.case_id else None
    reason = "，".join(v for v in ((case.summary if case else None), (case.place if case else None)) if v)
    return Form(r, p.kind, p.amount_fen, (visit.gifts or "") if visit else "",
                (visit.visitors or "") if visit else "", reason, p.paid_on)


def forms(session: Session, *, ids: list[str] | None, group_id: str | None, period: scope.Period,
          occasion: str | None = None, amount_fen: int | None = None, goods: str | None = None,
          visitors: str | None = None, reason: str | None = None, on: date | None = None,
          **_: Any) -> list[Form]:
    if occasion and occasion not in OCCASIONS:
        raise ServiceError(f"慰问事由只能是：{'、'.join(OCCASIONS)}（填写了“{occasion}”）")
    out: list[Form] = []
    if ids:
        for r in scope.people(session, ids=ids):
            stmt = select(Payment).where(Payment.retiree_id == r.id, Payment.deleted == False,  # noqa: E712
                                         Payment.paid_on >= period.start, Payment.paid_on <= period.end)
            if occasion:
                stmt = stmt.where(Payment.kind == occasion)
            latest = session.exec(stmt.order_by(Payment.paid_on.desc())).first()  # type: ignore[attr-defined]
            if latest is not None:
                form = _from_payment(session, latest, r)
            else:
                if not occasion:
                    raise ServiceError(f"{r.name} 在 {period.label()} 没有慰问金发放记录，请指定慰问事由。")
                form = Form(r, occasion, DEFAULT_AMOUNTS.get(occasion))
            out.append(form)
    else:
        payments = payments_in(session, ids=None, group_id=group_id, period=period, kind=occasion)
        people = {r.id: r for r in session.exec(select(Retiree).where(
            Retiree.id.in_({p.retiree_id for p in payments})))}  # type: ignore[attr-defined]
        out = [_from_payment(session, p, people[p.retiree_id]) for p in payments if p.retiree_id in people]
        if not out:
            raise ServiceError(f"{period.label()} 没有慰问金发放记录；请选择人员并指定慰问事由。")
    for form in out:  # options win over what the records say
        if amount_fen is not None:
            form.amount_fen = amount_fen
        form.goods = goods if goods is not None else form.goods
        form.visitors = visitors if visitors is not None else form.visitors
        form.reason = reason if reason is not None else form.reason
        form.on = on or form.on
    return out


def draw_form(layout: Layout, session: Session, form: Form, groups: dict[str, LiaisonGroup]) -> None:
    r = form.retiree
    R = "retirees"
    layout.new_page()
    layout.heading(f"慰问事由：{form.occasion}", size=12)
    layout.space(4)
    g = groups.get(r.group_id or "")
    age = scope.age(r, form.on or layout.printed_on)
    figures = amount_in_figures(form.amount_fen) if form.amount_fen is not None else "¥"
    words = f"人民币{amount_in_words(form.amount_fen)}" if form.amount_fen is not None else "人民币"
    kv = Column("", 12, "center")
    val = Column("", 15)
    rows = [
        [label(R, "name"), r.name, label(R, "sex"), r.sex or "", "年龄", f"{age}岁" if age else ""],
        [label(R, "category"), r.category or "", label(R, "former_post"), r.former_post or "",
         label(R, "rank"), r.rank or ""],
        [label(R, "group_id"), g.name if g else "", label(R, "status"), r.status,
         label(R, "death_date"), spec(R, "death_date").format(r.death_date)],
    ]
    layout.table([kv, val, kv, val, kv, val], rows, header=False, min_height=26, size=10,
                 shade_columns=(0, 2, 4))
    wide = [Column("", 12, "center"), Column("", 69)]
    layout.table(wide, [
        [label(R, "address"), r.address or ""],
        ["慰问事由", f"{form.occasion}" + (f"（{form.reason}）" if form.reason else "")],
        ["慰问金（小写）", figures],
        ["慰问金（大写）", words],
        [label("visits", "gifts"), form.goods],
        [label("visits", "visitors"), form.visitors],
        ["慰问日期", form.on.isoformat() if form.on else "______年____月____日"],
    ], header=False, min_height=28, size=10, shade_columns=(0,))
    layout.space(14)
    boxes = [Column(t, 1, "center") for t in SIGNATURES]
    signed = "\n\n\n签字：____________\n\n______年____月____日"
    layout.table(boxes, [[signed] * len(SIGNATURES)], size=10, min_height=110)


def draw_forms(layout: Layout, session: Session, items: list[Form], *, tick: Any = None) -> None:
    groups = scope.groups(session)
    for form in items:
        draw_form(layout, session, form, groups)
        if tick:
            tick()
