"""The desktop client (PySide6). Everything Qt lives under this package."""

from app.ui.pyside_fixes import pin_singletons

pin_singletons()
