"""Reading a bundle's records takes shortcuts (the decoder's scanner, members kept from the
hash check, split on newlines); each must give exactly what json.loads on each line of a text
reader gives, errors included. And an import leaves the connection settings as it found them."""

from __future__ import annotations

import io
import json
import sqlite3
import zipfile
from typing import Any

import pytest

from app.sync import container
from app.sync.container import OpenedBundle, build_zip
from app.sync.records import from_json, from_json_many
from tests.sync.conftest import add_people

TEXTS = [
    '{"a":1}\n{"b":"x\u2028y\u0085z\x1cw"}\n',  # characters str.splitlines would split on
    '{"a":1}\n\n  \n{"b":2}',  # blank lines, no final newline
    '{"a":1}\n{"b":2} \n',  # trailing blank
    ' {"a": 1}\n"s"\n',  # leading blank, not an object
    '{"a":1}\r\n{"b":2}\r{"c":3}\n',  # other line ends
    "",
    "\n",
    "NaN\n-Infinity\n1e5\n",
    '{"a":1}{"b":2}\n',  # two values on one line
    "[1\n2]\n",  # one value over two lines
    '{"a":1}\n{"a":\n',
]


def _reference(text: str) -> tuple[str, Any]:
    try:
        return "ok", [json.loads(line) for line in io.TextIOWrapper(io.BytesIO(text.encode()), encoding="utf-8")
                      if line.strip()]
    except ValueError as exc:
        return "error", str(exc)


def _records(text: str, *, kept: bool) -> tuple[str, Any]:
    data = text.encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("records/visits.jsonl", data)
    opened = OpenedBundle({}, {"members": {"records/visits.jsonl": {}}}, zipfile.ZipFile(buf),
                          "", {"records/visits.jsonl": data} if kept else {})
    try:
        return "ok", list(opened.records("visits"))
    except ValueError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("text", TEXTS)
def test_records_read_exactly_as_json_loads_per_line(text: str) -> None:
    expected = _reference(text)
    assert _records(text, kept=True) == expected
    assert _records(text, kept=False) == expected


def test_open_archive_keeps_small_members_only(monkeypatch: pytest.MonkeyPatch) -> None:
    small = b'{"a":1}\n' * 10
    big = b'{"b":2}\n' * 1000
    plain = build_zip({"format": 1}, {"records/visits.jsonl": small, "records/benefits.jsonl": big})
    monkeypatch.setattr(container, "MAX_KEPT_BYTES", len(small) + 100)
    opened = container.open_archive(plain, {}, "", {"visits", "benefits"})
    assert set(opened.inflated) == {"records/visits.jsonl"} or set(opened.inflated) == {"records/benefits.jsonl"}
    assert sum(map(len, opened.inflated.values())) <= len(small) + 100
    assert list(opened.records("visits")) == [{"a": 1}] * 10
    assert list(opened.records("benefits")) == [{"b": 2}] * 1000


def _from_json(row: dict[str, Any]) -> tuple[str, Any]:
    try:
        return "ok", from_json("visits", dict(row), convert=False)
    except (ValueError, TypeError) as exc:
        return "error", str(exc)


def test_from_json_many_is_from_json_or_nothing() -> None:
    base = {"id": "a" * 32, "unit_id": "u" * 32, "rev": 1, "field_revs": {},
            "updated_at": "2026-11-22T03:10:17.008063+00:00", "updated_by": "x", "deleted": False,
            "retiree_id": "r" * 32, "kind": "家访", "visit_date": "2024-03-01"}
    variants = [{}, {"rev": True}, {"rev": 0}, {"rev": "1"}, {"id": ""}, {"unit_id": 5}, {"visit_date": "2024-3-1"},
                {"visit_date": 20240301}, {"visit_date": None}, {"updated_at": "yesterday"},
                {"field_revs": {"kind": {"r1": 2}}}, {"field_revs": {"kind": {"r1": "x"}}}, {"field_revs": [1]},
                {"field_revs": []}, {"deleted": 1}, {"unknown": 1}, {"visit_date": ["2024-03-01"]}]
    rows = [{**base, **v} for v in variants]
    expected = [_from_json(r) for r in rows]
    assert [e[0] for e in expected].count("ok") == 6
    for k in range(len(rows)):  # each variant alone among good rows, then all together
        for picks in ([0, k, 0], list(range(len(rows)))):
            batch = [dict(rows[i]) for i in picks]
            got = from_json_many("visits", batch)
            for i, row in zip(picks, batch, strict=True):
                if id(row) in got:
                    assert expected[i] == ("ok", got[id(row)]), variants[i]
            if k == 0 and len(picks) == 3:
                assert len(got) == 3  # the common case does take the short way


def test_import_restores_the_connection_and_checkpoints(net) -> None:
    hq = net.headquarters()
    u1 = net.child(hq, "U1")
    add_people(u1, *[f"人{i}" for i in range(50)])
    [result] = hq.take(u1.export(hq))
    assert result["counts"]["new"] == 50
    with hq.db.engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        assert raw.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    # Everything committed is in the database file itself, not only in the WAL.
    con = sqlite3.connect(f"file:{hq.db.path}?mode=ro", uri=True)
    busy, log, done = con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    con.close()
    assert busy == 0 and log == done
