"""The import wizard, driven page by page with a fake context that runs jobs at once."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QObject, QSettings, Signal
from sqlmodel import select

from app.services.idcard import make_id_number

pytestmark = pytest.mark.usefixtures("qapp")


class FakeCtx(QObject):
    data_changed = Signal(str, list)

    def __init__(self, db: Any, tmp: Path) -> None:
        super().__init__()
        self.db = db
        self.errors: list[str] = []
        self.changed: list[tuple[str, list]] = []
        self.data_changed.connect(lambda t, ids: self.changed.append((t, ids)))
        self._settings = QSettings(str(tmp / "ui.ini"), QSettings.Format.IniFormat)

    def run_job(self, fn, *, label, on_done=None, cancellable=True, on_error=None):
        try:
            result = fn(lambda d, t, s="": None, lambda: False)
        except Exception as exc:  # noqa: BLE001 - the real context reports it the same way
            self.show_error(f"{label}失败：{exc}")
            if on_error:
                on_error(exc)
            return
        if on_done:
            on_done(result)

    def run_write(self, fn, *, label, on_done=None):
        with self.db.session_scope() as s:
            result = fn(s)
        if on_done:
            on_done(result)

    def settings(self) -> QSettings:
        return self._settings

    def show_error(self, msg: str) -> None:
        self.errors.append(msg)

    def actor(self) -> str:
        return "向导测试员"


A = make_id_number("110105", date(1943, 5, 12), 1)
B = make_id_number("110105", date(1950, 2, 3), 2)


@pytest.fixture
def roster(tmp_path: Path, db) -> Path:
    from app.services import operations

    with db.session_scope() as s:
        operations.create(s, "retirees", {"name": "张三", "id_number": A, "note": "旧备注"}, actor="测试员")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws.append(["某单位离退休人员名单"])
    ws.append(["序号", "姓名", "身份证号", "出生年月", "电话", "备注", "鞋码"])
    ws.append([1, "张三", A, "", "13800138000", "新备注", "42"])
    ws.append([2, "李四", B, "1950.02", "13900139000", "独居", "39"])
    ws.append([3, "王五", "", "1940.13", "", "", ""])
    ws.append([None, "合计", "3人"])
    wb.create_sheet("说明").append(["填表说明"])
    path = tmp_path / "名单.xlsx"
    wb.save(path)
    return path


def test_wizard_end_to_end(qtbot, db, roster: Path, tmp_path: Path):
    from app.models import Retiree
    from app.ui.import_wizard import ImportWizard

    ctx = FakeCtx(db, tmp_path)
    wiz = ImportWizard(ctx)
    qtbot.addWidget(wiz)
    wiz.show()
    assert not wiz.file_page.isComplete()
    wiz.file_page.path_edit.setText(str(roster))
    assert wiz.file_page.isComplete()

    wiz.next()  # → sheets and mapping
    page = wiz.mapping_page
    assert page.isComplete()
    assert page.sheet_list.count() == 2
    assert "不是人员名单" in page.sheet_list.item(1).text()
    headers = [page.columns.item(r, 1).text() for r in range(page.columns.rowCount())]
    assert headers == ["序号", "姓名", "身份证号", "出生年月", "电话", "备注", "鞋码"]
    assert page.combo_for(6).currentText() == "保留到备注"
    # The user says the 鞋码 column is not to be imported.
    box = page.combo_for(6)
    box.setCurrentIndex(box.findData("__skip__"))
    assert page.sheets[0].columns[-1].target == "__skip__"

    wiz.next()  # → preview (dry run)
    preview = wiz.preview_page
    assert preview.plan is not None
    assert "新增 1" in preview.summary.text() and "失败 1" in preview.summary.text()
    assert preview.problems.rowCount() == 1
    assert preview.problems.item(0, 1).text() == "5" and preview.problems.item(0, 2).text() == "出生日期"
    assert preview.duplicates.rowCount() == 1
    assert preview.duplicates.item(0, 4).text() == "身份证号相同"
    choice = preview.duplicates.cellWidget(0, 6)
    choice.setCurrentIndex(choice.findData("update"))
    assert "更新 1" in preview.summary.text()
    assert preview.hints.rowCount() == 1
    preview.hints.cellWidget(0, 0).setChecked(True)
    with db.session_scope() as s:
        assert len(s.exec(select(Retiree)).all()) == 1  # nothing written by the preview

    wiz.next()  # → apply
    assert wiz.apply_page.isComplete()
    assert "导入完成" in wiz.apply_page.status.text()
    result = wiz.apply_page.result
    assert result.counts["new"] == 1 and result.counts["updated"] == 1 and result.counts["failed"] == 1
    assert result.backup is not None and result.backup.exists()
    assert ("retirees", []) in ctx.changed
    with db.session_scope() as s:
        people = {r.name: r for r in s.exec(select(Retiree))}
        assert set(people) == {"张三", "李四"}
        assert people["张三"].note == "新备注" and people["张三"].phones == ["13800138000"]
        assert people["李四"].living == "独居" and people["李四"].updated_by == "向导测试员"
        assert "鞋码" not in (people["李四"].note or "")
    assert ctx.errors == []


def test_file_without_people_is_reported(qtbot, db, tmp_path: Path):
    from app.ui.import_wizard import ImportWizard

    path = tmp_path / "x.csv"
    path.write_text("会议记录\n今天开会\n", encoding="utf-8")
    ctx = FakeCtx(db, tmp_path)
    wiz = ImportWizard(ctx)
    qtbot.addWidget(wiz)
    wiz.show()
    wiz.file_page.path_edit.setText(str(path))
    wiz.next()
    assert not wiz.mapping_page.isComplete()
    assert "没有找到人员名单" in wiz.mapping_page.status.text()


def test_template_and_problem_export_buttons(qtbot, db, roster: Path, tmp_path: Path):
    from app.ui.import_wizard import ImportWizard

    ctx = FakeCtx(db, tmp_path)
    wiz = ImportWizard(ctx)
    qtbot.addWidget(wiz)
    wiz.save_template(tmp_path / "模板.xlsx")
    assert (tmp_path / "模板.xlsx").exists()
    wiz.show()
    wiz.file_page.path_edit.setText(str(roster))
    wiz.next()
    wiz.next()
    wiz.export_problems(tmp_path / "问题.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "问题.xlsx")["花名册"]
    assert ws.cell(2, 2).value == "王五" and "出生日期" in ws.cell(2, 8).value


def test_wizard_with_the_real_context(qtbot, db, roster: Path):
    """The same flow on the application's own context: jobs on worker threads."""
    from app.models import Retiree
    from app.ui.import_wizard import ImportWizard

    context = pytest.importorskip("app.ui.context")
    ctx = context.AppContext(db, interactive=False)
    try:
        wiz = ImportWizard(ctx)
        qtbot.addWidget(wiz)
        wiz.show()
        wiz.file_page.path_edit.setText(str(roster))
        wiz.next()
        assert ctx.wait_idle()
        qtbot.waitUntil(wiz.mapping_page.isComplete, timeout=5000)
        wiz.next()
        assert ctx.wait_idle()
        qtbot.waitUntil(wiz.preview_page.isComplete, timeout=5000)
        assert wiz.preview_page.duplicates.rowCount() == 1
        wiz.next()
        assert ctx.wait_idle()
        qtbot.waitUntil(wiz.apply_page.isComplete, timeout=5000)
        assert wiz.apply_page.result.counts["new"] == 1
        with db.session_scope() as s:
            assert {r.name for r in s.exec(select(Retiree))} == {"张三", "李四"}
        assert ctx.last_error is None
    finally:
        ctx.shutdown()
