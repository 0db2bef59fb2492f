"""care_state stays equal to the visits when visits arrive in a bundle (new, edited,
deleted) and when a conflict on a visit is resolved."""

from __future__ import annotations

from app.services import operations as ops
from app.services.care_state import COLUMNS
from app.sync.conflicts import list_conflicts, resolve
from tests.care.test_care_state import _stored, assert_in_step
from tests.sync.conftest import Network, Site, add_people

SEEN = COLUMNS.index("in_person")


def _unit_with_a_home_visit(net: Network) -> tuple[Site, Site, str, str]:
    """Headquarters and unit U1 with one person and a home visit on 2026-03-01 (not sent yet)."""
    hq = net.headquarters()
    u1 = net.child(hq, "U1")
    [rid] = add_people(u1, "张三")
    with u1.db.session_scope() as s:
        vid = ops.create(s, "visits", {"retiree_id": rid, "kind": "家访", "visit_date": "2026-03-01"},
                         actor="U1").id
    return hq, u1, rid, vid


def test_a_bundle_brings_visits_in_step(net) -> None:
    hq, u1, rid, vid = _unit_with_a_home_visit(net)
    with u1.db.session_scope() as s:
        ops.create(s, "visits", {"retiree_id": rid, "kind": "电话联系", "visit_date": "2026-04-01"},
                   actor="U1")
    u1.send(hq)
    with hq.db.session_scope() as s:
        assert _stored(s)[rid][SEEN] == "2026-03-01"
        assert_in_step(s)
    with u1.db.session_scope() as s:  # an edit and a delete travel as updates
        ops.update(s, "visits", vid, {"visit_date": "2026-05-20"}, actor="U1")
    u1.send(hq)
    with hq.db.session_scope() as s:
        assert _stored(s)[rid][SEEN] == "2026-05-20"
        assert_in_step(s)
    with u1.db.session_scope() as s:
        ops.soft_delete(s, "visits", vid, actor="U1")
    u1.send(hq)
    with hq.db.session_scope() as s:
        assert _stored(s)[rid][SEEN] is None
        assert_in_step(s)


def test_resolving_a_visit_conflict_keeps_it_in_step(net) -> None:
    hq, u1, rid, vid = _unit_with_a_home_visit(net)
    u1.send(hq)
    hq.send(u1)
    for site, day in ((u1, "2026-03-02"), (hq, "2026-03-03")):
        with site.db.session_scope() as s:
            ops.update(s, "visits", vid, {"visit_date": day}, actor=site.name)
    assert u1.send(hq)["counts"]["conflict"] == 1
    with hq.db.session_scope() as s:
        [c] = list_conflicts(s)
        resolve(s, c["id"], "theirs", actor="总部")
    with hq.db.session_scope() as s:
        assert _stored(s)[rid][SEEN] == "2026-03-02"
        assert_in_step(s)
