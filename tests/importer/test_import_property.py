"""Property-based: random cell values never crash the import, every problem names its sheet,
row and field, a failed (here: cancelled) apply leaves the database unchanged, and importing
the same file again adds nobody."""

from __future__ import annotations

import string
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importer_helpers import ident, snapshot, write_xlsx

from app.importer import apply_plan, build_plan
from app.services.demo import Cancelled

HEAD = ["序号", "姓名", "性别", "出生年月", "身份证号", "联系电话", "备注", "联络小组", "未知列"]
ALPHABET = "张王李赵三四五六男女0123456789.-/年月日Xx 　、，合计去世独居孤老返乡劳模不能自理()" + string.ascii_letters

text = st.text(alphabet=ALPHABET, max_size=14)
anything = st.one_of(
    st.none(), text,
    st.integers(min_value=-(10**19), max_value=10**19),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
    st.booleans(),
)
realistic = {
    1: st.sampled_from(["张三", "李四", "王五", "张　三", " 赵六 ", "合计"]),
    2: st.sampled_from(["男", "女", "男性", "", "未知"]),
    3: st.sampled_from(["1943.05", "1943.5", "1943年5月", "19430512", 15838, 1943.05, datetime(1943, 5, 12), "1950.02"]),
    4: st.sampled_from([ident(1943, 5, 12, 1), ident(1943, 5, 12, 1).lower(), ident(1950, 2, 3, 2),
                        110105194305121234, ident(1943, 5, 12, 1)[:6] + ident(1943, 5, 12, 1)[8:17], ""]),
    5: st.sampled_from(["13800138000", "13800138000、010-62345678", "1380013", 13900139000]),
    6: st.sampled_from(["2023.3去世", "独居", "返乡", "劳模", "不能自理", "", "孤老"]),
    7: st.sampled_from(["一组", "二组", ""]),
}


def cell(col: int) -> st.SearchStrategy:
    return st.one_of(realistic[col], anything) if col in realistic else anything


row = st.tuples(*[cell(i) for i in range(len(HEAD))]).map(list)
rows = st.lists(st.one_of(row, st.just([])), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=rows, title=st.booleans())
def test_random_cells(db, tmp_path: Path, body, title):
    lines = ([["人员名单"]] if title else []) + [HEAD] + body
    path = write_xlsx(tmp_path / "p.xlsx", lines)
    first_data_row = (2 if title else 1) + 1
    with db.session_scope() as s:
        plan = build_plan(s, path)
    data_rows = {first_data_row + i for i, r in enumerate(body)
                 if any(v not in (None, "") and not (isinstance(v, str) and not v.strip()) for v in r)}
    assert {r.data.row for r in plan.rows} <= data_rows
    for r in plan.rows:
        for issue in r.data.issues:
            assert issue.sheet == "花名册" and issue.row == r.data.row and issue.message
            assert issue.row in data_rows
        if r.action == "failed":
            assert any(i.severity == "error" and i.label for i in r.data.issues)

    # A failure at the very end of the apply (after every row was written): all rolled back.
    before = snapshot(db.path)
    with pytest.raises(Cancelled):
        apply_plan(db, plan, cancel=lambda: True, backup=False)
    assert snapshot(db.path) == before

    # Applied for real, then the same file again: nobody is added.
    apply_plan(db, plan, backup=False)
    with db.session_scope() as s:
        again = build_plan(s, path)
    assert again.counts()["new"] == 0
