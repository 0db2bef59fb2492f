"""导入人员名单: choose file → sheets and mapping → preview of problems and duplicates → apply.

All reading and writing runs through the context's background jobs (house rule 3): the
mapping page reads the headers, the preview page builds the plan (a dry run), the last page
applies that same plan in one transaction after a backup, with progress and cancel.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from app.importer import (
    CHOICES,
    NEW,
    SKIP_DUP,
    UPDATE,
    ImportPlan,
    SheetPlan,
    apply_plan,
    build_plan,
    detect_sheets,
    export_problem_rows,
    plan_report,
    write_template,
)
from app.importer.mapping import all_targets, target_label
from app.importer.report import COUNT_LABELS

FILE_FILTER = "人员名单 (*.xlsx *.xlsm *.xls *.csv);;所有文件 (*)"
SETTINGS_DIR = "import/last_dir"


def _run_job(ctx: Any, fn: Any, *, label: str, on_done: Any, on_error: Any, cancellable: bool = True) -> None:
    """``ctx.run_job`` with an error callback when the context offers one."""
    try:
        ctx.run_job(fn, label=label, on_done=on_done, cancellable=cancellable, on_error=on_error)
    except TypeError:
        ctx.run_job(fn, label=label, on_done=on_done, cancellable=cancellable)


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.verticalHeader().setVisible(False)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _item(text: Any) -> QTableWidgetItem:
    return QTableWidgetItem("" if text is None else str(text))


class FilePage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("第一步：选择人员名单文件")
        self.setSubTitle("支持 Excel（.xlsx、.xls）和 CSV 文件。表格上方有标题行、合并的表头都没关系。")
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("选择或拖入文件……")
        self.path_edit.textChanged.connect(lambda _t: self.completeChanged.emit())
        browse = QPushButton("浏览…")
        browse.clicked.connect(self._browse)
        template = QPushButton("下载导入模板")
        template.setToolTip("按本程序的字段生成一个空白名单，填好后再导入")
        template.clicked.connect(self._template)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(QLabel("导入前会先预检，并自动备份数据库；预检时不会改动任何数据。"))
        lay.addStretch(1)
        lay.addWidget(template, 0, Qt.AlignmentFlag.AlignLeft)

    def path(self) -> Path:
        return Path(self.path_edit.text().strip().strip('"'))

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        p = self.path()
        return bool(self.path_edit.text().strip()) and p.is_file()

    def _start_dir(self) -> str:
        try:
            return str(self.w.ctx.settings().value(SETTINGS_DIR, "") or "")
        except Exception:  # noqa: BLE001 - a missing setting is no reason to fail
            return ""

    def _browse(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "选择人员名单", self._start_dir(), FILE_FILTER)
        if name:
            self.path_edit.setText(name)
            with contextlib.suppress(Exception):  # remembering the folder is a nicety
                self.w.ctx.settings().setValue(SETTINGS_DIR, str(Path(name).parent))

    def _template(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "保存导入模板",
                                              str(Path(self._start_dir() or ".") / "离退休人员导入模板.xlsx"),
                                              "Excel 文件 (*.xlsx)")
        if name:
            self.w.save_template(Path(name))


class MappingPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("第二步：工作表和列对应")
        self.setSubTitle("勾选要导入的工作表；每一列可以改成对应别的字段、保留到备注或不导入。")
        self.status = QLabel()
        self.sheet_list = QListWidget()
        self.sheet_list.setMaximumHeight(110)
        self.sheet_list.currentRowChanged.connect(self._show_sheet)
        self.sheet_list.itemChanged.connect(lambda _i: self.completeChanged.emit())
        self.columns = _table(["列", "表头", "对应字段"])
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addWidget(self.sheet_list)
        lay.addWidget(self.columns, 1)
        self.sheets: list[SheetPlan] = []
        self._ready = False
        self._targets = all_targets()

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self._ready = False
        self.sheets = []
        self.sheet_list.clear()
        self.columns.setRowCount(0)
        path = self.w.file_page.path()
        self.status.setText(f"正在读取“{path.name}”……")

        def done(sheets: list[SheetPlan]) -> None:
            self.sheets = sheets
            self._fill()

        def failed(exc: BaseException) -> None:
            self.status.setText(f"无法读取文件：{exc}")

        _run_job(self.w.ctx, lambda _p, _c: detect_sheets(path), label="读取表头", on_done=done,
                 on_error=failed, cancellable=False)

    def _fill(self) -> None:
        self.sheet_list.blockSignals(True)
        for sheet in self.sheets:
            text = sheet.name if sheet.imported else f"{sheet.name}（{sheet.skipped_reason}）"
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if sheet.imported else Qt.CheckState.Unchecked)
            if not sheet.columns:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.sheet_list.addItem(item)
        self.sheet_list.blockSignals(False)
        people = [s for s in self.sheets if s.imported]
        self.status.setText(f"找到 {len(self.sheets)} 个工作表，其中 {len(people)} 个是人员名单。"
                            if people else "没有找到人员名单：没有哪个工作表含有“姓名”列的表头。")
        first = next((i for i, s in enumerate(self.sheets) if s.imported), 0)
        if self.sheets:
            self.sheet_list.setCurrentRow(first)
        self._ready = True
        self.completeChanged.emit()

    def _show_sheet(self, index: int) -> None:
        self.columns.setRowCount(0)
        if not 0 <= index < len(self.sheets):
            return
        sheet = self.sheets[index]
        self.columns.setRowCount(len(sheet.columns))
        for r, col in enumerate(sheet.columns):
            self.columns.setItem(r, 0, _item(col.letter))
            self.columns.setItem(r, 1, _item(col.header))
            combo = QComboBox()
            for t in self._targets:
                combo.addItem(target_label(t), t)
            combo.setCurrentIndex(self._targets.index(col.target))
            combo.currentIndexChanged.connect(
                lambda _i, c=col, box=combo: self._set_target(c, box.currentData()))
            self.columns.setCellWidget(r, 2, combo)

    def _set_target(self, col: Any, target: str) -> None:
        col.target = target
        self.completeChanged.emit()

    def chosen_sheets(self) -> list[SheetPlan]:
        out = []
        for i, sheet in enumerate(self.sheets):
            item = self.sheet_list.item(i)
            checked = item is not None and item.checkState() == Qt.CheckState.Checked
            if checked and sheet.columns:
                sheet.skipped_reason = None
            elif sheet.skipped_reason is None:
                sheet.skipped_reason = "未选择导入"
            out.append(sheet)
        return out

    def combo_for(self, row: int) -> QComboBox:
        return self.columns.cellWidget(row, 2)  # type: ignore[return-value]

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        if not self._ready:
            return False
        for i, sheet in enumerate(self.sheets):
            item = self.sheet_list.item(i)
            if item is not None and item.checkState() == Qt.CheckState.Checked and \
                    any(c.target == "name" for c in sheet.columns):
                return True
        return False


class PreviewPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("第三步：预检结果")
        self.setSubTitle("以下为预检结果，数据库尚未改动。请为每处可能重复的人员选择处理方式。")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "开始导入")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.tabs = QTabWidget()
        self.problems = _table(["工作表", "行", "字段", "类别", "说明"])
        self.duplicates = _table(["工作表", "行", "姓名", "情况", "原因", "对应", "处理方式", "将更新"])
        self.hints = _table(["采用", "工作表", "行", "姓名", "字段", "建议值", "来自备注"])
        self.accept_all = QCheckBox("全部采用备注中的建议")
        self.accept_all.toggled.connect(self._toggle_all_hints)
        hint_box = QWidget()
        hl = QVBoxLayout(hint_box)
        hl.setContentsMargins(0, 0, 0, 0)
        hl.addWidget(self.accept_all)
        hl.addWidget(self.hints)
        self.tabs.addTab(self.problems, "问题")
        self.tabs.addTab(self.duplicates, "可能重复")
        self.tabs.addTab(hint_box, "备注建议")
        self.export_btn = QPushButton("导出问题行…")
        self.export_btn.setToolTip("把有问题的行导出为 Excel（含“问题说明”列），改好后可再次导入")
        self.export_btn.clicked.connect(self._export)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.export_btn, 0, Qt.AlignmentFlag.AlignLeft)
        self.plan: ImportPlan | None = None
        self.choices: dict[str, str] = {}
        self.hint_boxes: list[tuple[QCheckBox, str, str]] = []

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.plan = None
        self.choices = {}
        self.summary.setText("正在预检……")
        for t in (self.problems, self.duplicates, self.hints):
            t.setRowCount(0)
        path = self.w.file_page.path()
        sheets = self.w.mapping_page.chosen_sheets()
        db = self.w.ctx.db

        def job(progress: Any, cancelled: Any) -> ImportPlan:
            with db.session_scope() as s:
                return build_plan(s, path, sheets=sheets, progress=progress, cancel=cancelled)

        def failed(exc: BaseException) -> None:
            self.summary.setText(f"预检失败：{exc}")

        _run_job(self.w.ctx, job, label="预检人员名单", on_done=self._show, on_error=failed)

    def _show(self, plan: ImportPlan) -> None:
        self.plan = plan
        report = plan_report(plan)
        self.problems.setRowCount(len(report["problems"]))
        for r, p in enumerate(report["problems"]):
            for c, key in enumerate(("sheet", "row", "field", "severity", "message")):
                self.problems.setItem(r, c, _item(p[key]))
        dups = report["duplicates"]
        self.duplicates.setRowCount(len(dups))
        for r, d in enumerate(dups):
            where = d["existing"] if d["kind"] == "数据库中已有" else f"本文件 {d['other_row']}"
            changes = "；".join(f"{k}：{a or '（空）'}→{b}" for k, (a, b) in d["changes"].items())
            for c, text in enumerate((d["sheet"], d["row"], d["who"], d["kind"], d["reason"], where)):
                self.duplicates.setItem(r, c, _item(text))
            combo = QComboBox()
            for value in (SKIP_DUP, UPDATE, NEW):
                combo.addItem(CHOICES[value], value)
            combo.currentIndexChanged.connect(lambda _i, key=d["key"], box=combo: self._choose(key, box.currentData()))
            self.duplicates.setCellWidget(r, 6, combo)
            self.duplicates.setItem(r, 7, _item(changes))
        self.hint_boxes = []
        self.hints.setRowCount(len(report["hints"]))
        for r, h in enumerate(report["hints"]):
            box = QCheckBox()
            box.toggled.connect(lambda _on: self._update_summary())
            self.hints.setCellWidget(r, 0, box)
            self.hint_boxes.append((box, h["key"], h["field_name"]))
            for c, key in enumerate(("sheet", "row", "who", "field", "value", "source"), 1):
                self.hints.setItem(r, c, _item(h[key]))
        self.tabs.setTabText(0, f"问题（{len(report['problems'])}）")
        self.tabs.setTabText(1, f"可能重复（{len(dups)}）")
        self.tabs.setTabText(2, f"备注建议（{len(report['hints'])}）")
        self.export_btn.setEnabled(any(r.data.issues for r in plan.rows))
        self._update_summary()
        self.completeChanged.emit()

    def _choose(self, key: str, value: str) -> None:
        self.choices[key] = value
        self._update_summary()

    def _toggle_all_hints(self, on: bool) -> None:
        for box, _k, _f in self.hint_boxes:
            box.setChecked(on)

    def accepted_hints(self) -> set[tuple[str, str]]:
        return {(key, name) for box, key, name in self.hint_boxes if box.isChecked()}

    def _update_summary(self) -> None:
        if self.plan is None:
            return
        counts = self.plan.counts(self.choices)
        text = "预检结果：" + "，".join(f"{label} {counts[k]}" for k, label in COUNT_LABELS.items())
        if self.plan.new_groups:
            text += "。将新建联络小组：" + "、".join(self.plan.new_groups)
        hints = len(self.accepted_hints())
        if hints:
            text += f"。采用备注建议 {hints} 条"
        self.summary.setText(text + "。")

    def _export(self) -> None:
        if self.plan is None:
            return
        default = self.w.file_page.path().with_name(self.w.file_page.path().stem + "-问题行.xlsx")
        name, _ = QFileDialog.getSaveFileName(self, "导出问题行", str(default), "Excel 文件 (*.xlsx)")
        if name:
            self.w.export_problems(Path(name))

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.plan is not None


class ApplyPage(QWizardPage):
    def __init__(self, wizard: ImportWizard) -> None:
        super().__init__()
        self.w = wizard
        self.setTitle("第四步：导入")
        self.status = QLabel()
        self.status.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.addWidget(self.status)
        lay.addStretch(1)
        self.result: Any = None
        self.finished = False

    def initializePage(self) -> None:  # noqa: N802 - Qt override
        self.finished = False
        self.result = None
        preview = self.w.preview_page
        plan = preview.plan
        assert plan is not None
        choices = dict(preview.choices)
        hints = preview.accepted_hints()
        ctx = self.w.ctx
        actor = ctx.actor() if callable(getattr(ctx, "actor", None)) else None
        self.status.setText("正在备份数据库并导入……")

        def job(progress: Any, cancelled: Any) -> Any:
            return apply_plan(ctx.db, plan, choices=choices, accept_hints=hints, actor=actor,
                              progress=progress, cancel=cancelled)

        def done(result: Any) -> None:
            self.result = result
            self.finished = True
            c = result.counts
            lines = ["导入完成：" + "，".join(f"{label} {c[k]}" for k, label in COUNT_LABELS.items()) + "。"]
            if result.groups_created:
                lines.append("已新建联络小组：" + "、".join(result.groups_created) + "。")
            for issue in result.issues[:20]:
                lines.append(f"{issue.sheet} 第{issue.row}行：{issue.message}")
            if len(result.issues) > 20:
                lines.append(f"……另有 {len(result.issues) - 20} 条")
            if result.backup:
                lines.append(f"导入前的数据已备份到：{result.backup}")
            self.status.setText("\n".join(lines))
            ctx.data_changed.emit("retirees", [])
            if result.groups_created:
                ctx.data_changed.emit("liaison_groups", [])
            self.completeChanged.emit()

        def failed(exc: BaseException) -> None:
            self.finished = True
            self.status.setText(f"导入没有完成，数据库未作任何改动（{exc}）。")
            self.completeChanged.emit()

        _run_job(ctx, job, label="导入人员名单", on_done=done, on_error=failed)

    def isComplete(self) -> bool:  # noqa: N802 - Qt override
        return self.finished


class ImportWizard(QWizard):
    """The import wizard; open with ``ImportWizard(ctx, parent).exec()``."""

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("导入人员名单")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setButtonText(QWizard.WizardButton.NextButton, "下一步")
        self.setButtonText(QWizard.WizardButton.BackButton, "上一步")
        self.setButtonText(QWizard.WizardButton.FinishButton, "完成")
        self.setButtonText(QWizard.WizardButton.CancelButton, "取消")
        self.file_page = FilePage(self)
        self.mapping_page = MappingPage(self)
        self.preview_page = PreviewPage(self)
        self.apply_page = ApplyPage(self)
        for page in (self.file_page, self.mapping_page, self.preview_page, self.apply_page):
            self.addPage(page)
        self.resize(860, 600)

    def save_template(self, path: Path) -> None:
        def done(out: Path) -> None:
            notify = getattr(self.ctx, "notify", None)
            if callable(notify):
                notify(f"已生成导入模板：{out}")

        _run_job(self.ctx, lambda _p, _c: write_template(path), label="生成导入模板", on_done=done,
                 on_error=None, cancellable=False)

    def export_problems(self, path: Path) -> None:
        plan = self.preview_page.plan
        if plan is None:
            return
        _run_job(self.ctx, lambda _p, _c: export_problem_rows(plan, path), label="导出问题行",
                 on_done=None, on_error=None, cancellable=False)
