"""Make the application's Chinese font available to Qt.

The PDF side (``app.reports.fonts``) picks the font file. The UI loads the same
file, so screen and print use the same typeface, and the program works on
machines that have no Chinese font installed.
"""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.reports.fonts import FontChoice, bundled_font_choice, find_cjk_font

__all__ = ["install_app_font"]

logger = logging.getLogger(__name__)

# addApplicationFont loads a file again on every call, so remember what was loaded.
_loaded: dict[tuple[str, int], str] = {}


def _load(choice: FontChoice) -> str | None:
    key = (str(choice.path), choice.subfont_index)
    if key in _loaded:
        return _loaded[key]
    font_id = QFontDatabase.addApplicationFont(str(choice.path))
    if font_id < 0:
        logger.warning("Qt cannot load font file %s", choice.path)
        return None
    families = QFontDatabase.applicationFontFamilies(font_id)
    if not families:
        return None
    # A .ttc yields one family per face; use the one the core chose, and fall back to the
    # face's position when Qt reports a localised name (e.g. "宋体" for SimSun).
    if choice.family in families:
        family = choice.family
    elif choice.subfont_index < len(families):
        family = families[choice.subfont_index]
    else:
        family = families[0]
    _loaded[key] = family
    return family


def install_app_font(app: QApplication) -> str:
    """Load the CJK font into Qt, make it ``app``'s default family and return the family.

    The application's current point size is kept, so only the typeface changes.
    """
    choice = find_cjk_font()
    family = _load(choice)
    if family is None and not choice.bundled:
        family = _load(bundled_font_choice())
    if family is None:
        raise RuntimeError(f"Qt could not load a CJK font (tried {choice.path})")
    font = QFont(app.font())
    font.setFamily(family)
    app.setFont(font)
    return family
