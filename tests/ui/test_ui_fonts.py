"""install_app_font loads a CJK font into Qt and makes it the application default."""

from __future__ import annotations

import os

# Must precede the first PySide6 import so the test runs without a display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtGui import QFont, QFontInfo, QFontMetrics, QRawFont  # noqa: E402

from app.ui.fonts import install_app_font  # noqa: E402

CHARS = "退管通张三伍佰元整¥0123456789"


@pytest.fixture
def app_font_restored(qapp):
    # The QApplication is shared by the whole session; leave its font as we found it.
    original = QFont(qapp.font())
    yield qapp
    qapp.setFont(original)


def test_install_app_font(app_font_restored):
    qapp = app_font_restored
    size = qapp.font().pointSizeF()

    family = install_app_font(qapp)

    assert family
    assert qapp.font().family() == family
    assert qapp.font().pointSizeF() == size
    assert install_app_font(qapp) == family  # idempotent

    font = QFont(family)
    assert QFontInfo(font).family() == family  # resolved to the real font, not a substitute
    fm = QFontMetrics(font)
    # inFontUcs4, not inFont: PySide6 6.12 converts a str argument to QChar wrongly for
    # some characters (inFont("退") is False even for this font).
    for ch in "退张":
        assert fm.inFontUcs4(ord(ch)), ch
    # QFontMetrics also counts fallback fonts; QRawFont checks the primary font alone.
    raw = QRawFont.fromFont(font)
    assert raw.isValid()
    missing = [ch for ch in CHARS if not raw.supportsCharacter(ord(ch))]
    assert not missing
