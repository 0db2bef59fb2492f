"""Create, update, soft-delete and restore: validation, revisions, audit, tombstones."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from app.models import SYNCED_MODELS, AuditEntry, Retiree
from app.models.registry import REGISTRY
from app.services import operations as ops
from app.services import versions
from app.services.errors import NotFoundError, StaleRecordError, ValidationError
from app.services.idcard import make_id_number

ID_1943 = make_id_number("110105", date(1943, 5, 12), 123)  # odd sequence → 男


def _person(s, **extra) -> str:
    return ops.create(s, "retirees", {"name": "张三", **extra}, actor="李干事").id


def _audit(s, rid: str) -> list[AuditEntry]:
    return list(s.exec(select(AuditEntry).where(AuditEntry.record_id == rid).order_by(AuditEntry.id)))


def test_create_sets_identity_and_audits(db) -> None:
    with db.session_scope() as s:
        change = ops.create(s, "retirees", {"name": "张　三", "id_number": ID_1943.lower()}, actor="李干事")
        r = s.get(Retiree, change.id)
        assert len(r.id) == 32 and r.rev == 1 and r.deleted is False
        assert r.name == "张三"  # full-width space inside a Chinese name removed
        assert r.unit_id == s.exec(select(Retiree.unit_id)).first()
        # Birth date and sex filled from the ID number.
        assert (r.birth_date, r.sex) == ("1943-05-12", "男")
        rows = _audit(s, change.id)
        assert {a.field for a in rows} >= {"name", "id_number", "birth_date", "sex"}
        assert all(a.actor == "李干事" and a.action == "create" for a in rows)


def test_id_number_mismatch_and_checksum_are_rejected(db) -> None:
    with db.session_scope() as s:
        with pytest.raises(ValidationError) as err:
            ops.create(s, "retirees", {"name": "张三", "id_number": ID_1943, "birth_date": "1944.05"},
                       actor="t")
        assert "birth_date" in err.value.fields and "不符" in err.value.fields["birth_date"]
        with pytest.raises(ValidationError) as err:
            ops.create(s, "retirees", {"name": "张三", "id_number": ID_1943, "sex": "女"}, actor="t")
        assert "sex" in err.value.fields
        bad = ID_1943[:-1] + ("0" if ID_1943[-1] != "0" else "1")
        with pytest.raises(ValidationError) as err:
            ops.create(s, "retirees", {"name": "张三", "id_number": bad}, actor="t")
        assert "校验" in str(err.value)
        # A partial birth date that contains the ID's date is consistent.
        ok = ops.create(s, "retirees", {"name": "张三", "id_number": ID_1943, "birth_date": "1943.5"}, actor="t")
        assert s.get(Retiree, ok.id).birth_date == "1943-05"


def test_every_problem_is_reported_at_once_in_chinese(db) -> None:
    with db.session_scope() as s, pytest.raises(ValidationError) as err:
        ops.create(s, "retirees", {"name": "", "category": "退职", "phones": "12345", "colour": 1}, actor="t")
    fields = err.value.fields
    assert set(fields) == {"name", "category", "phones", "colour"}
    assert "不能为空" in fields["name"] and "离休、退休、内退" in fields["category"]
    assert "未知字段" in fields["colour"]


def test_update_bumps_revision_per_field_and_audits_old_new(db) -> None:
    with db.session_scope() as s:
        rid = _person(s, phones="13800138000")
    with db.session_scope() as s:
        change = ops.update(s, "retirees", rid, {"address": "建国路1号", "phones": "13800138000"}, actor="王")
        assert set(change.fields) == {"address"} and change.rev == 2
        change = ops.update(s, "retirees", rid, {"living": "独居"}, actor="王")
        r = s.get(Retiree, rid)
        me = versions.replica_id(s)
        assert r.rev == 3 and r.field_revs == {"address": {me: 2}, "living": {me: 3}}
        last = _audit(s, rid)[-1]
        assert (last.action, last.field, last.old, last.new, last.actor) == ("update", "living", None, "独居", "王")


def test_update_without_change_writes_nothing(db) -> None:
    with db.session_scope() as s:
        rid = _person(s)
        n = len(_audit(s, rid))
        change = ops.update(s, "retirees", rid, {"name": "张三"}, actor="t")
        assert not change.changed and s.get(Retiree, rid).rev == 1 and len(_audit(s, rid)) == n


def test_stale_revision_is_refused(db) -> None:
    with db.session_scope() as s:
        rid = _person(s)
        ops.update(s, "retirees", rid, {"note": "一"}, actor="t")
    with db.session_scope() as s, pytest.raises(StaleRecordError):
        ops.update(s, "retirees", rid, {"note": "二"}, actor="t", expected_rev=1)


def test_soft_delete_is_a_restorable_tombstone(db) -> None:
    with db.session_scope() as s:
        rid = _person(s)
        visit = ops.create(s, "visits", {"retiree_id": rid, "kind": "家访", "visit_date": "2024-03-05"},
                           actor="t").id
    with db.session_scope() as s:
        ops.soft_delete(s, "retirees", rid, actor="t")
        ops.soft_delete(s, "visits", visit, actor="t")
    with db.session_scope() as s:
        r = s.get(Retiree, rid)
        assert r is not None and r.deleted and r.rev == 2
        assert r.field_revs["deleted"] == {versions.replica_id(s): 2}
        assert [x.id for x in ops.deleted_records(s, "retirees")] == [rid]
        with pytest.raises(NotFoundError):
            ops.get(s, "retirees", rid)
        with pytest.raises(NotFoundError):
            ops.update(s, "retirees", rid, {"note": "x"}, actor="t")
        # A child comes back only after its person.
        with pytest.raises(ValidationError):
            ops.restore(s, "visits", visit, actor="t")
    with db.session_scope() as s:
        ops.restore(s, "retirees", rid, actor="t")
        ops.restore(s, "visits", visit, actor="t")
        assert not s.get(Retiree, rid).deleted
        actions = [a.action for a in _audit(s, rid)]
        assert actions[-2:] == ["delete", "restore"]


def test_death_date_makes_status_deceased_and_is_checked(db) -> None:
    with db.session_scope() as s:
        rid = _person(s, birth_date="1940-02")
        ops.update(s, "retirees", rid, {"death_date": "2024.3"}, actor="t")
        assert s.get(Retiree, rid).status == "已故"
        with pytest.raises(ValidationError):
            ops.update(s, "retirees", rid, {"death_date": "1939"}, actor="t")
        with pytest.raises(ValidationError):
            ops.update(s, "retirees", rid, {"status": "在册", "death_date": "2024-03-01"}, actor="t")


def test_children_inherit_the_unit_and_need_a_live_person(db) -> None:
    with db.session_scope() as s:
        rid = _person(s)
        c = ops.create(s, "contacts", {"retiree_id": rid, "kind": "配偶", "name": "李秀英",
                                       "marriage_date": "1966.10", "phones": "139 0013 9000"}, actor="t")
        contact = ops.get(s, "contacts", c.id)
        assert contact.unit_id == s.get(Retiree, rid).unit_id
        assert contact.phones == ["13900139000"] and contact.marriage_date == "1966-10"
        with pytest.raises(ValidationError):
            ops.create(s, "contacts", {"retiree_id": rid, "kind": "子女", "name": "张小",
                                       "marriage_date": "1990"}, actor="t")
        with pytest.raises(ValidationError):
            ops.create(s, "visits", {"retiree_id": "0" * 32, "kind": "家访", "visit_date": "2024-01-01"},
                       actor="t")


def test_money_is_integer_fen(db) -> None:
    with db.session_scope() as s:
        rid = _person(s)
        pay = ops.create(s, "payments", {"retiree_id": rid, "kind": "丧事慰问", "amount_fen": "¥500.50",
                                         "paid_on": "2024-05-01"}, actor="t")
        p = ops.get(s, "payments", pay.id)
        assert p.amount_fen == 50050 and p.fund_year == 2024
        with pytest.raises(ValidationError):
            ops.create(s, "payments", {"retiree_id": rid, "kind": "丧事慰问", "amount_fen": "5.005",
                                       "paid_on": "2024-05-01"}, actor="t")


MINIMAL: dict[str, dict] = {
    "liaison_groups": {"name": "建国路第1组", "area": "建国路"},
    "benefits": {"item": "基本养老金", "amount_fen": 512300, "effective_from": "2024-07-01"},
    "contacts": {"kind": "子女", "name": "张小明"},
    "notices": {"title": "资格认证通知", "kind": "资格认证"},
    "visits": {"kind": "电话联系", "visit_date": "2024-02-02"},
    "care_cases": {"kind": "住院", "opened_on": "2024-02-02"},
    "payments": {"kind": "困难帮扶", "amount_fen": 100000, "paid_on": "2024-02-03"},
    "fund_budgets": {"year": 2024, "amount_fen": "50000"},
}


@pytest.mark.parametrize("table", sorted(set(SYNCED_MODELS) - {"units", "retirees"}))
def test_every_record_type_round_trips(db, table: str) -> None:
    with db.session_scope() as s:
        rid = _person(s)
        data = dict(MINIMAL.get(table, {}))
        if table == "notice_deliveries":
            nid = ops.create(s, "notices", MINIMAL["notices"], actor="t").id
            data = {"notice_id": nid, "method": "电话", "delivered_on": "2024-03-01", "acknowledged": "是"}
        if "retiree_id" in {f.name for f in REGISTRY[table]}:
            data["retiree_id"] = rid
        created = ops.create(s, table, data, actor="t")
        change = {"notice_deliveries": {"acknowledged": False}, "notices": {"content": "请本人到场"},
                  "visits": {"summary": "身体尚好"}}.get(table, {"note": "已核对"})
        updated = ops.update(s, table, created.id, change, actor="t")
        assert updated.rev == 2
        ops.soft_delete(s, table, created.id, actor="t")
        ops.restore(s, table, created.id, actor="t")
        obj = ops.get(s, table, created.id)
        assert obj.rev == 4 and not obj.deleted
        audit = [a.action for a in _audit(s, created.id)]
        assert audit[0] == "create" and audit[-2:] == ["delete", "restore"] and "update" in audit
