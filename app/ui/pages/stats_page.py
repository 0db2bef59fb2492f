"""统计: the year's figures of the yearly statistics sheet with charts (people by age band
and category, visits per month, fund spent against budget) and the table by liaison group.
The figures are ``app.services.yearly_stats.year_stats`` — the same dict that
``retiree-desk year-stats --year Y --json`` prints."""

from __future__ import annotations

import importlib.util
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QLineSeries,
    QStackedBarSeries,
    QValueAxis,
)
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.models.registry import format_money
from app.ui.pages.freshness import RefreshWhenShown
from app.ui.unit_filter import UnitFilter

__all__ = ["StatsPage", "GROUP_COLUMNS"]

GROUP_COLUMNS = ("联络小组", "人数", "走访到人", "覆盖率", "走访次数", "电话次数", "慰问金（元）")
_WATCHED = {"retirees", "visits", "payments", "fund_budgets", "liaison_groups", "care_cases"}


class GroupTableModel(QAbstractTableModel):
    """The by-group table. A model rather than a QTableWidget: numbers stay numbers (they
    sort as numbers) and 600 groups cost nothing to show."""

    KEYS = ("group", "members", "visited", "coverage_pct", "visits", "calls", "paid_fen")

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: list[dict[str, Any]] = []

    def set_rows(self, rows: list[dict[str, Any]]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(GROUP_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return GROUP_COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        key = self.KEYS[index.column()]
        value = self.rows[index.row()][key]
        if role == Qt.ItemDataRole.DisplayRole:
            if key == "paid_fen":
                return format_money(value)
            if key == "coverage_pct":
                return f"{value:.1f}%"
            return str(value)
        if role == Qt.ItemDataRole.UserRole:  # the sort key
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column():
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _chart(title: str) -> tuple[QChart, QChartView]:
    chart = QChart()
    chart.setTitle(title)
    chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
    chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
    view = QChartView(chart)
    view.setRenderHint(QPainter.RenderHint.Antialiasing)
    view.setMinimumHeight(260)
    return chart, view


def _axes(chart: QChart, series: Any, categories: list[str], top: float) -> None:
    x = QBarCategoryAxis()
    x.append(categories)
    y = QValueAxis()
    y.setRange(0, max(top, 1) * 1.1)
    y.setLabelFormat("%d")
    chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
    chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
    for s in series if isinstance(series, list) else [series]:
        chart.addSeries(s)
        s.attachAxis(x)
        s.attachAxis(y)


class StatsPage(RefreshWhenShown, QWidget):
    watched = frozenset(_WATCHED)

    def __init__(self, ctx: Any, parent: QWidget | None = None, *, year: int | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.data: dict[str, Any] | None = None
        self._token = 0
        self._stale = True

        self.year = QSpinBox()
        self.year.setRange(1990, 2100)
        self.year.setValue(year or date.today().year)
        self.year.setSuffix(" 年")
        self.year.valueChanged.connect(self.refresh)
        refresh = QPushButton("刷新")
        refresh.clicked.connect(self.refresh)
        self.print_button = QPushButton("打印年度统计表")
        can_print = importlib.util.find_spec("app.reports.documents") is not None
        self.print_button.setEnabled(can_print)
        self.print_button.setToolTip("生成年度工作统计表 PDF" if can_print else "打印功能尚未安装")
        self.print_button.clicked.connect(lambda: self.print_sheet())
        self.budget_edit = QLineEdit()
        self.budget_edit.setPlaceholderText("本年度预算（元）")
        self.budget_edit.setMaximumWidth(160)
        budget_button = QPushButton("设定预算")
        budget_button.clicked.connect(self.save_budget)

        self.headline = QLabel()
        self.headline.setObjectName("statsHeadline")
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.people_chart, people_view = _chart("人员：年龄段与类别")
        self.visits_chart, visits_view = _chart("每月走访")
        self.fund_chart, fund_view = _chart("送温暖专项经费：累计支出与预算")
        charts = QGridLayout()
        charts.addWidget(people_view, 0, 0)
        charts.addWidget(visits_view, 0, 1)
        charts.addWidget(fund_view, 1, 0)

        self.group_model = GroupTableModel(self)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.group_model)
        proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.groups = QTableView()
        self.groups.setModel(proxy)
        self.groups.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.groups.setSortingEnabled(True)
        self.groups.verticalHeader().setVisible(False)
        charts.addWidget(self.groups, 1, 1)

        # Headquarters (or a middle unit) sees every unit's people; this narrows it to one.
        self.unit = UnitFilter("statsUnit")
        self.unit.currentIndexChanged.connect(self.refresh)
        top = QHBoxLayout()
        for w in (QLabel("年度："), self.year, self.unit, refresh, self.print_button):
            top.addWidget(w)
        top.addStretch()
        top.addWidget(self.budget_edit)
        top.addWidget(budget_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.headline)
        layout.addLayout(charts, 1)
        ctx.data_changed.connect(self._on_data_changed)
        self.refresh()

    # -- data ----------------------------------------------------------------------------------
    def refresh(self) -> None:
        from app.services.yearly_stats import year_stats

        self._token += 1
        token, year, db = self._token, self.year.value(), self.ctx.db
        unit_ids = self.unit.unit_ids()
        self._stale = False

        def work(_p: Any, _c: Any) -> tuple[int, dict[str, Any]]:
            from app.services.units import units_with_people

            with db.session_scope() as s:
                return token, {**year_stats(s, year, unit_ids=unit_ids), "_units": units_with_people(s)}

        self.ctx.run_job(work, label="计算年度统计", on_done=self._loaded, cancellable=False)

    def _loaded(self, result: tuple[int, dict[str, Any]]) -> None:
        token, data = result
        if token == self._token:
            self.unit.set_units(data.pop("_units", []))
            self.show_data(data)

    # -- drawing -------------------------------------------------------------------------------
    def show_data(self, data: dict[str, Any]) -> None:
        self.data = data
        p, v, c, f = data["people"], data["visits"], data["care"], data["fund"]
        self.headline.setText(
            f"{data['year']}年：在册 {p['on_roll']} 人（重点人员 {p['key_people']}），去世 {p['deaths']}，"
            f"迁出 {p['moved_out']}。走访 {v['total']} 次，走访到人 {v['visited_people']}"
            f"（{v['visited_pct']}%），电话联系到人 {v['called_people']}。住院慰问 {c['hospital_visits']}，"
            f"春节走访 {c['spring_festival_visits']}，生日祝寿 {c['birthdays_celebrated']}，金婚祝贺 "
            f"{c['weddings_celebrated']}，丧事慰问 {c['condolences']}，困难帮扶 {c['aided_people']} 人。"
            f"专项经费预算 {format_money(f['budget_fen'])} 元，已支出 {format_money(f['spent_fen'])} 元，"
            f"结余 {format_money(f['left_fen'])} 元。")
        self._draw_people(p)
        self._draw_visits(v)
        self._draw_fund(f)
        self._fill_groups(data["by_group"])

    def _draw_people(self, p: dict[str, Any]) -> None:
        chart = self.people_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        bands = list(p["by_age_band_and_category"])
        categories = list(p["by_category"])
        series = QStackedBarSeries()
        for cat in categories:
            bar = QBarSet(cat)
            bar.append([float(p["by_age_band_and_category"][b].get(cat, 0)) for b in bands])
            series.append(bar)
        _axes(chart, series, bands, max(p["by_age_band"].values(), default=0))

    def _draw_visits(self, v: dict[str, Any]) -> None:
        from app.services.yearly_stats import VISIT_CLASSES

        chart = self.visits_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        series = QBarSeries()
        top = 0
        for cls in VISIT_CLASSES:
            bar = QBarSet(cls)
            values = [float(m[cls]) for m in v["by_month"]]
            top = max(top, *values)
            bar.append(values)
            series.append(bar)
        _axes(chart, series, [f"{m}月" for m in range(1, 13)], top)

    def _draw_fund(self, f: dict[str, Any]) -> None:
        chart = self.fund_chart
        chart.removeAllSeries()
        for axis in chart.axes():
            chart.removeAxis(axis)
        spent, budget = QLineSeries(), QLineSeries()
        spent.setName("累计支出（元）")
        budget.setName("预算（元）")
        for i, fen in enumerate(f["cumulative_by_month"]):
            spent.append(i + 1, fen / 100)
            budget.append(i + 1, f["budget_fen"] / 100)
        x = QValueAxis()
        x.setRange(1, 12)
        x.setTickCount(12)
        # QValueAxis formats labels with printf on bytes: a CJK character in the format
        # comes out as "?", so the unit goes into the axis title.
        x.setLabelFormat("%d")
        x.setTitleText("月份")
        y = QValueAxis()
        y.setRange(0, max(f["budget_fen"], f["spent_fen"], 100) / 100 * 1.1)
        y.setLabelFormat("%.0f")
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        for s in (spent, budget):
            chart.addSeries(s)
            s.attachAxis(x)
            s.attachAxis(y)

    def _fill_groups(self, rows: list[dict[str, Any]]) -> None:
        self.group_model.set_rows(rows)

    # -- actions -------------------------------------------------------------------------------
    def save_budget(self) -> None:
        from app.services.fund import set_budget

        amount, year, actor = self.budget_edit.text().strip(), self.year.value(), self.ctx.actor()
        if not amount:
            self.ctx.notify("请填写预算金额（元）")
            return

        def write(s: Any) -> Any:
            return set_budget(s, year, amount, actor=actor)

        def done(_c: Any) -> None:
            self.budget_edit.clear()
            self.ctx.notify(f"已设定 {year} 年度预算：{amount} 元")

        self.ctx.run_write(write, label="设定预算", on_done=done)

    def print_sheet(self, out: Path | None = None) -> None:
        if out is None:
            name, _ = QFileDialog.getSaveFileName(self, "保存为 PDF", f"年度统计{self.year.value()}.pdf",
                                                  "PDF (*.pdf)")
            if not name:
                return
            out = Path(name)
        from app.reports.documents import build_pdf

        db, target, year = self.ctx.db, out, self.year.value()

        def work(progress: Any, cancelled: Any) -> Path:
            with db.session_scope() as s:
                return build_pdf("year-stats", s, target, date_from=date(year, 1, 1),
                                 date_to=date(year, 12, 31), progress=progress, cancel=cancelled)

        self.ctx.run_job(work, label="生成年度统计表",
                         on_done=lambda path: self.ctx.notify(f"已生成：{path}"))
