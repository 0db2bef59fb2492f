"""SQLModel tables, enums and the field registry."""

from app.models.base import SyncedRecord, new_id, utcnow
from app.models.care import CareCase, CareState, FundBudget, Payment, Visit
from app.models.notices import Notice, NoticeDelivery
from app.models.org import LiaisonGroup, Unit
from app.models.people import Benefit, Contact, Retiree
from app.models.sync import BundleLog, SyncConflict, SyncPeer, SyncReceived, SyncSent
from app.models.system import AuditEntry, SearchEntry, Setting

# Every table whose rows carry the sync identity, by table name.
SYNCED_MODELS: dict[str, type] = {
    m.__tablename__: m  # type: ignore[attr-defined]
    for m in (
        Unit,
        LiaisonGroup,
        Retiree,
        Benefit,
        Contact,
        Notice,
        NoticeDelivery,
        Visit,
        CareCase,
        Payment,
        FundBudget,
    )
}

__all__ = [
    "AuditEntry",
    "Benefit",
    "BundleLog",
    "CareCase",
    "CareState",
    "Contact",
    "FundBudget",
    "LiaisonGroup",
    "Notice",
    "NoticeDelivery",
    "Payment",
    "Retiree",
    "SYNCED_MODELS",
    "SearchEntry",
    "Setting",
    "SyncConflict",
    "SyncPeer",
    "SyncReceived",
    "SyncSent",
    "SyncedRecord",
    "Unit",
    "Visit",
    "new_id",
    "utcnow",
]
