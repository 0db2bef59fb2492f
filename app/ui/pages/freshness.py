"""Pages that recompute from many tables: refresh at once when visible, else on next show."""

from __future__ import annotations


class RefreshWhenShown:
    """Mixin for a page with ``refresh()``: a change to one of ``watched`` tables recomputes
    now if the page is on screen, otherwise when it is next shown (no work for hidden pages).
    Connect ``ctx.data_changed`` to ``_on_data_changed``; ``refresh`` clears ``_stale``."""

    watched: frozenset[str] = frozenset()
    _stale: bool = True

    def _on_data_changed(self, table: str, _ids: list) -> None:
        if table in self.watched:
            if self.isVisible():  # type: ignore[attr-defined]  (QWidget's)
                self.refresh()  # type: ignore[attr-defined]  (the page's)
            else:
                self._stale = True

    def on_shown(self) -> None:
        if self._stale:
            self.refresh()  # type: ignore[attr-defined]
