"""Demo data is realistic enough to work with and deterministic for a seed."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlmodel import func, select

from app.models import CareCase, Contact, LiaisonGroup, Retiree, Visit
from app.services.demo import Cancelled, generate_demo
from app.services.idcard import parse_id_number


def test_demo_is_realistic(demo_db) -> None:
    with demo_db.session_scope() as s:
        people = s.exec(select(Retiree)).all()
        assert len(people) == 300
        for r in people:
            if r.id_number:
                info = parse_id_number(r.id_number)
                assert (info.birth_date.isoformat(), info.sex) == (r.birth_date, r.sex)
        status = Counter(r.status for r in people)
        assert status["已故"] > 0 and status["在册"] > 250
        assert all(r.death_date for r in people if r.status == "已故")
        assert any(r.living == "独居" for r in people)
        groups = s.exec(select(LiaisonGroup)).all()
        sizes = Counter(r.group_id for r in people)
        assert all(1 <= sizes[g.id] <= 25 for g in groups)
        assert 10 <= len(people) / len(groups) <= 20  # about 15 a group
        by_id = {r.id: r for r in people}
        for g in groups:
            assert by_id[g.leader_id].group_id == g.id
            # A group is neighbours: everyone lives on the group's street.
            assert all(g.area in r.address for r in people if r.group_id == g.id)
        years = set(s.exec(select(func.strftime("%Y", Visit.visit_date)).distinct()))
        assert len(years) >= 3
        assert s.exec(select(func.count()).select_from(CareCase).where(CareCase.closed_on == None)).one() > 0  # noqa: E711
        assert s.exec(select(func.count()).select_from(Contact).where(Contact.marriage_date != None)).one() > 0  # noqa: E711


def test_same_seed_same_data(tmp_path) -> None:
    from app.db import open_database

    names = []
    for i in range(2):
        database = open_database(tmp_path / f"{i}.sqlite3")
        with database.session_scope() as s:
            generate_demo(s, 50, seed=11, today=date(2026, 1, 1))
            names.append(sorted((r.id, r.name) for r in s.exec(select(Retiree))))
        database.close()
    assert names[0] == names[1]


def test_cancel_leaves_nothing(db) -> None:
    calls = []
    with pytest.raises(Cancelled), db.session_scope() as s:
        generate_demo(s, 12000, seed=1, cancel=lambda: calls.append(1) or len(calls) > 1)
    with db.session_scope() as s:
        assert s.exec(select(func.count()).select_from(Retiree)).one() == 0
