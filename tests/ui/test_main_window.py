"""The main window: navigation, placeholders, welcome, remembered geometry, text size."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QLabel

from app.ui.pages import PAGES, PLACEHOLDER_TEXT


def test_navigation_has_every_page_in_order(window: Any) -> None:
    labels = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert labels == ["人员卡册", "走访慰问", "提醒", "打印", "数据同步", "统计", "设置"]
    assert [p[0] for p in PAGES][0] == "roster"


def test_missing_page_module_shows_placeholder(window: Any, monkeypatch: Any) -> None:
    import app.ui.pages as pages

    monkeypatch.setattr(pages, "PAGES", [*pages.PAGES])  # keep the original list intact
    import app.ui.main_window as mw

    monkeypatch.setattr(mw, "PAGES", [*mw.PAGES, ("nothing", "没有", "app.ui.pages.no_such_page", "Nope")])
    widget = window.page("nothing")
    assert isinstance(widget, QLabel) and widget.text() == PLACEHOLDER_TEXT


def test_every_page_opens(window: Any) -> None:
    for key, *_ in PAGES:
        widget = window.show_page(key)
        window.ctx.wait_idle()
        assert window.stack.currentWidget() is widget
        if isinstance(widget, QLabel):
            assert "失败" not in widget.text(), (key, widget.text())


def test_status_bar_names_unit_database_and_backup(window: Any, demo_db: Any) -> None:
    assert window.unit_label.text().startswith("单位：")
    assert str(demo_db.path) in window.db_label.text()
    assert window.backup_label.text().startswith("最近备份：")


def test_welcome_on_a_database_without_unit(qtbot: Any, tmp_path: Any) -> None:
    from app.db import open_database
    from app.ui.main_window import MainWindow
    from app.ui.welcome import NewUnitDialog

    db = open_database(tmp_path / "new.sqlite3")
    win = MainWindow(db, interactive=False)
    qtbot.addWidget(win)
    assert win.root.currentWidget() is win.welcome
    texts = {b.text() for b in (win.welcome.new_button, win.welcome.import_button, win.welcome.demo_button)}
    assert texts == {"新建本单位", "从Excel花名册导入", "打开演示数据"}
    dialog = NewUnitDialog(win.ctx, win)
    qtbot.addWidget(dialog)
    dialog.accepted.connect(win._check_unit)
    dialog.form["name"].widget.insert("第三退休职工服务站")
    dialog.form["code"].widget.insert("S003")
    dialog.save()
    win.ctx.wait_idle()
    assert win.root.currentWidget() is win.workspace
    assert "第三退休职工服务站" in win.unit_label.text()
    win.ctx.shutdown()
    db.close()


def test_geometry_restored_but_never_off_screen(qtbot: Any, demo_db: Any) -> None:
    from app.ui.main_window import MainWindow, on_some_screen

    win = MainWindow(demo_db, interactive=False)
    qtbot.addWidget(win)
    win.setGeometry(QRect(30, 40, 700, 500))
    win._save_state()
    win.ctx.shutdown()
    again = MainWindow(demo_db, interactive=False)
    qtbot.addWidget(again)
    assert again.geometry().size().width() == 700
    # Now pretend the window was last on a monitor that is gone.
    again.setGeometry(QRect(8000, 6000, 700, 500))
    again._save_state()
    again.ctx.shutdown()
    third = MainWindow(demo_db, interactive=False)
    qtbot.addWidget(third)
    assert on_some_screen(third.frameGeometry())
    assert not on_some_screen(QRect(8000, 6000, 700, 500))
    third.ctx.shutdown()


@pytest.mark.parametrize("percent", [100, 150])
def test_text_size_setting_scales_the_font(window: Any, percent: int) -> None:
    from app.ui.text_size import apply_text_scale, text_scale

    app = QApplication.instance()
    apply_text_scale(100, window.ctx.settings())
    base = app.font().pointSizeF()
    apply_text_scale(percent, window.ctx.settings())
    assert app.font().pointSizeF() == pytest.approx(base * percent / 100)
    assert text_scale(window.ctx.settings()) == percent
    apply_text_scale(400, window.ctx.settings())  # clamped
    assert text_scale(window.ctx.settings()) == 150
    apply_text_scale(100, window.ctx.settings())


def test_start_up_installs_the_chinese_font(qapp: Any) -> None:
    from PySide6.QtGui import QFontMetrics

    from app.ui.launch import make_application

    assert make_application() is qapp
    metrics = QFontMetrics(QApplication.instance().font())
    assert all(metrics.inFontUcs4(ord(ch)) for ch in "人员卡册走访慰问")
