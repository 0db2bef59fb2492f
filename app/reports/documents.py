"""The printed documents: one entry point for the 打印 page, the CLI and other features.

``build_pdf(doc, session, out, ...)`` writes one of ``DOCUMENTS`` as an A4 PDF with the CJK
font embedded; ``export_excel(list_name, session, out, ...)`` writes one of ``EXCEL_LISTS``
as .xlsx. Both run inside the caller's session (read only), report ``progress(done, total,
text)``, stop with ``Cancelled`` when ``cancel()`` says so, and never leave a half-written file.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from app.models.registry import yuan_to_fen
from app.reports import card_sheets, condolence, lists, scope, year_stats
from app.reports.excel import write_xlsx
from app.reports.layout import Layout
from app.reports.tables import ListTable, draw_list
from app.services.demo import Cancelled
from app.services.errors import ServiceError

Progress = Callable[[int, int, str], None]
Cancel = Callable[[], bool]

from app.reports.catalogue import DOCUMENTS, EXCEL_LISTS  # noqa: E402  (re-exported)

# Documents whose content depends on a period (the current year when none is given).
USES_PERIOD = {"condolence", "payment-list", "milestones", "year-stats"}
# Documents carried door to door: never an ID number on them.
DOOR_TO_DOOR = {"visit-sheet", "phone-sheet"}


class _Ticker:
    """Counts work units, reports progress now and then and checks the cancel flag."""

    def __init__(self, progress: Progress | None, cancel: Cancel | None, total: int, text: str) -> None:
        self.progress, self.cancel, self.total, self.text = progress, cancel, max(total, 1), text
        self.done = 0

    def __call__(self) -> None:
        self.done += 1
        if self.done % 100 == 0 or self.done == self.total:
            if self.cancel and self.cancel():
                raise Cancelled()
            if self.progress:
                self.progress(min(self.done, self.total), self.total, self.text)

    def check(self) -> None:
        if self.cancel and self.cancel():
            raise Cancelled()


def _list_table(name: str, session: Session, *, ids: list[str] | None, group_id: str | None,
                date_from: date | None, date_to: date | None, on: date, tick: Any,
                **options: Any) -> ListTable:
    common: dict[str, Any] = {"ids": ids, "group_id": group_id, "tick": tick, "on": on}
    match name:
        case "visit-sheet":
            return lists.visit_sheet(session, **common, **options)
        case "phone-sheet":
            return lists.phone_sheet(session, **common, date_from=date_from, **options)
        case "payment-list":
            return lists.payment_list(session, **common, period=scope.period(date_from, date_to, today=on),
                                      **options)
        case "milestones":
            return lists.milestones(session, **common, period=scope.period(date_from, date_to, today=on),
                                    **options)
        case "roster":
            return lists.roster(session, **common, **options)
    raise ServiceError(f"没有这种名单：{name}（可选：{'、'.join(EXCEL_LISTS)}）")


def _amount_option(options: dict[str, Any]) -> None:
    """``amount`` (yuan, as typed) → ``amount_fen``."""
    amount = options.pop("amount", None)
    if amount not in (None, ""):
        try:
            options["amount_fen"] = yuan_to_fen(amount)
        except ValueError as exc:
            raise ServiceError(str(exc)) from None


def build_pdf(doc: str, session: Session, out: Path, *, ids: list[str] | None = None,
              group_id: str | None = None, date_from: date | None = None,
              date_to: date | None = None, progress: Progress | None = None,
              cancel: Cancel | None = None, **options: Any) -> Path:
    """Write document ``doc`` (a key of ``DOCUMENTS``) to ``out`` and return ``out``.

    Options: ``on`` (the printing date, default today); visit/phone sheets ``by="street"``;
    payment-list ``kind``; condolence ``occasion``, ``amount`` (yuan) or ``amount_fen``,
    ``goods``, ``visitors``, ``reason``, ``on``; cards ``reveal`` (full ID numbers and phones,
    for the archive copy)."""
    if doc not in DOCUMENTS:
        raise ServiceError(f"没有这种文档：{doc}（可选：{'、'.join(DOCUMENTS)}）")
    options = {k: v for k, v in options.items() if v is not None}
    on: date = options.pop("on", None) or date.today()
    title = DOCUMENTS[doc]
    unit = scope.unit_name(session)
    ticker = _Ticker(progress, cancel, 0, "读取数据")
    ticker.check()
    if doc in ("visit-sheet", "phone-sheet", "payment-list", "milestones"):
        table = _list_table(doc, session, ids=ids, group_id=group_id, date_from=date_from,
                            date_to=date_to, on=on, tick=ticker, **options)
        layout = Layout(title=table.title, unit_name=unit, printed_on=on, wide=table.wide,
                        subtitle=table.subtitle)
        ticker = _Ticker(progress, cancel, table.row_count, "排版")
        draw_list(layout, table, tick=ticker)
    elif doc == "condolence":
        _amount_option(options)
        period = scope.period(date_from, date_to, today=on)
        forms = condolence.forms(session, ids=ids, group_id=group_id, period=period,
                                 on=options.pop("form_date", None), **options)
        layout = Layout(title=title, unit_name=unit, printed_on=on)
        ticker = _Ticker(progress, cancel, len(forms), "排版")
        condolence.draw_forms(layout, session, forms, tick=ticker)
    elif doc == "cards":
        people = scope.people(session, ids=ids, group_id=group_id)
        layout = Layout(title=title, unit_name=unit, printed_on=on)
        ticker = _Ticker(progress, cancel, len(people), "排版")
        card_sheets.draw_card_sets(layout, session, people, on=on,
                                   reveal=bool(options.get("reveal")), tick=ticker)
    else:  # year-stats
        year = (date_from or date_to or on).year
        layout = Layout(title=f"{year}年度离退休工作统计表", unit_name=unit, printed_on=on)
        year_stats.draw_year_stats(layout, session, year, on=min(on, date(year, 12, 31)))
    return layout.render(Path(out), progress=progress, cancel=cancel)


def export_excel(list_name: str, session: Session, out: Path, *, ids: list[str] | None = None,
                 group_id: str | None = None, date_from: date | None = None,
                 date_to: date | None = None, progress: Progress | None = None,
                 cancel: Cancel | None = None, **options: Any) -> Path:
    """Write list ``list_name`` (a key of ``EXCEL_LISTS``) to ``out`` as .xlsx."""
    if list_name not in EXCEL_LISTS:
        raise ServiceError(f"没有这种名单：{list_name}（可选：{'、'.join(EXCEL_LISTS)}）")
    options = {k: v for k, v in options.items() if v is not None}
    on: date = options.pop("on", None) or date.today()
    ticker = _Ticker(progress, cancel, 0, "读取数据")
    ticker.check()
    table = _list_table(list_name, session, ids=ids, group_id=group_id, date_from=date_from,
                        date_to=date_to, on=on, tick=ticker, **options)
    if progress:
        progress(0, 1, "写入 Excel")
    path = write_xlsx(table, Path(out), cancel=cancel)
    if progress:
        progress(1, 1, "写入 Excel")
    return path


def list_pdf(table: ListTable, session: Session, out: Path, *, on: date | None = None,
             progress: Progress | None = None, cancel: Cancel | None = None) -> Path:
    """Any list another feature assembles (e.g. reminder lists) as a PDF with the same page
    furniture: build a ``tables.ListTable`` with ``tables.Col.of(table, field)`` columns."""
    on = on or date.today()
    layout = Layout(title=table.title, unit_name=scope.unit_name(session), printed_on=on,
                    wide=table.wide, subtitle=table.subtitle)
    draw_list(layout, table, tick=_Ticker(progress, cancel, table.row_count, "排版"))
    return layout.render(Path(out), progress=progress, cancel=cancel)


def list_xlsx(table: ListTable, out: Path, *, cancel: Cancel | None = None) -> Path:
    """The same list as .xlsx (header frozen, widths set, typed cells)."""
    return write_xlsx(table, Path(out), cancel=cancel)
