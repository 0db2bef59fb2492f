"""The 打印 page over the demo database: preview (pages rendered, zoom), save with the folder
remembered, Excel export, scopes; jobs run on the context's workers."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import pytest  # noqa: E402


@pytest.fixture
def page(qtbot: Any, ctx: Any) -> Any:
    from app.ui.pages.print_page import PrintPage

    p = PrintPage(ctx)
    qtbot.addWidget(p)
    p.resize(1100, 760)
    ctx.wait_idle()
    return p


def first_ids(db: Any, n: int) -> list[str]:
    from sqlmodel import select

    from app.models import Retiree

    with db.session_scope() as s:
        return list(s.exec(select(Retiree.id).where(Retiree.status == "在册").order_by(Retiree.name).limit(n)))


def test_preview_a_group_visit_sheet_and_zoom(page: Any, ctx: Any, tmp_path: Path) -> None:
    assert page.group.count() > 0  # groups loaded off the UI thread
    page.set_document("visit-sheet")
    page.set_scope("group", page.group.itemText(0))
    page.preview()
    assert ctx.wait_idle(30)
    assert ctx.last_error is None
    assert page.pdf_path is not None and page.pdf_path.exists()
    labels = page.page_labels()
    assert 1 <= len(labels) <= 3  # one group: one or two pages
    width = labels[0].pixmap().width()
    page.zoom.setCurrentIndex(page.zoom.findData(150))
    assert page.page_labels()[0].pixmap().width() > 1.5 * width
    assert page.save_button.isEnabled() and page.print_button.isEnabled()
    page.grab().save(str(tmp_path / "print_page.png"))


def test_save_remembers_the_folder(page: Any, ctx: Any, tmp_path: Path) -> None:
    page.set_document("year-stats")
    page.preview()
    ctx.wait_idle(30)
    out = tmp_path / "saved" / "统计"
    out.parent.mkdir()
    page.save_pdf_to(out)
    assert (out.parent / "统计.pdf").read_bytes().startswith(b"%PDF")
    assert ctx.settings().value("print/last_dir") == str(out.parent)
    assert page._suggested(".pdf").startswith(str(out.parent))


def test_selection_scope_prints_the_selected_cards(page: Any, ctx: Any) -> None:
    page.set_document("cards")
    page.set_scope("selection")
    page.preview()
    assert "选中人员" in (ctx.last_error or "")  # nothing selected yet
    ctx.last_error = None
    ids = first_ids(ctx.db, 2)
    ctx.set_roster_providers(lambda: ids, lambda: ids)
    page.preview()
    ctx.wait_idle(30)
    assert ctx.last_error is None
    assert page._pdf.pageCount() == 2


def test_excel_export_of_the_current_filter(page: Any, ctx: Any, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    ids = first_ids(ctx.db, 5)
    ctx.set_roster_providers(lambda: [], lambda: ids)
    page.set_document("phone-sheet")
    page.set_scope("filter")
    assert page.excel_button.isEnabled()
    page.export_excel_to(tmp_path / "calls")
    ctx.wait_idle(30)
    ws = load_workbook(tmp_path / "calls.xlsx").active
    assert ws.max_row == 1 + 5
    page.set_document("year-stats")
    assert not page.excel_button.isEnabled()


def test_condolence_options_shown_only_for_the_form(page: Any) -> None:
    page.set_document("condolence")
    assert page.options_box.isVisibleTo(page) and page.period_box.isVisibleTo(page)
    assert page.amount.isVisibleTo(page) and not page.reveal.isVisibleTo(page)
    page.set_document("visit-sheet")
    assert not page.period_box.isVisibleTo(page) and not page.amount.isVisibleTo(page)


def test_main_window_shows_the_print_page(window: Any) -> None:
    from app.ui.pages.print_page import PrintPage

    page = window.show_page("print")
    window.ctx.wait_idle()
    assert isinstance(page, PrintPage)
    assert page.doc.count() == 7
