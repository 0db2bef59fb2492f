"""Quick entry of a visit or call for one or several people (a Spring Festival round is one
entry for the whole group): kind, date (today), visitors (those of the last visit), summary,
money, gifts, follow-up."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QWidget

from app.ui.context import AppContext
from app.ui.record_form import RecordDialog, RecordForm

__all__ = ["VisitDialog", "VISIT_FORM_FIELDS"]

VISIT_FORM_FIELDS = ("kind", "visit_date", "visitors", "summary", "money_fen", "gifts", "follow_up")


class VisitDialog(RecordDialog):
    def __init__(self, ctx: AppContext, retiree_ids: list[str], parent: QWidget | None = None,
                 *, kind: str = "家访") -> None:
        from app.services.roster import last_visitors, names_of

        self.ctx = ctx
        self.retiree_ids = list(retiree_ids)
        with ctx.db.session_scope() as s:  # two indexed lookups: instant
            names = names_of(s, self.retiree_ids[:50])
            visitors = last_visitors(s)
        shown = "、".join(names.get(r, "") for r in self.retiree_ids[:8])
        if len(self.retiree_ids) > 8:
            shown += f" 等 {len(self.retiree_ids)} 人"
        form = RecordForm("visits", VISIT_FORM_FIELDS)
        form.load({"kind": kind, "visit_date": date.today(), "visitors": visitors})
        super().__init__("记一次走访", form, self._submit_visit, parent,
                         intro=f"走访对象：{shown}" + ("（每人各记一条）" if len(self.retiree_ids) > 1 else ""))
        self.resize(520, self.sizeHint().height())

    def _submit_visit(self, values: dict[str, Any], dialog: RecordDialog) -> None:
        actor = self.ctx.actor()
        ids = self.retiree_ids

        def write(s: Any) -> list[Any]:
            from app.services import operations

            return [operations.create(s, "visits", {**values, "retiree_id": rid}, actor=actor)
                    for rid in ids]

        def done(changes: list[Any]) -> None:
            self.ctx.notify(f"已记录走访 {len(changes)} 条")
            dialog.accept()

        self.ctx.run_write(write, label="记录走访", on_done=done, on_error=dialog.failed,
                           undo_text="走访记录")
