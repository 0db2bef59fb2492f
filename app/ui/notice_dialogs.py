"""工作告知卡 entry: issue a notice (告知事项) and record that people were told of it.

Headquarters issues notices and sends them down in a bundle; a unit may issue its own too.
The officer then records, per person, how and when the notice was delivered, by whom, to
whom and whether it was acknowledged; those deliveries travel back up, and headquarters
sees who has not been told (数据同步 page). Both dialogs write through the operations on
the writer thread, so every delivery is audited and can be undone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import QMessageBox, QWidget

from app.models.enums import DeliveryMethod
from app.ui.context import AppContext
from app.ui.record_form import RecordDialog, RecordForm

NOTICE_FIELDS = ("title", "kind", "content", "issued_date", "issued_by", "due_date")
DELIVERY_FIELDS = ("notice_id", "method", "delivered_on", "delivered_by", "told_whom",
                   "acknowledged", "note")


def read_notices(session: Any) -> dict[str, str]:
    """Notice id → "title（issued date）", newest first (the one just issued on top)."""
    from sqlmodel import select

    from app.models import Notice

    rows = session.exec(select(Notice).where(Notice.deleted == False)  # noqa: E712
                        .order_by(Notice.issued_date.desc(), Notice.title)).all()  # type: ignore[union-attr]
    return {n.id: f"{n.title}（{n.issued_date.isoformat()}）" if n.issued_date else n.title
            for n in rows}


def new_notice_dialog(ctx: AppContext, parent: QWidget | None,
                      on_created: Callable[[str], None] | None = None) -> RecordDialog:
    """A dialog that issues a notice; ``on_created(notice_id)`` after it is saved."""
    form = RecordForm("notices", NOTICE_FIELDS)
    form.load({"issued_date": date.today()})
    actor = ctx.actor()

    def submit(values: dict[str, Any], dialog: RecordDialog) -> None:
        def write(s: Any) -> Any:
            from app.services import operations

            return operations.create(s, "notices", values, actor=actor)

        def done(change: Any) -> None:
            dialog.accept()
            if on_created is not None:
                on_created(change.id)

        ctx.run_write(write, label="新建告知事项", on_done=done, on_error=dialog.failed,
                      undo_text="新建告知事项")

    return RecordDialog("新建告知事项", form, submit, parent,
                        intro="告知事项发布后，可在每位老同志的“工作告知”卡上登记告知情况；"
                              "总部发布的事项随下发数据包送达各单位。")


def delivery_dialog(ctx: AppContext, retiree_ids: Sequence[str], notices: dict[str, str],
                    parent: QWidget | None, *, title: str, notice_id: str | None = None,
                    on_saved: Callable[[], None] | None = None) -> RecordDialog:
    """A dialog recording one delivery of a notice for each of ``retiree_ids``, in one write
    (all of them or none)."""
    form = RecordForm("notice_deliveries", DELIVERY_FIELDS, refs={"notice_id": notices})
    actor = ctx.actor()
    form.load({"notice_id": notice_id or next(iter(notices), ""), "method": DeliveryMethod.HOME.value,
               "delivered_on": date.today(), "delivered_by": actor, "told_whom": "本人",
               "acknowledged": True})
    ids = list(retiree_ids)

    def submit(values: dict[str, Any], dialog: RecordDialog) -> None:
        def write(s: Any) -> Any:
            from app.services import operations

            return [operations.create(s, "notice_deliveries", {**values, "retiree_id": rid},
                                      actor=actor) for rid in ids]

        def done(_changes: Any) -> None:
            dialog.accept()
            if on_saved is not None:
                on_saved()

        label = "登记告知" if len(ids) == 1 else f"登记告知（{len(ids)} 人）"
        ctx.run_write(write, label=label, on_done=done, on_error=dialog.failed, undo_text=label)

    intro = "" if len(ids) == 1 else f"将为选中的 {len(ids)} 人各登记一条告知记录。"
    return RecordDialog(title, form, submit, parent, intro=intro)


def record_delivery(ctx: AppContext, retiree_ids: Sequence[str], parent: QWidget, *, who: str,
                    notice_id: str | None = None,
                    on_saved: Callable[[], None] | None = None) -> None:
    """Read the notices (off the UI thread), then open the delivery dialog; with no notice
    yet, offer to issue one first."""
    if not retiree_ids:
        return

    def read(_progress: Any, _cancelled: Any) -> dict[str, str]:
        with ctx.db.session_scope() as s:
            return read_notices(s)

    def show(notices: dict[str, str]) -> None:
        if not notices:
            answer = QMessageBox.question(
                parent, "登记告知", "还没有任何告知事项。现在新建一个吗？",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer == QMessageBox.StandardButton.Yes:
                new_notice_dialog(ctx, parent, lambda nid: record_delivery(
                    ctx, retiree_ids, parent, who=who, notice_id=nid, on_saved=on_saved)).open()
            return
        delivery_dialog(ctx, retiree_ids, notices, parent, title=f"登记告知 — {who}",
                        notice_id=notice_id, on_saved=on_saved).open()

    ctx.run_job(read, label="读取告知事项", on_done=show, cancellable=False)
