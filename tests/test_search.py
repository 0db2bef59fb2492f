"""Search by name, pinyin, initials, ID-number tail, phone and address; kept incremental."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from app.models import Retiree, SearchEntry
from app.services import operations as ops
from app.services import search
from app.services.idcard import make_id_number

ID = make_id_number("110105", date(1945, 3, 8), 41)


def _names(hits) -> list[str]:
    return [h.name for h in hits]


def _seed(s) -> dict[str, str]:
    people = {
        "张三": {"phones": "13800138000", "address": "北京市朝阳区建国路88号", "id_number": ID},
        "曾志伟": {"address": "海淀区学院路5号"},
        "李四": {"phones": "010-62345678", "address": "东城区和平里东街3号"},
        "张珊珊": {"address": "丰台区方庄路1号"},
    }
    return {name: ops.create(s, "retirees", {"name": name, **extra}, actor="t").id
            for name, extra in people.items()}


def test_search_by_every_key(db) -> None:
    with db.session_scope() as s:
        _seed(s)
        assert _names(search.search(s, "zs")) == ["张三", "张珊珊"]
        assert _names(search.search(s, "zhangsan")) == ["张三"]
        assert _names(search.search(s, "ZHANG")) == ["张三", "张珊珊"]
        assert _names(search.search(s, "张")) == ["张三", "张珊珊"]
        assert _names(search.search(s, "zzw")) == ["曾志伟"]  # surname reading 曾 = zeng
        assert _names(search.search(s, "czw")) == ["曾志伟"]
        assert _names(search.search(s, ID[-4:])) == ["张三"]
        assert _names(search.search(s, "0013800")) == ["张三"]
        assert _names(search.search(s, "62345678")) == ["李四"]
        assert _names(search.search(s, "学院路")) == ["曾志伟"]
        assert search.search(s, "zz9") == []
        assert search.search(s, "  ") == []
        hit = search.search(s, ID[-6:])[0]
        assert hit.field == "身份证尾号"


def test_full_id_number_is_not_in_the_index(db) -> None:
    with db.session_scope() as s:
        _seed(s)
        keys = " ".join(s.exec(select(SearchEntry.keys)))
        assert ID not in keys and ID[:6] not in keys.split("\x1f")


def test_index_follows_every_change(db) -> None:
    with db.session_scope() as s:
        ids = _seed(s)
    with db.session_scope() as s:
        ops.update(s, "retirees", ids["李四"], {"name": "王五"}, actor="t")
        assert _names(search.search(s, "ww")) == ["王五"]
        assert search.search(s, "ls") == []
        ops.update(s, "retirees", ids["张三"], {"death_date": "2024-01-01"}, actor="t")
        assert _names(search.search(s, "zs")) == ["张珊珊"]
        assert _names(search.search(s, "zs", include_inactive=True)) == ["张三", "张珊珊"]
        ops.soft_delete(s, "retirees", ids["张珊珊"], actor="t")
        assert search.search(s, "zs") == []
        ops.restore(s, "retirees", ids["张珊珊"], actor="t")
        assert _names(search.search(s, "zss")) == ["张珊珊"]


def test_rebuild_gives_the_same_index_as_incremental_updates(demo_db) -> None:
    with demo_db.session_scope() as s:
        r = s.exec(select(Retiree).where(Retiree.status == "在册")).first()
        ops.update(s, "retirees", r.id, {"address": "新地址路1号"}, actor="t")
        before = sorted(s.exec(select(SearchEntry.retiree_id, SearchEntry.keys, SearchEntry.status)).all())
        assert search.rebuild(s) == 300
        after = sorted(s.exec(select(SearchEntry.retiree_id, SearchEntry.keys, SearchEntry.status)).all())
        assert before == after
        assert search.count_matches(s, "新地址路") == 1
