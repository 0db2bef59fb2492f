"""Random edits on three replicas (headquarters, a middle unit, a leaf unit), exchanged in
random order: they converge, and no edit disappears without a parked conflict."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from app.models import SyncConflict
from app.services import operations as ops
from app.sync.conflicts import resolve
from tests.sync.conftest import Network, add_people

EDGES = [("leaf", "mid"), ("mid", "leaf"), ("mid", "hq"), ("hq", "mid")]
FIELDS = ["note", "address"]

step = st.one_of(
    st.tuples(st.just("edit"), st.sampled_from(["hq", "mid", "leaf"]), st.integers(0, 1), st.sampled_from(FIELDS)),
    st.tuples(st.just("delete"), st.sampled_from(["hq", "mid", "leaf"]), st.integers(0, 1), st.just("")),
    st.tuples(st.just("send"), st.sampled_from(EDGES), st.just(0), st.just("")),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, min_size=3, max_size=14))
def test_replicas_converge_and_keep_every_edit(tmp_path_factory, steps) -> None:
    _converge(Network(tmp_path_factory.mktemp("net")), steps)


# Examples hypothesis once found, kept so that a clean clone (no .hypothesis folder) runs them.
FOUND = [
    # An edit at headquarters of a record it had deleted, while a middle tier forwards an older
    # edit that crossed the deletion: the headquarters edit was lost.
    [("send", ("leaf", "mid"), 0, ""), ("edit", "mid", 0, "address"), ("edit", "leaf", 0, "address"),
     ("delete", "hq", 0, ""), ("send", ("mid", "hq"), 0, ""), ("edit", "hq", 0, "address")],
]


@pytest.mark.parametrize("steps", FOUND)
def test_found_examples_converge(tmp_path: Path, steps) -> None:
    _converge(Network(tmp_path), steps)


def _converge(net: Network, steps) -> None:
    try:
        hq = net.headquarters()
        mid = net.child(hq, "M1")
        leaf = net.child(mid, "L1")
        sites = {"hq": hq, "mid": mid, "leaf": leaf}
        ids = add_people(leaf, "甲", "乙")
        for a, b in (("leaf", "mid"), ("mid", "hq"), ("hq", "mid"), ("mid", "leaf")):
            sites[a].send(sites[b])
        counter = itertools.count()
        made: set[str] = set()  # every value an edit wrote
        superseded: set[str] = set()  # values a replica knowingly replaced
        for kind, who, idx, field in steps:
            if kind == "send":
                a, b = who
                sites[a].send(sites[b])
                continue
            site = sites[who]
            with site.db.session_scope() as s:
                obj = ops.get(s, "retirees", ids[idx], include_deleted=True)
                if kind == "delete":
                    if not obj.deleted:
                        ops.soft_delete(s, "retirees", ids[idx], actor=who)
                    continue
                value = f"{who}-{next(counter)}"
                if getattr(obj, field):
                    superseded.add(getattr(obj, field))
                if obj.deleted:
                    ops.restore(s, "retirees", ids[idx], actor=who)
                ops.update(s, "retirees", ids[idx], {field: value}, actor=who)
                made.add(value)
        # Settle: exchange everywhere, resolving conflicts the same way on every side.
        in_conflicts: set[str] = set()
        for _ in range(8):
            for a, b in EDGES:
                sites[a].send(sites[b])
            open_any = False
            for site in sites.values():
                with site.db.session_scope() as s:
                    for c in s.exec(select(SyncConflict)):
                        in_conflicts.update(str(v) for v in (c.mine, c.theirs) if v is not None)
                    for c in list(s.exec(select(SyncConflict).where(SyncConflict.resolved_at == None))):  # noqa: E711
                        open_any = True
                        if c.field == "deleted":
                            resolve(s, c.id, "edit", actor="t", value=False)
                        else:
                            resolve(s, c.id, "edit", actor="t", value=max(str(c.mine), str(c.theirs)))
            if not open_any:
                break
        for a, b in EDGES:
            sites[a].send(sites[b])
        snaps = [site.snapshot()["retirees"] for site in sites.values()]
        assert snaps[0] == snaps[1] == snaps[2]
        final = {str(v) for row in snaps[0].values() for k, v in row.items() if k in FIELDS}
        lost = made - final - superseded - in_conflicts
        assert not lost, f"edits lost without a conflict: {lost}"
    finally:
        net.close()


def test_network_helper_paths_are_separate(tmp_path: Path) -> None:
    net = Network(tmp_path)
    hq = net.headquarters()
    u = net.child(hq, "U9")
    assert hq.db.path != u.db.path and hq.db.path.parent.name == "HQ"
    net.close()
