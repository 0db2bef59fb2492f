"""慰问规则 on the 设置 page: the care rules as the unit edits them (visit cycles, key-person
toggles, birthdays, weddings, the Spring Festival window, the condolence table). Stored by
``app.services.care_rules.save_rules``; the defaults come back with 恢复默认."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.models.enums import Category, Rank
from app.models.registry import format_money, yuan_to_fen
from app.services.care_rules import DEFAULT_RULES, KEY_PERSON_TOGGLES

__all__ = ["RulesSettingsWidget", "NUMBER_LABELS"]

# Rule key → (label, suffix). The order is the form's order.
NUMBER_LABELS: dict[str, tuple[str, str]] = {
    "home_visit_days": ("家访周期", " 天"),
    "key_visit_days": ("重点人员走访周期", " 天"),
    "call_days": ("电话联系周期", " 天"),
    "key_age": ("重点人员年龄", " 岁及以上"),
    "hospital_first_visit_days": ("住院后首次看望", " 天内"),
    "hospital_follow_up_days": ("住院回访间隔", " 天"),
    "family_event_visit_days": ("家庭大事走访", " 天内"),
    "bereavement_visit_days": ("去世后吊唁", " 天内"),
    "spring_festival_before_days": ("春节走访自节前", " 天起"),
    "spring_festival_after_days": ("至节后", " 天止"),
    "birthday_grace_days": ("生日、金婚逾期仍提醒", " 天"),
    "labour_model_every": ("劳模集体生日每", " 岁一次"),
    "labour_model_min_age": ("劳模集体生日起始年龄", " 岁"),
    "letter_days": ("返乡人员信件周期", " 天"),
    "eligibility_days": ("资格认证周期", " 天"),
}
ROUND_CHOICES = (70, 75, 80, 85, 90, 95, 100)
WEDDING_CHOICES = {50: "金婚（50年）", 60: "钻石婚（60年）"}
CONDOLENCE_COLUMNS = ("标准名称", "人员类别", "职级（及以上）", "劳模", "慰问金（元）", "慰问品", "前往慰问")
_ANY = "（不限）"


class RulesSettingsWidget(QWidget):
    def __init__(self, ctx: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rules: dict[str, Any] = {}

        self.numbers: dict[str, QSpinBox] = {}
        cycles = QGroupBox("走访周期与三个必访")
        form = QFormLayout(cycles)
        for key, (label, suffix) in NUMBER_LABELS.items():
            box = QSpinBox()
            box.setRange(0, 3660)
            box.setSuffix(suffix)
            self.numbers[key] = box
            form.addRow(label + "：", box)
        self.scope = QComboBox()
        self.scope.addItem("全部在册人员", "all")
        self.scope.addItem("仅重点人员", "key")
        form.addRow("春节走访范围：", self.scope)

        key_box = QGroupBox("重点人员（每月走访）")
        key_row = QHBoxLayout(key_box)
        self.key_toggles: dict[str, QCheckBox] = {}
        for key, label in KEY_PERSON_TOGGLES.items():
            self.key_toggles[key] = QCheckBox(label)
            key_row.addWidget(self.key_toggles[key])

        party = QGroupBox("祝寿与金婚")
        pform = QFormLayout(party)
        rounds = QHBoxLayout()
        self.rounds: dict[int, QCheckBox] = {}
        for n in ROUND_CHOICES:
            self.rounds[n] = QCheckBox(f"{n}岁")
            rounds.addWidget(self.rounds[n])
        pform.addRow("整寿：", rounds)
        weddings = QHBoxLayout()
        self.weddings: dict[int, QCheckBox] = {}
        for n, label in WEDDING_CHOICES.items():
            self.weddings[n] = QCheckBox(label)
            weddings.addWidget(self.weddings[n])
        pform.addRow("结婚纪念：", weddings)
        self.model_date = QLineEdit()
        self.model_date.setPlaceholderText("月-日，如 05-01")
        pform.addRow("劳模集体生日日期：", self.model_date)

        death = QGroupBox("丧事慰问标准（自上而下，第一条符合的适用）")
        dlay = QVBoxLayout(death)
        self.condolence = QTableWidget(0, len(CONDOLENCE_COLUMNS))
        self.condolence.setHorizontalHeaderLabels(list(CONDOLENCE_COLUMNS))
        self.condolence.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.condolence.setMinimumHeight(160)
        add_row = QPushButton("增加一行")
        add_row.clicked.connect(lambda: self._add_condolence_row({}))
        del_row = QPushButton("删除所选行")
        del_row.clicked.connect(self._remove_condolence_row)
        row_buttons = QHBoxLayout()
        row_buttons.addWidget(add_row)
        row_buttons.addWidget(del_row)
        row_buttons.addStretch()
        self.follow_ups = QPlainTextEdit()
        self.follow_ups.setPlaceholderText("后续事项，每行一条")
        self.follow_ups.setMaximumHeight(70)
        dlay.addWidget(self.condolence)
        dlay.addLayout(row_buttons)
        dlay.addWidget(self.follow_ups)

        self.save_button = QPushButton("保存规则")
        self.save_button.clicked.connect(self.save)
        reset = QPushButton("恢复默认")
        reset.clicked.connect(self.reset)
        buttons = QHBoxLayout()
        buttons.addStretch()
        buttons.addWidget(reset)
        buttons.addWidget(self.save_button)

        layout = QVBoxLayout(self)
        for w in (cycles, key_box, party, death):
            layout.addWidget(w)
        layout.addLayout(buttons)
        self.show_rules(DEFAULT_RULES)
        self.load()

    # -- reading and showing -------------------------------------------------------------------
    def load(self) -> None:
        from app.services.care_rules import load_rules

        db = self.ctx.db

        def work(_p: Any, _c: Any) -> dict[str, Any]:
            with db.session_scope() as s:
                return load_rules(s)

        self.ctx.run_job(work, label="读取慰问规则", on_done=self.show_rules, cancellable=False)

    def show_rules(self, rules: dict[str, Any]) -> None:
        self.rules = rules
        for key, box in self.numbers.items():
            box.setValue(int(rules[key]))
        self.scope.setCurrentIndex(max(0, self.scope.findData(rules["spring_festival_scope"])))
        for key, box in self.key_toggles.items():
            box.setChecked(bool(rules["key_person"].get(key)))
        for n, box in self.rounds.items():
            box.setChecked(n in rules["birthday_rounds"])
        for n, box in self.weddings.items():
            box.setChecked(n in rules["wedding_years"])
        self.model_date.setText(rules["labour_model_date"])
        self.condolence.setRowCount(0)
        for row in rules["condolence"]:
            self._add_condolence_row(row)
        self.follow_ups.setPlainText("\n".join(rules.get("condolence_follow_ups") or []))

    def _add_condolence_row(self, row: dict[str, Any]) -> None:
        t = self.condolence
        i = t.rowCount()
        t.insertRow(i)
        t.setItem(i, 0, QTableWidgetItem(row.get("name") or "新标准"))
        cat = QComboBox()
        cat.addItems([_ANY, *[c.value for c in Category]])
        cat.setCurrentText(row.get("category") or _ANY)
        t.setCellWidget(i, 1, cat)
        rank = QComboBox()
        rank.addItems([_ANY, *[r.value for r in Rank]])
        rank.setCurrentText(row.get("min_rank") or _ANY)
        t.setCellWidget(i, 2, rank)
        model = QCheckBox("须为劳模")
        model.setChecked(bool(row.get("labour_model")))
        t.setCellWidget(i, 3, model)
        t.setItem(i, 4, QTableWidgetItem(format_money(int(row.get("amount_fen", 50000)))))
        t.setItem(i, 5, QTableWidgetItem(row.get("goods") or ""))
        t.setItem(i, 6, QTableWidgetItem(row.get("visitors") or "联络小组组长"))

    def _remove_condolence_row(self) -> None:
        rows = sorted({i.row() for i in self.condolence.selectedIndexes()}, reverse=True)
        for r in rows:
            self.condolence.removeRow(r)

    # -- collecting and saving -----------------------------------------------------------------
    def collect(self) -> dict[str, Any]:
        """The rules as the form shows them (raises ValueError on a bad amount)."""
        rules = dict(self.rules or DEFAULT_RULES)
        for key, box in self.numbers.items():
            rules[key] = box.value()
        rules["spring_festival_scope"] = self.scope.currentData()
        rules["key_person"] = {k: b.isChecked() for k, b in self.key_toggles.items()}
        rules["birthday_rounds"] = [n for n, b in self.rounds.items() if b.isChecked()]
        rules["wedding_years"] = [n for n, b in self.weddings.items() if b.isChecked()]
        rules["labour_model_date"] = self.model_date.text().strip()
        rows = []
        t = self.condolence
        for i in range(t.rowCount()):
            def text(col: int, row: int = i) -> str:
                item = t.item(row, col)
                return item.text().strip() if item is not None else ""

            cat = t.cellWidget(i, 1).currentText()  # type: ignore[attr-defined]
            rank = t.cellWidget(i, 2).currentText()  # type: ignore[attr-defined]
            rows.append({"name": text(0), "category": None if cat == _ANY else cat,
                         "min_rank": None if rank == _ANY else rank,
                         "labour_model": t.cellWidget(i, 3).isChecked(),  # type: ignore[attr-defined]
                         "amount_fen": yuan_to_fen(text(4) or "0"), "goods": text(5),
                         "visitors": text(6)})
        rules["condolence"] = rows
        rules["condolence_follow_ups"] = [x.strip() for x in self.follow_ups.toPlainText().splitlines()
                                          if x.strip()]
        return rules

    def save(self) -> None:
        from app.services.care_rules import save_rules

        try:
            rules = self.collect()
        except ValueError as exc:
            self.ctx.show_error(f"慰问规则有误：{exc}")
            return

        def write(s: Any) -> dict[str, Any]:
            return save_rules(s, rules)

        def done(saved: dict[str, Any]) -> None:
            self.show_rules(saved)
            self.ctx.notify("慰问规则已保存")
            self.ctx.data_changed.emit("care_rules", [])

        self.ctx.run_write(write, label="保存慰问规则", on_done=done)

    def reset(self) -> None:
        from app.services.care_rules import reset_rules

        def done(rules: dict[str, Any]) -> None:
            self.show_rules(rules)
            self.ctx.notify("慰问规则已恢复默认")
            self.ctx.data_changed.emit("care_rules", [])

        self.ctx.run_write(reset_rules, label="恢复默认慰问规则", on_done=done)
