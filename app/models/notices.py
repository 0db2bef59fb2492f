"""工作告知卡: notices and who was told of them."""

from __future__ import annotations

from datetime import date

from sqlmodel import Field

from app.models.base import SyncedRecord


class Notice(SyncedRecord, table=True):
    __tablename__ = "notices"

    title: str
    kind: str = Field(default="其他")
    content: str | None = None
    issued_date: date | None = None
    issued_by: str | None = None
    due_date: date | None = None


class NoticeDelivery(SyncedRecord, table=True):
    __tablename__ = "notice_deliveries"

    notice_id: str = Field(foreign_key="notices.id", index=True)
    retiree_id: str = Field(foreign_key="retirees.id", index=True)
    method: str
    delivered_on: date
    delivered_by: str | None = None
    told_whom: str | None = None
    acknowledged: bool = Field(default=False)
    note: str | None = None
