"""Two and three installations exchanging bundles: round trip, idempotence, order, merging."""

from __future__ import annotations

from sqlmodel import select

from app.models import BundleLog, NoticeDelivery, Retiree, SyncConflict
from app.services import operations as ops
from app.sync.conflicts import list_conflicts, resolve
from app.sync.summary import unit_summary
from tests.sync.conftest import add_people


def _edit(site, rid, **changes) -> None:
    with site.db.session_scope() as s:
        ops.update(s, "retirees", rid, changes, actor=site.name)


def test_round_trip_up_and_down_with_notices(net) -> None:
    hq = net.headquarters()
    u1 = net.child(hq, "U1", "一分公司")
    ids = add_people(u1, "张三", "李四", "王五")
    result = u1.send(hq)
    assert result["counts"]["new"] >= 3
    assert {r.name for r in hq.people().values()} == {"张三", "李四", "王五"}
    # Headquarters issues a notice; it travels down; deliveries travel up.
    with hq.db.session_scope() as s:
        notice = ops.create(s, "notices", {"title": "资格认证通知", "kind": "资格认证", "issued_date": "2026-03-01"},
                            actor="总部").id
    hq.send(u1)
    with u1.db.session_scope() as s:
        assert ops.get(s, "notices", notice).title == "资格认证通知"
        ops.create(s, "notice_deliveries", {"notice_id": notice, "retiree_id": ids[0], "method": "电话",
                                            "delivered_on": "2026-03-05", "acknowledged": True}, actor="一分公司")
    u1.send(hq)
    with hq.db.session_scope() as s:
        told = {d.retiree_id for d in s.exec(select(NoticeDelivery).where(NoticeDelivery.notice_id == notice))}
        untold = {r.id for r in s.exec(select(Retiree))} - told
    assert told == {ids[0]} and untold == set(ids[1:])
    from app.services.notices import notice_status

    with hq.db.session_scope() as s:
        [status] = notice_status(s)
    assert (status["told"], status["acknowledged"], status["not_told"]) == (1, 1, 2)
    assert sorted(status["units"][0]["not_told"]) == ["李四", "王五"]
    with hq.db.session_scope() as s:
        summary = {r["code"]: r for r in unit_summary(s)}
    assert summary["U1"]["people"] == 3 and summary["U1"]["last_bundle"] and not summary["U1"]["overdue"]


def test_reimport_changes_nothing_and_says_so(net) -> None:
    hq = net.headquarters()
    u1 = net.child(hq, "U1")
    add_people(u1, "张三", "李四")
    bundle = u1.export(hq)
    first = hq.take(bundle)[0]
    before = hq.snapshot()
    for _ in range(2):
        again = hq.take(bundle)[0]
        assert again["duplicate"] and again["counts"]["new"] == 0 and again["counts"]["updated"] == 0
        assert "已导入过" in again["summary"]
    assert hq.snapshot() == before
    assert first["counts"]["new"] > 0
    with hq.db.session_scope() as s:
        results = [b.result for b in s.exec(select(BundleLog).where(BundleLog.direction == "in"))]
    assert results == ["applied", "unchanged", "unchanged"]


def test_out_of_order_ends_in_the_same_state_and_reports_the_gap(net, tmp_path) -> None:
    hq = net.headquarters()
    u1 = net.child(hq, "U1")
    [rid] = add_people(u1, "张三")
    b1 = u1.export(hq)
    _edit(u1, rid, address="新地址1号")
    b2 = u1.export(hq)
    _edit(u1, rid, note="第三次")
    b3 = u1.export(hq)
    r3 = hq.take(b3)[0]
    assert r3["missing_seqs"] == [1, 2] and "尚未收到第 1、2 号" in r3["summary"]
    r1 = hq.take(b1)[0]
    assert r1["counts"]["stale"] >= 1 and r1["missing_seqs"] == [2]
    hq.take(b2)
    person = hq.people()[rid]
    assert (person.address, person.note) == ("新地址1号", "第三次")
    assert hq.snapshot()["retirees"] == u1.snapshot()["retirees"]


def test_different_fields_merge_same_field_conflicts(net) -> None:
    hq = net.headquarters()
    u1 = net.child(hq, "U1")
    [rid] = add_people(u1, "张三")
    u1.send(hq)
    hq.send(u1)  # u1 learns nothing new, but the exchange is set up both ways
    _edit(u1, rid, address="单位改的地址")
    _edit(hq, rid, note="总部改的备注")
    u1.send(hq)
    hq.send(u1)
    for site in (hq, u1):
        p = site.people()[rid]
        assert (p.address, p.note) == ("单位改的地址", "总部改的备注")
    # Same field on both sides: parked, nobody's edit lost.
    _edit(u1, rid, living="独居")
    _edit(hq, rid, living="空巢")
    result = u1.send(hq)
    assert result["counts"]["conflict"] == 1
    assert hq.people()[rid].living == "空巢"  # kept until a person decides
    with hq.db.session_scope() as s:
        [c] = list_conflicts(s)
        assert (c["field_label"], c["mine"], c["theirs"]) == ("居住状况", "空巢", "独居")
    again = u1.send(hq)  # re-import of the same change does not park it twice
    assert again["counts"]["conflict"] == 0
    with hq.db.session_scope() as s:
        assert len(list_conflicts(s)) == 1
        resolve(s, c["id"], "theirs", actor="总部")
    hq.send(u1)
    assert hq.people()[rid].living == u1.people()[rid].living == "独居"
    with u1.db.session_scope() as s:
        assert list_conflicts(s) == []


def test_a_parked_conflict_follows_later_changes_of_our_side(net) -> None:
    hq = net.headquarters()
    u1 = net.child(hq, "U1")
    [rid] = add_people(u1, "张三")
    u1.send(hq)
    hq.send(u1)
    _edit(u1, rid, living="独居")
    _edit(hq, rid, living="空巢")
    u1.send(hq)
    # Edited again while the conflict waits: the conflict shows the value held now, so that
    # resolving it from what it shows cannot throw the newer edit away.
    _edit(hq, rid, living="与子女同住")
    with hq.db.session_scope() as s:
        [c] = list_conflicts(s)
        assert (c["mine"], c["theirs"]) == ("与子女同住", "独居")
    # Made equal to theirs: nothing left to decide.
    _edit(hq, rid, living="独居")
    with hq.db.session_scope() as s:
        assert list_conflicts(s) == []


def test_edit_against_delete_is_a_conflict_either_way(net) -> None:
    hq = net.headquarters()
    u1 = net.child(hq, "U1")
    a, b = add_people(u1, "甲", "乙")
    u1.send(hq)
    hq.send(u1)
    # Deleted at the unit, edited at headquarters.
    with u1.db.session_scope() as s:
        ops.soft_delete(s, "retirees", a, actor="u1")
    _edit(hq, a, note="总部补充的情况")
    res = u1.send(hq)
    assert res["counts"]["conflict"] == 1
    p = hq.people()[a]
    assert not p.deleted and p.note == "总部补充的情况"
    # Edited at the unit, deleted at headquarters, arriving the other way round.
    with hq.db.session_scope() as s:
        ops.soft_delete(s, "retirees", b, actor="hq")
    _edit(u1, b, note="单位补充的情况")
    res = hq.send(u1)
    assert res["counts"]["conflict"] >= 1
    p = u1.people()[b]
    assert not p.deleted and p.note == "单位补充的情况"
    with u1.db.session_scope() as s:
        fields = {(c.record_id, c.field) for c in s.exec(select(SyncConflict))}
    assert (b, "deleted") in fields


def test_three_tiers_forward_up_and_down(net) -> None:
    hq = net.headquarters()
    mid = net.child(hq, "M1", "分公司")
    leaf = net.child(mid, "L1", "营业所")
    [rid] = add_people(leaf, "赵六")
    leaf.send(mid)
    mid.send(hq)
    assert rid in hq.people()
    _edit(hq, rid, address="总部更正的地址")
    hq.send(mid)
    mid.send(leaf)
    assert leaf.people()[rid].address == "总部更正的地址"
    with hq.db.session_scope() as s:
        codes = {r["code"] for r in unit_summary(s)}
    assert codes == {"HQ", "M1", "L1"}


def test_changed_since_acknowledged_only(net) -> None:
    hq = net.headquarters()
    u1 = net.child(hq, "U1")
    ids = add_people(u1, "甲", "乙", "丙")
    u1.send(hq)
    hq.send(u1)  # carries the acknowledgement of bundle 1
    _edit(u1, ids[0], note="改了")
    with u1.db.session_scope() as s:
        from app.sync.exporter import export_bundle

        small = export_bundle(s, "HQ", u1.folder / "small.rdb", actor="u1")
        full = export_bundle(s, "HQ", u1.folder / "full.rdb", actor="u1", everything=True)
    assert small["counts"] == {"retirees": 1}
    assert full["counts"]["retirees"] == 3
