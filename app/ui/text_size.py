"""The UI text-size setting (100–150 %) for older eyes: it scales the application font, so
every widget that does not set its own size follows."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

__all__ = ["MIN_SCALE", "MAX_SCALE", "text_scale", "apply_text_scale"]

MIN_SCALE = 100
MAX_SCALE = 150
KEY = "ui/text_scale"
_BASE_KEY = "_retiree_desk_base_point_size"


def text_scale(settings: QSettings) -> int:
    try:
        value = int(settings.value(KEY, MIN_SCALE))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        value = MIN_SCALE
    return max(MIN_SCALE, min(MAX_SCALE, value))


def apply_text_scale(percent: int, settings: QSettings | None = None) -> None:
    """Scale the application font to ``percent`` of the size it started with."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    percent = max(MIN_SCALE, min(MAX_SCALE, int(percent)))
    base = app.property(_BASE_KEY)
    if not base:
        base = app.font().pointSizeF()
        app.setProperty(_BASE_KEY, base)
    font = app.font()
    font.setPointSizeF(float(base) * percent / 100)
    app.setFont(font)
    if settings is not None:
        settings.setValue(KEY, percent)
