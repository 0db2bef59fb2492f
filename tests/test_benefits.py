from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from app.models import Benefit
from app.services import operations as ops
from app.services.benefits import change_benefit, current_benefits
from app.services.errors import ValidationError


def test_a_new_amount_keeps_the_old_one_as_history(db) -> None:
    with db.session_scope() as s:
        rid = ops.create(s, "retirees", {"name": "王秀英"}, actor="t").id
        change_benefit(s, rid, "基本养老金", "4,120.00", "2024-07-01", actor="t")
        change_benefit(s, rid, "基本养老金", "4243.6", "2025-07-01", actor="t")
        rows = s.exec(select(Benefit).where(Benefit.retiree_id == rid).order_by(Benefit.effective_from)).all()
        assert [(b.amount_fen, b.effective_from, b.effective_to) for b in rows] == [
            (412000, date(2024, 7, 1), date(2025, 6, 30)),
            (424360, date(2025, 7, 1), None),
        ]
        assert [b.amount_fen for b in current_benefits(s, rid, date(2025, 1, 1))] == [412000]
        assert [b.amount_fen for b in current_benefits(s, rid, date(2025, 8, 1))] == [424360]
        with pytest.raises(ValidationError):
            change_benefit(s, rid, "基本养老金", "4300", "2025-01-01", actor="t")
