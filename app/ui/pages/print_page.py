"""打印: choose a document and its scope, preview it, then open, print, save or export.

The PDF is built off the UI thread (``ctx.run_job``, with progress and cancel) into a private
temp folder; the preview renders its pages with QtPdf. Saving copies that file, so what is
saved is exactly what was previewed.
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, QSize, Qt, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPainter, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.reports.condolence import OCCASIONS
from app.reports.documents import DOCUMENTS, EXCEL_LISTS, USES_PERIOD, build_pdf, export_excel

__all__ = ["PrintPage"]

PREVIEW_PAGES = 10  # pages rendered in the preview; the whole document is in the file
ZOOMS = (50, 75, 100, 125, 150, 200)
LAST_DIR_KEY = "print/last_dir"
PAYMENT_KINDS = ("丧事慰问", "住院慰问", "困难帮扶", "节日慰问", "生日祝寿", "金婚祝贺", "其他")


class PrintPage(QWidget):
    SCOPES = (("all", "全部在册人员"), ("selection", "人员卡册中选中的人员"),
              ("group", "联络小组"), ("filter", "人员卡册当前筛选结果"))

    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._tmp = Path(tempfile.mkdtemp(prefix="retiree-desk-print-"))
        self.pdf_path: Path | None = None
        self._pdf: Any = None  # QPdfDocument of the current preview
        self._built_doc = ""
        self.destroyed.connect(lambda *_: shutil.rmtree(self._tmp, ignore_errors=True))

        self.doc = QComboBox()
        self.doc.setObjectName("document")
        for key, title in DOCUMENTS.items():
            self.doc.addItem(title, key)
        self.doc.currentIndexChanged.connect(self._doc_changed)

        scope_box = QGroupBox("范围")
        scope_layout = QVBoxLayout(scope_box)
        self.scope = QButtonGroup(self)
        self.scope_buttons: dict[str, QRadioButton] = {}
        for i, (key, text) in enumerate(self.SCOPES):
            button = QRadioButton(text)
            self.scope.addButton(button, i)
            self.scope_buttons[key] = button
            if key == "group":
                self.group = QComboBox()
                self.group.setObjectName("group")
                row = QHBoxLayout()
                row.addWidget(button)
                row.addWidget(self.group, 1)
                scope_layout.addLayout(row)
            else:
                scope_layout.addWidget(button)
        self.scope_buttons["all"].setChecked(True)

        year = date.today().year
        self.date_from = QDateEdit(QDate(year, 1, 1))
        self.date_to = QDateEdit(QDate(year, 12, 31))
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        period_row = QHBoxLayout()
        period_row.addWidget(self.date_from)
        period_row.addWidget(QLabel("至"))
        period_row.addWidget(self.date_to)
        self.period_box = QGroupBox("期间")
        self.period_box.setLayout(period_row)

        # Options of single documents; shown only with their document.
        self.options_box = QGroupBox("选项")
        form = QFormLayout(self.options_box)
        self.by = QComboBox()
        self.by.addItem("按联络小组分页", "group")
        self.by.addItem("按片区（街道）分页", "street")
        self.occasion = QComboBox()
        self.occasion.addItem("（按发放记录）", "")
        for o in OCCASIONS:
            self.occasion.addItem(o, o)
        self.amount = QLineEdit()
        self.amount.setPlaceholderText("元，如 500")
        self.goods = QLineEdit()
        self.visitors = QLineEdit()
        self.kind = QComboBox()
        self.kind.addItem("全部类别", "")
        for k in PAYMENT_KINDS:
            self.kind.addItem(k, k)
        self.reveal = QCheckBox("显示完整身份证号和电话（存档用）")
        self._option_rows: dict[str, list[QWidget]] = {
            "visit-sheet": [self.by], "phone-sheet": [self.by],
            "condolence": [self.occasion, self.amount, self.goods, self.visitors],
            "payment-list": [self.kind], "cards": [self.reveal],
        }
        for label, widget in (("分页：", self.by), ("慰问事由：", self.occasion),
                              ("金额：", self.amount), ("慰问品：", self.goods),
                              ("慰问人：", self.visitors), ("类别：", self.kind), ("", self.reveal)):
            form.addRow(label, widget)
        self._form = form

        self.preview_button = QPushButton("生成预览")
        self.preview_button.setObjectName("preview")
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.preview)
        self.open_button = QPushButton("用系统查看器打开")
        self.open_button.clicked.connect(self.open_external)
        self.print_button = QPushButton("打印…")
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton("另存为 PDF…")
        self.save_button.clicked.connect(self.save_pdf)
        self.excel_button = QPushButton("导出 Excel…")
        self.excel_button.clicked.connect(self.export_xlsx)
        for b in (self.open_button, self.print_button, self.save_button):
            b.setEnabled(False)

        left = QWidget()
        controls = QVBoxLayout(left)
        doc_form = QFormLayout()
        doc_form.addRow("文档：", self.doc)
        controls.addLayout(doc_form)
        controls.addWidget(scope_box)
        controls.addWidget(self.period_box)
        controls.addWidget(self.options_box)
        controls.addWidget(self.preview_button)
        for b in (self.open_button, self.print_button, self.save_button, self.excel_button):
            controls.addWidget(b)
        self.status = QLabel("选择文档和范围，然后生成预览。")
        self.status.setWordWrap(True)
        controls.addWidget(self.status)
        controls.addStretch()

        self.zoom = QComboBox()
        self.zoom.setObjectName("zoom")
        for z in ZOOMS:
            self.zoom.addItem(f"{z}%", z)
        self.zoom.setCurrentIndex(ZOOMS.index(75))
        self.zoom.currentIndexChanged.connect(self._render_preview)
        self.page_label = QLabel("")
        bar = QHBoxLayout()
        bar.addWidget(QLabel("缩放："))
        bar.addWidget(self.zoom)
        bar.addStretch()
        bar.addWidget(self.page_label)
        self.pages_widget = QWidget()
        self.pages_layout = QVBoxLayout(self.pages_widget)
        self.pages_layout.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setWidget(self.pages_widget)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addLayout(bar)
        right_layout.addWidget(self.scroll, 1)

        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([300, 700])
        outer = QVBoxLayout(self)
        outer.addWidget(splitter)
        self._doc_changed()
        self.load_groups()

    # ----------------------------------------------------------------- state
    def current_doc(self) -> str:
        return str(self.doc.currentData())

    def set_document(self, key: str) -> None:
        self.doc.setCurrentIndex(self.doc.findData(key))

    def set_scope(self, key: str, group_name: str | None = None) -> None:
        self.scope_buttons[key].setChecked(True)
        if group_name is not None:
            self.group.setCurrentIndex(self.group.findText(group_name))

    def _scope_key(self) -> str:
        return self.SCOPES[self.scope.checkedId()][0]

    def _doc_changed(self) -> None:
        doc = self.current_doc()
        self.period_box.setVisible(doc in USES_PERIOD or doc == "phone-sheet")
        shown = self._option_rows.get(doc, [])
        for widget in (self.by, self.occasion, self.amount, self.goods, self.visitors, self.kind,
                       self.reveal):
            self._form.setRowVisible(widget, widget in shown)
        self.options_box.setVisible(bool(shown))
        self.excel_button.setEnabled(doc in EXCEL_LISTS)

    def on_shown(self) -> None:
        self.load_groups()

    def load_groups(self) -> None:
        def work(_progress: Any, _cancelled: Any) -> list[tuple[str, str]]:
            from sqlmodel import select

            from app.models import LiaisonGroup

            with self.ctx.db.session_scope() as s:
                rows = s.exec(select(LiaisonGroup.id, LiaisonGroup.name)
                              .where(LiaisonGroup.deleted == False)).all()  # noqa: E712
            return sorted(((gid, name) for gid, name in rows), key=lambda r: r[1])

        def done(groups: list[tuple[str, str]]) -> None:
            current = self.group.currentData()
            self.group.clear()
            for gid, name in groups:
                self.group.addItem(name, gid)
            if current:
                self.group.setCurrentIndex(max(0, self.group.findData(current)))

        self.ctx.run_job(work, label="读取联络小组", on_done=done, cancellable=False)

    def scope_kwargs(self) -> dict[str, Any]:
        """The ``build_pdf`` arguments for what is chosen; raises ValueError with a message."""
        kw: dict[str, Any] = {}
        scope = self._scope_key()
        if scope == "selection":
            kw["ids"] = self.ctx.selected_retiree_ids()
            if not kw["ids"]:
                raise ValueError("请先在“人员卡册”页选中人员。")
        elif scope == "filter":
            kw["ids"] = self.ctx.filtered_retiree_ids()
            if not kw["ids"]:
                raise ValueError("人员卡册当前筛选结果为空。")
        elif scope == "group":
            if not self.group.currentData():
                raise ValueError("请选择联络小组。")
            kw["group_id"] = self.group.currentData()
        doc = self.current_doc()
        if self.period_box.isVisible() or doc in USES_PERIOD or doc == "phone-sheet":
            kw["date_from"] = self.date_from.date().toPython()
            kw["date_to"] = self.date_to.date().toPython()
            if kw["date_to"] < kw["date_from"]:
                raise ValueError("期间的结束日期早于开始日期。")
        if doc in ("visit-sheet", "phone-sheet"):
            kw["by"] = self.by.currentData()
        elif doc == "condolence":
            kw.update(occasion=self.occasion.currentData() or None, amount=self.amount.text() or None,
                      goods=self.goods.text() or None, visitors=self.visitors.text() or None)
        elif doc == "payment-list":
            kw["kind"] = self.kind.currentData() or None
        elif doc == "cards":
            kw["reveal"] = self.reveal.isChecked() or None
        return kw

    # ----------------------------------------------------------------- actions
    def preview(self) -> None:
        try:
            kw = self.scope_kwargs()
        except ValueError as exc:
            self.ctx.show_error(str(exc))
            return
        doc = self.current_doc()
        out = self._tmp / f"{doc}-{len(list(self._tmp.iterdir()))}.pdf"
        db = self.ctx.db

        def work(progress: Any, cancelled: Any) -> Path:
            with db.session_scope() as s:
                return build_pdf(doc, s, out, progress=progress, cancel=cancelled, **kw)

        self.status.setText(f"正在生成{DOCUMENTS[doc]}…")
        self.ctx.run_job(work, label=f"生成{DOCUMENTS[doc]}",
                         on_done=lambda path: self._built(doc, path),
                         on_error=lambda _exc: self.status.setText("未生成。"))

    def _built(self, doc: str, path: Path) -> None:
        from PySide6.QtPdf import QPdfDocument

        self.pdf_path = path
        self._built_doc = doc
        if self._pdf is not None:
            self._pdf.close()
        self._pdf = QPdfDocument(self)
        self._pdf.load(str(path))
        pages = self._pdf.pageCount()
        note = f"（预览前 {PREVIEW_PAGES} 页）" if pages > PREVIEW_PAGES else ""
        self.page_label.setText(f"共 {pages} 页{note}")
        self.status.setText(f"已生成{DOCUMENTS[doc]}，共 {pages} 页。")
        for b in (self.open_button, self.print_button, self.save_button):
            b.setEnabled(True)
        self._render_preview()

    def page_labels(self) -> list[QLabel]:
        return [self.pages_layout.itemAt(i).widget() for i in range(self.pages_layout.count())]

    def _render_preview(self) -> None:
        while self.pages_layout.count():
            item = self.pages_layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if self._pdf is None:
            return
        scale = self.zoom.currentData() / 100 * self.logicalDpiX() / 72
        ratio = self.devicePixelRatioF()
        for i in range(min(self._pdf.pageCount(), PREVIEW_PAGES)):
            points = self._pdf.pagePointSize(i)
            size = QSize(round(points.width() * scale * ratio), round(points.height() * scale * ratio))
            image = self._pdf.render(i, size)
            pixmap = QPixmap.fromImage(image)
            pixmap.setDevicePixelRatio(ratio)
            label = QLabel()
            label.setPixmap(pixmap)
            label.setStyleSheet("background: white; border: 1px solid #999;")
            self.pages_layout.addWidget(label)

    def open_external(self) -> None:
        if self.pdf_path:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.pdf_path)))

    def print_document(self) -> None:
        from PySide6.QtPrintSupport import QPrintDialog, QPrinter

        if self._pdf is None:
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setDocName(DOCUMENTS.get(self._built_doc, "退管通"))
        dialog = QPrintDialog(printer, self)
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return
        self.print_to(printer)

    def print_to(self, printer: Any) -> None:
        """Each page as an image at the printer's resolution (QtPdf renders; Qt prints)."""
        painter = QPainter(printer)
        try:
            rect = painter.viewport()
            for i in range(self._pdf.pageCount()):
                if i:
                    printer.newPage()
                image: QImage = self._pdf.render(i, rect.size())
                painter.drawImage(rect, image)
        finally:
            painter.end()

    def _last_dir(self) -> str:
        return str(self.ctx.settings().value(LAST_DIR_KEY, str(Path.home())))

    def _remember_dir(self, path: Path) -> None:
        self.ctx.settings().setValue(LAST_DIR_KEY, str(path.parent))

    def _suggested(self, suffix: str) -> str:
        title = DOCUMENTS.get(self._built_doc or self.current_doc(), "文档")
        return str(Path(self._last_dir()) / f"{title}_{date.today():%Y%m%d}{suffix}")

    def save_pdf(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "另存为 PDF", self._suggested(".pdf"), "PDF 文件 (*.pdf)")
        if name:
            self.save_pdf_to(Path(name))

    def save_pdf_to(self, path: Path) -> None:
        if not self.pdf_path:
            return
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        try:
            shutil.copyfile(self.pdf_path, path)
        except OSError as exc:
            self.ctx.show_error(f"保存失败：{exc}")
            return
        self._remember_dir(path)
        self.status.setText(f"已保存：{path}")

    def export_xlsx(self) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "导出 Excel", self._suggested(".xlsx"), "Excel 文件 (*.xlsx)")
        if name:
            self.export_excel_to(Path(name))

    def export_excel_to(self, path: Path) -> None:
        doc = self.current_doc()
        try:
            kw = self.scope_kwargs()
        except ValueError as exc:
            self.ctx.show_error(str(exc))
            return
        kw = {k: v for k, v in kw.items() if k in ("ids", "group_id", "date_from", "date_to", "by", "kind")}
        if path.suffix.lower() != ".xlsx":
            path = path.with_suffix(".xlsx")
        db = self.ctx.db

        def work(progress: Any, cancelled: Any) -> Path:
            with db.session_scope() as s:
                return export_excel(doc, s, path, progress=progress, cancel=cancelled, **kw)

        def done(out: Path) -> None:
            self._remember_dir(out)
            self.status.setText(f"已导出：{out}")

        self.ctx.run_job(work, label=f"导出{EXCEL_LISTS[doc]}", on_done=done)
