"""数据同步: bundles up to the parent and down to children, preview before apply, undo,
conflicts side by side, the exchange log, and headquarters' per-unit summary.

Layout only; the work is ``app.sync`` run through the context's worker threads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)
from sqlmodel import select

from app.sync.commands import BUNDLE_SUFFIX
from app.ui.context import AppContext

SYNC_TABLES = ("units", "liaison_groups", "retirees", "notices", "notice_deliveries", "benefits", "contacts",
               "care_cases", "visits", "payments", "fund_budgets")
ACTION_COLUMNS = (("new", "新增"), ("updated", "更新"), ("unchanged", "无变化"), ("stale", "已过时"),
                  ("conflict", "冲突"), ("rejected", "拒收"))


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows: list[list[Any]], *, highlight: list[bool] | None = None) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem("" if value is None else str(value))
            if highlight and highlight[r]:
                item.setForeground(QBrush(QColor("#b00020")))
            t.setItem(r, c, item)


class SyncPage(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pending: list[Path] = []  # bundles previewed and waiting for 应用
        layout = QVBoxLayout(self)
        self.identity = QLabel()
        self.identity.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.identity)

        tabs = QTabWidget()
        layout.addWidget(tabs, 1)
        self.tabs = tabs

        # -- exchange -------------------------------------------------------------------
        exchange = QWidget()
        ex = QVBoxLayout(exchange)
        out_box = QGroupBox("生成数据包（上报 / 下发）")
        ol = QHBoxLayout(out_box)
        self.peer = QComboBox()
        self.peer.setMinimumWidth(260)
        self.everything = QCheckBox("全部记录（默认只含对方尚未确认收到的）")
        self.export_btn = QPushButton("生成数据包…")
        self.export_btn.clicked.connect(self.choose_export)
        ol.addWidget(QLabel("发给："))
        ol.addWidget(self.peer, 1)
        ol.addWidget(self.everything)
        ol.addWidget(self.export_btn)
        ex.addWidget(out_box)

        in_box = QGroupBox("导入数据包")
        il = QVBoxLayout(in_box)
        buttons = QHBoxLayout()
        self.open_btn = QPushButton("选择数据包文件…")
        self.open_btn.clicked.connect(self.choose_files)
        self.folder_btn = QPushButton("导入整个文件夹…")
        self.folder_btn.clicked.connect(self.choose_folder)
        self.apply_btn = QPushButton("应用（写入数据库）")
        self.apply_btn.setEnabled(False)
        self.apply_btn.clicked.connect(self.apply_pending)
        self.undo_btn = QPushButton("撤销上次导入")
        self.undo_btn.clicked.connect(self.undo)
        for b in (self.open_btn, self.folder_btn, self.apply_btn, self.undo_btn):
            buttons.addWidget(b)
        buttons.addStretch()
        il.addLayout(buttons)
        self.preview_note = QLabel("选择数据包后先显示预览，确认无误再点“应用”。")
        self.preview_note.setWordWrap(True)
        il.addWidget(self.preview_note)
        self.preview = _table(["文件", "来自", "序号", *[h for _k, h in ACTION_COLUMNS], "说明"])
        il.addWidget(self.preview, 1)
        self.problems = _table(["类别", "记录", "情况"])
        il.addWidget(self.problems, 1)
        ex.addWidget(in_box, 1)
        tabs.addTab(exchange, "收发数据包")

        # -- conflicts ------------------------------------------------------------------
        conflicts = QWidget()
        cl = QVBoxLayout(conflicts)
        cl.addWidget(QLabel("双方都修改了同一项（或一方删除、另一方修改）。请逐条选择保留哪一方："))
        self.conflicts = _table(["编号", "类别", "记录", "项目", "本单位的值", "对方的值"])
        cl.addWidget(self.conflicts, 1)
        cb = QHBoxLayout()
        for text, choice in (("保留本单位的值", "mine"), ("采用对方的值", "theirs"), ("改为…", "edit")):
            b = QPushButton(text)
            b.clicked.connect(lambda _=False, c=choice: self.resolve_selected(c))
            cb.addWidget(b)
        cb.addStretch()
        cl.addLayout(cb)
        tabs.addTab(conflicts, "冲突处理")

        # -- units (headquarters) -------------------------------------------------------
        units = QWidget()
        ul = QVBoxLayout(units)
        self.units = _table(["代码", "单位", "在册人数", "最近收到数据包", "状态"])
        ul.addWidget(self.units, 1)
        ub = QHBoxLayout()
        self.add_child_btn = QPushButton("添加下级单位…")
        self.add_child_btn.clicked.connect(self.add_child)
        self.enrol_btn = QPushButton("打开登记文件…")
        self.enrol_btn.clicked.connect(self.choose_enrolment)
        ub.addWidget(self.add_child_btn)
        ub.addWidget(self.enrol_btn)
        ub.addStretch()
        ul.addLayout(ub)
        tabs.addTab(units, "各单位")

        # -- log ------------------------------------------------------------------------
        self.log = _table(["时间", "方向", "文件", "序号", "结果", "说明"])
        tabs.addTab(self.log, "收发记录")

        # -- notices: who has been told (工作告知卡 across units) --------------------------
        notices = QWidget()
        nl = QVBoxLayout(notices)
        nl.addWidget(QLabel("各告知事项的告知情况（含下级单位上报的告知记录）。选中一项，下方列出各单位未告知的人。"))
        self.notices = _table(["告知事项", "类别", "发布日期", "已告知", "已确认知晓", "未告知"])
        self.notices.itemSelectionChanged.connect(self._show_notice_units)
        nl.addWidget(self.notices, 1)
        self.notice_units = _table(["单位", "已告知", "已确认知晓", "未告知", "未告知的人"])
        nl.addWidget(self.notice_units, 1)
        nb = QHBoxLayout()
        self.new_notice_btn = QPushButton("新建告知事项…")
        self.new_notice_btn.clicked.connect(self.new_notice)
        nb.addWidget(self.new_notice_btn)
        nb.addWidget(QLabel("在人员卡册的“工作告知”卡上登记每个人的告知情况（Ctrl+G）。"))
        nb.addStretch()
        nl.addLayout(nb)
        self._notice_rows: list[dict[str, Any]] = []
        self.notices_tab = tabs.addTab(notices, "告知情况")
        tabs.currentChanged.connect(lambda i: self.refresh_notices() if i == self.notices_tab else None)

        ctx.data_changed.connect(self._on_data_changed)
        self.refresh()

    def _on_data_changed(self, *_args: Any) -> None:
        self.refresh()
        if self.tabs.currentIndex() == self.notices_tab:
            self.refresh_notices()

    # ---------------------------------------------------------------------- reading
    def on_shown(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        def read(_p: Any, _c: Any) -> dict[str, Any]:
            from app.models import BundleLog, SyncPeer
            from app.services.units import self_unit
            from app.sync.conflicts import list_conflicts
            from app.sync.keys import own_keys
            from app.sync.summary import unit_summary

            with self.ctx.db.session_scope() as s:
                me = self_unit(s)
                if me is None:
                    return {"me": None}
                return {
                    "me": (me.name, me.code, me.level, own_keys(s).fingerprint),
                    "peers": [(p.code, p.name, p.role, bool(p.enc_pub))
                              for p in s.exec(select(SyncPeer).order_by(SyncPeer.role, SyncPeer.code))],
                    "conflicts": list_conflicts(s),
                    "units": unit_summary(s),
                    "log": [(b.at.strftime("%Y-%m-%d %H:%M"), "发出" if b.direction == "out" else "收到",
                             b.file_name, b.seq, b.result, b.message)
                            for b in s.exec(select(BundleLog).order_by(BundleLog.id.desc()).limit(500))],  # type: ignore[union-attr]
                }
        self.ctx.run_job(read, label="读取同步信息", on_done=self._show, cancellable=False)

    def _show(self, data: dict[str, Any]) -> None:
        if data.get("me") is None:
            self.identity.setText("本数据库尚未初始化本单位。")
            return
        name, code, level, fp = data["me"]
        self.identity.setText(f"本单位：{name}（{code}，{level}）　本单位密钥指纹：{fp}（与对方核对时使用）")
        current = self.peer.currentData()
        self.peer.clear()
        for pcode, pname, role, has_key in data["peers"]:
            label = f"{'上级' if role == 'parent' else '下级'}：{pname}（{pcode}）"
            if not has_key:
                label += "　尚未收到对方密钥"
            self.peer.addItem(label, pcode)
        if current is not None and (i := self.peer.findData(current)) >= 0:
            self.peer.setCurrentIndex(i)
        self.export_btn.setEnabled(self.peer.count() > 0)
        self._conflict_rows = data["conflicts"]
        _fill(self.conflicts, [[c["id"], c["table_label"], c["record"], c["field_label"], c["mine"], c["theirs"]]
                               for c in data["conflicts"]])
        self.tabs.setTabText(1, f"冲突处理（{len(data['conflicts'])}）" if data["conflicts"] else "冲突处理")
        units = data["units"]
        _fill(self.units, [[u["code"], u["name"], u["people"], (u["last_bundle"] or "从未收到")[:16].replace("T", " "),
                            "逾期未报" if u["overdue"] else ("本单位" if u["is_self"] else "正常")] for u in units],
              highlight=[u["overdue"] for u in units])
        _fill(self.log, [list(r) for r in data["log"]])

    # ---------------------------------------------------------------------- notices
    def refresh_notices(self) -> None:
        """Read the notice status (only while its tab is shown: it walks every person)."""
        def read(_p: Any, _c: Any) -> list[dict[str, Any]]:
            from app.services.notices import notice_status

            with self.ctx.db.session_scope() as s:
                return notice_status(s)

        self.ctx.run_job(read, label="读取告知情况", on_done=self._show_notices, cancellable=False)

    def _show_notices(self, rows: list[dict[str, Any]]) -> None:
        chosen = self._chosen_notice()
        self._notice_rows = sorted(rows, key=lambda n: n["issued_date"] or "", reverse=True)
        _fill(self.notices, [[n["title"], n["kind"], n["issued_date"], n["told"], n["acknowledged"],
                              n["not_told"]] for n in self._notice_rows],
              highlight=[n["not_told"] > 0 for n in self._notice_rows])
        ids = [n["id"] for n in self._notice_rows]
        self.notices.selectRow(ids.index(chosen) if chosen in ids else 0)
        self._show_notice_units()

    def _chosen_notice(self) -> str | None:
        rows = self.notices.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self._notice_rows):
            return None
        return self._notice_rows[rows[0].row()]["id"]

    def _show_notice_units(self) -> None:
        chosen = self._chosen_notice()
        notice = next((n for n in self._notice_rows if n["id"] == chosen), None)
        units = notice["units"] if notice else []
        _fill(self.notice_units, [[u["unit"], u["told"], u["acknowledged"], len(u["not_told"]),
                                   "、".join(u["not_told"][:50]) + ("……" if len(u["not_told"]) > 50 else "")]
                                  for u in units],
              highlight=[bool(u["not_told"]) for u in units])

    def new_notice(self) -> None:
        from app.ui.notice_dialogs import new_notice_dialog

        new_notice_dialog(self.ctx, self).open()

    # ---------------------------------------------------------------------- export
    def choose_export(self) -> None:
        code = self.peer.currentData()
        if not code:
            return
        last = self.ctx.settings().value("sync/last_folder", str(Path.home()))
        path, _ = QFileDialog.getSaveFileName(self, "保存数据包", str(Path(last) / f"数据包-发往{code}{BUNDLE_SUFFIX}"),
                                              f"退管通数据包 (*{BUNDLE_SUFFIX})")
        if path:
            self.ctx.settings().setValue("sync/last_folder", str(Path(path).parent))
            self.export_to(code, Path(path))

    def export_to(self, code: str, out: Path) -> None:
        from app.sync.exporter import export_bundle

        everything = self.everything.isChecked()

        def write(s: Any) -> dict[str, Any]:
            return export_bundle(s, code, out, actor=self.ctx.actor(), everything=everything)

        def done(result: dict[str, Any]) -> None:
            self.ctx.notified.emit(f"已生成数据包：{Path(result['file']).name}（第 {result['seq']} 号，{result['records']} 条记录）")
            self.refresh()
        self.ctx.run_write(write, label="生成数据包", on_done=done)

    # ---------------------------------------------------------------------- import
    def choose_files(self) -> None:
        last = self.ctx.settings().value("sync/last_folder", str(Path.home()))
        files, _ = QFileDialog.getOpenFileNames(self, "选择数据包", str(last), f"退管通数据包 (*{BUNDLE_SUFFIX})")
        if files:
            self.ctx.settings().setValue("sync/last_folder", str(Path(files[0]).parent))
            self.preview_files([Path(f) for f in files])

    def choose_folder(self) -> None:
        last = self.ctx.settings().value("sync/last_folder", str(Path.home()))
        folder = QFileDialog.getExistingDirectory(self, "选择存放数据包的文件夹", str(last))
        if folder:
            files = sorted(Path(folder).glob(f"*{BUNDLE_SUFFIX}"))
            if not files:
                self.ctx.show_error(f"文件夹中没有数据包（*{BUNDLE_SUFFIX}）。")
                return
            self.preview_files(files)

    def preview_files(self, files: list[Path]) -> None:
        from app.sync.apply import import_bundles

        def job(progress: Any, cancelled: Any) -> list[dict[str, Any]]:
            return import_bundles(self.ctx.db, files, actor=self.ctx.actor(), dry_run=True,
                                  progress=progress, cancel=cancelled)

        def done(results: list[dict[str, Any]]) -> None:
            self._show_results(results, preview=True)
            self.pending = [Path(r["file"]) for r in results if not r.get("rejected")]
            self.apply_btn.setEnabled(bool(self.pending))
        self.ctx.run_job(job, label="检查数据包", on_done=done)

    def apply_pending(self) -> None:
        from app.sync.apply import import_bundles

        files = list(self.pending)
        if not files:
            return

        def write(_s: Any) -> list[dict[str, Any]]:
            # import_bundles manages its own transactions (one per bundle, after a backup); it
            # runs here so that it is queued with every other write.
            return import_bundles(self.ctx.db, files, actor=self.ctx.actor())

        def done(results: list[dict[str, Any]]) -> None:
            self._show_results(results, preview=False)
            self.pending = []
            self.apply_btn.setEnabled(False)
            for table in SYNC_TABLES:
                self.ctx.data_changed.emit(table, [])
        self.ctx.run_write(write, label="导入数据包", on_done=done)

    def _show_results(self, results: list[dict[str, Any]], *, preview: bool) -> None:
        rows, problems, marks = [], [], []
        for r in results:
            name = Path(r["file"]).name
            if r.get("rejected"):
                rows.append([name, "", "", *["" for _ in ACTION_COLUMNS], "拒收：" + r["error"]])
                marks.append(True)
                continue
            counts = r["counts"]
            rows.append([name, r["from"], r["seq"], *[counts.get(k, 0) for k, _h in ACTION_COLUMNS], r["summary"]])
            marks.append(bool(counts.get("rejected") or counts.get("conflict") or r.get("missing_seqs")))
            from app.sync.plan import TABLE_LABELS

            for p in r.get("problems", []):
                problems.append([TABLE_LABELS.get(p["table"], p["table"]), p["label"], p["message"]])
        _fill(self.preview, rows, highlight=marks)
        _fill(self.problems, problems)
        ok = sum(1 for r in results if not r.get("rejected"))
        self.preview_note.setText(
            f"预览：{ok} 个数据包可以导入，{len(results) - ok} 个被拒收。确认无误后点“应用”。" if preview
             else f"已导入 {ok} 个数据包，{len(results) - ok} 个被拒收（拒收的数据包没有改动任何数据）。")

    def undo(self) -> None:

        if QMessageBox.question(self, "撤销导入", "把数据恢复到最近一次导入数据包之前？") != QMessageBox.StandardButton.Yes:
            return
        self.undo_now()

    def undo_now(self) -> None:
        from app.sync.apply import undo_last

        def write(_s: Any) -> dict[str, Any]:
            return undo_last(self.ctx.db, actor=self.ctx.actor())

        def done(result: dict[str, Any]) -> None:
            self.ctx.notified.emit(f"已撤销数据包“{result['undone']}”的导入")
            for table in SYNC_TABLES:
                self.ctx.data_changed.emit(table, [])
        self.ctx.run_write(write, label="撤销导入", on_done=done)

    # ---------------------------------------------------------------------- conflicts
    def resolve_selected(self, choice: str) -> None:

        row = self.conflicts.currentRow()
        if row < 0 or row >= len(getattr(self, "_conflict_rows", [])):
            self.ctx.show_error("请先在表中选中一条冲突。")
            return
        conflict = self._conflict_rows[row]
        value = None
        if choice == "edit":
            text, ok = QInputDialog.getText(self, "改为", f"{conflict['field_label']}：",
                                            text=str(conflict["mine"] or ""))
            if not ok:
                return
            value = text
        self.resolve(conflict["id"], choice, value)

    def resolve(self, conflict_id: int, choice: str, value: Any = None) -> None:
        from app.sync.conflicts import resolve

        def write(s: Any) -> dict[str, Any]:
            return resolve(s, conflict_id, choice, actor=self.ctx.actor(), value=value)

        def done(_r: dict[str, Any]) -> None:
            self.ctx.data_changed.emit("retirees", [])
        self.ctx.run_write(write, label="处理冲突", on_done=done)

    # ---------------------------------------------------------------------- units
    def add_child(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("添加下级单位")
        form = QFormLayout(dialog)
        name, code = QLineEdit(), QLineEdit()
        form.addRow("单位名称：", name)
        form.addRow("单位代码：", code)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.accepted.connect(dialog.accept)
        box.rejected.connect(dialog.reject)
        form.addRow(box)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        last = self.ctx.settings().value("sync/last_folder", str(Path.home()))
        path, _ = QFileDialog.getSaveFileName(self, "保存登记文件", str(Path(last) / f"登记文件-{code.text()}.enrol"),
                                              "登记文件 (*.enrol)")
        if path:
            self.add_child_unit(name.text(), code.text(), Path(path))

    def add_child_unit(self, name: str, code: str, out: Path) -> None:
        from app.sync.peers import add_child

        def write(s: Any) -> dict[str, Any]:
            return add_child(s, name, code, out, actor=self.ctx.actor())

        def done(result: dict[str, Any]) -> None:
            self.ctx.notified.emit(f"已添加下级单位“{result['name']}”，登记文件已保存。本单位密钥指纹：{result['parent_fingerprint']}")
            self.ctx.data_changed.emit("units", [])
        self.ctx.run_write(write, label="添加下级单位", on_done=done)

    def choose_enrolment(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "打开登记文件", str(Path.home()), "登记文件 (*.enrol)")
        if path:
            self.enrol_from(Path(path))

    def enrol_from(self, path: Path) -> None:
        from app.sync.peers import enrol

        def write(s: Any) -> dict[str, Any]:
            return enrol(s, path, actor=self.ctx.actor())

        def done(result: dict[str, Any]) -> None:
            self.ctx.notified.emit(f"已登记为“{result['name']}”，上级单位：{result['parent']}")
            self.ctx.data_changed.emit("units", [])
        self.ctx.run_write(write, label="单位登记", on_done=done)
