"""Screenshots of the main screens for the README: the real program on a demo database, on
a virtual X display (Xvfb), saved as PNGs to docs/screenshots/.

    .venv/bin/python scripts/screenshots.py          # starts Xvfb :99 unless DISPLAY works

The data folder is a temporary one, so the user's databases are never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
DISPLAY = ":99"
SIZE = (1360, 820)


def start_xvfb() -> subprocess.Popen[bytes] | None:
    if os.environ.get("SCREENSHOTS_USE_DISPLAY") and os.environ.get("DISPLAY"):
        return None
    if shutil.which("Xvfb") is None:
        sys.exit("找不到 Xvfb（请安装 xvfb 软件包，或运行 make sysdeps）")
    # :99 as agreed; the next free number when someone else's Xvfb already holds it.
    for n in range(int(DISPLAY[1:]), int(DISPLAY[1:]) + 20):
        if Path(f"/tmp/.X{n}-lock").exists():
            continue
        proc = subprocess.Popen(["Xvfb", f":{n}", "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
        if proc.poll() is None:
            os.environ["DISPLAY"] = f":{n}"
            return proc
    sys.exit("Xvfb 启动失败")


def main() -> int:
    xvfb = start_xvfb()
    home = Path(tempfile.mkdtemp(prefix="retiree-desk-shots-"))
    os.environ["RETIREE_DESK_HOME"] = str(home)
    os.environ["QT_QPA_PLATFORM"] = "xcb"
    sys.path.insert(0, str(ROOT))
    try:
        return shoot(home)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait()
        shutil.rmtree(home, ignore_errors=True)


def shoot(home: Path) -> int:
    from PySide6.QtCore import QItemSelectionModel
    from PySide6.QtWidgets import QApplication, QWidget

    from app.db import open_database
    from app.ui.launch import ensure_demo_database, make_application
    from app.ui.main_window import MainWindow
    from app.ui.recycle_bin import RecycleBinDialog
    from app.ui.text_size import apply_text_scale
    from app.ui.visit_dialog import VisitDialog

    app = make_application()
    assert isinstance(app, QApplication)
    OUT.mkdir(parents=True, exist_ok=True)
    saved: list[str] = []

    def settle(win: MainWindow, ms: int = 300) -> None:
        win.ctx.wait_idle(30)
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def save(widget: QWidget, name: str) -> None:
        path = OUT / f"{name}.png"
        widget.grab().save(str(path))
        saved.append(path.name)

    # 1. First start: an empty database gets the welcome screen.
    empty = open_database(home / "new.sqlite3")
    win = MainWindow(empty, interactive=False)
    win.resize(*SIZE)
    win.show()
    settle(win)
    save(win, "01-welcome")
    win.close()
    empty.close()

    # 2. The demo database.
    db = open_database(ensure_demo_database())
    win = MainWindow(db, interactive=False)
    win.resize(*SIZE)
    win.move(20, 20)
    win.show()
    settle(win)
    roster = win.roster()
    roster.select_row(2)
    settle(win)
    save(win, "02-roster-card")

    roster.search.setText("zh")
    roster.self_care_box.setCurrentIndex(roster.self_care_box.findData("部分自理"))
    settle(win)
    roster.select_row(0)
    settle(win)
    save(win, "03-roster-search-filter")
    roster.clear_filters()
    settle(win)

    roster.select_row(5)
    settle(win)
    for tab, name in ((1, "04-card-benefits"), (2, "05-card-contacts"), (4, "06-card-visits")):
        roster.editor.tabs.setCurrentIndex(tab)
        settle(win)
        save(win, name)
    roster.editor.tabs.setCurrentIndex(0)

    # Invalid ID number: the inline message.
    roster.editor.basic["id_number"].widget.setText("110101199001011230")
    settle(win)
    save(win, "07-card-invalid-id")
    roster.editor.revert()

    sm = roster.table.selectionModel()
    for row in (1, 3, 4):
        sm.select(roster.model.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                  | QItemSelectionModel.SelectionFlag.Rows)
    dialog = VisitDialog(win.ctx, win.ctx.selected_retiree_ids(), win, kind="春节走访")
    dialog.form["gifts"].widget.setText("米、油各一份")
    dialog.form["money_fen"].widget.setText("500")
    dialog.show()
    settle(win)
    save(dialog, "08-visit-entry")
    dialog.reject()

    win.show_page("visits")
    settle(win)
    save(win, "09-visits")

    # Something in the recycle bin, then the bin.
    roster = win.show_page("roster")
    roster.select_row(6)
    settle(win)
    roster.editor.delete_now()
    settle(win)
    bin_dialog = RecycleBinDialog(win.ctx, win)
    bin_dialog.show()
    settle(win)
    save(bin_dialog, "10-recycle-bin")
    bin_dialog.reject()

    for key, name in (("settings", "11-settings"), ("reminders", "12-reminders"),
                      ("print", "13-print"), ("stats", "14-stats")):
        win.show_page(key)
        settle(win)
        save(win, name)

    apply_text_scale(150)
    win.show_page("roster")
    roster.select_row(2)
    settle(win, 600)
    save(win, "15-text-150")
    apply_text_scale(100)
    win.close()
    db.close()
    print("已保存截图：", "、".join(saved))
    return 0


if __name__ == "__main__":
    sys.exit(main())
