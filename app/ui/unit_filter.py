"""The unit drop-down of the pages that headquarters (or a middle unit) sees over all its
units: "全部单位" or one unit. Hidden where only one unit has people."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QWidget

ALL_UNITS = "全部单位"


class UnitFilter(QComboBox):
    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.addItem(ALL_UNITS, "")  # "" not None: see roster_page.ANY_DATA
        self.setVisible(False)

    def unit_ids(self) -> list[str] | None:
        """The chosen unit as a ``unit_ids`` argument; None for all units."""
        unit = self.currentData()
        return [unit] if unit else None

    def set_units(self, units: list[tuple[str, str]]) -> None:
        """Refill from ``services.units.units_with_people``, keeping the choice, silently."""
        current = self.currentData()
        self.blockSignals(True)
        self.clear()
        self.addItem(ALL_UNITS, "")
        for uid, label in units:
            self.addItem(label, uid)
        self.setCurrentIndex(max(self.findData(current), 0))
        self.blockSignals(False)
        self.setVisible(len(units) > 1)
