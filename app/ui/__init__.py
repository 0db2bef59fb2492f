"""The desktop client (PySide6). Everything Qt lives under this package."""

from app.ui import startup_gc
from app.ui.pyside_fixes import pin_singletons

pin_singletons()
# Importing the client starts the desktop program: no garbage collection until its window
# has been painted (``startup_gc``; ``launch.prepare`` pauses it again for a later window).
startup_gc.pause()
