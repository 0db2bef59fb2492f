"""The worker threads: one serialized writer, a job pool, results on the main thread."""

from __future__ import annotations

import threading
import time
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from app.services.errors import ValidationError


def test_write_runs_off_the_main_thread_and_reports_changes(ctx: Any, qtbot: Any) -> None:
    from app.services import operations
    from app.services.roster import load_index

    with ctx.db.session_scope() as s:
        rid = load_index(s).ids[0]
    seen: dict[str, Any] = {}

    def write(s: Any) -> Any:
        seen["thread"] = threading.current_thread()
        return operations.update(s, "retirees", rid, {"note": "改过"}, actor="测试")

    def done(change: Any) -> None:
        seen["done_thread"] = threading.current_thread()

    with qtbot.waitSignal(ctx.data_changed) as blocker:
        ctx.run_write(write, label="保存", on_done=done)
    ctx.wait_idle()
    assert blocker.args == ["retirees", [rid]]
    assert seen["thread"] is not threading.main_thread()
    assert seen["done_thread"] is threading.main_thread()


def test_writes_are_serialized(ctx: Any) -> None:
    active: list[int] = []
    overlap: list[bool] = []

    def write(_s: Any) -> None:
        active.append(1)
        overlap.append(len(active) > 1)
        time.sleep(0.02)
        active.pop()

    for _ in range(5):
        ctx.run_write(write, label="写")
    assert ctx.wait_idle()
    assert overlap == [False] * 5


def test_failed_write_shows_chinese_message_and_changes_nothing(ctx: Any, qtbot: Any) -> None:
    from app.models import Retiree
    from app.services import operations
    from app.services.roster import load_index

    with ctx.db.session_scope() as s:
        rid = load_index(s).ids[0]
        before = s.get(Retiree, rid).name

    def write(s: Any) -> Any:
        operations.update(s, "retirees", rid, {"name": "新名字"}, actor="测试")
        return operations.update(s, "retirees", rid, {"id_number": "110101199001011230"}, actor="测试")

    errors: list[BaseException] = []
    with qtbot.waitSignal(ctx.error_shown) as blocker:
        ctx.run_write(write, label="保存卡片", on_error=errors.append)
    ctx.wait_idle()
    assert "保存卡片失败" in blocker.args[0] and "身份证号" in blocker.args[0]
    assert isinstance(errors[0], ValidationError)
    with ctx.db.session_scope() as s:
        assert s.get(Retiree, rid).name == before  # the first update rolled back too


def test_job_progress_dialog_only_after_delay_and_cancel(demo_db: Any, qtbot: Any) -> None:
    from app.ui.context import AppContext

    ctx = AppContext(demo_db, interactive=True)
    try:
        # A quick job never shows a dialog.
        ctx.run_job(lambda p, c: 1, label="快任务")
        ctx.wait_idle()
        assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible()]

        started = threading.Event()
        results: list[Any] = []

        def slow(progress: Any, cancelled: Any) -> str:
            started.set()
            for i in range(300):
                if cancelled():
                    from app.services.demo import Cancelled

                    raise Cancelled("已取消")
                progress(i, 300, f"第 {i} 项")
                time.sleep(0.01)
            return "完成"

        ctx.run_job(slow, label="慢任务", on_done=results.append)
        qtbot.waitUntil(lambda: any(isinstance(w, QProgressDialog) and w.isVisible()
                                    for w in QApplication.topLevelWidgets()), timeout=3000)
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QProgressDialog) and w.isVisible())
        assert "慢任务" in dialog.labelText()
        button = next(b for b in dialog.findChildren(QPushButton) if b.text() == "取消")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        assert ctx.wait_idle(5)
        assert results == []  # cancelled: on_done never ran
    finally:
        ctx.shutdown()


def test_selection_providers(ctx: Any) -> None:
    assert ctx.selected_retiree_ids() == []
    ctx.set_roster_providers(lambda: ["a"], lambda: ["a", "b"])
    assert ctx.selected_retiree_ids() == ["a"]
    assert ctx.filtered_retiree_ids() == ["a", "b"]


def test_settings_live_in_the_test_home(ctx: Any, tmp_path: Any) -> None:
    ctx.settings().setValue("x/y", 3)
    assert str(tmp_path) in ctx.settings().fileName()
