"""The plan (dry run), duplicates and their choices, apply in one transaction with a
backup, cancel and failure leaving the database unchanged, re-import adding nobody."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from importer_helpers import ident, snapshot
from sqlmodel import select

from app.importer import NEW, SKIP_DUP, UPDATE, apply_plan, export_problem_rows, plan_report
from app.models import AuditEntry, Contact, LiaisonGroup, Retiree, SearchEntry
from app.services import operations
from app.services.demo import Cancelled
from app.services.search import search

HEAD = ["序号", "姓名", "性别", "出生年月", "身份证号码", "联系电话", "家庭住址", "联络小组", "备注"]
A = ident(1943, 5, 12, 1)
B = ident(1950, 2, 3, 2)
C = ident(1938, 11, 30, 5)


def roster() -> list[list]:
    return [
        ["XX公司离退休人员花名册"],
        HEAD,
        [1, "张　三", None, 1943.05, A.lower(), "13800138000、010-62345678", "东城区和平里1号", "和平里组", "2023.3去世"],
        [2, "李四 ", "女", datetime(1950, 2, 3), B, 13900139000, "朝阳区建国路2号", "和平里组", "独居"],
        [3, "王五", "", 14214, C, "", "", "新组", ""],
        [],
        [4, "赵六", "男", "1940.01", 110105194001011000, "", "", "", ""],
        [None, "合计", "4人"],
    ]


def test_dry_run_counts_problems_and_groups(db, xlsx, plan_of):
    plan = plan_of(xlsx(roster()))
    rep = plan_report(plan)
    assert rep["counts"] == {"new": 3, "updated": 0, "unchanged": 0, "skipped": 1, "failed": 1, "duplicates": 0}
    (problem,) = rep["problems"]
    assert problem == {"sheet": "花名册", "row": 7, "field": "身份证号", "severity": "错误",
                       "message": problem["message"]}
    assert "丢失" in problem["message"]
    assert rep["new_groups"] == ["和平里组", "新组"]
    assert rep["skipped_rows"] == [{"sheet": "花名册", "row": 8, "reason": "合计行"}]
    values = {r.data.values["name"]: r.data.values for r in plan.rows if r.action == "new"}
    # Sex and birth date derived from the ID number when their column is empty.
    assert values["张三"]["sex"] == "男" and values["张三"]["birth_date"] == "1943-05"
    assert values["王五"]["birth_date"] == "1938-11-30" and values["王五"]["sex"] == "男"
    hints = {(h["who"], h["field_name"]): h["value"] for h in rep["hints"]}
    assert hints[("张三", "status")] == "已故"
    assert hints[("李四", "living")] == "独居"
    assert snapshot(db.path)["retirees"] == []  # the dry run wrote nothing


def test_birth_date_mismatch_with_id_is_reported(db, xlsx, plan_of):
    plan = plan_of(xlsx([HEAD, [1, "张三", "女", "1944.05", A, "", "", "", ""]]))
    (row,) = plan.rows
    assert row.action == "failed"
    messages = " ".join(i.message for i in row.data.issues)
    assert "出生日期" in messages and "性别" in messages


def test_apply_writes_records_with_identity(db, xlsx, plan_of):
    path = xlsx(roster())
    plan = plan_of(path)
    result = apply_plan(db, plan, accept_hints={("花名册!3", "status"), ("花名册!3", "death_date")},
                        actor="导入员")
    assert result.counts == {"new": 3, "updated": 0, "unchanged": 0, "skipped": 1, "failed": 1}
    assert result.backup is not None and result.backup.exists() and "before-import" in result.backup.name
    assert result.groups_created == ["和平里组", "新组"]
    with db.session_scope() as s:
        people = {r.name: r for r in s.exec(select(Retiree))}
        assert set(people) == {"张三", "李四", "王五"}
        zs = people["张三"]
        assert zs.id_number == A and zs.phones == ["13800138000", "010-62345678"]
        assert zs.status == "已故" and zs.death_date == "2023-03"  # accepted hints
        assert people["李四"].living is None  # hint not accepted
        assert people["李四"].phones == ["13900139000"]
        assert people["王五"].birth_date == "1938-11-30"  # serial number
        for r in people.values():
            assert r.rev == 1 and r.field_revs == {} and r.updated_by == "导入员" and r.unit_id
        groups = {g.name: g.id for g in s.exec(select(LiaisonGroup))}
        assert zs.group_id == groups["和平里组"] and people["王五"].group_id == groups["新组"]
        audits = s.exec(select(AuditEntry).where(AuditEntry.action == "import",
                                                 AuditEntry.table_name == "retirees")).all()
        assert {a.record_id for a in audits} >= {r.id for r in people.values()}
        assert len(s.exec(select(SearchEntry)).all()) == 3
        assert [h.retiree_id for h in search(s, "lisi")] == [people["李四"].id]


def test_importing_the_same_file_twice_adds_nobody(db, xlsx, plan_of):
    path = xlsx(roster())
    apply_plan(db, plan_of(path))
    before = snapshot(db.path)["retirees"]
    plan = plan_of(path)
    assert plan.counts()["new"] == 0 and plan.counts()["unchanged"] == 3
    result = apply_plan(db, plan, default=UPDATE)
    assert result.counts["new"] == 0 and result.counts["updated"] == 0
    assert snapshot(db.path)["retirees"] == before


def test_applying_one_plan_twice_adds_nobody(db, xlsx, plan_of):
    plan = plan_of(xlsx(roster()))
    apply_plan(db, plan)
    second = apply_plan(db, plan)
    assert second.counts["new"] == 0 and second.counts["skipped"] == 4
    assert [i.row for i in second.issues] == [3, 4, 5]
    assert all("已有此人" in i.message and i.severity == "warning" for i in second.issues)
    with db.session_scope() as s:
        assert len(s.exec(select(Retiree)).all()) == 3


def test_rows_without_id_or_birth_are_not_added_twice(db, xlsx, plan_of):
    path = xlsx([["姓名", "电话"], ["孙七", "13800138000"]])
    apply_plan(db, plan_of(path))
    apply_plan(db, plan_of(path))
    with db.session_scope() as s:
        assert len(s.exec(select(Retiree)).all()) == 1


def _existing(db, **values) -> str:
    with db.session_scope() as s:
        return operations.create(s, "retirees", values, actor="测试员").id


@pytest.mark.parametrize(("choice", "count_key", "people"), [
    (SKIP_DUP, "skipped", 1), (UPDATE, "updated", 1), (NEW, "new", 2)])
def test_duplicate_against_database_choices(db, xlsx, plan_of, choice, count_key, people):
    rid = _existing(db, name="张三", id_number=A, phones="13800138000", address="老地址", note="原备注")
    path = xlsx([HEAD, [1, "张三", "", "", A, "13900139000", "", "", "新备注"]])
    plan = plan_of(path)
    (row,) = plan.rows
    assert row.action == "duplicate" and row.duplicate.kind == "db"
    assert row.duplicate.reason == "身份证号相同" and row.existing_id == rid
    rep = plan_report(plan, {row.key: choice})
    assert rep["duplicates"][0]["changes"]["备注"] == ["原备注", "新备注"]
    assert rep["counts"][count_key] == 1
    result = apply_plan(db, plan, choices={row.key: choice})
    assert result.counts[count_key] == 1
    with db.session_scope() as s:
        rows = s.exec(select(Retiree)).all()
        assert len(rows) == people
        old = s.get(Retiree, rid)
        if choice == UPDATE:
            assert old.note == "新备注"
            assert old.address == "老地址"  # blank cell never overwrites
            assert old.phones == ["13900139000", "13800138000"]  # phones added, none lost
            assert old.rev == 2 and "note" in old.field_revs and "address" not in old.field_revs
            fields = {a.field for a in s.exec(select(AuditEntry).where(
                AuditEntry.record_id == rid, AuditEntry.action == "update"))}
            assert fields == {"note", "phones"}
        else:
            assert old.note == "原备注" and old.rev == 1


def test_same_name_and_birth_date_is_a_duplicate(db, xlsx, plan_of):
    _existing(db, name="王秀英", birth_date="1943-05-12")
    plan = plan_of(xlsx([["姓名", "出生日期", "电话"], ["王秀英", "1943.05", "13800138000"]]))
    (row,) = plan.rows
    assert row.action == "duplicate" and row.duplicate.reason == "姓名和出生日期相同"
    apply_plan(db, plan, choices={row.key: UPDATE})
    with db.session_scope() as s:
        (r,) = s.exec(select(Retiree)).all()
        assert r.birth_date == "1943-05-12"  # the more precise date is kept
        assert r.phones == ["13800138000"]


def test_same_name_different_id_is_not_a_duplicate(db, xlsx, plan_of):
    _existing(db, name="张三", id_number=A)
    plan = plan_of(xlsx([HEAD, [1, "张三", "", "", C, "", "", "", ""]]))
    assert plan.rows[0].action == "new"


def test_duplicates_within_the_file(db, xlsx, plan_of):
    path = xlsx([HEAD,
                 [1, "张三", "", "", A, "13800138000", "", "", ""],
                 [2, "张三", "", "", A, "", "东城区", "", "补充"],
                 [3, "李四", "女", "1950.02", "", "", "", "", ""],
                 [4, "李四", "女", "1950年2月", "", "", "", "", ""]])
    plan = plan_of(path)
    dups = plan.duplicates()
    assert [(d.data.row, d.duplicate.kind, d.duplicate.other_row) for d in dups] == [
        (3, "file", "花名册!2"), (5, "file", "花名册!4")]
    result = apply_plan(db, plan, choices={"花名册!3": UPDATE, "花名册!5": SKIP_DUP})
    assert result.counts == {"new": 2, "updated": 1, "unchanged": 0, "skipped": 1, "failed": 0}
    with db.session_scope() as s:
        people = {r.name: r for r in s.exec(select(Retiree))}
        assert len(people) == 2
        zs = people["张三"]
        assert (zs.phones, zs.address, zs.note, zs.rev) == (["13800138000"], "东城区", "补充", 2)


def test_cancel_mid_apply_leaves_database_unchanged(db, xlsx, plan_of):
    _existing(db, name="老人", id_number=C)
    rows = [["姓名", "电话"]] + [[f"人员{i}", f"138{i:08d}"] for i in range(1200)]
    plan = plan_of(xlsx(rows))
    before = snapshot(db.path)
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) >= 2  # after the first chunk has been written

    with pytest.raises(Cancelled):
        apply_plan(db, plan, cancel=cancel)
    assert len(calls) >= 2
    assert snapshot(db.path) == before


def test_failure_mid_apply_leaves_database_unchanged(db, xlsx, plan_of, monkeypatch):
    rows = [["姓名", "联络小组"]] + [[f"人员{i}", "一组"] for i in range(700)]
    plan = plan_of(xlsx(rows))
    before = snapshot(db.path)
    import app.importer.apply as apply_mod

    real = apply_mod.search.entry_for
    seen = []

    def broken(r):
        seen.append(1)
        if len(seen) > 600:
            raise RuntimeError("磁盘已满")
        return real(r)

    monkeypatch.setattr(apply_mod.search, "entry_for", broken)
    with pytest.raises(RuntimeError):
        apply_plan(db, plan)
    assert snapshot(db.path) == before


def test_progress_is_reported(db, xlsx, plan_of):
    plan = plan_of(xlsx([["姓名"]] + [[f"人员{i}"] for i in range(1100)]))
    seen = []
    apply_plan(db, plan, progress=lambda d, t, text: seen.append((d, t)))
    assert seen[-1] == (1100, 1100) and (500, 1100) in seen


def test_contacts_are_imported_once(db, xlsx, plan_of):
    path = xlsx([["姓名", "身份证号", "配偶", "子女", "子女电话"],
                 ["张三", A, "刘芳", "张明、张丽", "13700137000/13600136000"]])
    apply_plan(db, plan_of(path))
    plan = plan_of(path)
    assert plan.rows[0].action == "unchanged"
    with db.session_scope() as s:
        contacts = s.exec(select(Contact)).all()
        assert sorted((c.kind, c.name, tuple(c.phones)) for c in contacts) == [
            ("子女", "张丽", ("13600136000",)), ("子女", "张明", ("13700137000",)), ("配偶", "刘芳", ())]
        assert all(c.rev == 1 for c in contacts)


def test_existing_group_is_matched_by_name(db, xlsx, plan_of):
    with db.session_scope() as s:
        gid = operations.create(s, "liaison_groups", {"name": "和平里组"}, actor="测试员").id
    plan = plan_of(xlsx([["姓名", "所在小组"], ["张三", " 和平里组 "]]))
    assert plan.new_groups == []
    apply_plan(db, plan)
    with db.session_scope() as s:
        (r,) = s.exec(select(Retiree)).all()
        assert r.group_id == gid
        assert len(s.exec(select(LiaisonGroup)).all()) == 1


def test_problem_rows_export_and_reimport(db, xlsx, plan_of, tmp_path: Path):
    plan = plan_of(xlsx(roster()))
    out = tmp_path / "问题行.xlsx"
    assert export_problem_rows(plan, out) == 1
    wb = openpyxl.load_workbook(out)
    ws = wb["花名册"]
    header = [c.value for c in ws[1]]
    assert header[:9] == HEAD and header[9:] == ["问题说明", "原工作表", "原行号"]
    row = [c.value for c in ws[2]]
    assert row[1] == "赵六" and "丢失" in row[9] and row[11] == 7
    assert isinstance(row[4], str)  # the mangled ID is written as text
    # Fixed by the user and imported again: the extra columns are not imported.
    ws.cell(2, 5).value = ident(1940, 1, 1, 3)
    wb.save(out)
    again = plan_of(out)
    (fixed,) = again.rows
    assert fixed.action == "new" and "note" not in fixed.data.values
    assert fixed.data.values["birth_date"] == "1940-01"


def test_template_from_registry_round_trips(db, plan_of, tmp_path: Path):
    from app.importer import write_template
    from app.models.registry import fields

    path = write_template(tmp_path / "模板.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["离退休人员"]
    header = [c.value for c in ws[1]]
    assert header[: len(fields("retirees"))] == [f.label for f in fields("retirees")]
    assert "填写说明" in wb.sheetnames
    values = {"姓名": "张三", "身份证号": A, "出生日期": "1943.05", "联系电话": "13800138000",
              "人员类别": "退休", "返乡": "是", "联络小组": "一组", "配偶姓名": "刘芳"}
    for col, head in enumerate(header, 1):
        if head in values:
            ws.cell(2, col).value = values[head]
    wb.save(path)
    plan = plan_of(path)
    assert [s.imported for s in plan.sheets] == [True, False]
    (row,) = plan.rows
    assert row.action == "new", row.data.issues
    assert row.data.values["returned_home"] is True and row.data.values["category"] == "退休"
    assert row.data.contacts == [{"kind": "配偶", "name": "刘芳", "phones": []}]


def test_dry_run_can_be_cancelled(db, xlsx, plan_of):
    path = xlsx([["姓名", "电话"]] + [[f"人员{i}", ""] for i in range(600)])
    with pytest.raises(Cancelled):
        plan_of(path, cancel=lambda: True)
    seen = []
    plan_of(path, progress=lambda d, t, text: seen.append(text))
    assert seen and "检查完成" in seen[-1]


def test_footer_and_blank_rows_are_not_people(db, xlsx, plan_of):
    plan = plan_of(xlsx([HEAD, [1, "张三", "", "", A, "", "", "", ""], [], [None, None, None],
                         [None, "合计", "1人"], ["制表人：李干事", None, "审核：王主任"]]))
    assert [(r.data.row, r.action, r.skip_reason) for r in plan.rows] == [
        (2, "new", ""), (5, "skipped", "合计行"), (6, "skipped", "表尾说明文字")]
    assert plan.sheets[0].blank_rows == 2
