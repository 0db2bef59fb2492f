"""The pages of the main window's navigation bar.

Each entry is ``(key, label, module, class_name)``. A page class is constructed as
``Cls(ctx, parent=None)`` with the shared ``app.ui.context.AppContext``. The main window
imports each module lazily, on first visit, and shows a "此功能尚在开发中" placeholder when
the module (or class) does not exist yet, so pages can land independently.

Optional page hooks the main window calls when present:
``on_shown()`` each time the page becomes visible; ``can_leave() -> bool`` before switching
away (a form with unsaved changes asks).
"""

from __future__ import annotations

PAGES: list[tuple[str, str, str, str]] = [
    ("roster", "人员卡册", "app.ui.pages.roster_page", "RosterPage"),
    ("visits", "走访慰问", "app.ui.pages.visits_page", "VisitsPage"),
    ("reminders", "提醒", "app.ui.pages.reminders_page", "RemindersPage"),
    ("print", "打印", "app.ui.pages.print_page", "PrintPage"),
    ("sync", "数据同步", "app.ui.pages.sync_page", "SyncPage"),
    ("stats", "统计", "app.ui.pages.stats_page", "StatsPage"),
    ("settings", "设置", "app.ui.pages.settings_page", "SettingsPage"),
]

PLACEHOLDER_TEXT = "此功能尚在开发中"
